// The CLI tests' world: both simulators (tiny) and a temp folder for config dirs, started once per
// file and removed after it.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startBrainstemSimulator, type BrainstemSimulator } from '../../sim/brainstem/index';
import { startSimulator, type Simulator } from '../../sim/index';

/** Registers the file's beforeAll/afterAll; `take` receives the simulators and the folder once they are up. */
export function bothSimulatorsPerFile(prefix: string, take: (hs: Simulator, bs: BrainstemSimulator, root: string) => void): void {
  let hs: Simulator | undefined;
  let bs: BrainstemSimulator | undefined;
  let root = '';
  beforeAll(async () => {
    hs = await startSimulator({ scale: 'tiny' });
    bs = await startBrainstemSimulator({ scale: 'tiny', seed: 3 });
    root = await mkdtemp(path.join(os.tmpdir(), prefix));
    take(hs, bs, root);
  });
  afterAll(async () => {
    await hs?.close();
    await bs?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });
}
