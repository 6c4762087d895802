// "Keep up to date" on a finished folder export: the folder becomes one the app keeps up to date
// (its first sync rewrites it; later ones fetch only what is new). Says so once it is one.
import { useState } from 'react';
import type { JobSnapshot } from '../../../src-shared/model';
import { toUiError } from '../lib/errors';
import { canKeepUpToDate, exportFolderOf } from '../stores/sync-store';
import { useSync, useSyncModel } from '../sync-hooks';

export function KeepUpToDateButton({ job }: { job: JobSnapshot }) {
  const sync = useSyncModel();
  const dir = exportFolderOf(job);
  const kept = useSync((s) => !!dir && s.folders.some((f) => f.path === dir));
  const [error, setError] = useState<string | null>(null);
  if (!canKeepUpToDate(job)) return null;
  if (kept) return <span className="view-sub" data-testid="kept-up-to-date">Kept up to date</span>;
  return (
    <>
      <button
        type="button"
        className="btn small"
        data-testid="keep-up-to-date"
        title="Each sync of this folder fetches only what is new"
        onClick={() => {
          setError(null);
          sync.keepExportUpToDate(job.id).catch((e) => setError(toUiError(e).message));
        }}
      >
        Keep up to date
      </button>
      {error && <span className="view-sub" role="alert" style={{ color: 'var(--err)' }}>{error}</span>}
    </>
  );
}
