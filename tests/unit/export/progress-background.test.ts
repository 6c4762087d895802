// Progress while a type is written as others are still fetched: the step names both, and the
// writing note goes away when the phase changes (the writer then reports through step()).
import { describe, expect, it } from 'vitest';
import { createProgressTracker } from '../../../src-main/core/export/run/progress';
import type { JobProgress } from '../../../src-shared/model';
import { sourceDescriptor } from '../../../src-main/core/sources/registry';

describe('progress with writing alongside fetching', () => {
  it('shows the fetching step and the writing beside it, then only the writing step', () => {
    let now = 1_000_000;
    const clock = { now: () => now, sleep: async () => {} };
    const seen: JobProgress[] = [];
    const p = createProgressTracker({ jobId: 'j1', state: () => 'running', requestsUsed: () => 0, emit: (x) => seen.push(x), clock, intervalMs: 0, dataTypes: sourceDescriptor('hyperstudy').dataTypes });
    p.phase('fetching', 'Fetching data');
    p.records('chat', 3000, 9000);
    p.background?.('writing events (CSV)');
    expect(p.snapshot().step).toBe('Fetching text chat 3,000 / 9,000 · writing events (CSV)');
    p.records('chat', 1000, 9000);
    expect(p.snapshot().step).toBe('Fetching text chat 4,000 / 9,000 · writing events (CSV)');
    p.background?.(undefined);
    expect(p.snapshot().step).toBe('Fetching text chat 4,000 / 9,000');
    p.background?.('writing components (CSV)');
    now += 1000;
    p.phase('writing', 'Writing components (CSV)');
    expect(p.snapshot().phase).toBe('writing');
    expect(p.snapshot().step).toBe('Writing components (CSV)');
    expect(seen.at(-1)?.step).toBe('Writing components (CSV)');
  });
});
