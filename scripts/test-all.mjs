#!/usr/bin/env node
// Runs every test tier that can run on this machine and prints one summary line:
//   "N passed, N failed, N skipped"
// Tiers: build, then Vitest (unit, integration, simulator contract), then Playwright (browser mode, _electron smoke).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, mkdirSync, rmSync } from 'node:fs';

const results = 'test-results';
mkdirSync(results, { recursive: true });
const totals = { passed: 0, failed: 0, skipped: 0 };
let anyCrash = false;

function run(label, cmd, args, env = {}) {
  console.log(`\n=== ${label}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
}

// 1. Build first: the browser-mode tests (Vitest and Playwright) serve the built renderer.
const built = run('Build', 'npm', ['run', '-s', 'build']) === 0;
if (!built) { anyCrash = true; console.error('Build failed; the e2e tier will not run.'); }

// 2. Vitest (unit, integration, simulator contract)
const vitestJson = `${results}/vitest-results.json`;
rmSync(vitestJson, { force: true });
const vStatus = run('Vitest', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`]);
if (existsSync(vitestJson)) {
  const j = JSON.parse(readFileSync(vitestJson, 'utf8'));
  totals.passed += j.numPassedTests ?? 0;
  totals.failed += j.numFailedTests ?? 0;
  totals.skipped += (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0);
  if (vStatus !== 0 && (j.numFailedTests ?? 0) === 0) { anyCrash = true; console.error('Vitest exited non-zero without failed tests (suite error).'); }
} else { anyCrash = true; console.error('Vitest produced no results file.'); }

// 3. Playwright (browser mode in Chromium; _electron smoke tests skip without the binary)
if (built && process.env.SKIP_E2E !== '1') {
  const pwJson = `${results}/e2e-results.json`;
  rmSync(pwJson, { force: true });
  const pStatus = run('Playwright', 'npx', ['playwright', 'test']);
  if (existsSync(pwJson)) {
    const s = JSON.parse(readFileSync(pwJson, 'utf8')).stats ?? {};
    totals.passed += (s.expected ?? 0) + (s.flaky ?? 0);
    totals.failed += s.unexpected ?? 0;
    totals.skipped += s.skipped ?? 0;
    if (pStatus !== 0 && (s.unexpected ?? 0) === 0) { anyCrash = true; console.error('Playwright exited non-zero without failed tests.'); }
  } else { anyCrash = true; console.error('Playwright produced no results file.'); }
}

if (anyCrash) totals.failed += 1; // a tier that crashed counts as one failure
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 ? 1 : 0);
