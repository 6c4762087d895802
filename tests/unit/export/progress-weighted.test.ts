// One weighted fraction for the whole export, and an ETA from measured speeds with the rate
// limits as a floor (fake clock: no wall-clock timing).
import { describe, expect, it } from 'vitest';
import { createProgressTracker } from '../../../src-main/core/export/run/progress';

function tracker(over: { limitSeconds?: (n: number) => number; requestsUsed?: () => number } = {}) {
  let now = 5_000_000;
  const clock = { now: () => now, sleep: async () => {} };
  const p = createProgressTracker({ jobId: 'j', state: () => 'running', requestsUsed: over.requestsUsed ?? (() => 0), emit: () => {}, clock, intervalMs: 0, ...(over.limitSeconds ? { limitSeconds: over.limitSeconds } : {}) });
  return { p, tick: (ms: number) => (now += ms) };
}

describe('weighted progress', () => {
  it('moves through every phase without going back, and reaches 100 % only when done', () => {
    const { p, tick } = tracker();
    expect(p.snapshot().fraction).toBe(0);
    expect(p.snapshot().etaSeconds).toBeNull(); // nothing to go on while planning
    p.totals({ recordsTotal: 10_000, requestsPlanned: 12, bytesTotal: 0, fetchSeconds: 3, zip: true });
    p.phase('fetching', 'Fetching data');
    const seen: number[] = [p.snapshot().fraction];
    for (let i = 0; i < 10; i++) {
      tick(300);
      p.records('events', 1000, 10_000);
      seen.push(p.snapshot().fraction);
    }
    const afterFetch = seen.at(-1)!;
    expect(afterFetch).toBeGreaterThan(0.3);
    expect(afterFetch).toBeLessThan(0.95); // writing and packing still ahead
    p.written?.(4_000);
    seen.push(p.snapshot().fraction);
    p.phase('writing', 'Writing events (CSV)');
    p.written?.(6_000);
    seen.push(p.snapshot().fraction);
    p.phase('zipping', 'Packing the ZIP file');
    p.zipped?.(5, 10);
    seen.push(p.snapshot().fraction);
    p.zipped?.(10, 10);
    p.phase('finalizing', 'Finishing');
    seen.push(p.snapshot().fraction);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);
    expect(Math.max(...seen)).toBeLessThanOrEqual(0.99);
    p.phase('done', 'Done');
    expect(p.snapshot().fraction).toBe(1);
    expect(p.snapshot().etaSeconds).toBe(0);
  });

  it('estimates from the measured speed and never says "0 s" while work is left', () => {
    const { p, tick } = tracker();
    p.totals({ recordsTotal: 100_000, requestsPlanned: 100, fetchSeconds: 1, zip: false });
    p.phase('fetching', 'Fetching data');
    // 10,000 records a second, measured over 2 s: 80,000 more take about 8 s, plus writing.
    for (let i = 0; i < 4; i++) {
      tick(500);
      p.records('events', 5_000, 100_000);
    }
    const eta = p.snapshot().etaSeconds!;
    expect(eta).toBeGreaterThanOrEqual(8);
    expect(eta).toBeLessThanOrEqual(12);
    // Writing: nothing written yet is not "0 s left".
    p.records('events', 80_000, 100_000);
    p.phase('writing', 'Writing events (CSV)');
    expect(p.snapshot().etaSeconds).toBeGreaterThanOrEqual(1);
    tick(1000);
    p.written?.(50_000);
    // 50,000 a second measured: 50,000 more take about a second.
    expect(p.snapshot().etaSeconds).toBeGreaterThanOrEqual(1);
    expect(p.snapshot().etaSeconds).toBeLessThanOrEqual(3);
  });

  it('takes the rate limits as a floor for the requests still to send', () => {
    const { p, tick } = tracker({ limitSeconds: (n) => n * 2, requestsUsed: () => 10 });
    p.totals({ recordsTotal: 1000, requestsPlanned: 40 });
    p.phase('fetching', 'Fetching data');
    tick(1000);
    p.records('chat', 900, 1000);
    // Fast so far, but 30 requests are left and the limits allow one every 2 s.
    expect(p.snapshot().etaSeconds).toBeGreaterThanOrEqual(60);
  });
});
