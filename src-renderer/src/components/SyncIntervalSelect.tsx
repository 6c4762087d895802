// How often the app syncs a folder while it runs (or only when asked).
import { useState } from 'react';
import { toUiError } from '../lib/errors';
import { INTERVALS } from '../stores/sync-store';
import { useSyncModel } from '../sync-hooks';

export function SyncIntervalSelect({ folderId, minutes }: { folderId: string; minutes?: number }) {
  const sync = useSyncModel();
  const [error, setError] = useState<string | null>(null);
  const known = INTERVALS.some((i) => i.minutes === (minutes ?? null));
  return (
    <>
      <select
        className="select"
        aria-label="Sync automatically"
        data-testid="sync-interval"
        value={String(minutes ?? '')}
        onChange={(e) => {
          setError(null);
          sync.setInterval(folderId, e.target.value ? Number(e.target.value) : null).catch((err) => setError(toUiError(err).message));
        }}
      >
        {INTERVALS.map((i) => <option key={i.label} value={String(i.minutes ?? '')}>{i.label}</option>)}
        {!known && <option value={String(minutes)}>Every {minutes} minutes</option>}
      </select>
      {error && <span className="view-sub" role="alert" style={{ color: 'var(--err)' }}>{error}</span>}
    </>
  );
}
