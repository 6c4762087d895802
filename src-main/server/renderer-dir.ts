// Finds the built renderer (out/renderer), or explains on `err` how to build it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { projectRoot } from './node-core';

export function rendererDirOrExplain(err: Writable, root = projectRoot()): string | null {
  const dir = join(root, 'out', 'renderer');
  if (existsSync(join(dir, 'index.html'))) return dir;
  err.write(`The app's pages are not built yet (${dir} is missing).\nFix: run \`npm run build\`, then \`npm run web\` again.\n`);
  return null;
}
