// The joint rate limiter: a sliding-window log per scope (the key, and each endpoint template),
// acquired for both scopes atomically at send time. A sliding log is the only client algorithm
// that never exceeds "N per W" whatever the server counts with (performance-notes §2); nesting
// two independent limiters would record the key slot too early and overshoot.
//
// - Retry-After blocks the scope it belongs to until then; nothing is sent while a scope is blocked.
// - A 429 the log did not predict proves the server stricter than configured: the effective limit
//   drops to what the server actually accepted, then recovers additively each clean window, never
//   above the configured limit (AIMD on an *effective* ceiling).
// - With persistPath the log is the key's shared log on disk (shared-key-log.ts): every process
//   on the key judges both windows on the joint traffic, and a slot is granted only under the
//   file's lock, merged with what the others sent. That also keeps a restart within the hour
//   from re-bursting. Without it (tests, one-off tools) the log lives in memory only.
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { RateBudget } from '../../../src-shared/model';
import { abortError, silentLogger, type Clock, type Logger } from '../ports';
import { withFileLock } from '../state/file-lock';
import type { Semaphore } from './semaphore';
import { composeSharedState, mergeSharedState, readSharedKeyLog, writeSharedKeyLog, type LogEntry, type OwnEntry } from './shared-key-log';

export type WaitScope = 'key' | 'endpoint' | 'server';
export interface WaitInfo {
  seconds: number;
  scope: WaitScope;
  reason: string;
}

export interface AcquireOptions {
  signal?: AbortSignal;
  onWait?: (w: WaitInfo) => void;
  /**
   * The caller's cap on requests in flight. A place is taken only at the moment both windows
   * admit the request (and handed back as slot.leaveGate), so a request waiting for its
   * endpoint's window holds none and cannot block requests to other endpoints behind it.
   */
  gate?: Pick<Semaphore, 'tryAcquire' | 'onRelease'>;
}

export interface RateLimitedExtra {
  /** The limit the server stated for that scope (e.g. details.limit), learned exactly when lower. */
  serverLimit?: number;
  /** false for a server-wide pause (e.g. maintenance): block, but do not lower the limit. Default true. */
  learn?: boolean;
}

export interface LimiterLimits {
  keyLimit: number;
  keyWindowMs: number;
  endpointLimit: number;
  endpointWindowMs: number;
  keyMarginMs?: number;
  endpointMarginMs?: number;
}

export interface JointLimiterOptions extends LimiterLimits {
  clock: Clock;
  /**
   * The key's log shared with every process on the key (limiterLogPath: the file name must not
   * contain the key). Without it the log lives in this limiter only.
   */
  persistPath?: string;
  /** Fraction of each configured limit actually used (default 1; e.g. 0.98 keeps 2 % spare for other tools). */
  safety?: number;
  /** How long settled or released slots may wait to be written when no grant writes them first (real time), default 200 ms. */
  persistDebounceMs?: number;
  logger?: Logger;
}

/**
 * One granted request. Its log entry starts at the send time; call done() when the response
 * arrives (the server admitted it somewhere in between, so the entry moves to the later, safe
 * time: newSend ≥ responseReceivedAt(request N back) + W), or release() when the server did not
 * count it (a 429). Ignoring the slot is safe but less exact under server queueing.
 */
export interface LimiterSlot {
  readonly sentAt: number;
  /** Releases the gate's place taken with this slot (AcquireOptions.gate); absent without a gate. */
  readonly leaveGate?: () => void;
  /** The answer arrived (at `at`, default now: the moment its head came in is the earliest safe one). */
  done(at?: number): void;
  release(): void;
}

/** Requests a caller is going to send to one endpoint, beyond those already waiting (JointLimiter.expect). */
export interface DemandHint {
  /** How many are still to come (replaces the last value). */
  set(requests: number): void;
  /** None are coming any more (the stream ended or was dropped). */
  end(): void;
}

export interface JointLimiter {
  /** Resolves when one request to `endpointKey` may be sent now; records it in both scopes. */
  acquire(endpointKey: string, opts?: AcquireOptions): Promise<LimiterSlot>;
  /**
   * Announces requests still to come to `endpointKey` (e.g. a stream's pages after its first).
   * When the key's free slots cannot cover everything announced and waiting, the limiter keeps
   * them for the endpoints with the most to send, so that what is left for the key's next window
   * is spread over many endpoints and no endpoint's own window stretches the finish.
   */
  expect(endpointKey: string): DemandHint;
  /** Blocks a scope for `ms` from now (Retry-After). */
  blockFor(scope: 'key' | 'endpoint', endpointKey: string, ms: number): void;
  /**
   * A 429 arrived for a request to `endpointKey` (release() its slot first: the server did not
   * count it). Blocks the right scope for retryAfterMs and learns a stricter effective limit when
   * the log shows the server refused below ours.
   * Returns the scope that was blocked.
   */
  onRateLimited(endpointKey: string, retryAfterMs: number, scopeHint?: 'key' | 'endpoint', extra?: RateLimitedExtra): 'key' | 'endpoint';
  budget(): RateBudget;
  /** Current effective limits (after learning) and the configured ones. */
  limits(): LimiterLimits & { effectiveKeyLimit: number; effectiveEndpointLimit: (endpointKey: string) => number };
  setLimits(limits: Partial<LimiterLimits>): void;
  /** Requests that passed the limiter since it was created. */
  granted(): number;
  /** Starts writing the shared log now (close() waits for it). */
  flush(): void;
  /** Flushes and stops timers; pending acquires are rejected. */
  close(): Promise<void>;
}

interface ScopeState {
  log: number[]; // send (or settle) times, ascending
  blockedUntil: number;
  /** Effective limit learned from a 429 (null: the configured one). */
  learned: number | null;
  learnedAt: number;
  /** The server stated that limit (details.limit): hold it longer before probing upwards. */
  stated?: boolean;
}

interface Waiter {
  endpointKey: string;
  gate?: AcquireOptions['gate'];
  resolve: (slot: LimiterSlot) => void;
  reject: (e: unknown) => void;
  onWait?: (w: WaitInfo) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
  lastReportedScope?: WaitScope;
  lastReportedUntil?: number;
}

const KEPT_FOR_LATER = "This key's remaining requests go first to the data types with the most pages left; this one follows when the oldest requests age out.";

/** Clean windows a limit the server stated is held before additive recovery starts. */
const STATED_HOLD_WINDOWS = 10;

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
/** Default margins: ~1.5 s on a minute window, ~5 s on an hour (performance-notes §2.1), scaled down for compressed windows. */
export const defaultEndpointMarginMs = (windowMs: number) => Math.round(clamp(windowMs * 0.025, 10, 2000));
export const defaultKeyMarginMs = (windowMs: number) => Math.round(clamp(windowMs * 0.0015, 10, 5000));

function windowLabel(ms: number): string {
  if (ms === 3_600_000) return 'this hour';
  if (ms === 60_000) return 'this minute';
  if (ms === 86_400_000) return 'today';
  const s = ms / 1000;
  return s >= 120 && s % 60 === 0 ? `in the last ${s / 60} minutes` : `in the last ${s} s`;
}

/** Removes one occurrence of t from a sorted array (binary search); no-op if absent (pruned). */
function removeTime(a: number[], t: number) {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  if (lo < a.length && a[lo] === t) a.splice(lo, 1);
}

function insertTime(a: number[], t: number) {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  a.splice(lo, 0, t);
}

export function createJointLimiter(opts: JointLimiterOptions): JointLimiter {
  const clock = opts.clock;
  let cfg: Required<LimiterLimits> = {
    keyLimit: opts.keyLimit,
    keyWindowMs: opts.keyWindowMs,
    endpointLimit: opts.endpointLimit,
    endpointWindowMs: opts.endpointWindowMs,
    keyMarginMs: opts.keyMarginMs ?? defaultKeyMarginMs(opts.keyWindowMs),
    endpointMarginMs: opts.endpointMarginMs ?? defaultEndpointMarginMs(opts.endpointWindowMs),
  };
  const safety = clamp(opts.safety ?? 1, 0.01, 1);
  const key: ScopeState = { log: [], blockedUntil: 0, learned: null, learnedAt: 0 };
  const endpoints = new Map<string, ScopeState>();
  const queue: Waiter[] = [];
  let grantedCount = 0;
  let closed = false;
  /** Requests announced per endpoint (expect()), beyond the waiting ones. */
  const expected = new Map<string, number>();
  /** Announcements not yet ended, per endpoint: the streams whose later pages may be kept back. */
  const streaming = new Map<string, number>();
  /** Gates whose freed places wake this limiter. */
  const gates = new WeakSet<object>();
  let timer: { ac: AbortController; at: number } | null = null;
  const logger = opts.logger ?? silentLogger;

  // The shared log (persistPath): this limiter's own requests, the others' as last read, and
  // the cycle that grants under the file's lock.
  const sharedPath = opts.persistPath;
  const writer = randomBytes(4).toString('hex');
  let mine: OwnEntry[] = [];
  let theirs: LogEntry[] = [];
  let fileHorizonMs = 0;
  let dirty = false;
  let persistTimer: ReturnType<typeof setTimeout> | null = null;
  let cycling: Promise<void> | null = null;
  let cycleAgain = false;
  let warnedShared = false;

  if (sharedPath) mergeFromFile(readSharedKeyLog(sharedPath, clock.now()));

  function keyWindow() {
    return cfg.keyWindowMs + cfg.keyMarginMs;
  }
  function endpointWindow() {
    return cfg.endpointWindowMs + cfg.endpointMarginMs;
  }
  function configured(scope: 'key' | 'endpoint') {
    const base = scope === 'key' ? cfg.keyLimit : cfg.endpointLimit;
    return Math.max(1, Math.floor(base * safety));
  }
  /** Additive recovery: +10 % of the configured limit per clean window since the last 429. */
  function effective(s: ScopeState, scope: 'key' | 'endpoint', now: number): number {
    const max = configured(scope);
    if (s.learned === null) return max;
    const windowMs = scope === 'key' ? cfg.keyWindowMs : cfg.endpointWindowMs;
    const hold = s.stated ? STATED_HOLD_WINDOWS : 0;
    const cleanWindows = Math.max(0, Math.floor(Math.max(0, now - Math.max(s.learnedAt, s.blockedUntil)) / windowMs) - hold);
    const v = s.learned + cleanWindows * Math.max(1, Math.ceil(max * 0.1));
    if (v >= max) {
      s.learned = null;
      return max;
    }
    return v;
  }
  function prune(s: ScopeState, windowMs: number, now: number) {
    let i = 0;
    while (i < s.log.length && s.log[i] + windowMs <= now) i++;
    if (i) s.log.splice(0, i);
  }
  function endpointState(ep: string): ScopeState {
    let s = endpoints.get(ep);
    if (!s) endpoints.set(ep, (s = { log: [], blockedUntil: 0, learned: null, learnedAt: 0 }));
    return s;
  }
  /** Earliest time this scope admits one more request, and why it waits. */
  function nextFree(s: ScopeState, scope: 'key' | 'endpoint', now: number): { at: number; by: WaitScope } {
    const w = scope === 'key' ? keyWindow() : endpointWindow();
    prune(s, w, now);
    const lim = effective(s, scope, now);
    const byLog = s.log.length < lim ? now : s.log[s.log.length - lim] + w;
    if (s.blockedUntil > byLog && s.blockedUntil > now) return { at: s.blockedUntil, by: 'server' };
    return { at: byLog, by: scope };
  }
  function freeAt(ep: string, now: number): { at: number; by: WaitScope } {
    const k = nextFree(key, 'key', now);
    const e = nextFree(endpointState(ep), 'endpoint', now);
    return e.at > k.at ? e : k;
  }

  function reason(by: WaitScope, ep: string): string {
    if (by === 'server') return 'The server asked us to wait (Retry-After) before sending more requests.';
    if (by === 'key') {
      const lim = effective(key, 'key', clock.now());
      return `All ${lim} requests this key may make ${windowLabel(cfg.keyWindowMs)} are used; waiting for the oldest to age out.`;
    }
    return `${effective(endpointState(ep), 'endpoint', clock.now())} requests ${windowLabel(cfg.endpointWindowMs)} to ${ep} are used.`;
  }

  // Requests asked for in one go (a stream launching its next pages, then announcing the rest)
  // are judged together: the grant runs once, in a microtask, after the caller's synchronous code.
  let pumpQueued = false;
  function pump() {
    if (closed) return;
    if (sharedPath) {
      requestCycle(false);
      return;
    }
    if (pumpQueued) return;
    pumpQueued = true;
    queueMicrotask(() => {
      pumpQueued = false;
      if (!closed) grantDue();
    });
  }

  /**
   * When everything waiting and announced will not fit in the key's free slots, how many of them
   * each endpoint may take now (null: no need to choose). What does not fit goes out when the key's
   * oldest slots age out, all at once, and each endpoint can send only its own limit at a time
   * then; so the slots go to the endpoints with the most to send, leaving each the same amount
   * (a water level) for later, and the light endpoints wait for that later window as a whole.
   */
  function keyShares(now: number): { shares: Map<string, number>; later: number } | null {
    if (key.blockedUntil > now) return null;
    prune(key, keyWindow(), now);
    const free = effective(key, 'key', now) - key.log.length;
    if (free <= 0) return null;
    const demand = new Map(expected);
    for (const w of queue) demand.set(w.endpointKey, (demand.get(w.endpointKey) ?? 0) + 1);
    let total = 0;
    for (const n of demand.values()) total += n;
    const later = total - free;
    if (later <= 0) return null;
    // Water level c: Σ min(demand, c) = later.
    const sorted = [...demand.values()].filter((n) => n > 0).sort((a, b) => a - b);
    let acc = 0;
    let level = 0;
    for (let i = 0; i < sorted.length; i++) {
      const rest = sorted.length - i;
      if (acc + sorted[i] * rest >= later) {
        level = (later - acc) / rest;
        break;
      }
      acc += sorted[i];
    }
    const shares = new Map<string, number>();
    for (const [ep, n] of demand) shares.set(ep, n > level ? Math.ceil(n - level) : 0);
    // Keeping slots only helps an endpoint that is actually asking: without one, stay work-conserving.
    return queue.some((w) => (shares.get(w.endpointKey) ?? 0) >= 1) ? { shares, later } : null;
  }

  /**
   * Grants every waiter that both scopes admit now (in FIFO order, within the key's shares), then
   * sleeps until the next one can go. With `deferred`, the waiters are resolved by the caller
   * (after the lock is released).
   */
  function grantDue(deferred?: Array<() => void>) {
    let now = clock.now();
    let wakeAt = Infinity;
    const plan = streaming.size ? keyShares(now) : null;
    const shares = plan?.shares;
    for (let i = 0; i < queue.length; ) {
      const w = queue[i];
      const f = freeAt(w.endpointKey, now);
      // What is kept goes out when the key's oldest `later` slots age out: keep nothing until the
      // log holds that many (a slot left unused now would not free then).
      if (f.at <= now && plan && key.log.length >= plan.later && streaming.has(w.endpointKey) && (plan.shares.get(w.endpointKey) ?? 0) < 1) {
        // Kept for the key's next window: what changes the shares (a grant, an answer, an aged-out slot) wakes us.
        // Only streams that announced more pages are kept back: a one-off request (a listing, a
        // stream's first page) is what someone is waiting to see, and goes at once.
        report(w, { at: key.log[plan.later - 1] + keyWindow(), by: 'key' }, now, KEPT_FOR_LATER);
        i++;
        continue;
      }
      if (f.at <= now) {
        // Admitted by both windows, but no place in flight: skip it (a freed place wakes us).
        const place = w.gate ? w.gate.tryAcquire() : undefined;
        if (place === null) {
          i++;
          continue;
        }
        queue.splice(i, 1);
        if (shares) shares.set(w.endpointKey, (shares.get(w.endpointKey) ?? 0) - 1);
        const slot = record(w.endpointKey, now, place);
        w.signal?.removeEventListener('abort', w.onAbort!);
        if (deferred) deferred.push(() => w.resolve(slot));
        else w.resolve(slot);
        now = clock.now();
        continue;
      }
      wakeAt = Math.min(wakeAt, f.at);
      report(w, f, now);
      i++;
    }
    if (!Number.isFinite(wakeAt)) {
      if (timer) {
        timer.ac.abort();
        timer = null;
      }
      return;
    }
    if (timer && timer.at <= wakeAt) return;
    timer?.ac.abort();
    const ac = new AbortController();
    const t = { ac, at: wakeAt };
    timer = t;
    clock.sleep(Math.max(0, wakeAt - now), ac.signal).then(
      () => {
        if (timer === t) {
          timer = null;
          pump();
        }
      },
      () => {},
    );
  }

  function report(w: Waiter, f: { at: number; by: WaitScope }, now: number, why?: string) {
    if (!w.onWait) return;
    // Report once per wait, and again when the reason or the end moves materially.
    if (w.lastReportedScope === f.by && w.lastReportedUntil !== undefined && Math.abs(w.lastReportedUntil - f.at) < 1000) return;
    w.lastReportedScope = f.by;
    w.lastReportedUntil = f.at;
    try {
      w.onWait({ seconds: Math.max(0, (f.at - now) / 1000), scope: f.by, reason: why ?? reason(f.by, w.endpointKey) });
    } catch {
      /* a progress callback must not break the limiter */
    }
  }

  function record(ep: string, now: number, leaveGate?: () => void): LimiterSlot {
    const e = endpointState(ep);
    // Inserted, not pushed: another process's entry may be later than our clock read.
    insertTime(key.log, now);
    insertTime(e.log, now);
    grantedCount++;
    const own: OwnEntry = { t: now, ep };
    if (sharedPath) {
      mine.push(own);
      dirty = true; // written by the cycle granting it
    }
    let open = true;
    const move = (to: number | null) => {
      if (!open) return;
      open = false;
      for (const s of [key, e]) {
        removeTime(s.log, now);
        if (to !== null) insertTime(s.log, to);
      }
      if (sharedPath) {
        if (to === null) mine = mine.filter((m) => m !== own);
        else own.t = to;
        schedulePersist();
      }
      if (timer) {
        timer.ac.abort();
        timer = null;
      }
      pump();
    };
    return {
      sentAt: now,
      ...(leaveGate ? { leaveGate } : {}),
      done: (at?: number) => move(Math.min(clock.now(), Math.max(now, at ?? clock.now()))),
      release: () => move(null),
    };
  }

  function acquire(endpointKey: string, o: AcquireOptions = {}): Promise<LimiterSlot> {
    if (closed) return Promise.reject(new Error('The rate limiter is closed.'));
    if (o.signal?.aborted) return Promise.reject(o.signal.reason ?? abortError());
    return new Promise<LimiterSlot>((resolve, reject) => {
      const w: Waiter = { endpointKey, resolve, reject, onWait: o.onWait, signal: o.signal, gate: o.gate };
      if (o.gate && !gates.has(o.gate)) {
        gates.add(o.gate);
        o.gate.onRelease(() => {
          if (queue.length) pump();
        });
      }
      if (o.signal) {
        w.onAbort = () => {
          const i = queue.indexOf(w);
          if (i >= 0) queue.splice(i, 1);
          reject(o.signal!.reason ?? abortError());
          pump();
        };
        setMaxListeners(0, o.signal); // every queued request listens to its job's signal: many at once by design
        o.signal.addEventListener('abort', w.onAbort, { once: true });
      }
      queue.push(w);
      pump();
    });
  }

  function expect(endpointKey: string): DemandHint {
    let announced = 0;
    const set = (n: number) => {
      const v = Math.max(0, Math.floor(n));
      if (v === announced) return;
      const less = v < announced;
      const total = (expected.get(endpointKey) ?? 0) - announced + v;
      announced = v;
      if (total > 0) expected.set(endpointKey, total);
      else expected.delete(endpointKey);
      if (less && queue.length && !closed) pump(); // less announced: a kept waiter may go now
    };
    streaming.set(endpointKey, (streaming.get(endpointKey) ?? 0) + 1);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      const left = (streaming.get(endpointKey) ?? 1) - 1;
      if (left > 0) streaming.set(endpointKey, left);
      else streaming.delete(endpointKey);
      set(0);
      if (queue.length && !closed) pump();
    };
    return { set: (n) => !ended && set(n), end };
  }

  function blockFor(scope: 'key' | 'endpoint', endpointKey: string, ms: number) {
    const s = scope === 'key' ? key : endpointState(endpointKey);
    s.blockedUntil = Math.max(s.blockedUntil, clock.now() + Math.max(0, ms));
    // The other processes on this key must hold back too, at once.
    if (sharedPath) {
      dirty = true;
      requestCycle(true);
    }
    // Re-plan the wake-up: a block can only push it later, but waiters deserve a fresh report.
    if (timer) {
      timer.ac.abort();
      timer = null;
    }
    pump();
  }

  function onRateLimited(endpointKey: string, retryAfterMs: number, scopeHint?: 'key' | 'endpoint', extra: RateLimitedExtra = {}): 'key' | 'endpoint' {
    const serverLimit = extra.serverLimit;
    const now = clock.now();
    const scope = scopeHint ?? (retryAfterMs > cfg.endpointWindowMs + cfg.endpointMarginMs ? 'key' : 'endpoint');
    const s = scope === 'key' ? key : endpointState(endpointKey);
    const w = scope === 'key' ? keyWindow() : endpointWindow();
    prune(s, w, now);
    // Refused below our effective limit: the server is stricter (or shares the budget). Decrease
    // multiplicatively, but never below what the server evidently accepted in this window.
    const accepted = s.log.length;
    const eff = effective(s, scope, now);
    if (serverLimit !== undefined && Number.isFinite(serverLimit) && serverLimit >= 1 && serverLimit < eff) {
      s.learned = Math.floor(serverLimit); // the server said its limit: learn it exactly
      s.learnedAt = now;
      s.stated = true;
    } else if (extra.learn !== false && accepted < eff) {
      s.learned = Math.max(1, accepted, Math.ceil(eff / 2));
      if (s.learned >= eff) s.learned = eff - 1 >= 1 ? eff - 1 : 1;
      s.learnedAt = now;
      s.stated = false;
    }
    blockFor(scope, endpointKey, retryAfterMs);
    return scope;
  }

  function budget(): RateBudget {
    if (sharedPath) mergeFromFile(readSharedKeyLog(sharedPath, clock.now())); // the joint view, read without the lock
    const now = clock.now();
    const kw = keyWindow();
    prune(key, kw, now);
    const lim = effective(key, 'key', now);
    const remaining = Math.max(0, lim - key.log.length);
    const nf = nextFree(key, 'key', now);
    const keyResetSec = remaining > 0 && nf.by !== 'server' ? 0 : Math.max(0, Math.ceil((nf.at - now) / 1000));
    const oldest = key.log[0];
    const keyNextFreeSec = oldest === undefined ? kw / 1000 : Math.max(0, (oldest + kw - now) / 1000);
    let blocked = Math.max(key.blockedUntil, 0);
    for (const s of endpoints.values()) blocked = Math.max(blocked, s.blockedUntil);
    const configuredKey = configured('key');
    let summary = `${remaining} of ${lim} requests left ${windowLabel(cfg.keyWindowMs)}`;
    if (lim < configuredKey) summary += ` (the server proved stricter than the configured ${configuredKey}; recovering)`;
    if (key.blockedUntil > now) summary += `; paused by the server for ${Math.ceil((key.blockedUntil - now) / 1000)} s`;
    return {
      keyLimit: lim,
      keyWindowSec: cfg.keyWindowMs / 1000,
      keyRemaining: remaining,
      keyResetSec,
      keyNextFreeSec,
      endpointLimit: configured('endpoint'),
      endpointWindowSec: cfg.endpointWindowMs / 1000,
      ...(blocked > now ? { blockedUntil: new Date(blocked).toISOString() } : {}),
      summary,
    };
  }

  function setLimits(l: Partial<LimiterLimits>) {
    cfg = {
      ...cfg,
      ...Object.fromEntries(Object.entries(l).filter(([, v]) => v !== undefined)),
    } as Required<LimiterLimits>;
    if (l.keyWindowMs !== undefined && l.keyMarginMs === undefined) cfg.keyMarginMs = defaultKeyMarginMs(cfg.keyWindowMs);
    if (l.endpointWindowMs !== undefined && l.endpointMarginMs === undefined) cfg.endpointMarginMs = defaultEndpointMarginMs(cfg.endpointWindowMs);
    if (timer) {
      timer.ac.abort();
      timer = null;
    }
    pump();
  }

  // ---------- the shared log ----------

  function horizonMs(): number {
    return Math.max(keyWindow(), endpointWindow());
  }

  function mergeFromFile(state: ReturnType<typeof readSharedKeyLog>): void {
    const now = clock.now();
    const horizon = Math.max(horizonMs(), state.horizonMs);
    mine = mine.filter((m) => m.t + horizon > now);
    fileHorizonMs = state.horizonMs;
    theirs = mergeSharedState(state, writer, mine, key, endpointState, endpoints.values());
  }

  function schedulePersist(): void {
    dirty = true;
    if (persistTimer) return;
    persistTimer = setTimeout(() => {
      persistTimer = null;
      requestCycle(true);
    }, opts.persistDebounceMs ?? 200);
    persistTimer.unref?.();
  }

  /**
   * One cycle under the file's lock: read, merge, grant what fits, write. Runs when someone
   * waits, or (write) when there is something to write; cycles asked for while one runs are
   * folded into one more.
   */
  function requestCycle(write: boolean): void {
    if (!sharedPath) return;
    if (cycling) {
      cycleAgain = true;
      return;
    }
    if (!queue.length && !(write && dirty)) return;
    const file = sharedPath;
    cycling = (async () => {
      do {
        cycleAgain = false;
        if (!queue.length && !dirty) break;
        if (persistTimer) {
          clearTimeout(persistTimer);
          persistTimer = null;
        }
        const resolveAfter: Array<() => void> = [];
        try {
          await withFileLock(
            file,
            () => {
              mergeFromFile(readSharedKeyLog(file, clock.now()));
              if (!closed) grantDue(resolveAfter);
              const now = clock.now();
              writeSharedKeyLog(file, composeSharedState(theirs, mine, writer, Math.max(fileHorizonMs, horizonMs()), key, endpoints), now);
              dirty = false;
            },
            { onCompromised: (e) => logger.warn('rate limit log lock was taken over', { error: e.message }) },
          );
        } catch (e) {
          // The shared log cannot be used (no permission, a full disk, a lock that never frees):
          // go on with what this process knows rather than stall every download on it.
          if (!warnedShared) {
            warnedShared = true;
            logger.warn('the shared rate limit log could not be used; limiting with this process\'s own view', { error: (e as Error)?.message });
          }
          if (!closed) grantDue(resolveAfter);
        }
        for (const resolve of resolveAfter) resolve();
      } while (cycleAgain);
    })().finally(() => {
      cycling = null;
      // Asked for after the loop's last look (a waiter resolved above may acquire again at once).
      if (cycleAgain) requestCycle(true);
    });
  }

  function flush() {
    if (sharedPath && dirty) requestCycle(true);
  }

  async function close() {
    closed = true;
    timer?.ac.abort();
    timer = null;
    for (const w of queue.splice(0)) {
      w.signal?.removeEventListener('abort', w.onAbort!);
      w.reject(abortError());
    }
    if (!sharedPath) return;
    // What this process sent stays in the shared log: the others must keep counting it.
    if (cycling) await cycling;
    if (dirty) {
      requestCycle(true);
      if (cycling) await cycling;
    }
    if (persistTimer) {
      clearTimeout(persistTimer);
      persistTimer = null;
    }
  }

  return {
    acquire,
    expect,
    blockFor,
    onRateLimited,
    budget,
    limits: () => ({
      ...cfg,
      effectiveKeyLimit: effective(key, 'key', clock.now()),
      effectiveEndpointLimit: (ep: string) => effective(endpointState(ep), 'endpoint', clock.now()),
    }),
    setLimits,
    granted: () => grantedCount,
    flush,
    close,
  };
}
