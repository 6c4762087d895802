// Shared set-up for the integration tests that talk to the simulator: the simulator on loopback,
// and its HyperStudy source opened through the registry (the Source port) over a real joint limiter.
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createJointLimiter, type JointLimiter, type LimiterLimits } from '../../../src-main/core/net/limiter';
import type { RetryPolicy } from '../../../src-main/core/net/retry';
import { systemClock, type Clock } from '../../../src-main/core/ports';
import { sourceModule } from '../../../src-main/core/sources/registry';
import type { Source, SourceConnection } from '../../../src-main/core/sources/source';
import { startSimulator, type SimOptions, type Simulator } from '../../sim/index';

/** Limits high enough that ordinary tests never meet them (rate-limit tests set their own). */
export const ROOMY = { keyLimit: 100_000, keyWindowSec: 3600, endpointLimit: 10_000, endpointWindowSec: 60 };

export async function startSim(opts: SimOptions = {}): Promise<Simulator> {
  return startSimulator({ scale: 'tiny', seed: 1, ...ROOMY, ...opts });
}

/** Fast retries so failure paths finish in well under a second. */
export const FAST_RETRY: Partial<RetryPolicy> = { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 4 };

export async function collect<T>(it: AsyncIterable<{ records: T[] }>): Promise<{ records: T[]; pages: number }> {
  const records: T[] = [];
  let pages = 0;
  for await (const p of it) {
    records.push(...p.records);
    pages++;
  }
  return { records, pages };
}

export interface TestSource {
  source: Source;
  limiter: JointLimiter;
}

/** Options every test connection takes: limits over ROOMY, a clock, a shared key log. */
export interface TestLimiterOptions {
  limits?: Partial<LimiterLimits>;
  clock?: Clock;
  persistPath?: string;
}

/** A real joint limiter with ROOMY limits (overridden by o.limits). */
export function roomyLimiter(o: TestLimiterOptions = {}): JointLimiter {
  return createJointLimiter({
    keyLimit: ROOMY.keyLimit,
    keyWindowMs: ROOMY.keyWindowSec * 1000,
    endpointLimit: ROOMY.endpointLimit,
    endpointWindowMs: ROOMY.endpointWindowSec * 1000,
    ...o.limits,
    clock: o.clock ?? systemClock,
    persistPath: o.persistPath,
  });
}

/** The simulator's HyperStudy source, through the registry. */
export function makeSource(sim: Simulator, o: TestLimiterOptions & { connection?: Partial<SourceConnection>; retry?: Partial<RetryPolicy> } = {}): TestSource {
  const clock = o.clock ?? systemClock;
  const limiter = roomyLimiter(o);
  const source = sourceModule('hyperstudy').open(
    { source: 'hyperstudy', baseUrl: sim.baseUrl, secret: sim.apiKey, organizationId: sim.orgId, ...o.connection },
    { limiter, clock, retry: { ...FAST_RETRY, ...o.retry } },
  );
  return { source, limiter };
}

/**
 * The usual file set-up: one simulator for the file, a fresh connection per `use()` made by
 * `make` (counters reset), and faults, shapes, rate limits and its limiter cleaned up after
 * every test.
 */
export function simulatorSuiteOf<T, O>(simOpts: SimOptions, make: (sim: Simulator, o: O) => { value: T; limiter: JointLimiter }): { sim(): Simulator; use(o?: O): T } {
  let sim: Simulator | undefined;
  let limiter: JointLimiter | undefined;
  beforeAll(async () => {
    sim = await startSim(simOpts);
  });
  afterAll(async () => {
    await sim?.close();
  });
  afterEach(async () => {
    sim?.resetFaults();
    sim?.resetShapes();
    sim?.resetRateLimits();
    await limiter?.close();
    limiter = undefined;
  });
  return {
    sim: () => sim!,
    use(o = {} as O) {
      void limiter?.close(); // one connection at a time: the previous one's limiter is done
      const made = make(sim!, o);
      limiter = made.limiter;
      sim!.resetCounters();
      return made.value;
    },
  };
}

/** simulatorSuiteOf for the HyperStudy source through the registry. */
export function simulatorSuite(simOpts: SimOptions = {}): { sim(): Simulator; use(o?: Parameters<typeof makeSource>[1]): Source } {
  return simulatorSuiteOf(simOpts, (sim, o: Parameters<typeof makeSource>[1]) => {
    const t = makeSource(sim, o);
    return { value: t.source, limiter: t.limiter };
  });
}
