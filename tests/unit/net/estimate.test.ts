import { describe, expect, it } from 'vitest';
import { estimateSeconds } from '../../../src-main/core/plan/planner';

const full = { keyLimit: 1000, keyWindowSec: 3600, keyRemaining: 1000, endpointLimit: 100, endpointWindowSec: 60 };

describe('estimateSeconds (performance-notes §5, generalised)', () => {
  it('matches the single-endpoint formula ⌊(R−1)/1000⌋ h + ⌊((R−1) mod 1000)/100⌋ min on a fresh budget', () => {
    const f = (R: number) => Math.floor((R - 1) / 1000) * 3600 + Math.floor(((R - 1) % 1000) / 100) * 60;
    for (const R of [1, 10, 100, 101, 1000, 1001, 2500, 10_000]) {
      expect(estimateSeconds({ requestsByEndpoint: { '/data/events/experiment/{id}': R }, budget: full })).toBe(f(R));
    }
    expect(estimateSeconds({ requestsByEndpoint: { e: 2500 }, budget: full })).toBe(2 * 3600 + 4 * 60); // 2.07 h
  });

  it('spreads the minute cap over several endpoints', () => {
    // 1000 requests over 3 endpoints: each ~334, ⌊333/100⌋ = 3 min.
    expect(estimateSeconds({ requestsByEndpoint: { a: 334, b: 333, c: 333 }, budget: full })).toBe(180);
  });

  it('spreads what is left for the key\'s last window evenly over the endpoints, as the limiter does (key shares)', () => {
    // 300 requests wait for the key's next hour. In proportion, /a would keep 254 of them and need
    // three of its minutes then; the limiter leaves 100 to each endpoint, which all go at once.
    expect(estimateSeconds({ requestsByEndpoint: { a: 1100, b: 100, c: 100 }, budget: full })).toBe(3600);
    // Only two endpoints: 150 each, one minute more.
    expect(estimateSeconds({ requestsByEndpoint: { a: 1150, b: 150 }, budget: full })).toBe(3660);
  });

  it('uses the live budget: a spent key waits for its oldest request to age out', () => {
    const spent = { ...full, keyRemaining: 0, keyNextFreeSec: 600 };
    expect(estimateSeconds({ requestsByEndpoint: { a: 1 }, budget: spent })).toBe(600);
    const some = { ...full, keyRemaining: 412, keyNextFreeSec: 1200 };
    expect(estimateSeconds({ requestsByEndpoint: { a: 50, b: 50 }, budget: some })).toBe(0);
    expect(estimateSeconds({ requestsByEndpoint: { a: 413 }, budget: some })).toBe(1200);
  });

  it('is zero for nothing, and adds latency when asked', () => {
    expect(estimateSeconds({ requestsByEndpoint: {}, budget: full })).toBe(0);
    expect(estimateSeconds({ requestsByEndpoint: { a: 40 }, budget: full, latencySec: 1, concurrency: 4 })).toBe(10);
  });
});
