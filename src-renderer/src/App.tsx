// The window: top bar, status banner, location bar, the current view, and dialogs on top.
import { useEffect, useRef } from 'react';
import { ErrorBox } from './components/ErrorBox';
import { NavBar } from './components/NavBar';
import { StatusBanner } from './components/StatusBanner';
import { Toasts } from './components/Toasts';
import { TopBar } from './components/TopBar';
import { ConnectionsDialog } from './dialogs/ConnectionsDialog';
import { DownloadsPanel } from './dialogs/DownloadsPanel';
import { ExportDialog } from './dialogs/ExportDialog';
import { ProgressModal } from './dialogs/ProgressModal';
import { RecordingDialog } from './dialogs/RecordingDialog';
import { syncWithHistory } from './lib/history-sync';
import { locationToHash, targetOf } from './lib/location';
import { useApp, useModel, useNav, useUi } from './model-context';
import { currentLocation, goBack, goForward, goUp } from './stores/nav-store';
import { DataView } from './views/DataView';
import { NodeView } from './views/NodeView';

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
      return !!(u.exportDialog || u.recordingDialog || u.progressJobId || u.downloadsOpen || u.connectionsOpen);
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

/** Each place in the window's history gets its own address (browser mode and the desktop app alike). */
function useHistorySync() {
  const model = useModel();
  useEffect(() => syncWithHistory(model.nav, window), [model]);
}

/**
 * After moving to another place, focus goes to the new view's heading (screen readers announce
 * it; ↓ from there enters the table). Not on the first render: the page keeps its own start.
 */
function useFocusOnNavigation() {
  // Switching a tab (of data types, or of a page's child levels) is not a new place.
  const key = useNav((s) => { const loc = currentLocation(s); return locationToHash({ path: loc.path, data: loc.data }); });
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const raf = requestAnimationFrame(() => {
      const h = document.querySelector<HTMLElement>('main .view-title');
      if (h && !h.contains(document.activeElement)) h.focus({ preventScroll: true });
    });
    return () => cancelAnimationFrame(raf);
  }, [key]);
}

/** The page of the path's last step (the top, when the path is empty), or that step's data. */
function CurrentView() {
  const loc = useNav(currentLocation);
  const place = locationToHash({ path: loc.path });
  if (loc.data && loc.path.length > 0) return <DataView key={place} target={targetOf(loc)} path={loc.path} tab={loc.tab} />;
  return <NodeView key={place} path={loc.path} list={loc.list} />;
}

function FirstRunPage() {
  return (
    <div className="view" data-testid="first-run-page">
      <h1 className="view-title" tabIndex={-1}>Welcome to Study Downloader</h1>
      <p className="hint">Add a connection to browse and download your study data.</p>
    </div>
  );
}

/** ↓ or ↑ on a view's heading moves into its table. */
function onHeadingKeys(e: React.KeyboardEvent) {
  const t = e.target as HTMLElement;
  if (!t.classList.contains('view-title') || (e.key !== 'ArrowDown' && e.key !== 'ArrowUp')) return;
  const grid = t.closest('.view')?.querySelector<HTMLElement>('[role="grid"]');
  if (grid) {
    e.preventDefault();
    grid.focus();
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
  const recordingOpen = useUi((s) => !!s.recordingDialog);
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
  return <Ready connectionsOpen={connectionsOpen} exportOpen={exportOpen} recordingOpen={recordingOpen} progressOpen={progressOpen} downloadsOpen={downloadsOpen} />;
}

/** The app once the core has answered: history and focus follow the place. */
function Ready(props: { connectionsOpen: boolean; exportOpen: boolean; recordingOpen: boolean; progressOpen: boolean; downloadsOpen: boolean }) {
  const { connectionsOpen, exportOpen, recordingOpen, progressOpen, downloadsOpen } = props;
  useHistorySync();
  useFocusOnNavigation();
  // Before the first connection, no source is chosen yet: its words (Experiments, Projects) would
  // contradict the source picked in the dialog, so the page behind it stays neutral.
  const firstRun = useApp((s) => s.profiles.length === 0);
  return (
    <div className="app">
      <TopBar />
      <StatusBanner />
      {!firstRun && <NavBar />}
      <main className="main" onKeyDown={onHeadingKeys}>
        {firstRun ? <FirstRunPage /> : <CurrentView />}
      </main>
      {connectionsOpen && <ConnectionsDialog />}
      {exportOpen && <ExportDialog />}
      {recordingOpen && <RecordingDialog />}
      {progressOpen && <ProgressModal />}
      {downloadsOpen && <DownloadsPanel />}
      <Toasts />
    </div>
  );
}
