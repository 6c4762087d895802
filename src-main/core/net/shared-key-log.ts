// The key's request log on disk, shared by every process that uses the key (the app, browser
// mode, any number of `studydl` runs): one budget, however many processes spend it.
//
// Design (see also limiter.ts):
// - The file holds every request any process sent on the key within the longest window in use:
//   its time, its endpoint template and which limiter sent it; plus the Retry-After blocks and
//   the key limit learned from a 429. So both windows, the key's and each endpoint's, are
//   judged on the joint traffic.
// - A slot is granted only inside a "cycle": take the file lock, read the file, merge it with
//   what this process knows (its own entries are authoritative for itself, everyone else's come
//   from the file), grant every waiter that fits (FIFO), write the file back, release the lock.
//   The grant and its log entry are therefore one atomic step across processes: no two
//   processes can both take the last slot.
// - The lock is held only for that synchronous read-merge-write (about a millisecond for a
//   full hour's log), never across a request. All the waiters that fit are granted in one
//   cycle, and settling a request (its entry moves to the response time) or a 429 releasing its
//   slot is written by the next cycle or after a short debounce, so a burst costs one cycle,
//   not one per request. Leases (granting a batch of slots ahead) were not used: a slot leased
//   by a process that then waits is a slot no other process can use, and an entry written
//   before its real send time makes the window end early.
// - A crashed holder's lock is taken over when stale (file-lock.ts); a damaged file is simply
//   replaced (it is a cache: at worst the server's 429s teach the limit again).
import { readFileSync } from 'node:fs';
import { writePrivateFileSync } from '../state/private-files';

/** One request any process sent: when (ms), to which endpoint template, by which limiter. */
export interface LogEntry {
  t: number;
  ep: string;
  writer: string;
}

export interface SharedKeyState {
  /** Sorted by time. */
  entries: LogEntry[];
  /** How long entries are kept: the longest window (plus margin) any writer uses. */
  horizonMs: number;
  keyBlockedUntil: number;
  endpointBlockedUntil: Map<string, number>;
  /** The key limit learned from a 429, and when (the newest learning wins). */
  learned: { limit: number | null; at: number; stated: boolean } | null;
}

interface FileV2 {
  version: 2;
  horizonMs: number;
  endpoints: string[];
  writers: string[];
  /** [time, endpoint index, writer index] */
  log: Array<[number, number, number]>;
  key: { blockedUntil: number; learned: number | null; learnedAt: number; stated?: boolean };
  blocked: Record<string, number>;
}

/** The single-process format this replaced: the key's times only. */
interface FileV1 {
  version: 1;
  keyWindowMs: number;
  log: number[];
  blockedUntil: number;
  learned: number | null;
  learnedAt: number;
}

/** Keeping entries longer than a day serves no window we allow (settings cap windows at 86,400 s). */
const MAX_HORIZON_MS = 86_400_000 + 60_000;

export function emptySharedState(): SharedKeyState {
  return { entries: [], horizonMs: 0, keyBlockedUntil: 0, endpointBlockedUntil: new Map(), learned: null };
}

const num = (v: unknown, d = 0) => (typeof v === 'number' && Number.isFinite(v) ? v : d);

/** The file as it is now; missing or unreadable reads as empty (the log is a cache of what the server counts). */
export function readSharedKeyLog(file: string, now: number): SharedKeyState {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return emptySharedState();
  }
  const state = emptySharedState();
  const p = raw as Omit<Partial<FileV2>, 'version' | 'log'> & Omit<Partial<FileV1>, 'version' | 'log'> & { version?: number; log?: unknown[] };
  const sane = (t: number) => t <= now + 60_000; // nothing from the future (a garbled entry would block forever)
  if (p?.version === 2 && Array.isArray(p.log) && Array.isArray(p.endpoints) && Array.isArray(p.writers)) {
    state.horizonMs = Math.min(MAX_HORIZON_MS, num(p.horizonMs));
    for (const row of p.log) {
      if (!Array.isArray(row)) continue;
      const [t, e, w] = row as unknown[];
      const ep = p.endpoints[num(e, -1)];
      const writer = p.writers[num(w, -1)];
      if (typeof t !== 'number' || !sane(t) || typeof ep !== 'string' || typeof writer !== 'string') continue;
      state.entries.push({ t, ep, writer });
    }
    state.keyBlockedUntil = num(p.key?.blockedUntil);
    for (const [ep, until] of Object.entries(p.blocked ?? {})) if (typeof until === 'number') state.endpointBlockedUntil.set(ep, until);
    if (p.key && (typeof p.key.learned === 'number' || p.key.learned === null)) {
      state.learned = { limit: p.key.learned, at: num(p.key.learnedAt), stated: p.key.stated === true };
    }
  } else if (p?.version === 1 && Array.isArray(p.log)) {
    state.horizonMs = Math.min(MAX_HORIZON_MS, num(p.keyWindowMs));
    for (const t of p.log) if (typeof t === 'number' && sane(t)) state.entries.push({ t, ep: '', writer: 'v1' });
    state.keyBlockedUntil = num(p.blockedUntil);
    if (typeof p.learned === 'number') state.learned = { limit: p.learned, at: num(p.learnedAt, now), stated: false };
  }
  state.entries.sort((a, b) => a.t - b.t);
  return state;
}

/** Replaces the file (atomically, 0600) with state, dropping entries older than its horizon. */
export function writeSharedKeyLog(file: string, state: SharedKeyState, now: number): void {
  const horizon = Math.min(MAX_HORIZON_MS, state.horizonMs);
  const endpoints: string[] = [];
  const writers: string[] = [];
  const epIndex = new Map<string, number>();
  const writerIndex = new Map<string, number>();
  const indexOf = (m: Map<string, number>, list: string[], v: string) => {
    let i = m.get(v);
    if (i === undefined) {
      i = list.push(v) - 1;
      m.set(v, i);
    }
    return i;
  };
  const log: FileV2['log'] = [];
  for (const e of state.entries) {
    if (e.t + horizon <= now) continue;
    log.push([e.t, indexOf(epIndex, endpoints, e.ep), indexOf(writerIndex, writers, e.writer)]);
  }
  const blocked: Record<string, number> = {};
  for (const [ep, until] of state.endpointBlockedUntil) if (until > now) blocked[ep] = until;
  const body: FileV2 = {
    version: 2,
    horizonMs: horizon,
    endpoints,
    writers,
    log,
    key: {
      blockedUntil: state.keyBlockedUntil > now ? state.keyBlockedUntil : 0,
      learned: state.learned?.limit ?? null,
      learnedAt: state.learned?.at ?? 0,
      ...(state.learned?.stated ? { stated: true } : {}),
    },
    blocked,
  };
  writePrivateFileSync(file, JSON.stringify(body));
}

/** What merging needs of a limiter scope (the limiter's own scope state fits). */
export interface SharedScope {
  log: number[];
  blockedUntil: number;
  learned: number | null;
  learnedAt: number;
  stated?: boolean;
}

/** A request this limiter sent, still inside the horizon. */
export interface OwnEntry {
  t: number;
  ep: string;
}

/**
 * Rebuilds the scopes' logs from the file's entries of other writers plus this limiter's own
 * (its own are the truth: they may have moved since they were written), takes the later of each
 * block, and adopts a newer learned key limit. Returns the other writers' entries.
 */
export function mergeSharedState(
  state: SharedKeyState,
  writer: string,
  mine: readonly OwnEntry[],
  key: SharedScope,
  endpoint: (ep: string) => SharedScope,
  allEndpoints: Iterable<SharedScope>,
): LogEntry[] {
  const theirs = state.entries.filter((e) => e.writer !== writer);
  key.log = [];
  for (const s of allEndpoints) s.log = [];
  for (const e of [...theirs, ...mine]) {
    key.log.push(e.t);
    if (e.ep) endpoint(e.ep).log.push(e.t); // '' marks an old single-process entry: key scope only
  }
  const byTime = (a: number, b: number) => a - b;
  key.log.sort(byTime);
  for (const s of allEndpoints) s.log.sort(byTime);
  key.blockedUntil = Math.max(key.blockedUntil, state.keyBlockedUntil);
  for (const [ep, until] of state.endpointBlockedUntil) {
    const s = endpoint(ep);
    s.blockedUntil = Math.max(s.blockedUntil, until);
  }
  if (state.learned && state.learned.at > key.learnedAt) {
    key.learned = state.learned.limit;
    key.learnedAt = state.learned.at;
    key.stated = state.learned.stated;
  }
  return theirs;
}

/** The file's next contents: the others' entries as read, this limiter's own, the blocks and the learning. */
export function composeSharedState(
  theirs: readonly LogEntry[],
  mine: readonly OwnEntry[],
  writer: string,
  horizonMs: number,
  key: SharedScope,
  endpoints: ReadonlyMap<string, SharedScope>,
): SharedKeyState {
  const entries = [...theirs, ...mine.map((e) => ({ t: e.t, ep: e.ep, writer }))].sort((a, b) => a.t - b.t);
  const endpointBlockedUntil = new Map<string, number>();
  for (const [ep, s] of endpoints) if (s.blockedUntil > 0) endpointBlockedUntil.set(ep, s.blockedUntil);
  return {
    entries,
    horizonMs,
    keyBlockedUntil: key.blockedUntil,
    endpointBlockedUntil,
    learned: { limit: key.learned, at: key.learnedAt, stated: !!key.stated },
  };
}
