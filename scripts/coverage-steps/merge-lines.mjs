// Merging coverage from different tools on one yardstick: the lines that count are those where
// vitest's coverage (@vitest/coverage-v8, which lists every src-* file, run or not) starts a
// statement. v8-to-istanbul (the child processes, Playwright's worker, Chromium) calls every line
// with generated code a statement, so its data would bring other lines into the total; instead it
// only says which of vitest's statement lines ran: each vitest statement gets the hits of its
// start line there. The result is an ordinary istanbul coverage map (line figures are exact;
// function and branch counts are vitest's alone).
import libCoverage from 'istanbul-lib-coverage';

/**
 * @param {import('istanbul-lib-coverage').CoverageMap} base vitest's map (coverage-final.json)
 * @param {import('istanbul-lib-coverage').CoverageMap[]} extras maps from v8-to-istanbul
 * @returns {{ merged: import('istanbul-lib-coverage').CoverageMap, outsideBase: string[] }}
 */
export function mergeOntoVitestLines(base, extras) {
  const merged = libCoverage.createCoverageMap(JSON.parse(JSON.stringify(base.toJSON())));
  const outsideBase = new Set();
  for (const extra of extras) {
    for (const file of extra.files()) {
      if (!base.files().includes(file)) { outsideBase.add(file); continue; }
      const ran = extra.fileCoverageFor(file).getLineCoverage();
      const b = base.fileCoverageFor(file).toJSON();
      const s = Object.fromEntries(Object.entries(b.statementMap).map(([k, loc]) => [k, ran[loc.start.line] ?? 0]));
      const f = Object.fromEntries(Object.keys(b.fnMap).map((k) => [k, 0]));
      const br = Object.fromEntries(Object.entries(b.b).map(([k, arms]) => [k, arms.map(() => 0)]));
      merged.merge(libCoverage.createCoverageMap({ [file]: { ...b, s, f, b: br } }));
    }
  }
  return { merged, outsideBase: [...outsideBase].sort() };
}

/** Covered and total lines of each file, as istanbul counts them (a line: where a statement starts). */
export function lineCounts(map) {
  return map.files().map((file) => {
    const lines = Object.values(map.fileCoverageFor(file).getLineCoverage());
    return { file, total: lines.length, covered: lines.filter((n) => n > 0).length };
  });
}
