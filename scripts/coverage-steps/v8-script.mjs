// One script's V8 block coverage → istanbul file coverage of the product files its source map leads to.
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TraceMap, eachMapping } from '@jridgewell/trace-mapping';
import v8ToIstanbul from 'v8-to-istanbul';

/**
 * @param {string} scriptPath the generated file (or, for tsx, the .ts file itself)
 * @param {{ source: string, sourceMap: { sourcemap: object } }} sources generated text (or a stand-in with the same line lengths) and its map
 * @param {object[]} functions V8's ScriptCoverage.functions
 * @param {(path: string) => boolean} isProductFile
 * @returns {Promise<object | undefined>} undefined for a partial record (see isWholeScript)
 */
export async function scriptToIstanbul(scriptPath, sources, functions, isProductFile) {
  if (!isWholeScript(functions)) return undefined;
  // The map's sources as absolute paths (relative ones are relative to the script, next to its map):
  // v8-to-istanbul compares them with what the map's lookups return, which it resolves differently.
  const map = sources.sourceMap.sourcemap;
  const root = map.sourceRoot ?? '';
  const absolute = (p) => {
    if (p.startsWith('file://')) return fileURLToPath(p);
    return isAbsolute(p) ? p : resolve(dirname(scriptPath), p);
  };
  const sourcemap = { ...map, sourceRoot: undefined, sources: map.sources.map((s) => (s == null ? s : absolute(root ? join(root, s) : s))) };
  const converter = v8ToIstanbul(scriptPath, 0, { ...sources, sourceMap: { sourcemap } }, (p) => !isProductFile(absolute(p)));
  await converter.load();
  converter.applyCoverage(functions);
  return keepMappedLines(converter.toIstanbul(), sourcemap);
}

/**
 * v8-to-istanbul also reports the original lines that no generated code maps to, as run: lines a
 * bundler dropped (a src-shared export the renderer never imports) would count as covered. Only the
 * lines the map leads to stay; each of v8-to-istanbul's statements is one line.
 */
function keepMappedLines(files, sourcemap) {
  const mapped = new Map(); // source path → Set of 1-based lines
  eachMapping(new TraceMap(sourcemap), (m) => {
    if (m.source == null || m.originalLine == null) return;
    let lines = mapped.get(m.source);
    if (!lines) mapped.set(m.source, (lines = new Set()));
    lines.add(m.originalLine);
  });
  for (const [path, fc] of Object.entries(files)) {
    const lines = mapped.get(path) ?? new Set();
    for (const [k, loc] of Object.entries(fc.statementMap)) {
      if (!lines.has(loc.start.line)) {
        delete fc.statementMap[k];
        delete fc.s[k];
      }
    }
  }
  return files;
}


/**
 * v8-to-istanbul counts every line as run unless a range says otherwise, so a record without the
 * script's top-level range (Chromium keeps only a few functions of a script it ran before a reload)
 * would claim the whole bundle as run. Such a record is left out: it can only lower the figure.
 */
export const isWholeScript = (functions) => functions.some((fn) => fn.ranges[0]?.startOffset === 0);
