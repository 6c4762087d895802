// Limiters sharing one key log on disk (as separate processes do; here two instances with their
// own writer ids, on a fake clock): together they never exceed either window, a Retry-After one
// of them hears holds the other back, a crashed one's requests keep counting, and the file lock
// is taken only once per burst of grants. The cross-process run is in
// tests/integration/cross-process/concurrent-exports.test.ts.
import { mkdtempSync, readFileSync, rmSync, utimesSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createJointLimiter, type JointLimiter, type JointLimiterOptions, type WaitInfo } from '../../../src-main/core/net/limiter';
import { fileLockStats, withFileLock } from '../../../src-main/core/state/file-lock';
import { createFakeClock, type FakeClock } from './fake-clock';
import { maxInWindow } from './window-count';
import { mulberry32 } from '../../sim/prng';

const dirs: string[] = [];
const limiters: JointLimiter[] = [];
afterEach(async () => {
  for (const l of limiters.splice(0)) await l.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function sharedFile() {
  const d = mkdtempSync(join(tmpdir(), 'shared-limiter-'));
  dirs.push(d);
  return join(d, 'ratelimit', 'key-test.json');
}
function make(opts: JointLimiterOptions) {
  const l = createJointLimiter(opts);
  limiters.push(l);
  return l;
}

/** Moves the fake clock from sleeper to sleeper, letting the file I/O of the cycles run in between. */
async function drive(clock: FakeClock, done: () => boolean) {
  for (let i = 0; i < 50_000 && !done(); i++) {
    if (!(await clock.next())) await new Promise((r) => setTimeout(r, 1));
  }
}

describe('limiters sharing one key log', () => {
  for (const seed of [1, 2]) {
    it(`two limiters on one key never exceed either window together (seed ${seed})`, { timeout: 60_000 }, async () => {
      const clock = createFakeClock();
      const persistPath = sharedFile();
      const K = 12;
      const Wk = 30_000;
      const E = 4;
      const We = 10_000;
      const opts = { keyLimit: K, keyWindowMs: Wk, endpointLimit: E, endpointWindowMs: We, keyMarginMs: 0, endpointMarginMs: 0, clock, persistPath };
      const pair = [make(opts), make(opts)];
      const rand = mulberry32(seed);
      const endpoints = ['/a', '/b', '/c'];
      const grants: Array<{ t: number; ep: string; by: number }> = [];
      const all: Promise<void>[] = [];
      let t = 0;
      const start = clock.now();
      for (let i = 0; i < 120; i++) {
        t += rand() < 0.3 ? Math.floor(rand() * 3000) : 0;
        const due = start + t - clock.now();
        if (due > 0) await clock.advance(due);
        const by = rand() < 0.5 ? 0 : 1;
        const ep = endpoints[Math.floor(rand() * endpoints.length)];
        all.push(pair[by].acquire(ep).then((slot) => void grants.push({ t: slot.sentAt, ep, by })));
      }
      await drive(clock, () => grants.length === 120);
      await Promise.all(all);
      expect(grants).toHaveLength(120);
      expect(new Set(grants.map((g) => g.by)).size).toBe(2);
      expect(maxInWindow(grants.map((g) => g.t), Wk)).toBeLessThanOrEqual(K);
      for (const ep of endpoints) expect(maxInWindow(grants.filter((g) => g.ep === ep).map((g) => g.t), We)).toBeLessThanOrEqual(E);
      // ...and not needlessly slow: the joint key limit is reached in some window.
      expect(maxInWindow(grants.map((g) => g.t), Wk)).toBe(K);
    });
  }

  it('each sees the other’s requests in its budget', async () => {
    const clock = createFakeClock();
    const opts = { keyLimit: 10, keyWindowMs: 60_000, endpointLimit: 10, endpointWindowMs: 60_000, clock, persistPath: sharedFile() };
    const a = make(opts);
    const b = make(opts);
    for (let i = 0; i < 3; i++) await a.acquire('/a');
    for (let i = 0; i < 4; i++) await b.acquire('/b');
    expect(a.budget().keyRemaining).toBe(3);
    expect(b.budget().keyRemaining).toBe(3);
  });

  it('a Retry-After one limiter hears holds the other back too', async () => {
    const clock = createFakeClock();
    const persistPath = sharedFile();
    const opts = { keyLimit: 100, keyWindowMs: 60_000, endpointLimit: 100, endpointWindowMs: 60_000, keyMarginMs: 0, endpointMarginMs: 0, clock, persistPath };
    const a = make(opts);
    const b = make(opts);
    const slot = await a.acquire('/x');
    slot.release();
    a.onRateLimited('/x', 120_000, 'key'); // longer than the endpoint window: the whole key
    await a.flush();
    await new Promise((r) => setTimeout(r, 50)); // the block reaches the file (a real-time write)
    let at = 0;
    const p = b.acquire('/y').then(() => void (at = clock.now()));
    const t0 = clock.now();
    await clock.advance(119_000);
    expect(at).toBe(0);
    await drive(clock, () => at > 0);
    await p;
    expect(at - t0).toBeGreaterThanOrEqual(120_000);
  });

  it('the requests of a limiter that died without closing keep counting for the others', async () => {
    const clock = createFakeClock();
    const opts = { keyLimit: 5, keyWindowMs: 60_000, endpointLimit: 100, endpointWindowMs: 60_000, keyMarginMs: 0, endpointMarginMs: 0, clock, persistPath: sharedFile() };
    const crashed = createJointLimiter(opts); // never closed
    for (let i = 0; i < 5; i++) await crashed.acquire('/a');
    const next = make(opts);
    expect(next.budget().keyRemaining).toBe(0);
    let at = 0;
    const p = next.acquire('/a').then(() => void (at = clock.now()));
    await clock.advance(59_999);
    expect(at).toBe(0);
    await drive(clock, () => at > 0);
    await p;
  });

  it('a shared log that cannot be used does not stop anyone: this process limits on its own view, and says so once', async () => {
    const clock = createFakeClock();
    const d = mkdtempSync(join(tmpdir(), 'shared-limiter-'));
    dirs.push(d);
    writeFileSync(join(d, 'ratelimit'), 'a file where the folder should be');
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (m: string) => void warnings.push(m), error() {} };
    const l = make({ keyLimit: 2, keyWindowMs: 10_000, endpointLimit: 10, endpointWindowMs: 10_000, keyMarginMs: 0, endpointMarginMs: 0, clock, logger, persistPath: join(d, 'ratelimit', 'key-test.json') });
    await l.acquire('/a');
    await l.acquire('/a');
    // Its own view still holds the key's limit: the third waits for the window.
    let third = false;
    const waits: WaitInfo[] = [];
    const p = l.acquire('/a', { onWait: (w) => waits.push(w) }).then(() => void (third = true));
    await expect.poll(() => waits.length).toBeGreaterThan(0);
    expect(third).toBe(false);
    expect(waits[0]).toMatchObject({ scope: 'key', seconds: 10 });
    await clock.advance(10_000);
    await p;
    expect(l.granted()).toBe(3);
    expect(warnings.filter((w) => /shared rate limit log could not be used/.test(w))).toHaveLength(1);
  });

  it('reads the single-process log of the previous version: its requests count for the key', () => {
    const clock = createFakeClock();
    const persistPath = sharedFile();
    mkdirSync(join(persistPath, '..'), { recursive: true });
    const now = clock.now();
    writeFileSync(persistPath, JSON.stringify({ version: 1, keyWindowMs: 60_000, log: [now - 3000, now - 2000, now - 1000], blockedUntil: 0, learned: null, learnedAt: 0 }));
    const l = make({ keyLimit: 10, keyWindowMs: 60_000, endpointLimit: 10, endpointWindowMs: 60_000, clock, persistPath });
    expect(l.budget().keyRemaining).toBe(7);
  });

  it('takes the lock once for a burst of grants, and the file holds every one of them', async () => {
    const clock = createFakeClock();
    const persistPath = sharedFile();
    const l = make({ keyLimit: 100, keyWindowMs: 60_000, endpointLimit: 100, endpointWindowMs: 60_000, clock, persistPath, persistDebounceMs: 60_000 });
    const before = fileLockStats().acquired;
    const slots = await Promise.all(Array.from({ length: 20 }, (_, i) => l.acquire(`/e${i % 4}`)));
    expect(slots).toHaveLength(20);
    expect(fileLockStats().acquired - before).toBeLessThanOrEqual(2);
    const file = JSON.parse(readFileSync(persistPath, 'utf8')) as { log: unknown[] };
    expect(file.log).toHaveLength(20);
  });

  it('a lock left by a process that died is taken over once stale', { timeout: 20_000 }, async () => {
    const file = sharedFile();
    mkdirSync(`${file}.lock`, { recursive: true });
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${file}.lock`, old, old);
    expect(await withFileLock(file, () => 'got it')).toBe('got it');
  });
});
