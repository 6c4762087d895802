// The true lower bound of the benchmarks: the earliest time by which a set of API requests can
// all have completed under BOTH rate limits of the API, a sliding-window log per key (K requests
// per Wk) and one per endpoint (E per We), when every request takes `latency` to answer.
//
// Deliberately independent of the product: it shares no code with the client's limiter
// (src-main/core/net/limiter.ts) or the planner's estimateSeconds (src-main/core/plan/estimate.ts),
// so a benchmark that divides by it does not grade the product with the product's own arithmetic.
//
// Model. A sliding-window log admits a request at time t when fewer than `limit` requests were
// admitted in (t − W, t]: an entry sent at s frees its slot at exactly s + W (the simulator's rule).
// Requests are grouped in streams (one listing or one data-type stream), each on an endpoint
// template; with `firstPageFirst`, a stream's later pages can only be sent once its first page has
// answered (the first page tells how many there are). There is no cap on requests in flight: the
// bound is what the limits and the latency force, whatever the client does.
//
// Algorithm. A floor no schedule can beat (all requests through the key alone; each endpoint's
// requests alone through both windows), then schedules that try to meet it: a greedy one (send
// whatever the windows allow, most constrained endpoint first) and an as-late-as-possible one
// aimed at the floor (keeps light endpoints for the last key window). A schedule that meets the
// floor is optimal. Otherwise a branch-and-bound search over sending orders finds the optimum
// within a node budget; if the budget runs out, the result says so (`exact: false`) and the
// optimum lies between floorSec and finishSec. tests/unit/bench/lower-bound.test.ts checks it
// against exhaustive enumeration and the single-endpoint formula of the performance notes.

export interface Windows {
  keyLimit: number;
  keyWindowSec: number;
  endpointLimit: number;
  endpointWindowSec: number;
}

export interface StreamDemand {
  /** Endpoint template (requests on the same template share the endpoint window). */
  endpoint: string;
  /** Requests this stream needs (pages, or 1 for a listing that fits one page). */
  requests: number;
}

export interface LowerBoundInput {
  streams: StreamDemand[];
  windows: Windows;
  /** Seconds from sending a request to its answer. Default 0. */
  latencySec?: number;
  /** A stream's second and later requests wait for its first answer. Default false. */
  firstPageFirst?: boolean;
}

export interface ScheduledRequest {
  /** Index into `streams`. */
  stream: number;
  endpoint: string;
  sendSec: number;
}

export interface LowerBound {
  /** When the last answer can have arrived at the earliest (0 with nothing to send). */
  finishSec: number;
  /** When the last request is sent in that schedule. */
  lastSendSec: number;
  /** A simple bound no schedule can beat: the key alone, each endpoint alone under both windows, latency. */
  floorSec: number;
  /**
   * finishSec is the optimum: either it equals floorSec, or the exhaustive search finished within
   * its budget. When false, the optimum lies in [floorSec, finishSec]: divide by floorSec.
   */
  exact: boolean;
  /** How exactness was established: 'floor' (schedule meets the floor), 'search', or 'none'. */
  proof: 'floor' | 'search' | 'none';
  requests: number;
  /** The schedule that reaches finishSec, in sending order. */
  schedule: ScheduledRequest[];
}

export interface LowerBoundOptions {
  /** Search nodes allowed when the greedy schedule does not meet the floor. Default 200,000. */
  searchBudget?: number;
}

// Integer microseconds inside, so that window arithmetic on decimal seconds is exact.
const US = 1e6;
const toUs = (sec: number) => Math.round(sec * US);

/** A sliding-window log read at non-decreasing times. */
class SlidingLog {
  private sends: number[] = [];
  private head = 0;
  constructor(
    readonly limit: number,
    readonly windowUs: number,
  ) {}
  /** Drops entries that have left the window at time t (an entry at s leaves at s + W). */
  advance(t: number): void {
    while (this.head < this.sends.length && this.sends[this.head] + this.windowUs <= t) this.head++;
  }
  get inWindow(): number {
    return this.sends.length - this.head;
  }
  get free(): number {
    return this.limit - this.inWindow;
  }
  /** When the oldest entry in the window leaves it (undefined when the window is empty). */
  nextExpiry(): number | undefined {
    return this.head < this.sends.length ? this.sends[this.head] + this.windowUs : undefined;
  }
  /** The i-th entry still in the window (0 = oldest). */
  entry(i: number): number {
    return this.sends[this.head + i];
  }
  push(t: number): void {
    this.sends.push(t);
  }
}


/** The input in integer microseconds, endpoints numbered, empty streams dropped. */
interface Problem {
  K: number;
  Wk: number;
  E: number;
  We: number;
  L: number;
  dependent: boolean;
  endpointNames: string[];
  /** endpoint: index into endpointNames; origin: index into the caller's streams. */
  streams: Array<{ endpoint: number; requests: number; origin: number }>;
  total: number;
}

/** One send: stream index into Problem.streams, time in µs. */
interface Send {
  stream: number;
  t: number;
}

function validate(input: LowerBoundInput): void {
  const w = input.windows;
  for (const [name, v] of Object.entries({ keyLimit: w.keyLimit, endpointLimit: w.endpointLimit })) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer, got ${v}`);
  }
  for (const [name, v] of Object.entries({ keyWindowSec: w.keyWindowSec, endpointWindowSec: w.endpointWindowSec })) {
    if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a finite number > 0, got ${v}`);
  }
  const latency = input.latencySec ?? 0;
  if (!Number.isFinite(latency) || latency < 0) throw new Error(`latencySec must be a finite number ≥ 0, got ${latency}`);
  for (const s of input.streams) {
    if (!Number.isInteger(s.requests) || s.requests < 0) throw new Error(`stream ${s.endpoint}: requests must be an integer ≥ 0, got ${s.requests}`);
  }
}

function normalize(input: LowerBoundInput): Problem {
  validate(input);
  const w = input.windows;
  const endpointNames: string[] = [];
  const endpointIndex = new Map<string, number>();
  const streams: Problem['streams'] = [];
  input.streams.forEach((s, origin) => {
    if (s.requests === 0) return;
    if (!endpointIndex.has(s.endpoint)) endpointIndex.set(s.endpoint, endpointNames.push(s.endpoint) - 1);
    streams.push({ endpoint: endpointIndex.get(s.endpoint)!, requests: s.requests, origin });
  });
  return {
    K: w.keyLimit,
    Wk: toUs(w.keyWindowSec),
    E: w.endpointLimit,
    We: toUs(w.endpointWindowSec),
    L: toUs(input.latencySec ?? 0),
    dependent: input.firstPageFirst ?? false,
    endpointNames,
    streams,
    total: streams.reduce((n, s) => n + s.requests, 0),
  };
}

/**
 * Earliest time at which `left` more requests of one endpoint could all have been sent if the
 * endpoint had the key to itself: its E slots ("lanes") come free at t (unused ones) or when their
 * entry leaves the window, then once every We.
 */
function endpointTail(log: SlidingLog, left: number, t: number): number {
  if (left <= 0) return -Infinity;
  const E = log.limit;
  const idle = E - log.inWindow;
  const lane = (left - 1) % E;
  const laneFree = lane < idle ? t : log.entry(lane - idle) + log.windowUs;
  return laneFree + Math.floor((left - 1) / E) * log.windowUs;
}

function greater(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] > b[i];
  return false;
}

/**
 * A good schedule, fast: event-driven list scheduling. At each instant where a slot frees or a
 * stream unlocks, send as many requests as both windows allow, the endpoint whose own tail is the
 * latest first. It can waste key slots on endpoints that could have waited (then the search below
 * finds better).
 */
function greedy(p: Problem): Send[] {
  const key = new SlidingLog(p.K, p.Wk);
  const logs = p.endpointNames.map(() => new SlidingLog(p.E, p.We));
  const left = p.streams.map((s) => s.requests);
  const firstAt: Array<number | null> = p.streams.map(() => null);
  const leftByEndpoint = p.endpointNames.map(() => 0);
  p.streams.forEach((s) => (leftByEndpoint[s.endpoint] += s.requests));
  const unlocked = (i: number, t: number) => !p.dependent || firstAt[i] === null || firstAt[i]! + p.L <= t;
  const sends: Send[] = [];
  let t = 0;
  while (sends.length < p.total) {
    key.advance(t);
    for (const log of logs) log.advance(t);
    while (key.free > 0) {
      let best = -1;
      let bestRank: number[] = [];
      p.streams.forEach((s, i) => {
        if (left[i] === 0 || !unlocked(i, t) || logs[s.endpoint].free === 0) return;
        // Endpoint tail, endpoint backlog, first pages (they unlock work), stream backlog: larger first.
        const rank = [endpointTail(logs[s.endpoint], leftByEndpoint[s.endpoint], t), leftByEndpoint[s.endpoint], firstAt[i] === null ? 1 : 0, left[i]];
        if (best < 0 || greater(rank, bestRank)) {
          best = i;
          bestRank = rank;
        }
      });
      if (best < 0) break;
      const s = p.streams[best];
      key.push(t);
      logs[s.endpoint].push(t);
      firstAt[best] ??= t;
      left[best]--;
      leftByEndpoint[s.endpoint]--;
      sends.push({ stream: best, t });
    }
    if (sends.length === p.total) break;
    // Next instant at which anything can change: a key or endpoint slot frees, a stream unlocks.
    let next = Infinity;
    const consider = (x: number | undefined) => {
      if (x !== undefined && x > t && x < next) next = x;
    };
    consider(key.nextExpiry());
    for (const log of logs) consider(log.nextExpiry());
    if (p.dependent) p.streams.forEach((_, i) => left[i] > 0 && firstAt[i] !== null && consider(firstAt[i]! + p.L));
    if (next === Infinity) throw new Error('lower-bound scheduler made no progress (a bug)');
    t = next;
  }
  return sends;
}

/**
 * When `n` requests in a row can all have been sent through the given windows, sending each as
 * early as allowed (optimal for a single sequence). The first `atZero` are available at 0, the
 * rest only from `later` (with first-page dependencies: only first pages can go before one latency).
 */
function inARow(n: number, logs: SlidingLog[], atZero: number, later: number): number {
  let t = 0;
  for (let i = 0; i < n; i++) {
    if (i >= atZero) t = Math.max(t, later);
    for (;;) {
      for (const log of logs) log.advance(t);
      const full = logs.filter((log) => log.free === 0);
      if (full.length === 0) break;
      t = Math.max(...full.map((log) => log.nextExpiry()!));
    }
    for (const log of logs) log.push(t);
  }
  return t;
}

/**
 * Last send time no schedule can beat (µs): all requests through the key alone, and each
 * endpoint's requests alone through both windows. Both relax the real problem (fewer requests,
 * no competition), and for a single sequence sending as early as allowed is optimal. With
 * first-page dependencies only a stream's first page can go before one latency has passed.
 */
function floorLastSend(p: Problem): number {
  if (p.total === 0) return 0;
  const later = p.dependent ? p.L : 0;
  let bound = inARow(p.total, [new SlidingLog(p.K, p.Wk)], p.streams.length, later);
  p.endpointNames.forEach((_, e) => {
    const own = p.streams.filter((s) => s.endpoint === e);
    const n = own.reduce((k, s) => k + s.requests, 0);
    bound = Math.max(bound, inARow(n, [new SlidingLog(p.K, p.Wk), new SlidingLog(p.E, p.We)], own.length, later));
  });
  return bound;
}

/** Sends a log's lanes can still make at times in (t, D]: idle lanes from just after t, busy ones once free, then every W. */
function usesAfter(log: SlidingLog, t: number, D: number): number {
  if (D <= t) return 0;
  const W = log.windowUs;
  let n = (log.limit - log.inWindow) * Math.ceil((D - t) / W);
  for (let i = 0; i < log.inWindow; i++) {
    const free = log.entry(i) + W;
    if (free <= D) n += Math.floor((D - free) / W) + 1;
  }
  return n;
}

/**
 * A schedule whose last send is at most D, or null if this construction finds none: send as
 * late as possible. At each instant send only what must go now, either because an endpoint
 * could not fit its remaining requests into (t, D] any more, or because the key could not; the
 * key's forced sends go to the endpoints with the least room left. Light endpoints thus stay
 * available to fill the last key window, where the greedy one spends them early. With first-page
 * dependencies, a stream's first page goes as early as the windows allow.
 */
function asLateAsPossible(p: Problem, D: number): Send[] | null {
  const key = new SlidingLog(p.K, p.Wk);
  const logs = p.endpointNames.map(() => new SlidingLog(p.E, p.We));
  const left = p.streams.map((s) => s.requests);
  const firstAt: Array<number | null> = p.streams.map(() => null);
  const leftByEndpoint = p.endpointNames.map(() => 0);
  p.streams.forEach((s) => (leftByEndpoint[s.endpoint] += s.requests));
  const sends: Send[] = [];
  const unlocked = (i: number, t: number) => !p.dependent || firstAt[i] === null || firstAt[i]! + p.L <= t;
  const send = (i: number, t: number) => {
    const e = p.streams[i].endpoint;
    key.push(t);
    logs[e].push(t);
    firstAt[i] ??= t;
    left[i]--;
    leftByEndpoint[e]--;
    sends.push({ stream: i, t });
  };
  /** The sendable stream of endpoint e with the most requests left (-1: none now). */
  const pick = (e: number, t: number): number => {
    let best = -1;
    p.streams.forEach((s, i) => {
      if (s.endpoint === e && left[i] > 0 && unlocked(i, t) && (best < 0 || left[i] > left[best])) best = i;
    });
    return best;
  };
  let t = 0;
  while (sends.length < p.total) {
    if (t > D) return null;
    key.advance(t);
    for (const log of logs) log.advance(t);
    // First pages of multi-page streams: as early as possible (they unlock the rest).
    if (p.dependent) {
      p.streams.forEach((s, i) => {
        if (firstAt[i] === null && left[i] > 1 && key.free > 0 && logs[s.endpoint].free > 0) send(i, t);
      });
    }
    // Endpoints that must send now to fit the rest into (t, D].
    for (let e = 0; e < logs.length; e++) {
      while (leftByEndpoint[e] > usesAfter(logs[e], t, D)) {
        const i = key.free > 0 && logs[e].free > 0 ? pick(e, t) : -1;
        if (i < 0) return null;
        send(i, t);
      }
    }
    // The key: if the rest does not fit into (t, D], send now from the endpoints with least room.
    const remaining = () => p.total - sends.length;
    while (remaining() > usesAfter(key, t, D)) {
      if (key.free === 0) return null;
      let best = -1;
      let bestSlack = Infinity;
      for (let e = 0; e < logs.length; e++) {
        if (leftByEndpoint[e] === 0 || logs[e].free === 0 || pick(e, t) < 0) continue;
        const slack = usesAfter(logs[e], t, D) - leftByEndpoint[e];
        if (slack < bestSlack || (slack === bestSlack && leftByEndpoint[e] > leftByEndpoint[best])) {
          best = e;
          bestSlack = slack;
        }
      }
      if (best < 0) return null;
      send(pick(best, t), t);
    }
    if (sends.length === p.total) break;
    // Next instant: a slot frees, a stream unlocks, or an idle lane's count of uses before D drops.
    let next = Infinity;
    const consider = (x: number | undefined) => {
      if (x !== undefined && x > t && x < next) next = x;
    };
    consider(key.nextExpiry());
    for (const log of logs) consider(log.nextExpiry());
    if (p.dependent) p.streams.forEach((_, i) => left[i] > 0 && firstAt[i] !== null && consider(firstAt[i]! + p.L));
    for (const W of [p.We, p.Wk]) if (D > t) consider(D - (Math.ceil((D - t) / W) - 1) * W);
    if (next === Infinity) return null;
    t = next;
  }
  return sends;
}

/**
 * Exhaustive search (branch and bound) over sending orders. For a given order, sending each
 * request at the earliest time both windows (and its stream's first answer) allow gives the
 * earliest times for that order, and every schedule is such an order, so the best order is the
 * optimum. Pruning: a lower bound per node (key lanes, endpoint lanes, pending first answers),
 * requests at the same instant taken in stream order, identical unstarted streams taken in
 * index order, and streams of one endpoint merged when nothing depends on first pages.
 */
function search(p: Problem, incumbent: Send[], budget: number): { sends: Send[]; complete: boolean } {
  // Without the first-page dependency, streams of one endpoint are interchangeable: merge them.
  const streams = p.dependent ? p.streams : p.endpointNames.map((_, e) => ({ endpoint: e, requests: p.streams.filter((s) => s.endpoint === e).reduce((n, s) => n + s.requests, 0), origin: -1 }));
  const N = p.total;
  const times: number[] = [];
  const order: number[] = [];
  const epTimes: number[][] = p.endpointNames.map(() => []);
  const left = streams.map((s) => s.requests);
  const leftByEndpoint = p.endpointNames.map(() => 0);
  streams.forEach((s) => (leftByEndpoint[s.endpoint] += s.requests));
  const firstAt: Array<number | null> = streams.map(() => null);
  let bestLast = incumbent.length ? incumbent[incumbent.length - 1].t : 0;
  let bestOrder: number[] | null = null;
  let nodes = 0;
  let aborted = false;

  const earliest = (i: number): number => {
    const n = times.length;
    const ep = epTimes[streams[i].endpoint];
    let t = n ? times[n - 1] : 0;
    if (n >= p.K) t = Math.max(t, times[n - p.K] + p.Wk);
    if (ep.length >= p.E) t = Math.max(t, ep[ep.length - p.E] + p.We);
    if (p.dependent && firstAt[i] !== null) t = Math.max(t, firstAt[i]! + p.L);
    return t;
  };

  // Lower bound on the last send time, given what is placed so far. Request m and m−K share a
  // key lane (sorted sends), so the last request is at least times[i] + ⌊(N−1−i)/K⌋·Wk for each of
  // the last K placed i; likewise per endpoint; a pending first answer holds back its stream.
  const bound = (): number => {
    const n = times.length;
    let lb = times[n - 1];
    for (let i = Math.max(0, n - p.K); i < n; i++) lb = Math.max(lb, times[i] + Math.floor((N - 1 - i) / p.K) * p.Wk);
    epTimes.forEach((ep, e) => {
      const r = leftByEndpoint[e];
      if (r === 0) return;
      const last = ep.length + r - 1;
      for (let i = Math.max(0, ep.length - p.E); i < ep.length; i++) lb = Math.max(lb, ep[i] + Math.floor((last - i) / p.E) * p.We);
    });
    if (p.dependent) {
      streams.forEach((_, i) => {
        if (left[i] === 0) return;
        if (firstAt[i] !== null) lb = Math.max(lb, firstAt[i]! + p.L);
        else if (left[i] > 1) lb = Math.max(lb, times[n - 1] + p.L);
      });
    }
    return lb;
  };

  const dfs = (): void => {
    if (times.length === N) {
      if (times[N - 1] < bestLast || bestOrder === null && incumbent.length === 0) {
        bestLast = times[N - 1];
        bestOrder = [...order];
      }
      return;
    }
    if (++nodes > budget) {
      aborted = true;
      return;
    }
    const n = times.length;
    const seen = new Set<string>();
    const children: Array<{ i: number; t: number }> = [];
    streams.forEach((s, i) => {
      if (left[i] === 0) return;
      if (p.dependent && firstAt[i] === null) {
        const sig = `${s.endpoint}:${left[i]}`; // identical unstarted streams: only the first
        if (seen.has(sig)) return;
        seen.add(sig);
      }
      const t = earliest(i);
      if (t >= bestLast) return;
      if (n > 0 && t === times[n - 1] && i < order[n - 1]) return; // same instant: stream order only
      children.push({ i, t });
    });
    children.sort((a, b) => a.t - b.t || leftByEndpoint[streams[b.i].endpoint] - leftByEndpoint[streams[a.i].endpoint]);
    for (const { i, t } of children) {
      if (aborted || t >= bestLast) return;
      const e = streams[i].endpoint;
      const wasFirst = firstAt[i] === null;
      times.push(t);
      order.push(i);
      epTimes[e].push(t);
      left[i]--;
      leftByEndpoint[e]--;
      if (wasFirst) firstAt[i] = t;
      if (bound() < bestLast) dfs();
      if (wasFirst) firstAt[i] = null;
      leftByEndpoint[e]++;
      left[i]++;
      epTimes[e].pop();
      order.pop();
      times.pop();
    }
  };
  dfs();
  if (!bestOrder) return { sends: incumbent, complete: !aborted };
  // Replay the best order to get its times, and map merged streams back to the caller's streams.
  const found: number[] = bestOrder;
  const replayTimes: number[] = [];
  const replayEp: number[][] = p.endpointNames.map(() => []);
  const replayFirst: Array<number | null> = streams.map(() => null);
  const owners = p.endpointNames.map((_, e) => p.streams.flatMap((s, k) => (s.endpoint === e ? Array<number>(s.requests).fill(k) : [])));
  const sends: Send[] = found.map((i) => {
    const n = replayTimes.length;
    const ep = replayEp[streams[i].endpoint];
    let t = n ? replayTimes[n - 1] : 0;
    if (n >= p.K) t = Math.max(t, replayTimes[n - p.K] + p.Wk);
    if (ep.length >= p.E) t = Math.max(t, ep[ep.length - p.E] + p.We);
    if (p.dependent && replayFirst[i] !== null) t = Math.max(t, replayFirst[i]! + p.L);
    replayFirst[i] ??= t;
    replayTimes.push(t);
    ep.push(t);
    return { stream: p.dependent ? i : owners[streams[i].endpoint].shift()!, t };
  });
  return { sends, complete: !aborted };
}

/** The earliest finish of `streams` under both windows (see the header for the model). */
export function earliestFinish(input: LowerBoundInput, opts: LowerBoundOptions = {}): LowerBound {
  const p = normalize(input);
  const floor = floorLastSend(p);
  const last = (s: Send[]) => (s.length ? s[s.length - 1].t : 0);
  let sends = greedy(p);
  if (last(sends) > floor) sends = asLateAsPossible(p, floor) ?? sends;
  let proof: LowerBound['proof'] = last(sends) === floor ? 'floor' : 'none';
  if (proof === 'none') {
    const found = search(p, sends, opts.searchBudget ?? 200_000);
    sends = found.sends;
    if (last(sends) === floor) proof = 'floor';
    else if (found.complete) proof = 'search';
  }
  const lastSend = last(sends);
  return {
    finishSec: p.total === 0 ? 0 : (lastSend + p.L) / US,
    lastSendSec: lastSend / US,
    floorSec: p.total === 0 ? 0 : (floor + p.L) / US,
    exact: proof !== 'none',
    proof,
    requests: p.total,
    schedule: sends.map((s) => ({ stream: p.streams[s.stream].origin, endpoint: p.endpointNames[p.streams[s.stream].endpoint], sendSec: s.t / US })),
  };
}

/** Convenience: one stream per endpoint (without the first-page dependency streams of one endpoint are interchangeable). */
export function streamsFromCounts(requestsByEndpoint: Record<string, number> | Map<string, number>): StreamDemand[] {
  const entries = requestsByEndpoint instanceof Map ? [...requestsByEndpoint] : Object.entries(requestsByEndpoint);
  return entries.map(([endpoint, requests]) => ({ endpoint, requests }));
}
