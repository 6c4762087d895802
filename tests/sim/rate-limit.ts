// Sliding-window-log rate limits, per key and per (key, endpoint template). A request must fit both
// windows; only admitted requests are logged (429s do not consume budget).

export interface RateLimitConfig {
  keyLimit: number;
  keyWindowSec: number;
  endpointLimit: number;
  endpointWindowSec: number;
}

export type RateDecision =
  | { ok: true }
  | { ok: false; scope: 'key' | 'endpoint'; retryAfterSec: number; limit: number; windowSec: number; endpoint: string };

class WindowLog {
  private times: number[] = [];
  private head = 0;
  prune(now: number, windowMs: number): void {
    while (this.head < this.times.length && this.times[this.head] <= now - windowMs) this.head++;
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }
  get size(): number {
    return this.times.length - this.head;
  }
  /** Time at which the entry that must expire for one more request to fit leaves the window. */
  freesAt(limit: number, windowMs: number): number {
    return this.times[this.head + (this.size - limit)] + windowMs;
  }
  push(now: number): void {
    this.times.push(now);
  }
}

export class RateLimiter {
  private keys = new Map<string, WindowLog>();
  private endpoints = new Map<string, WindowLog>();
  constructor(public config: RateLimitConfig) {}

  private log(map: Map<string, WindowLog>, k: string): WindowLog {
    let l = map.get(k);
    if (!l) map.set(k, (l = new WindowLog()));
    return l;
  }

  /** Checks both windows and, when both have room, records the request. */
  admit(key: string, endpoint: string, now: number): RateDecision {
    const c = this.config;
    const keyMs = c.keyWindowSec * 1000;
    const epMs = c.endpointWindowSec * 1000;
    const k = this.log(this.keys, key);
    const e = this.log(this.endpoints, `${key} ${endpoint}`);
    k.prune(now, keyMs);
    e.prune(now, epMs);
    const denials: Array<Exclude<RateDecision, { ok: true }>> = [];
    if (k.size >= c.keyLimit) denials.push({ ok: false, scope: 'key', retryAfterSec: secondsUntil(k.freesAt(c.keyLimit, keyMs), now), limit: c.keyLimit, windowSec: c.keyWindowSec, endpoint });
    if (e.size >= c.endpointLimit) denials.push({ ok: false, scope: 'endpoint', retryAfterSec: secondsUntil(e.freesAt(c.endpointLimit, epMs), now), limit: c.endpointLimit, windowSec: c.endpointWindowSec, endpoint });
    if (denials.length > 0) return denials.reduce((a, b) => (b.retryAfterSec > a.retryAfterSec ? b : a));
    k.push(now);
    e.push(now);
    return { ok: true };
  }

  reset(): void {
    this.keys.clear();
    this.endpoints.clear();
  }
}

function secondsUntil(at: number, now: number): number {
  return Math.max(1, Math.ceil((at - now) / 1000));
}
