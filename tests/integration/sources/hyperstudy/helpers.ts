// Shared set-up for the HyperStudy client's own tests (its listings, paging, errors, redirects):
// a simulator on loopback and the client itself, wired to it through a real joint limiter.
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createJointLimiter, type JointLimiter, type LimiterLimits } from '../../../../src-main/core/net/limiter';
import type { RetryPolicy } from '../../../../src-main/core/net/retry';
import { systemClock, type Clock } from '../../../../src-main/core/ports';
import { createHyperStudyClient } from '../../../../src-main/core/sources/hyperstudy/client';
import type { ConnectionConfig, HyperStudyClient } from '../../../../src-main/core/sources/hyperstudy/client-types';
import type { SimOptions, Simulator } from '../../../sim/index';
import { FAST_RETRY, ROOMY, startSim } from '../../client/helpers';

export { collect, FAST_RETRY, ROOMY, startSim } from '../../client/helpers';

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
