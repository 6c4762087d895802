// Per-area line coverage table (text for the terminal, Markdown for coverage/summary.md).
import { relative } from 'node:path';

/** src-main/cli, src-main/core/<area>, src-main/server, src-main/shell, src-renderer, src-shared, … */
export function areaOf(rel) {
  const parts = rel.split('/');
  if (parts[0] === 'src-main') {
    if (parts[1] === 'core') return parts.length > 3 ? `src-main/core/${parts[2]}` : 'src-main/core (top-level files)';
    return parts.length > 2 ? `src-main/${parts[1]}` : 'src-main (Electron entry)';
  }
  return parts[0];
}

const pct = (c, t) => (t === 0 ? '–' : `${((100 * c) / t).toFixed(1)} %`);

/**
 * @param {string} root repository root
 * @param {{ file: string, total: number, covered: number }[]} merged all processes
 * @param {{ file: string, total: number, covered: number }[]} vitestOnly vitest's workers alone
 */
export function areaTable(root, merged, vitestOnly) {
  const rows = new Map();
  const add = (list, key) => {
    for (const { file, total, covered } of list) {
      const area = areaOf(relative(root, file));
      const row = rows.get(area) ?? { area, total: 0, covered: 0, vitestCovered: 0, vitestTotal: 0 };
      row[key === 'merged' ? 'total' : 'vitestTotal'] += total;
      row[key === 'merged' ? 'covered' : 'vitestCovered'] += covered;
      rows.set(area, row);
    }
  };
  add(merged, 'merged');
  add(vitestOnly, 'vitest');
  const list = [...rows.values()].sort((a, b) => a.area.localeCompare(b.area));
  const sum = (k) => list.reduce((n, r) => n + r[k], 0);
  const total = { area: 'TOTAL', total: sum('total'), covered: sum('covered'), vitestCovered: sum('vitestCovered'), vitestTotal: sum('vitestTotal') };
  return { rows: list, total };
}

export function formatText({ rows, total }) {
  const w = Math.max(...rows.map((r) => r.area.length), 5);
  const line = (r) => `${r.area.padEnd(w)}  ${`${r.covered}/${r.total}`.padStart(12)}  ${pct(r.covered, r.total).padStart(8)}   (vitest alone ${pct(r.vitestCovered, r.vitestTotal)})`;
  return [`${'area'.padEnd(w)}  ${'lines'.padStart(12)}  ${'%'.padStart(8)}`, ...rows.map(line), line(total)].join('\n');
}

export function formatMarkdown({ rows, total }, { notes, worstFiles }) {
  const line = (r, b = '') => `| ${b}${r.area}${b} | ${r.covered} / ${r.total} | ${b}${pct(r.covered, r.total)}${b} | ${pct(r.vitestCovered, r.vitestTotal)} |`;
  return [
    '# Line coverage of src-main, src-shared, src-renderer',
    '',
    'All processes the tests run: vitest workers, the CLI and servers they spawn, Playwright\'s worker',
    '(the e2e app servers) and the renderer in Chromium. Produced by `npm run coverage`',
    '(scripts/coverage-all.mjs); a line is one where a statement starts (istanbul\'s definition).',
    '',
    '| area | lines covered / total | % | vitest alone |',
    '| --- | ---: | ---: | ---: |',
    ...rows.map((r) => line(r)),
    line(total, '**'),
    '',
    '## Files with the most uncovered lines',
    '',
    '| file | uncovered | % covered |',
    '| --- | ---: | ---: |',
    ...worstFiles.map((f) => `| ${f.rel} | ${f.total - f.covered} | ${pct(f.covered, f.total)} |`),
    '',
    '## Notes',
    '',
    ...notes.map((n) => `- ${n}`),
    '',
  ].join('\n');
}

/** Covered and total lines of each file, as istanbul counts them (a line: where a statement starts). */
export function lineCounts(map) {
  return map.files().map((file) => {
    const lines = Object.values(map.fileCoverageFor(file).getLineCoverage());
    return { file, total: lines.length, covered: lines.filter((n) => n > 0).length };
  });
}
