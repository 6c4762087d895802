// The benchmarks' derived measures, on made-up inputs: event-loop lag per phase (baseline
// subtracted, samples attributed by when their interval ended), per-frame figures from a
// Chromium trace, and the nearest-rank percentile they both use.
import { describe, expect, it } from 'vitest';
import { lagByPhase, type LagSample } from '../../bench/lag-probe';
import { percentile } from '../../bench/stats';
import { framesFromTrace, type TraceEvent } from '../../bench/trace-frames';

describe('percentile', () => {
  it('is nearest-rank', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('lagByPhase', () => {
  it('subtracts the idle baseline and gives each sample to the phase in force when it ended', () => {
    // Ticks every ~1.1 ms; a 40 ms stall ends just after "writing" begins at t = 100.
    const samples: LagSample[] = [];
    for (let t = 1.1; t < 99; t += 1.1) samples.push({ at: t, ms: 1.1 });
    samples.push({ at: 140.5, ms: 40.5 });
    for (let t = 141.6; t < 200; t += 1.1) samples.push({ at: t, ms: 1.1 });
    const phases = [
      { phase: 'fetching', at: 0 },
      { phase: 'writing', at: 100 },
    ];
    const [fetching, writing] = lagByPhase(samples, phases, 1.1, 200);
    expect(fetching).toMatchObject({ phase: 'fetching', seconds: 0.1, p99: 0, max: 0, stalledShare: 0 });
    expect(writing.phase).toBe('writing');
    expect(writing.max).toBeCloseTo(39.4, 9);
    expect(writing.stalledShare).toBe(0); // 40.5 ms is under the 50 ms stall threshold
  });

  it('copes with a phase of 300,000 samples (five minutes at 1 ms)', () => {
    const samples: LagSample[] = Array.from({ length: 300_000 }, (_, i) => ({ at: i + 1, ms: i === 123_456 ? 81 : 1 }));
    const [only] = lagByPhase(samples, [{ phase: 'fetching', at: 0 }], 1, 300_001);
    expect(only).toMatchObject({ samples: 300_000, p99: 0, max: 80 });
  });

  it('accumulates a phase entered twice and counts stalls of 50 ms or more', () => {
    const samples: LagSample[] = [
      { at: 10, ms: 1 },
      { at: 70, ms: 60 },
      { at: 110, ms: 1 },
      { at: 150, ms: 1 },
    ];
    const out = lagByPhase(samples, [{ phase: 'fetching', at: 0 }, { phase: 'writing', at: 100 }, { phase: 'fetching', at: 120 }], 1, 200);
    expect(out.map((o) => o.phase)).toEqual(['fetching', 'writing']);
    expect(out[0]).toMatchObject({ seconds: 0.18, samples: 3, max: 59 });
    expect(out[0].stalledShare).toBeCloseTo(60 / 180, 9);
    expect(out[1]).toMatchObject({ seconds: 0.02, samples: 1, p99: 0 });
  });
});

describe('framesFromTrace', () => {
  const ev = (name: string, ts: number, dur: number, tid = 1): TraceEvent => ({ name, ph: 'X', ts: ts * 1000, dur: dur * 1000, pid: 1, tid });

  it('sums every main-thread task from one frame task to the next and counts layout forced from script', () => {
    const events: TraceEvent[] = [
      // Frame 1: its task runs the rAF callback (which forces a layout), then style and layout.
      ev('RunTask', 0, 12),
      ev('FireAnimationFrame', 0.5, 6),
      ev('Layout', 2, 1),
      ev('UpdateLayoutTree', 8, 2),
      ev('Layout', 10, 1.5),
      // A page arrives over the WebSocket before the next frame.
      ev('RunTask', 13, 5),
      ev('FunctionCall', 13.2, 4.5),
      // Frame 2.
      ev('RunTask', 33, 4),
      ev('FireAnimationFrame', 33.2, 1),
      ev('UpdateLayoutTree', 35, 1),
      // Frame 3 (closes frame 2), and noise on another thread.
      ev('RunTask', 50, 3),
      ev('FireAnimationFrame', 50.1, 1),
      ev('RunTask', 40, 100, 2),
    ];
    const f = framesFromTrace(events);
    expect(f.busy).toEqual([17, 4]);
    expect(f.styleLayout).toEqual([4.5, 1]);
    expect(f.forced).toEqual([1, 0]);
  });

  it('needs two frames', () => {
    expect(framesFromTrace([ev('RunTask', 0, 1), ev('FireAnimationFrame', 0.1, 0.5)])).toEqual({ busy: [], styleLayout: [], forced: [] });
  });
});
