// Where the built pieces are. Normally relative to out/main/index.js; when the entry runs from
// source (tests), relative to <root>/out.
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function appPaths(mainFileUrl: string, resourcesPath?: string) {
  const mainDir = dirname(fileURLToPath(mainFileUrl));
  const bundled = basename(mainDir) === 'main' && basename(dirname(mainDir)) === 'out';
  const outDir = bundled ? dirname(mainDir) : join(dirname(mainDir), 'out');
  return {
    preload: join(outDir, 'preload', 'index.cjs'),
    /** Served as app://renderer/ (app-protocol.ts). */
    rendererDir: join(outDir, 'renderer'),
    // packaged: resources/build/icon.png (extraResources); otherwise <root>/build/icon.png
    icon: resourcesPath ? join(resourcesPath, 'build', 'icon.png') : join(dirname(outDir), 'build', 'icon.png'),
  };
}
