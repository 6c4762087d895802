import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts', 'tests/sim/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    maxWorkers: 2,
    // `npm run coverage:vitest`: line coverage of the product code run in vitest's own workers.
    // `npm run coverage` (scripts/coverage-all.mjs) turns it on through STUDYDL_COVERAGE_DIR and adds
    // the CLI and server child processes, Playwright's worker and the renderer in Chromium.
    coverage: {
      enabled: !!process.env.STUDYDL_COVERAGE_DIR,
      provider: 'v8',
      include: ['src-main/**/*.ts', 'src-shared/**/*.ts', 'src-renderer/src/**/*.{ts,tsx}'],
      reporter: ['text-summary', 'json-summary', 'json'],
      reportsDirectory: 'coverage',
      reportOnFailure: true,
    },
  },
});
