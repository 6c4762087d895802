// Raw V8 coverage written by every `node` process that ran with NODE_V8_COVERAGE (the CLI and
// browser-mode servers the tests spawn, Playwright's runner and workers, which host the e2e app
// servers) → istanbul file coverage of the files under src-*, via v8-to-istanbul.
//
// tsx (children: `node --import tsx …`), Playwright's TypeScript transform and esbuild bundles
// (out/cli/studydl.js) all leave a sourceMappingURL in the code they run; Node then records the map
// and the generated line lengths in the dump's "source-map-cache", which is all v8-to-istanbul
// needs to map V8's offsets back to the .ts lines (the generated text itself is not kept).
// Vitest's own processes are skipped: @vitest/coverage-v8 measures them (coverage-final.json).
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scriptToIstanbul } from './v8-script.mjs';
import libCoverage from 'istanbul-lib-coverage';

/** A process whose dump holds vitest's runner or workers. */
const isVitestProcess = (result) => result.some((s) => s.url.includes('/node_modules/vitest/'));

/** The generated text's stand-in from Node's recorded line lengths (only positions matter). */
const textFromLineLengths = (lineLengths) => lineLengths.map((n) => '.'.repeat(n)).join('\n'); // not spaces: CovSource trims the end

/**
 * @param {{ rawDir: string, isProductFile: (path: string) => boolean }} opts
 * @returns {Promise<{ map: import('istanbul-lib-coverage').CoverageMap, stats: Record<string, number> }>}
 */
export async function convertNodeRawCoverage({ rawDir, isProductFile }) {
  const map = libCoverage.createCoverageMap({});
  const stats = { processes: 0, vitestProcessesSkipped: 0, scripts: 0, scriptsWithoutSourceMap: 0, partialRecordsLeftOut: 0 };
  const files = existsSync(rawDir) ? readdirSync(rawDir).filter((f) => f.endsWith('.json')) : [];
  for (const f of files) {
    const dump = JSON.parse(readFileSync(join(rawDir, f), 'utf8'));
    if (isVitestProcess(dump.result)) { stats.vitestProcessesSkipped++; continue; }
    stats.processes++;
    const smc = dump['source-map-cache'] ?? {};
    for (const script of dump.result) {
      if (!script.url.startsWith('file://')) continue;
      const path = fileURLToPath(script.url);
      const cached = smc[script.url];
      // A bundle (out/cli/studydl.js) is not a product file itself, but its map leads into src-*.
      const viaMap = cached?.data?.sources?.some((s) => isProductFile(fileURLToPath(new URL(s, script.url))));
      if (!isProductFile(path) && !viaMap) continue;
      if (!cached?.data || !cached.lineLengths) { stats.scriptsWithoutSourceMap++; continue; }
      const sources = { source: textFromLineLengths(cached.lineLengths), sourceMap: { sourcemap: cached.data } };
      const fc = await scriptToIstanbul(path, sources, script.functions, isProductFile);
      if (!fc) { stats.partialRecordsLeftOut++; continue; }
      map.merge(fc);
      stats.scripts++;
    }
  }
  return { map, stats };
}
