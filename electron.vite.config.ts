import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

// Three bundles: the Electron main process (which embeds the Node-only core),
// the sandboxed preload (must be a single CommonJS file), and the React renderer.
// `npm run coverage` builds with STUDYDL_COVERAGE_BUILD=1: the renderer gets source maps and is left
// unminified, so Chromium's coverage of the bundle maps back to src-renderer statement by statement.
const coverageBuild = process.env.STUDYDL_COVERAGE_BUILD === '1';

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: { index: resolve('src-main/index.ts') },
        // keytar is a native optional dependency: load it from node_modules at run time.
        external: ['keytar'],
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('src-preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src-renderer',
    build: {
      outDir: 'out/renderer',
      minify: !coverageBuild,
      sourcemap: coverageBuild,
      rollupOptions: { input: { index: resolve('src-renderer/index.html') } },
    },
    plugins: [react()],
  },
});
