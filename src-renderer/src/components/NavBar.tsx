// Back/forward and breadcrumbs, drawn from the place's path: Experiments › experiment › room › participant.
import { useShallow } from 'zustand/react/shallow';
import { itemName } from '../lib/item-names';
import type { Location } from '../lib/location';
import { useApp, useHierarchy, useModel, useNav } from '../model-context';
import { canGoBack, canGoForward, currentLocation, goBack, goForward, navigate } from '../stores/nav-store';

interface Crumb { label: string; to: Location }

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function NavBar() {
  const model = useModel();
  const loc = useNav(currentLocation);
  const back = useNav(canGoBack);
  const fwd = useNav(canGoForward);
  const descriptor = useApp((s) => s.descriptor);
  const levels = descriptor?.levels ?? [];
  const names = useHierarchy(useShallow((h) => loc.path.map((_, i) => itemName(h, loc.path, i) ?? '')));

  const crumbs: Crumb[] = [{ label: levels[0]?.label ?? 'Home', to: { path: [] } }];
  loc.path.forEach((step, i) => {
    const name = names[i] || step.id;
    const singular = levels.find((l) => l.id === step.level)?.singular ?? step.level;
    crumbs.push({ label: i === 0 ? name : `${cap(singular)} ${name}`, to: { path: loc.path.slice(0, i + 1) } });
  });
  const last = loc.path.at(-1);
  const leaf = last && levels.at(-1)?.id === last.level;
  if (loc.data && !leaf) crumbs.push({ label: 'All data', to: { path: loc.path, data: true } });

  return (
    <nav className="navbar" aria-label="Location">
      <button type="button" className="btn ghost icon" aria-label="Back (Alt+Left)" title="Back (Alt+←)" disabled={!back} onClick={() => goBack(model.nav)}>←</button>
      <button type="button" className="btn ghost icon" aria-label="Forward (Alt+Right)" title="Forward (Alt+→)" disabled={!fwd} onClick={() => goForward(model.nav)}>→</button>
      <div className="crumbs" aria-label="Breadcrumb">
        <ol>
          {crumbs.map((c, i) => (
            <li key={i}>
              {i === crumbs.length - 1 ? (
                <span aria-current="page" title={c.label}>{c.label}</span>
              ) : (
                <button type="button" onClick={() => navigate(model.nav, c.to)} title={c.label}>{c.label}</button>
              )}
            </li>
          ))}
        </ol>
      </div>
    </nav>
  );
}
