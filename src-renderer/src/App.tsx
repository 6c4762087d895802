// The window: top bar, status banner, location bar, the current view, and dialogs on top.
import { useEffect } from 'react';
import { ErrorBox } from './components/ErrorBox';
import { NavBar } from './components/NavBar';
import { StatusBanner } from './components/StatusBanner';
import { Toasts } from './components/Toasts';
import { TopBar } from './components/TopBar';
import { ConnectionsDialog } from './dialogs/ConnectionsDialog';
import { DownloadsPanel } from './dialogs/DownloadsPanel';
import { ExportDialog } from './dialogs/ExportDialog';
import { ProgressModal } from './dialogs/ProgressModal';
import { useApp, useModel, useNav, useUi } from './model-context';
import { currentLocation, goBack, goForward, goUp } from './stores/nav-store';
import { DataView } from './views/DataView';
import { ExperimentsView, ParticipantsView, RoomsView } from './views/HierarchyViews';

function isEditable(el: EventTarget | null): boolean {
  const e = el as HTMLElement | null;
  if (!e) return false;
  return e.tagName === 'INPUT' || e.tagName === 'TEXTAREA' || e.tagName === 'SELECT' || e.isContentEditable;
}

function useGlobalNavigationKeys() {
  const model = useModel();
  useEffect(() => {
    const anyDialogOpen = () => {
      const u = model.ui.getState();
      return !!(u.exportDialog || u.progressJobId || u.downloadsOpen || u.connectionsOpen);
    };
    const onKey = (e: KeyboardEvent) => {
      if (anyDialogOpen()) return;
      if (e.altKey && e.key === 'ArrowLeft') { e.preventDefault(); goBack(model.nav); }
      else if (e.altKey && e.key === 'ArrowRight') { e.preventDefault(); goForward(model.nav); }
      else if (e.key === 'Backspace' && !isEditable(e.target) && !e.altKey && !e.ctrlKey && !e.metaKey) { e.preventDefault(); goUp(model.nav); }
    };
    // Mouse buttons 4/5 (button 3 = back, 4 = forward).
    const onMouse = (e: MouseEvent) => {
      if (anyDialogOpen()) return;
      if (e.button === 3) { e.preventDefault(); goBack(model.nav); }
      else if (e.button === 4) { e.preventDefault(); goForward(model.nav); }
    };
    const suppress = (e: MouseEvent) => { if (e.button === 3 || e.button === 4) e.preventDefault(); };
    window.addEventListener('keydown', onKey);
    window.addEventListener('mouseup', onMouse);
    window.addEventListener('mousedown', suppress);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('mouseup', onMouse);
      window.removeEventListener('mousedown', suppress);
    };
  }, [model]);
}

function useTheme() {
  const theme = useApp((s) => s.settings?.theme ?? 'system');
  useEffect(() => {
    if (theme === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
  }, [theme]);
}

function CurrentView() {
  const loc = useNav(currentLocation);
  switch (loc.view) {
    case 'experiments': return <ExperimentsView />;
    case 'rooms': return <RoomsView key={loc.experimentId} experimentId={loc.experimentId} />;
    case 'participants': return <ParticipantsView key={loc.roomId} experimentId={loc.experimentId} roomId={loc.roomId} />;
    case 'data': return <DataView key={JSON.stringify(loc.target)} target={loc.target} tab={loc.tab} />;
  }
}

export function App() {
  const model = useModel();
  const ready = useApp((s) => s.ready);
  const bootError = useApp((s) => s.bootError);
  const exportOpen = useUi((s) => !!s.exportDialog);
  const progressOpen = useUi((s) => !!s.progressJobId);
  const downloadsOpen = useUi((s) => s.downloadsOpen);
  const connectionsOpen = useUi((s) => s.connectionsOpen);
  useGlobalNavigationKeys();
  useTheme();

  if (bootError) {
    return (
      <div className="boot">
        <div style={{ maxWidth: 520 }}>
          <ErrorBox error={bootError} onRetry={() => void model.boot()} />
        </div>
      </div>
    );
  }
  if (!ready) {
    return <div className="boot" aria-busy="true"><span className="skeleton" style={{ width: 240 }} /></div>;
  }
  return (
    <div className="app">
      <TopBar />
      <StatusBanner />
      <NavBar />
      <main className="main">
        <CurrentView />
      </main>
      {connectionsOpen && <ConnectionsDialog />}
      {exportOpen && <ExportDialog />}
      {progressOpen && <ProgressModal />}
      {downloadsOpen && <DownloadsPanel />}
      <Toasts />
    </div>
  );
}
