// Where the built pieces are. Normally relative to out/main/index.js; when the entry runs from
// source (tests), relative to <root>/out.
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export function appPaths(mainFileUrl: string, resourcesPath?: string) {
  const mainDir = dirname(fileURLToPath(mainFileUrl));
  const bundled = basename(mainDir) === 'main' && basename(dirname(mainDir)) === 'out';
  const outDir = bundled ? dirname(mainDir) : join(dirname(mainDir), 'out');
  const rendererIndex = join(outDir, 'renderer', 'index.html');
  return {
    preload: join(outDir, 'preload', 'index.cjs'),
    rendererIndex,
    rendererUrl: pathToFileURL(rendererIndex).toString(),
    // packaged: resources/build/icon.png (extraResources); otherwise <root>/build/icon.png
    icon: resourcesPath ? join(resourcesPath, 'build', 'icon.png') : join(dirname(outDir), 'build', 'icon.png'),
  };
}
