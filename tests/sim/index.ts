// Public entry point of the HyperStudy API v3 simulator (tests, benchmarks, the demo).
import { SimServer } from './server';
import type { SimOptions, Simulator } from './types';

export type * from './types';
export { defaultFaults } from './faults';
export { defaultShapes, API_PREFIX } from './server';
export { endpointTemplate } from './endpoint-key';
export { COUNTS_KEYS } from './routes/data';
export { CONTROL_ROUTES } from './routes/control';

/** Starts a simulator on 127.0.0.1 (random port by default) and resolves once it is listening. */
export async function startSimulator(opts: SimOptions = {}): Promise<Simulator> {
  const server = new SimServer(opts);
  await server.listen();
  return server.simulator();
}

// The BrainSTEM simulator (tests/sim/brainstem/README.md).
export { startBrainstemSimulator } from './brainstem/index';
export type { BrainstemSimulator, BrainstemOptions, BrainstemShapes, BrainstemCounters, BrainstemDataset } from './brainstem/index';
