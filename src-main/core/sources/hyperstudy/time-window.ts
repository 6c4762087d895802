// Time windows: an export's since/until include their bounds. The documented server reads
// startTime/endTime as "after" and "before" (exclusive); others include the bounds. So we ask for
// one millisecond more on each side (timestamps carry milliseconds) and keep [since, until] here,
// which gives the same records from either server.

/** ISO 8601 one millisecond before/after a bound; a bound we cannot read is passed on unchanged (the server says what is wrong). */
function shift(bound: string | undefined, ms: number): string | undefined {
  if (bound === undefined || bound === '') return bound;
  const t = Date.parse(bound);
  return Number.isNaN(t) ? bound : new Date(t + ms).toISOString();
}

/** The startTime/endTime to send for an inclusive [since, until]. */
export function widenTimeWindow(since: string | undefined, until: string | undefined): { startTime?: string; endTime?: string } {
  return { startTime: shift(since, -1), endTime: shift(until, 1) };
}

/** Whether a record's time (an ISO string or epoch ms) lies in [since, until]; a record without a readable time is kept. */
export function withinTimeWindow(time: unknown, since: string | undefined, until: string | undefined): boolean {
  if (!since && !until) return true;
  const t = typeof time === 'number' ? time : typeof time === 'string' ? Date.parse(time) : NaN;
  if (!Number.isFinite(t)) return true;
  const from = since ? Date.parse(since) : NaN;
  const to = until ? Date.parse(until) : NaN;
  return !(Number.isFinite(from) && t < from) && !(Number.isFinite(to) && t > to);
}
