import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts', 'tests/sim/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    maxWorkers: 2,
    // `npm run coverage`: line coverage of the product code run in this process tree's workers
    // (CLI child processes and the renderer in Chromium are exercised, but not counted here).
    coverage: {
      provider: 'v8',
      include: ['src-main/**/*.ts', 'src-shared/**/*.ts', 'src-renderer/src/**/*.{ts,tsx}'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: 'coverage',
      reportOnFailure: true,
    },
  },
});
