// Public entry point of the BrainSTEM simulator (tests, benchmarks, the demo).
import { BrainstemServer } from './server';
import type { BrainstemOptions, BrainstemSimulator } from './types';

export type * from './types';
export { APPENDABLE } from './types';
export { defaultShapes as defaultBrainstemShapes } from './envelope';
export { BRAINSTEM_CONTROL_ROUTES, API_PREFIX as BRAINSTEM_API_PREFIX } from './server';
export { MODELS as BRAINSTEM_MODELS } from './models';

/** Starts the simulator (API and image origins on 127.0.0.1, random ports by default) once both listen. */
export async function startBrainstemSimulator(opts: BrainstemOptions = {}): Promise<BrainstemSimulator> {
  const server = new BrainstemServer(opts);
  await server.listen();
  return server.simulator();
}
