import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { getEventListeners } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createJointLimiter, type JointLimiter, type WaitInfo } from '../../../src-main/core/net/limiter';
import { parseRetryAfter } from '../../../src-main/core/net/retry';
import { createFakeClock } from './fake-clock';
import { maxInWindow } from './window-count';
import { mulberry32 } from '../../sim/prng';

const dirs: string[] = [];
const limiters: JointLimiter[] = [];
afterEach(async () => {
  for (const l of limiters.splice(0)) await l.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir() {
  const d = mkdtempSync(join(tmpdir(), 'limiter-'));
  dirs.push(d);
  return d;
}
function track(l: JointLimiter) {
  limiters.push(l);
  return l;
}

describe('joint limiter: sliding windows', () => {
  for (const seed of [1, 2, 3]) {
    it(`never exceeds either limit in any sliding window over a long random schedule (seed ${seed})`, async () => {
      const clock = createFakeClock();
      const K = 12;
      const Wk = 1000;
      const E = 4;
      const We = 250;
      const l = track(createJointLimiter({ keyLimit: K, keyWindowMs: Wk, endpointLimit: E, endpointWindowMs: We, keyMarginMs: 0, endpointMarginMs: 0, clock }));
      const rand = mulberry32(seed);
      const endpoints = ['/a', '/b', '/c', '/d'];
      // 600 requests arriving in bursts over ~30 s of virtual time.
      let t = 0;
      const arrivals: Array<{ at: number; ep: string }> = [];
      for (let i = 0; i < 600; i++) {
        t += rand() < 0.2 ? Math.floor(rand() * 400) : 0;
        arrivals.push({ at: t, ep: endpoints[Math.floor(rand() * endpoints.length)] });
      }
      const grants: Array<{ t: number; ep: string }> = [];
      const start = clock.now();
      const all: Promise<void>[] = [];
      for (const a of arrivals) {
        const due = start + a.at - clock.now();
        if (due > 0) await clock.advance(due);
        all.push(l.acquire(a.ep).then(() => void grants.push({ t: clock.now(), ep: a.ep })));
      }
      while (grants.length < arrivals.length) {
        if (!(await clock.next())) break;
      }
      await Promise.all(all);
      expect(grants).toHaveLength(600);
      expect(maxInWindow(grants.map((g) => g.t), Wk)).toBeLessThanOrEqual(K);
      for (const ep of endpoints) expect(maxInWindow(grants.filter((g) => g.ep === ep).map((g) => g.t), We)).toBeLessThanOrEqual(E);
      // ...and it is not needlessly slow: the key limit is reached in some window.
      expect(maxInWindow(grants.map((g) => g.t), Wk)).toBe(K);
    });
  }

  it('acquires both scopes atomically: a request waiting on its endpoint holds no key slot', async () => {
    const clock = createFakeClock();
    const l = track(createJointLimiter({ keyLimit: 5, keyWindowMs: 1000, endpointLimit: 3, endpointWindowMs: 1000, keyMarginMs: 0, endpointMarginMs: 0, clock }));
    const granted: string[] = [];
    const go = (ep: string, tag: string) => l.acquire(ep).then(() => void granted.push(tag));
    await Promise.all([go('/a', 'a1'), go('/a', 'a2'), go('/a', 'a3')]);
    const a4 = go('/a', 'a4'); // endpoint /a is full: waits
    await clock.advance(0);
    expect(granted).not.toContain('a4');
    // The key still has exactly 2 slots: a4's wait did not take one.
    expect(l.budget().keyRemaining).toBe(2);
    await Promise.all([go('/b', 'b1'), go('/b', 'b2')]);
    const b3 = go('/b', 'b3');
    await clock.advance(999);
    expect(granted).toEqual(['a1', 'a2', 'a3', 'b1', 'b2']);
    await clock.advance(1);
    await Promise.all([a4, b3]);
    expect(granted.slice(5).sort()).toEqual(['a4', 'b3']);
  });

  it('grants waiters of one endpoint in FIFO order and reports why they wait', async () => {
    const clock = createFakeClock();
    const l = track(createJointLimiter({ keyLimit: 100, keyWindowMs: 60_000, endpointLimit: 2, endpointWindowMs: 1000, keyMarginMs: 0, endpointMarginMs: 0, clock }));
    const order: number[] = [];
    const waits: WaitInfo[] = [];
    const ps = [0, 1, 2, 3, 4].map((i) => l.acquire('/e', { onWait: (w) => waits.push(w) }).then(() => void order.push(i)));
    while (order.length < 5) await clock.next();
    await Promise.all(ps);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(waits.length).toBeGreaterThan(0);
    expect(waits[0].scope).toBe('endpoint');
    expect(waits[0].seconds).toBeCloseTo(1, 5);
    expect(waits[0].reason).toMatch(/2 requests/);
  });

  it('an aborted wait rejects and frees its place', async () => {
    const clock = createFakeClock();
    const l = track(createJointLimiter({ keyLimit: 1, keyWindowMs: 1000, endpointLimit: 10, endpointWindowMs: 1000, keyMarginMs: 0, endpointMarginMs: 0, clock }));
    await l.acquire('/a');
    const ac = new AbortController();
    const p = l.acquire('/a', { signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toThrow();
    await clock.advance(1000);
    expect(l.budget().keyRemaining).toBe(1);
    expect(l.granted()).toBe(1);
  });

  it('many requests of one job waiting on its signal raise no listener-leak warning, and all are released on abort', async () => {
    const clock = createFakeClock();
    const l = track(createJointLimiter({ keyLimit: 1, keyWindowMs: 1000, endpointLimit: 10, endpointWindowMs: 1000, keyMarginMs: 0, endpointMarginMs: 0, clock }));
    await l.acquire('/a');
    const warnings: string[] = [];
    const onWarning = (w: Error) => void warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const ac = new AbortController();
      const waits = Array.from({ length: 40 }, () => l.acquire('/a', { signal: ac.signal }));
      await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
      ac.abort();
      for (const w of waits) await expect(w).rejects.toThrow();
      await new Promise((r) => setImmediate(r));
      expect(warnings.filter((n) => n === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('closing rejects the requests still waiting, as aborted', async () => {
    const clock = createFakeClock();
    const l = track(createJointLimiter({ keyLimit: 1, keyWindowMs: 1000, endpointLimit: 10, endpointWindowMs: 1000, keyMarginMs: 0, endpointMarginMs: 0, clock }));
    await l.acquire('/a');
    const ac = new AbortController();
    const waiting = [l.acquire('/a', { signal: ac.signal }), l.acquire('/b')];
    await l.close();
    for (const w of waiting) await expect(w).rejects.toMatchObject({ name: 'AbortError' });
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
    expect(l.granted()).toBe(1);
  });

  it('a settled slot moves its entry to the response time; a released one frees its place', async () => {
    const clock = createFakeClock();
    const l = track(createJointLimiter({ keyLimit: 2, keyWindowMs: 1000, endpointLimit: 10, endpointWindowMs: 1000, keyMarginMs: 0, endpointMarginMs: 0, clock }));
    const t0 = clock.now();
    const a = await l.acquire('/a');
    const b = await l.acquire('/a');
    await clock.advance(300);
    a.done(); // response arrived 300 ms after sending: the window counts from then
    b.release(); // refused (429): not counted
    expect(l.budget().keyRemaining).toBe(1);
    await l.acquire('/a'); // takes b's place at once
    let at = 0;
    const p = l.acquire('/a').then(() => void (at = clock.now()));
    while (!at) await clock.next();
    await p;
    expect(at - t0).toBe(1300);
  });

  it('applies the safety margin: the next window starts margin ms late', async () => {
    const clock = createFakeClock();
    const l = track(createJointLimiter({ keyLimit: 1, keyWindowMs: 1000, endpointLimit: 10, endpointWindowMs: 1000, keyMarginMs: 50, endpointMarginMs: 0, clock }));
    const t0 = clock.now();
    await l.acquire('/a');
    let at = 0;
    const p = l.acquire('/a').then(() => void (at = clock.now()));
    while (!at) await clock.next();
    await p;
    expect(at - t0).toBe(1050);
  });
});

describe('joint limiter: Retry-After and learning', () => {
  it('Retry-After in seconds blocks only the endpoint it belongs to', async () => {
    const clock = createFakeClock();
    const l = track(createJointLimiter({ keyLimit: 100, keyWindowMs: 3_600_000, endpointLimit: 10, endpointWindowMs: 60_000, keyMarginMs: 0, endpointMarginMs: 0, clock }));
    await l.acquire('/data/events/experiment/{id}');
    const ms = parseRetryAfter('7', clock.now())!;
    expect(ms).toBe(7000);
    expect(l.onRateLimited('/data/events/experiment/{id}', ms, 'endpoint')).toBe('endpoint');
    // Another endpoint is not blocked.
    await l.acquire('/data/chat/experiment/{id}');
    let at = 0;
    const start = clock.now();
    const waits: WaitInfo[] = [];
    const p = l.acquire('/data/events/experiment/{id}', { onWait: (w) => waits.push(w) }).then(() => void (at = clock.now()));
    await clock.advance(6999);
    expect(at).toBe(0);
    await clock.advance(1);
    await p;
    expect(at - start).toBe(7000);
    expect(waits[0].scope).toBe('server');
  });

  it('Retry-After as an HTTP date longer than the endpoint window blocks the whole key', async () => {
    const clock = createFakeClock(Date.UTC(2026, 0, 1, 12, 0, 0));
    const l = track(createJointLimiter({ keyLimit: 100, keyWindowMs: 3_600_000, endpointLimit: 10, endpointWindowMs: 60_000, keyMarginMs: 0, endpointMarginMs: 0, clock }));
    await l.acquire('/experiments');
    const date = new Date(clock.now() + 120_000).toUTCString();
    const ms = parseRetryAfter(date, clock.now())!;
    expect(ms).toBe(120_000);
    expect(l.onRateLimited('/experiments', ms)).toBe('key'); // inferred: longer than a minute window
    let at = 0;
    const p = l.acquire('/health').then(() => void (at = clock.now()));
    await clock.advance(119_999);
    expect(at).toBe(0);
    expect(l.budget().blockedUntil).toBe(new Date(clock.now() + 1).toISOString());
    await clock.advance(1);
    await p;
    expect(at).toBe(Date.UTC(2026, 0, 1, 12, 2, 0));
  });

  it('learns a stricter key limit from a 429 and recovers additively, never above the configured one', async () => {
    const clock = createFakeClock();
    const l = track(createJointLimiter({ keyLimit: 10, keyWindowMs: 1000, endpointLimit: 100, endpointWindowMs: 1000, keyMarginMs: 0, endpointMarginMs: 0, clock }));
    let last;
    for (let i = 0; i < 8; i++) last = await l.acquire('/x');
    // The server refused the 8th: it accepts only 7 per window (e.g. another app shares the key).
    last!.release();
    l.onRateLimited('/x', 1000, 'key');
    expect(l.limits().effectiveKeyLimit).toBe(7);
    expect(l.budget().keyLimit).toBe(7);
    expect(l.budget().keyRemaining).toBe(0); // the refused request's slot came back, the window is full at 7
    expect(l.budget().summary).toMatch(/stricter than the configured 10/);
    // After the block, never more than 7 in any window (the 7 accepted ones included).
    const times: number[] = Array.from({ length: 7 }, () => clock.now());
    const ps = Array.from({ length: 20 }, () => l.acquire('/x').then(() => void times.push(clock.now())));
    while (times.length < 27) await clock.next();
    await Promise.all(ps);
    expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(8); // 7 + at most one recovery step per clean window
    // Clean windows raise the effective limit by 10 % of the configured one each, up to 10 and no further.
    await clock.advance(3000);
    expect(l.limits().effectiveKeyLimit).toBeGreaterThan(7);
    await clock.advance(20_000);
    expect(l.limits().effectiveKeyLimit).toBe(10);
  });

  it('learns a limit the server states exactly and holds it for ten clean windows', async () => {
    const clock = createFakeClock();
    const l = track(createJointLimiter({ keyLimit: 1000, keyWindowMs: 10_000, endpointLimit: 100, endpointWindowMs: 1000, keyMarginMs: 0, endpointMarginMs: 0, clock }));
    const slot = await l.acquire('/x');
    slot.release();
    l.onRateLimited('/x', 1000, 'endpoint', { serverLimit: 5 });
    expect(l.limits().effectiveEndpointLimit('/x')).toBe(5);
    await clock.advance(10_500);
    expect(l.limits().effectiveEndpointLimit('/x')).toBe(5);
    await clock.advance(2000);
    expect(l.limits().effectiveEndpointLimit('/x')).toBeGreaterThan(5);
    expect(l.limits().effectiveKeyLimit).toBe(1000);
  });

  it('halves the effective limit when the server refuses far below it (a shared or stricter budget)', async () => {
    const clock = createFakeClock();
    const l = track(createJointLimiter({ keyLimit: 100, keyWindowMs: 1000, endpointLimit: 100, endpointWindowMs: 1000, keyMarginMs: 0, endpointMarginMs: 0, clock }));
    for (let i = 0; i < 3; i++) await l.acquire('/x');
    l.onRateLimited('/x', 500, 'endpoint');
    expect(l.limits().effectiveEndpointLimit('/x')).toBe(50);
    expect(l.limits().effectiveKeyLimit).toBe(100);
  });
});

describe('joint limiter: budget and persistence', () => {
  it('states the budget in plain words', async () => {
    const clock = createFakeClock();
    const l = track(createJointLimiter({ keyLimit: 1000, keyWindowMs: 3_600_000, endpointLimit: 1000, endpointWindowMs: 60_000, clock }));
    for (let i = 0; i < 588; i++) await l.acquire('/e' + (i % 7));
    const b = l.budget();
    expect(b.summary).toBe('412 of 1000 requests left this hour');
    expect(b).toMatchObject({ keyLimit: 1000, keyWindowSec: 3600, keyRemaining: 412, keyResetSec: 0, endpointLimit: 1000, endpointWindowSec: 60 });
  });

  it('persists the key log atomically and does not re-burst after a restart within the window', async () => {
    const dir = tempDir();
    const persistPath = join(dir, 'ratelimit', 'key-abc.json');
    const clock = createFakeClock();
    const opts = { keyLimit: 5, keyWindowMs: 60_000, endpointLimit: 100, endpointWindowMs: 60_000, keyMarginMs: 0, endpointMarginMs: 0, clock, persistPath };
    const first = createJointLimiter(opts);
    for (let i = 0; i < 5; i++) await first.acquire('/a');
    await first.close();
    expect(existsSync(persistPath)).toBe(true);
    expect(readdirSync(join(dir, 'ratelimit'))).toEqual(['key-abc.json']); // no temp file left behind
    expect(JSON.parse(readFileSync(persistPath, 'utf8')).log).toHaveLength(5);

    await clock.advance(30_000); // "restart" half a window later
    const second = track(createJointLimiter(opts));
    expect(second.budget().keyRemaining).toBe(0);
    let at = 0;
    const p = second.acquire('/a').then(() => void (at = clock.now()));
    await clock.advance(29_999);
    expect(at).toBe(0);
    await clock.advance(1);
    await p;
    expect(at).toBeGreaterThan(0);
  });

  it('setLimits changes the limits live', async () => {
    const clock = createFakeClock();
    const l = track(createJointLimiter({ keyLimit: 2, keyWindowMs: 1000, endpointLimit: 10, endpointWindowMs: 1000, keyMarginMs: 0, endpointMarginMs: 0, clock }));
    await l.acquire('/a');
    await l.acquire('/a');
    let granted = false;
    const p = l.acquire('/a').then(() => void (granted = true));
    await clock.advance(0);
    expect(granted).toBe(false);
    l.setLimits({ keyLimit: 3 });
    await clock.advance(0);
    await p;
    expect(granted).toBe(true);
    expect(l.budget().summary).toBe('0 of 3 requests left in the last 1 s');
  });

  it('ignores a corrupt log file', async () => {
    const dir = tempDir();
    const persistPath = join(dir, 'log.json');
    (await import('node:fs')).writeFileSync(persistPath, '{not json');
    const clock = createFakeClock();
    const l = track(createJointLimiter({ keyLimit: 3, keyWindowMs: 1000, endpointLimit: 3, endpointWindowMs: 1000, clock, persistPath }));
    expect(l.budget().keyRemaining).toBe(3);
  });
});
