#!/usr/bin/env node
// Bundles the headless entry points (the `studydl` CLI) for plain Node.
// electron-vite builds the Electron main/preload/renderer; this builds what runs without Electron.
import { build } from 'esbuild';
import { chmodSync } from 'node:fs';

const outfile = 'out/cli/studydl.js';
await build({
  entryPoints: ['src-main/cli/main.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external', // node_modules (conf, yazl, keytar…) resolve at run time
  banner: { js: '#!/usr/bin/env node' },
  sourcemap: true,
  logLevel: 'warning',
});
chmodSync(outfile, 0o755);
console.log(`built ${outfile}`);
