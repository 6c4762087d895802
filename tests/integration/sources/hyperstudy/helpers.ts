// Shared set-up for the HyperStudy client's own tests (its listings, paging, errors, redirects):
// a simulator on loopback and the client itself, wired to it through a real joint limiter.
import type { JointLimiter } from '../../../../src-main/core/net/limiter';
import type { RetryPolicy } from '../../../../src-main/core/net/retry';
import { systemClock } from '../../../../src-main/core/ports';
import { createHyperStudyClient } from '../../../../src-main/core/sources/hyperstudy/client';
import type { ConnectionConfig, HyperStudyClient } from '../../../../src-main/core/sources/hyperstudy/client-types';
import type { SimOptions, Simulator } from '../../../sim/index';
import { FAST_RETRY, roomyLimiter, simulatorSuiteOf, type TestLimiterOptions } from '../../client/helpers';

export { collect, FAST_RETRY, ROOMY, startSim } from '../../client/helpers';

export interface TestClient {
  client: HyperStudyClient;
  limiter: JointLimiter;
}

export function makeClient(sim: Simulator, o: TestLimiterOptions & { connection?: Partial<ConnectionConfig>; retry?: Partial<RetryPolicy> } = {}): TestClient {
  const limiter = roomyLimiter(o);
  const client = createHyperStudyClient({
    connection: { baseUrl: sim.baseUrl, apiKey: sim.apiKey, organizationId: sim.orgId, ...o.connection },
    limiter,
    clock: o.clock ?? systemClock,
    retry: { ...FAST_RETRY, ...o.retry },
  });
  return { client, limiter };
}

/** simulatorSuiteOf for the HyperStudy client itself. */
export function simulatorSuite(simOpts: SimOptions = {}): { sim(): Simulator; use(o?: Parameters<typeof makeClient>[1]): HyperStudyClient } {
  return simulatorSuiteOf(simOpts, (sim, o: Parameters<typeof makeClient>[1]) => {
    const t = makeClient(sim, o);
    return { value: t.client, limiter: t.limiter };
  });
}
