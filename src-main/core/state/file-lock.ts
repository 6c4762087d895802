// Cross-process mutual exclusion for a state file, through proper-lockfile (an atomic mkdir of
// `<file>.lock`, kept fresh by its mtime). Callers hold it only for a synchronous
// read-modify-write of a small file, so a hold lasts about a millisecond; a holder that died
// (kill -9) leaves a lock whose mtime stops moving, and it is taken over once STALE_MS old.
//
// Inside one process the callers for one file queue on a promise chain first, so they never
// spin on each other's lock directory.
import fs from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { ensurePrivateDir, PRIVATE_DIR_MODE } from './private-files';

/** A lock whose mtime has not moved for this long belongs to a dead process (proper-lockfile's minimum is 2 s). */
export const LOCK_STALE_MS = 5_000;

export interface FileLockOptions {
  /** Called when a lock we held was taken over (we were frozen past the stale time). */
  onCompromised?: (e: Error) => void;
}

export interface FileLockStats {
  /** Locks taken. */
  acquired: number;
  /** Time spent waiting for the lock (other holders, stale recovery), ms. */
  waitMs: number;
  maxWaitMs: number;
  /** Time between holding the lock and releasing it, ms. */
  holdMs: number;
  maxHoldMs: number;
}

const stats: FileLockStats = { acquired: 0, waitMs: 0, maxWaitMs: 0, holdMs: 0, maxHoldMs: 0 };

/** This process's lock figures (benchmarks report them). */
export function fileLockStats(): FileLockStats {
  return { ...stats };
}

// proper-lockfile creates the lock directory with a plain mkdir; ours is private like the rest.
// One object for every call: proper-lockfile caches the file system's mtime precision on it.
const privateFs = {
  ...fs,
  mkdir: (p: string, cb: (e: NodeJS.ErrnoException | null) => void) => fs.mkdir(p, { mode: PRIVATE_DIR_MODE }, cb),
};

const chains = new Map<string, Promise<unknown>>();

/** Runs fn while holding the cross-process lock of file (file itself need not exist). */
export function withFileLock<T>(file: string, fn: () => T | Promise<T>, opts: FileLockOptions = {}): Promise<T> {
  const key = path.resolve(file);
  // The chain holds only tails, which never reject: a failed holder does not stop the next.
  const previous = chains.get(key) ?? Promise.resolve();
  const run = previous.then(() => lockedRun(key, fn, opts));
  const tail = run.catch(() => undefined);
  chains.set(key, tail);
  void tail.then(() => {
    if (chains.get(key) === tail) chains.delete(key);
  });
  return run;
}

async function lockedRun<T>(file: string, fn: () => T | Promise<T>, opts: FileLockOptions): Promise<T> {
  ensurePrivateDir(path.dirname(file));
  const asked = performance.now();
  const release = await lockfile.lock(file, {
    realpath: false, // the file may not exist yet
    stale: LOCK_STALE_MS,
    update: 1_000,
    fs: privateFs,
    // About 12 s of attempts in all: longer than the stale time, so a dead holder's lock is taken over.
    retries: { retries: 150, factor: 1.3, minTimeout: 2, maxTimeout: 100, randomize: true },
    onCompromised: (e) => opts.onCompromised?.(e),
  });
  const held = performance.now();
  const waited = held - asked;
  stats.acquired++;
  stats.waitMs += waited;
  stats.maxWaitMs = Math.max(stats.maxWaitMs, waited);
  try {
    return await fn();
  } finally {
    const hold = performance.now() - held;
    stats.holdMs += hold;
    stats.maxHoldMs = Math.max(stats.maxHoldMs, hold);
    await release().catch(() => undefined); // already released means it was compromised (reported above)
  }
}
