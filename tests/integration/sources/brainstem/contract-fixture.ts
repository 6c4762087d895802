// BrainSTEM's fixture for the Source contract suite: the simulator (tiny), its token, and its own
// record counts (from the dataset, see oracle.ts) as the oracle for every stream.
import { startBrainstemSimulator } from '../../../sim/brainstem/index';
import type { SourceFixture } from '../source-contract';
import { recordsAt } from './oracle';

export const brainstemFixture: SourceFixture = {
  id: 'brainstem',
  pageSize: 20,
  async start() {
    const sim = await startBrainstemSimulator({ scale: 'tiny', seed: 1 });
    return {
      connection: { source: 'brainstem', baseUrl: sim.baseUrl, secret: sim.token, portal: 'private' },
      badCredential: 'f'.repeat(40),
      apiPath: '/api',
      total: (stream) => recordsAt(sim, stream.type, stream.scope, stream.scopeId).length,
      close: () => sim.close(),
    };
  },
};
