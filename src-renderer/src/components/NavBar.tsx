// Back/forward and breadcrumbs: Experiments › experiment › room › participant.
import { useShallow } from 'zustand/react/shallow';
import { useHierarchy, useModel, useNav } from '../model-context';
import { roomKey } from '../stores/hierarchy-store';
import { canGoBack, canGoForward, currentLocation, goBack, goForward, navigate, type Location } from '../stores/nav-store';

interface Crumb { label: string; to: Location }

export function NavBar() {
  const model = useModel();
  const loc = useNav(currentLocation);
  const back = useNav(canGoBack);
  const fwd = useNav(canGoForward);
  const experimentId = loc.view === 'experiments' ? undefined : loc.view === 'data' ? loc.target.experimentId : loc.experimentId;
  const roomId = loc.view === 'participants' ? loc.roomId : loc.view === 'data' ? loc.target.roomId : undefined;
  const participantId = loc.view === 'data' ? loc.target.participantId : undefined;
  const [experimentName, roomName] = useHierarchy(useShallow((s) => [
    experimentId ? s.experimentsById[experimentId]?.name ?? experimentId : '',
    experimentId && roomId ? s.roomsById[roomKey(experimentId, roomId)]?.name ?? roomId : '',
  ]));

  const crumbs: Crumb[] = [{ label: 'Experiments', to: { view: 'experiments' } }];
  if (experimentId) crumbs.push({ label: experimentName, to: { view: 'rooms', experimentId } });
  if (experimentId && roomId) crumbs.push({ label: `Room ${roomName}`, to: { view: 'participants', experimentId, roomId } });
  if (loc.view === 'data') {
    const t = loc.target;
    crumbs.push({
      label: participantId ? `Participant ${participantId}` : `All data`,
      to: { view: 'data', target: t },
    });
  }

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
