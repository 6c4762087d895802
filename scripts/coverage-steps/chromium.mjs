// Chromium JS coverage of the e2e pages (written by tests/e2e/fixtures/page-coverage.ts) → istanbul
// file coverage of src-renderer (and the src-shared modules bundled into it), via the built
// renderer's source map (out/renderer, built with STUDYDL_COVERAGE_BUILD=1 so it has one).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scriptToIstanbul } from './v8-script.mjs';
import libCoverage from 'istanbul-lib-coverage';

/**
 * @param {{ dumpDir: string, rendererDir: string, isProductFile: (path: string) => boolean }} opts
 */
export async function convertChromiumCoverage({ dumpDir, rendererDir, isProductFile }) {
  const map = libCoverage.createCoverageMap({});
  const stats = { pages: 0, scripts: 0, scriptsNotFromThisBuild: 0, partialRecordsLeftOut: 0 };
  const bundles = new Map(); // asset path → { code, sha1, map } | null
  const bundle = (pathname) => {
    if (!bundles.has(pathname)) {
      const file = join(rendererDir, decodeURIComponent(pathname));
      const mapFile = `${file}.map`;
      if (!file.startsWith(rendererDir) || !existsSync(file) || !existsSync(mapFile)) bundles.set(pathname, null);
      else {
        const code = readFileSync(file, 'utf8');
        bundles.set(pathname, { file, code, sha1: createHash('sha1').update(code).digest('hex'), map: JSON.parse(readFileSync(mapFile, 'utf8')) });
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
      if (!b || b.sha1 !== s.sourceSha1) { stats.scriptsNotFromThisBuild++; continue; }
      const fc = await scriptToIstanbul(b.file, { source: b.code, sourceMap: { sourcemap: b.map } }, s.functions, isProductFile);
      if (!fc) { stats.partialRecordsLeftOut++; continue; }
      map.merge(fc);
      stats.scripts++;
    }
  }
  return { map, stats };
}
