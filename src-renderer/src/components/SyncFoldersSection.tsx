// The downloads panel's list of folders kept up to date: each with its last result, Sync now,
// the interval, Show folder (desktop) and Forget (the files stay).
import { useState } from 'react';
import type { SyncFolderSummary } from '../../../src-shared/model';
import { timeAgo } from '../../../src-shared/sync-messages';
import { toUiError } from '../lib/errors';
import { formatDateTime, plural } from '../lib/format';
import { useApp } from '../model-context';
import { useSync, useSyncModel } from '../sync-hooks';
import { SyncIntervalSelect } from './SyncIntervalSelect';

/** "257 new records · 11 requests", "Nothing new · 4 requests", or the failure. */
export function lastResultText(f: SyncFolderSummary, now = Date.now()): string {
  const last = f.lastSync;
  if (!last) return f.jobId ? 'First sync running' : 'Not synced yet';
  const when = `${timeAgo(last.at, now)} (${formatDateTime(last.at)})`;
  if (last.state === 'failed') return `Failed ${when}: ${last.error?.message ?? 'see the download'}`;
  const came = Object.values(last.newRecords).reduce<number>((a, b) => a + (b ?? 0), 0);
  const what = last.kind === 'first' || last.kind === 'full' ? 'Written in full' : came ? plural(came, 'new record') : 'Nothing new';
  return `${what} · ${plural(last.requests, 'request')} · ${when}`;
}

function SyncFolderItem({ folder }: { folder: SyncFolderSummary }) {
  const sync = useSyncModel();
  const caps = useApp((s) => s.appInfo?.capabilities);
  const [error, setError] = useState<string | null>(null);
  const [confirm, setConfirm] = useState(false);
  const act = (fn: () => Promise<unknown>) => {
    setError(null);
    fn().catch((e) => setError(toUiError(e).message));
  };
  return (
    <li className="job" data-testid="sync-folder" data-folder-id={folder.id} data-state={folder.jobId ? 'running' : (folder.lastSync?.state ?? 'never')}>
      <div className="job-title" title={folder.title}>{folder.title}</div>
      <div className="path" title={folder.path}>{folder.path}</div>
      <div className="view-sub" data-testid="sync-folder-result">{folder.jobId ? 'Syncing now…' : lastResultText(folder)}</div>
      {folder.problem && <div className="view-sub" role="alert" style={{ color: 'var(--err)' }}>{folder.problem}</div>}
      <div className="job-actions">
        <button type="button" className="btn small primary" data-testid="sync-folder-now" disabled={!!folder.jobId} onClick={() => act(() => sync.syncNow(folder.id))}>Sync now</button>
        <SyncIntervalSelect folderId={folder.id} {...(folder.intervalMinutes ? { minutes: folder.intervalMinutes } : {})} />
        {caps?.showInFolder && <button type="button" className="btn small" onClick={() => act(() => sync.show(folder.id))}>Show folder</button>}
        {confirm ? (
          <>
            <button type="button" className="btn small danger" onClick={() => { setConfirm(false); act(() => sync.forget(folder.id)); }}>Stop keeping it up to date</button>
            <button type="button" className="btn small" onClick={() => setConfirm(false)}>Keep</button>
          </>
        ) : <button type="button" className="btn small ghost" onClick={() => setConfirm(true)} title="The folder and its files stay where they are">Forget…</button>}
      </div>
      {error && <div className="view-sub" role="alert" style={{ color: 'var(--err)' }}>{error}</div>}
    </li>
  );
}

export function SyncFoldersSection() {
  const folders = useSync((s) => s.folders);
  if (folders.length === 0) return null;
  return (
    <>
      <div className="section-title">Kept up to date</div>
      <ul className="job-list" aria-label="Kept up to date" data-testid="sync-folders">{folders.map((f) => <SyncFolderItem key={f.id} folder={f} />)}</ul>
    </>
  );
}
