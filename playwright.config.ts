import { defineConfig } from '@playwright/test';

// Browser-mode e2e runs in Debian's Chromium; the _electron smoke tests skip
// themselves (with the reason) where the Electron binary is absent.
export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: '**/*.spec.ts',
  timeout: 120_000,
  workers: 1,
  retries: 0,
  outputDir: 'test-results/e2e',
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e-results.json' }]],
  use: {
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
});
