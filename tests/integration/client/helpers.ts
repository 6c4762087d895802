// Shared set-up for the client integration tests: a simulator on loopback and a client
// wired to it through a real joint limiter.
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createJointLimiter, type JointLimiter, type LimiterLimits } from '../../../src-main/core/net/limiter';
import type { RetryPolicy } from '../../../src-main/core/net/retry';
import { systemClock, type Clock } from '../../../src-main/core/ports';
import { createHyperStudyClient } from '../../../src-main/core/sources/hyperstudy/client';
import type { ConnectionConfig, HyperStudyClient } from '../../../src-main/core/sources/hyperstudy/client-types';
import { startSimulator, type SimOptions, type Simulator } from '../../sim/index';

/** Limits high enough that ordinary tests never meet them (rate-limit tests set their own). */
export const ROOMY = { keyLimit: 100_000, keyWindowSec: 3600, endpointLimit: 10_000, endpointWindowSec: 60 };

export async function startSim(opts: SimOptions = {}): Promise<Simulator> {
  return startSimulator({ scale: 'tiny', seed: 1, ...ROOMY, ...opts });
}

/** Fast retries so failure paths finish in well under a second. */
export const FAST_RETRY: Partial<RetryPolicy> = { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 4 };

export interface TestClient {
  client: HyperStudyClient;
  limiter: JointLimiter;
}

export function makeClient(
  sim: Simulator,
  o: { connection?: Partial<ConnectionConfig>; limits?: Partial<LimiterLimits>; retry?: Partial<RetryPolicy>; clock?: Clock; persistPath?: string } = {},
): TestClient {
  const clock = o.clock ?? systemClock;
  const limiter = createJointLimiter({
    keyLimit: ROOMY.keyLimit,
    keyWindowMs: ROOMY.keyWindowSec * 1000,
    endpointLimit: ROOMY.endpointLimit,
    endpointWindowMs: ROOMY.endpointWindowSec * 1000,
    ...o.limits,
    clock,
    persistPath: o.persistPath,
  });
  const client = createHyperStudyClient({
    connection: { baseUrl: sim.baseUrl, apiKey: sim.apiKey, organizationId: sim.orgId, ...o.connection },
    limiter,
    clock,
    retry: { ...FAST_RETRY, ...o.retry },
  });
  return { client, limiter };
}

export async function collect<T>(it: AsyncIterable<{ records: T[] }>): Promise<{ records: T[]; pages: number }> {
  const records: T[] = [];
  let pages = 0;
  for await (const p of it) {
    records.push(...p.records);
    pages++;
  }
  return { records, pages };
}

/**
 * The usual file set-up: one simulator for the file, a fresh client per `use()` (counters reset),
 * and faults, shapes, rate limits and the client's limiter cleaned up after every test.
 */
export function simulatorSuite(simOpts: SimOptions = {}): { sim(): Simulator; use(o?: Parameters<typeof makeClient>[1]): HyperStudyClient } {
  let sim: Simulator | undefined;
  let t: TestClient | undefined;
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
    await t?.limiter.close();
    t = undefined;
  });
  return {
    sim: () => sim!,
    use(o = {}) {
      void t?.limiter.close(); // one client at a time: the previous one's limiter is done
      t = makeClient(sim!, o);
      sim!.resetCounters();
      return t.client;
    },
  };
}
