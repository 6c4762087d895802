// What a sync's end says to the user, in one place for the core (the desktop's OS notification)
// and the renderer (browser mode: the web Notification API, or an in-app toast), plus the
// relative time the sync line shows ("2 h ago").
import type { JobSnapshot, SyncOutcome } from './model';

/** One line for a notification: "38 new participants' data in Emotion Study". Null when nothing came in. */
export function newDataMessage(outcome: SyncOutcome | undefined, studyName: string): string | null {
  if (!outcome || outcome.state !== 'completed') return null;
  const records = Object.values(outcome.newRecords).reduce<number>((a, b) => a + (b ?? 0), 0);
  if (records <= 0) return null;
  if (outcome.peopleWithNewData > 0) return `${outcome.peopleWithNewData} new participant${outcome.peopleWithNewData === 1 ? "'s" : "s'"} data in ${studyName}`;
  return `${records.toLocaleString('en-US')} new record${records === 1 ? '' : 's'} in ${studyName}`;
}

/**
 * The notification for a sync job that just ended, or null: new data always; a folder written in
 * full, "nothing new" and a failure only for a sync the user asked for (an automatic one that
 * finds nothing stays quiet).
 */
export function syncEndMessage(s: JobSnapshot): { title: string; body: string } | null {
  if (!s.sync) return null;
  const study = s.sync.outcome?.rootName ?? s.request.target.path[0]?.id ?? 'the study';
  if (s.state === 'completed') {
    // A first (or full) sync wrote everything: nothing is "new" to announce.
    if (s.sync.outcome && (s.sync.outcome.kind === 'first' || s.sync.outcome.kind === 'full')) {
      return s.sync.automatic ? null : { title: 'Kept up to date', body: `${study} is ready; each sync from now on fetches only what is new.` };
    }
    const msg = newDataMessage(s.sync.outcome, study);
    if (msg) return { title: 'New data downloaded', body: msg };
    return s.sync.automatic ? null : { title: 'Up to date', body: `Nothing new in ${study}.` };
  }
  if (s.state === 'failed' && !s.sync.automatic) return { title: 'Sync failed', body: s.error?.message ?? s.title };
  return null;
}

/** "just now", "5 min ago", "2 h ago", "3 days ago". */
export function timeAgo(iso: string, now: number): string {
  const s = Math.max(0, (now - Date.parse(iso)) / 1000);
  if (!Number.isFinite(s) || s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  const days = Math.floor(s / 86_400);
  return `${days} day${days === 1 ? '' : 's'} ago`;
}
