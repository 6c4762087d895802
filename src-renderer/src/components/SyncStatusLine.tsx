// A study's sync line in its page header: "Last synced 2 h ago · Sync now · 12 requests" (the
// planned requests of the next sync, from the folder's state), the interval, and while a sync
// runs its progress. A study without such a folder offers "Keep up to date", which makes one in
// the download folder with the settings' export options and every data type but media.
import { useEffect, useState } from 'react';
import type { PathStep } from '../../../src-shared/model';
import { timeAgo } from '../../../src-shared/sync-messages';
import { toUiError } from '../lib/errors';
import { formatCount, formatPercent, plural } from '../lib/format';
import { useApp, useJobs, useProgress } from '../model-context';
import { folderForStudy } from '../stores/sync-store';
import { useSync, useSyncModel } from '../sync-hooks';
import { ACTIVE_STATES } from '../stores/jobs-store';
import { SyncIntervalSelect } from './SyncIntervalSelect';

/** Re-renders every minute, so "5 min ago" moves on. */
function useMinuteClock(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(t);
  }, []);
  return now;
}

export function SyncStatusLine({ root }: { root: PathStep }) {
  const sync = useSyncModel();
  const descriptor = useApp((s) => s.descriptor);
  const settings = useApp((s) => s.settings);
  const folder = useSync((s) => folderForStudy(s.folders, descriptor?.id, root));
  const plan = useSync((s) => (folder ? s.plans[folder.id] : undefined));
  const job = useJobs((s) => (folder?.jobId ? s.jobsById[folder.jobId] : undefined));
  const p = useProgress((s) => (folder?.jobId ? s[folder.jobId] : undefined));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const now = useMinuteClock();
  if (!descriptor) return null;

  const act = (fn: () => Promise<unknown>) => {
    setError(null);
    setBusy(true);
    fn().catch((e) => setError(toUiError(e).message)).finally(() => setBusy(false));
  };

  if (!folder) {
    const keep = () => act(() => sync.createFolder({
      target: { level: root.level, path: [root] },
      types: descriptor.dataTypes.filter((t) => !t.media).map((t) => t.id),
      format: settings?.defaultFormat ?? 'csv',
      zip: false,
      split: settings?.split ?? 'none',
      anonymize: settings?.anonymize ?? 'keep',
      includeRecordings: false,
      bom: settings?.bom ?? true,
      formulaProtection: settings?.formulaProtection ?? false,
    }));
    return (
      <span className="sync-line" data-testid="sync-line" data-state="none">
        <button type="button" className="btn" disabled={busy} onClick={keep} title="A folder in your download folder that each sync brings up to date, fetching only what is new">Keep up to date</button>
        {error && <span className="view-sub" role="alert" style={{ color: 'var(--err)' }}>{error}</span>}
      </span>
    );
  }

  const running = !!job && ACTIVE_STATES.has(job.state);
  const last = folder.lastSync;
  const lastText = !last ? 'Not synced yet' : last.state === 'failed' ? `Last sync failed ${timeAgo(last.at, now)}` : `Last synced ${timeAgo(last.at, now)}`;
  const came = last?.state === 'completed' ? Object.values(last.newRecords).reduce<number>((a, b) => a + (b ?? 0), 0) : 0;
  return (
    <span className="sync-line" data-testid="sync-line" data-state={running ? 'running' : (last?.state ?? 'never')} title={folder.path}>
      {running ? (
        <span data-testid="sync-last">Syncing… {p ? formatPercent(p.fraction) : ''}</span>
      ) : (
        <span data-testid="sync-last" title={last?.error?.message ?? (last ? `${plural(came, 'new record')}, ${plural(last.requests, 'request')}` : undefined)}>{lastText}</span>
      )}
      <span aria-hidden="true">·</span>
      <button type="button" className="btn small" data-testid="sync-now" disabled={busy || running || !!folder.problem} onClick={() => act(() => sync.syncNow(folder.id))}>Sync now</button>
      {plan && !running && (
        <>
          <span aria-hidden="true">·</span>
          <span data-testid="sync-plan" title={`${plan.summary}${plan.fromState ? ' (from the last sync; rooms added since cost more)' : ''}`}>{formatCount(plan.requests)} request{plan.requests === 1 ? '' : 's'}</span>
        </>
      )}
      <SyncIntervalSelect folderId={folder.id} {...(folder.intervalMinutes ? { minutes: folder.intervalMinutes } : {})} />
      {(error ?? folder.problem) && <span className="view-sub" role="alert" style={{ color: 'var(--err)' }}>{error ?? folder.problem}</span>}
    </span>
  );
}
