// BrainSTEM's request policy. It documents no rate limit, so there is no budget to keep: a modest
// number of requests in flight, backoff with jitter on 5xx and cut answers (the transport's), and
// on a 429 everything waits out Retry-After together (the limiter's key-wide block). The joint
// limiter is reused with limits too high to ever be met, so only its 429 block is in play.
import { createJointLimiter, type JointLimiter, type LimiterLimits } from '../../net/limiter';
import type { RetryPolicy } from '../../net/retry';
import type { Clock } from '../../ports';

/** Requests in flight at once (the official clients send one at a time; four stays polite). */
export const BRAINSTEM_MAX_IN_FLIGHT = 4;
/** Per request, as both official clients. */
export const BRAINSTEM_TIMEOUT_MS = 30_000;
/** The largest page the API serves (reference §3.2). */
export const BRAINSTEM_PAGE_LIMIT = 100;
/**
 * Longest request line we send ("GET /api/…?… HTTP/1.1"). Servers behind nginx refuse lines
 * longer than its 8 KiB header buffer with 414; this leaves room for the method and version.
 */
export const MAX_REQUEST_LINE = 8000;

/** Like the Python client (3 retries, 0.5 s base), with full jitter. */
export const BRAINSTEM_RETRY: Partial<RetryPolicy> = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 15_000 };

/** No limit to keep; a tiny endpoint window makes every 429 block the whole connection, not one endpoint. */
export const BRAINSTEM_LIMITS: LimiterLimits = {
  keyLimit: Number.MAX_SAFE_INTEGER,
  keyWindowMs: 1000,
  endpointLimit: Number.MAX_SAFE_INTEGER,
  endpointWindowMs: 1,
};

export function createBrainstemLimiter(clock: Clock): JointLimiter {
  return createJointLimiter({ clock, ...BRAINSTEM_LIMITS });
}

const ID_SEGMENT = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+)$/i;

/** Route template of a path below /api, ids replaced: "/private/stem/session/{id}/". Query ignored. */
export function brainstemEndpointKey(relativePath: string): string {
  const path = relativePath.split(/[?#]/, 1)[0];
  const segs = path.split('/').filter(Boolean);
  return '/' + segs.map((s) => (ID_SEGMENT.test(s) ? '{id}' : s)).join('/') + (segs.length ? '/' : '');
}
