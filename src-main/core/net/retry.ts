// Which failures are worth another attempt, and how long to wait before it.
// Transient failures (network errors, timeouts, 5xx, resets, truncated bodies) back off
// exponentially with full jitter; 429 waits on the limiter's block for Retry-After instead;
// everything else ends the operation at once with its typed error.

export interface RetryPolicy {
  /** Attempts for transient failures, the first one included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Total time we may spend waiting on 429s for one request before giving up with RATE_LIMITED. */
  maxRateLimitWaitMs: number;
  /** Used when a 429 carries no usable Retry-After. */
  defaultRetryAfterMs: number;
  /** Random source in [0, 1), replaceable in tests. */
  random: () => number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRateLimitWaitMs: 2 * 60 * 60 * 1000,
  defaultRetryAfterMs: 60_000,
  random: Math.random,
};

/** Full jitter (AWS "Exponential Backoff and Jitter"): uniform in [0, min(cap, base·2^n)). `retry` counts from 1. */
export function backoffDelay(retry: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs' | 'random'>): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(policy.random() * ceiling);
}

/** Retry-After as delay-seconds or an HTTP-date (RFC 9110 §10.2.3), in ms from `now`; null if absent or unusable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  if (value == null) return null;
  const v = value.trim();
  if (!v) return null;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}

export type StatusClass = 'ok' | 'retry' | 'rate-limited' | 'fatal';

export function classifyStatus(status: number): StatusClass {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 429) return 'rate-limited';
  if (status === 408 || status >= 500) return 'retry';
  return 'fatal';
}

export type NetworkFailureKind = 'unreachable' | 'reset' | 'timeout' | 'aborted' | 'other';

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNABORTED', 'UND_ERR_ABORTED']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function errorCode(e: unknown): string | undefined {
  for (let cur: unknown = e, depth = 0; cur && depth < 5; depth++) {
    const c = (cur as { code?: unknown }).code;
    if (typeof c === 'string') return c;
    const errs = (cur as { errors?: unknown[] }).errors; // AggregateError from happy-eyeballs
    if (Array.isArray(errs) && errs.length) {
      const inner = errorCode(errs[0]);
      if (inner) return inner;
    }
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/** What kind of transport failure `fetch` (or reading its body) threw. */
export function classifyNetworkError(e: unknown): { kind: NetworkFailureKind; code?: string } {
  const name = (e as { name?: string } | null)?.name;
  if (name === 'TimeoutError') return { kind: 'timeout' };
  if (name === 'AbortError') return { kind: 'aborted' };
  const code = errorCode(e);
  if (code && UNREACHABLE_CODES.has(code)) return { kind: 'unreachable', code };
  if (code && RESET_CODES.has(code)) return { kind: 'reset', code };
  if (code && TIMEOUT_CODES.has(code)) return { kind: 'timeout', code };
  const msg = e instanceof Error ? e.message : '';
  if (/terminated|other side closed|socket hang up|premature close/i.test(msg)) return { kind: 'reset', code };
  return { kind: 'other', code };
}
