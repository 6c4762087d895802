// The joint limiter's key shares: when what is waiting and announced (expect()) will not fit in
// the key's free slots, the slots go to the endpoints with the most to send, so what is left for
// the key's next window is spread over the endpoints and no endpoint's own window stretches the
// finish. Fake clock; latency 0 (each slot is done at once).
import { afterEach, describe, expect, it } from 'vitest';
import { createJointLimiter, type JointLimiter } from '../../../src-main/core/net/limiter';
import { createFakeClock, type FakeClock } from './fake-clock';
import { maxInWindow } from './window-count';

const limiters: JointLimiter[] = [];
afterEach(async () => {
  for (const l of limiters.splice(0)) await l.close();
});

interface Grant {
  t: number;
  ep: string;
}

/** A paged stream as the HyperStudy client runs one: the first page alone, then up to 4 at once, announcing the rest. */
async function stream(l: JointLimiter, clock: FakeClock, ep: string, n: number, grants: Grant[], announce: boolean): Promise<void> {
  const hint = announce ? l.expect(ep) : null;
  const first = await l.acquire(ep);
  grants.push({ t: clock.now(), ep });
  first.done();
  let launched = 1;
  const pending = new Set<Promise<void>>();
  while (launched < n || pending.size) {
    while (launched < n && pending.size < 4) {
      const p: Promise<void> = l.acquire(ep).then((s) => {
        grants.push({ t: clock.now(), ep });
        s.done();
        pending.delete(p);
      });
      pending.add(p);
      launched++;
    }
    hint?.set(n - launched);
    await Promise.race(pending);
  }
  hint?.end();
}

async function runStreams(announce: boolean, demand: Record<string, number>) {
  const clock = createFakeClock();
  const K = 10;
  const Wk = 1000;
  const E = 4;
  const We = 100;
  const l = createJointLimiter({ keyLimit: K, keyWindowMs: Wk, endpointLimit: E, endpointWindowMs: We, keyMarginMs: 0, endpointMarginMs: 0, clock });
  limiters.push(l);
  const grants: Grant[] = [];
  const t0 = clock.now();
  let finished = false;
  const all = Promise.all(Object.entries(demand).map(([ep, n]) => stream(l, clock, ep, n, grants, announce))).then(() => void (finished = true));
  while (!finished) if (!(await clock.next())) await clock.advance(0);
  await all;
  expect(grants).toHaveLength(Object.values(demand).reduce((a, b) => a + b, 0));
  expect(maxInWindow(grants.map((g) => g.t), Wk)).toBeLessThanOrEqual(K);
  for (const ep of Object.keys(demand)) expect(maxInWindow(grants.filter((g) => g.ep === ep).map((g) => g.t), We)).toBeLessThanOrEqual(E);
  return { finish: Math.max(...grants.map((g) => g.t)) - t0, grants };
}

describe('joint limiter: key shares', () => {
  it('spreads what the key cannot send now over the endpoints, so the next key window finishes it at once', async () => {
    // 16 requests, key 10 per 1000 ms, endpoint 4 per 100 ms: 6 must wait for the key's next window.
    // Handed out first come first served, /a (12) keeps 6 for then and needs two of its own windows
    // there (1100 ms); kept for /a, the key leaves 3 of each for then, and both go at 1000 ms.
    const demand = { '/a': 12, '/b': 4 };
    const fifo = await runStreams(false, demand);
    const shared = await runStreams(true, demand);
    expect(fifo.finish).toBe(1100);
    expect(shared.finish).toBe(1000);
  });

  it('never holds requests back for an endpoint that is not asking (a stale announcement)', async () => {
    const clock = createFakeClock();
    const l = createJointLimiter({ keyLimit: 10, keyWindowMs: 1000, endpointLimit: 4, endpointWindowMs: 100, keyMarginMs: 0, endpointMarginMs: 0, clock });
    limiters.push(l);
    l.expect('/idle').set(1000); // announced, but nothing is ever sent
    const hint = l.expect('/b');
    hint.set(3);
    const granted = await Promise.all([0, 1, 2, 3].map(() => l.acquire('/b').then(() => clock.now())));
    expect(granted.every((t) => t === granted[0])).toBe(true);
  });

  it('never holds a one-off request (nothing announced on its endpoint), even while the key is short', async () => {
    const clock = createFakeClock();
    const l = createJointLimiter({ keyLimit: 10, keyWindowMs: 1000, endpointLimit: 4, endpointWindowMs: 100, keyMarginMs: 0, endpointMarginMs: 0, clock });
    limiters.push(l);
    l.expect('/a').set(40);
    const a = [0, 1, 2, 3].map(() => l.acquire('/a'));
    const listing = l.acquire('/rooms').then(() => clock.now());
    const t0 = clock.now();
    await clock.advance(0);
    expect(await listing).toBe(t0);
    await Promise.all(a);
  });
});
