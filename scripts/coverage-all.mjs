#!/usr/bin/env node
// `npm run coverage`: line coverage of src-main, src-shared and src-renderer across every process
// the tests run, not only vitest's workers:
//   1. the whole test run (scripts/test-all.mjs: build, Vitest, Playwright) with
//      - @vitest/coverage-v8 on (vitest.config.ts turns it on when STUDYDL_COVERAGE_DIR is set),
//      - NODE_V8_COVERAGE, so every other `node` process (the CLI and servers the tests spawn,
//        Playwright's runner and worker, which hosts the e2e app servers) writes raw V8 coverage,
//      - STUDYDL_COVERAGE_DIR, so the e2e fixture records each Chromium page's JS coverage,
//      - STUDYDL_COVERAGE_BUILD=1, so the renderer is built unminified with source maps;
//   2. raw V8 and Chromium coverage → hits on vitest's own statements, through the source maps
//      (scripts/coverage-steps/statement-hits.mjs: one yardstick for every process);
//   3. per-area table printed and written to coverage/summary.md, the merged map to
//      coverage/coverage-merged.json and an HTML report to coverage/html/.
// `npm test` stays as it was: none of these variables are set there.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import libCoverage from 'istanbul-lib-coverage';
import libReport from 'istanbul-lib-report';
import reports from 'istanbul-reports';
import { addNodeRawCoverage } from './coverage-steps/node-raw.mjs';
import { addChromiumCoverage } from './coverage-steps/chromium.mjs';
import { areaTable, formatMarkdown, formatText, lineCounts } from './coverage-steps/summary.mjs';

const root = resolve(import.meta.dirname, '..');

// `--from DIR`: only steps 2-3, on the raw data of an earlier run kept in DIR (node-v8/, chromium/)
// next to coverage/coverage-final.json, e.g. after a targeted run with the same variables set.
const fromArg = process.argv.indexOf('--from');
const work = fromArg > 0 ? resolve(process.argv[fromArg + 1]) : mkdtempSync(join(tmpdir(), 'studydl-coverage-'));
const rawDir = join(work, 'node-v8');
const pageDir = join(work, 'chromium');
mkdirSync(rawDir, { recursive: true });
mkdirSync(pageDir, { recursive: true });

// 1. The whole test run, with coverage switched on everywhere.
const vitestJson = join(root, 'coverage', 'coverage-final.json');
if (fromArg < 0) rmSync(vitestJson, { force: true }); // never report an earlier run's
const started = Date.now();
const run =
  fromArg > 0
    ? { status: 0 }
    : spawnSync(process.execPath, [join(root, 'scripts', 'test-all.mjs')], {
        cwd: root,
        stdio: 'inherit',
        env: { ...process.env, NODE_V8_COVERAGE: rawDir, STUDYDL_COVERAGE_DIR: pageDir, STUDYDL_COVERAGE_BUILD: '1' },
      });
const testsMin = ((Date.now() - started) / 60_000).toFixed(1);

// 2. Convert.
if (!existsSync(vitestJson)) {
  console.error(`\n${vitestJson} is missing: vitest's coverage did not run (see above). Raw data kept in ${work}`);
  process.exit(1);
}
console.log('\n=== Coverage: adding the other processes\' V8 coverage to vitest\'s…');
const vitestData = readFileSync(vitestJson, 'utf8');
const vitest = libCoverage.createCoverageMap(JSON.parse(vitestData));
const into = JSON.parse(vitestData); // vitest's statements (every src-* file); hits from elsewhere are added
const node = addNodeRawCoverage({ rawDir, into });
const pages = addChromiumCoverage({ dumpDir: pageDir, rendererDir: join(root, 'out', 'renderer'), into });
const merged = libCoverage.createCoverageMap(into);

// 3. Report.
const table = areaTable(root, lineCounts(merged), lineCounts(vitest));
console.log(`\n${formatText(table)}\n`);

const worstFiles = lineCounts(merged)
  .map((f) => ({ ...f, rel: relative(root, f.file) }))
  .sort((a, b) => b.total - b.covered - (a.total - a.covered))
  .slice(0, 15);
const notes = [
  fromArg > 0
    ? `Converted from the raw data in ${work} (no test run here).`
    : `Test run: ${run.status === 0 ? 'all tiers passed' : `exit status ${run.status} (some tests failed; see the test output)`}, ${testsMin} min with coverage on.`,
  `Node processes outside vitest with raw V8 coverage: ${node.processes} (${node.scripts} scripts that ran product statements, ${node.statementHits} statement hits added; ${node.productScriptsWithoutSourceMap} product scripts without a source map left out; ${node.unreadableDumps} dumps cut short, their process killed while writing). ${node.vitestProcessesSkipped} vitest processes left to vitest's own coverage.`,
  `Chromium pages: ${pages.pages} (${pages.scripts} renderer bundle records, ${pages.statementHits} statement hits added; ${pages.scriptsNotFromThisBuild} scripts not matching out/renderer left out).`,
  'Not measured: processes killed with SIGKILL (crash tests) write no coverage; the Electron main process and preload (src-main/index.ts, src-main/shell) cannot run here (no Electron binary), so they count only what vitest\'s unit tests reach.',
];
mkdirSync(join(root, 'coverage'), { recursive: true });
writeFileSync(join(root, 'coverage', 'summary.md'), formatMarkdown(table, { notes, worstFiles }));
writeFileSync(join(root, 'coverage', 'coverage-merged.json'), JSON.stringify(merged.toJSON()));
const context = libReport.createContext({ dir: join(root, 'coverage', 'html'), coverageMap: merged, defaultSummarizer: 'nested' });
reports.create('html').execute(context);
notes.forEach((n) => console.log(`- ${n}`));
console.log(`\nWrote coverage/summary.md, coverage/coverage-merged.json, coverage/html/index.html`);
if (fromArg < 0) rmSync(work, { recursive: true, force: true });
process.exit(run.status === 0 ? 0 : 1);
