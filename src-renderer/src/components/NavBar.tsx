// Back/forward and breadcrumbs, drawn from the place's path and the source's levels:
// the top list › the root item › each step below it by its level's word and name › "All data".
import { useShallow } from 'zustand/react/shallow';
import { itemName } from '../lib/item-names';
import { isLeaf, itemTitle, levelOf } from '../lib/levels';
import { normalize, pageOf, type Location } from '../lib/location';
import { useApp, useHierarchy, useModel, useNav } from '../model-context';
import { canGoBack, canGoForward, currentLocation, goBack, goForward, navigate } from '../stores/nav-store';

interface Crumb { label: string; to: Location }

export function NavBar() {
  const model = useModel();
  const loc = useNav(currentLocation);
  const back = useNav(canGoBack);
  const fwd = useNav(canGoForward);
  const descriptor = useApp((s) => s.descriptor);
  const levels = descriptor?.levels ?? [];
  const names = useHierarchy(useShallow((h) => loc.path.map((_, i) => itemName(h, levels, loc.path, i) ?? '')));

  const roots = levels.filter((l) => l.parent === null);
  const top = roots.length === 1 ? roots[0].label : (descriptor?.label ?? 'Home');
  const crumbs: Crumb[] = [{ label: top, to: normalize({ path: [], ...(loc.path[0] ? { list: loc.path[0].level } : {}) }, levels) }];
  loc.path.forEach((step, i) => {
    crumbs.push({ label: itemTitle(levelOf(levels, step.level), names[i] || step.id), to: pageOf(loc.path, i, levels) });
  });
  const last = loc.path.at(-1);
  if (loc.data && last && !isLeaf(levels, last.level)) crumbs.push({ label: 'All data', to: { path: loc.path, data: true } });

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
