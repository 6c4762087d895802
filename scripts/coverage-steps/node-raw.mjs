// Raw V8 coverage written by every `node` process that ran with NODE_V8_COVERAGE (the CLI and
// browser-mode servers the tests spawn, Playwright's runner and worker, which hosts the e2e app
// servers) → hits on vitest's statements (statement-hits.mjs).
//
// tsx (`node --import tsx …`), Playwright's TypeScript transform and esbuild's bundle
// (out/cli/studydl.js) all leave a sourceMappingURL in the code they run; Node then records the map
// and the generated line lengths in the dump's "source-map-cache", which is all the mapping needs.
// Vitest's own processes are skipped: @vitest/coverage-v8 measures them (coverage-final.json).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addStatementHits } from './statement-hits.mjs';

/** A process whose dump holds vitest's runner or workers. */
const isVitestProcess = (result) => result.some((s) => s.url.includes('/node_modules/vitest/'));

/**
 * @param {{ rawDir: string, into: Record<string, any> }} opts `into`: istanbul JSON data (a copy of vitest's map) the hits are added to
 */
export function addNodeRawCoverage({ rawDir, into }) {
  const stats = { processes: 0, unreadableDumps: 0, vitestProcessesSkipped: 0, scripts: 0, productScriptsWithoutSourceMap: 0, statementHits: 0 };
  const files = existsSync(rawDir) ? readdirSync(rawDir).filter((f) => f.endsWith('.json')) : [];
  for (const f of files) {
    let dump;
    try {
      dump = JSON.parse(readFileSync(join(rawDir, f), 'utf8'));
    } catch {
      stats.unreadableDumps++; // a process killed while Node was writing its coverage
      continue;
    }
    if (isVitestProcess(dump.result)) {
      stats.vitestProcessesSkipped++;
      continue;
    }
    stats.processes++;
    const smc = dump['source-map-cache'] ?? {};
    for (const script of dump.result) {
      if (!script.url.startsWith('file://')) continue;
      const cached = smc[script.url];
      if (!cached?.data || !cached.lineLengths) {
        if (into[fileURLToPath(script.url)]) stats.productScriptsWithoutSourceMap++;
        continue;
      }
      const ran = addStatementHits({ scriptPath: fileURLToPath(script.url), lineLengths: cached.lineLengths, sourcemap: cached.data, functions: script.functions, into });
      if (ran) {
        stats.scripts++;
        stats.statementHits += ran;
      }
    }
  }
  return stats;
}
