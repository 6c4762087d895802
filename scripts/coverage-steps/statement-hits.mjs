// V8 block coverage of one script run outside vitest (a spawned CLI, Playwright's worker, a Chromium
// page) → hits on vitest's own statements (coverage/coverage-final.json lists every src-* file with
// its statements, run or not), so every process is measured on the same yardstick.
//
// A statement ran there if, at the generated offset its start maps to (through the script's source
// map), V8's innermost block range ran: the same rule vitest's own coverage applies. A statement the
// map does not lead to (code a bundler left out) gets nothing from that script.
import { GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND, TraceMap, generatedPositionFor } from '@jridgewell/trace-mapping';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The count V8 reports for each offset of the script: ranges painted outermost first, so each offset
 * ends with its innermost range's count. Offsets no range covers stay 0 (a record that lacks the
 * top-level range, as Chromium's for a bundle run before a reload, claims nothing it does not report).
 */
function countsByOffset(functions, length) {
  const counts = new Int32Array(length);
  const ranges = functions.flatMap((fn) => fn.ranges).sort((a, b) => a.startOffset - b.startOffset || b.endOffset - a.endOffset);
  for (const r of ranges) counts.fill(r.count, Math.max(0, r.startOffset), Math.min(length, r.endOffset));
  return counts;
}

/** The map's sources as absolute paths (relative ones are relative to the script, which sits next to its map). */
function withAbsoluteSources(map, scriptPath) {
  const root = map.sourceRoot ?? '';
  const absolute = (s) => {
    if (s == null) return s;
    const p = root ? join(root, s) : s;
    if (p.startsWith('file://')) return fileURLToPath(p);
    return isAbsolute(p) ? p : resolve(dirname(scriptPath), p);
  };
  return { ...map, sourceRoot: undefined, sources: map.sources.map(absolute) };
}

/**
 * Adds one script's hits to `into` (istanbul JSON data keyed by file, a copy of vitest's map).
 * @param {{ scriptPath: string, lineLengths: number[], sourcemap: object, functions: object[], into: Record<string, any> }} script
 * @returns {number} statements that ran in this script
 */
export function addStatementHits({ scriptPath, lineLengths, sourcemap, functions, into }) {
  const map = withAbsoluteSources(sourcemap, scriptPath);
  const files = map.sources.filter((s) => s != null && into[s]);
  if (!files.length) return 0;
  const lineStarts = [];
  let offset = 0;
  for (const n of lineLengths) {
    lineStarts.push(offset);
    offset += n + 1;
  }
  const counts = countsByOffset(functions, offset);
  const trace = new TraceMap(map);
  let ran = 0;
  for (const file of files) {
    const fc = into[file];
    for (const [key, loc] of Object.entries(fc.statementMap)) {
      const at = { source: file, line: loc.start.line, column: loc.start.column };
      let gen = generatedPositionFor(trace, { ...at, bias: LEAST_UPPER_BOUND });
      if (gen.line == null) gen = generatedPositionFor(trace, { ...at, bias: GREATEST_LOWER_BOUND });
      if (gen.line == null || gen.line > lineStarts.length) continue;
      const n = counts[lineStarts[gen.line - 1] + gen.column] ?? 0;
      if (n > 0) {
        fc.s[key] += n;
        ran++;
      }
    }
  }
  return ran;
}

/** Line lengths of a text (what Node records for a script in its source-map cache). */
export const lineLengthsOf = (text) => text.split('\n').map((l) => l.length);
