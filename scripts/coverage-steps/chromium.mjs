// Chromium JS coverage of the e2e pages (written by tests/e2e/fixtures/page-coverage.ts) → hits on
// vitest's statements of src-renderer and of the src-shared modules bundled into it, through the
// built renderer's source map (out/renderer, built with STUDYDL_COVERAGE_BUILD=1 so it has one).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addStatementHits, lineLengthsOf } from './statement-hits.mjs';

/**
 * @param {{ dumpDir: string, rendererDir: string, into: Record<string, any> }} opts
 */
export function addChromiumCoverage({ dumpDir, rendererDir, into }) {
  const stats = { pages: 0, scripts: 0, scriptsNotFromThisBuild: 0, statementHits: 0 };
  const bundles = new Map(); // URL path → { file, sha1, lineLengths, map } | null
  const bundle = (pathname) => {
    if (!bundles.has(pathname)) {
      const file = join(rendererDir, decodeURIComponent(pathname));
      if (!file.startsWith(rendererDir) || !existsSync(file) || !existsSync(`${file}.map`)) bundles.set(pathname, null);
      else {
        const code = readFileSync(file, 'utf8');
        const map = JSON.parse(readFileSync(`${file}.map`, 'utf8'));
        bundles.set(pathname, { file, sha1: createHash('sha1').update(code).digest('hex'), lineLengths: lineLengthsOf(code), map });
      }
    }
    return bundles.get(pathname);
  };
  const dumps = existsSync(dumpDir) ? readdirSync(dumpDir).filter((f) => f.startsWith('chromium-') && f.endsWith('.json')) : [];
  for (const f of dumps) {
    stats.pages++;
    const { scripts } = JSON.parse(readFileSync(join(dumpDir, f), 'utf8'));
    for (const s of scripts) {
      const b = bundle(new URL(s.url).pathname);
      // The page must have run exactly the bundle on disk, or the offsets mean nothing.
      if (!b || b.sha1 !== s.sourceSha1) {
        stats.scriptsNotFromThisBuild++;
        continue;
      }
      stats.statementHits += addStatementHits({ scriptPath: b.file, lineLengths: b.lineLengths, sourcemap: b.map, functions: s.functions, into });
      stats.scripts++;
    }
  }
  return stats;
}
