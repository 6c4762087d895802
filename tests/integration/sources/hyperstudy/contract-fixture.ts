// HyperStudy's fixture for the Source contract suite: the simulator (tiny), its key, and its own
// record counts as the oracle for every stream.
import type { StreamType } from '../../../sim/types';
import { startSimulator } from '../../../sim/index';
import type { SourceFixture } from '../source-contract';

/** Our data type ids → the simulator's stream names. */
const SIM_STREAM: Record<string, StreamType> = {
  events: 'events',
  components: 'components',
  recordings: 'recordings',
  chat: 'chat',
  videochat: 'videochat',
  'ratings-continuous': 'ratings/continuous',
  'ratings-sparse': 'ratings/sparse',
  sync: 'sync',
  eyetracking: 'eyetracking',
};

export const hyperstudyFixture: SourceFixture = {
  id: 'hyperstudy',
  pageSize: 50,
  async start() {
    const sim = await startSimulator({ scale: 'tiny', seed: 7, keyLimit: 1_000_000, endpointLimit: 1_000_000 });
    return {
      connection: { source: 'hyperstudy', baseUrl: sim.baseUrl, secret: sim.apiKey, organizationId: sim.orgId },
      badCredential: 'hst_test_' + 'x'.repeat(40),
      apiPath: new URL(sim.baseUrl).pathname,
      total(stream) {
        if (stream.type === 'variables') return sim.dataset.variables(stream.scopeId).length;
        const scope = stream.scope as 'experiment' | 'room' | 'participant';
        return sim.dataset.count(SIM_STREAM[stream.type], scope, stream.scopeId, stream.params?.roomId);
      },
      close: () => sim.close(),
    };
  },
};
