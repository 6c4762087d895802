// `npm run bench [-- name …] [-- --quick] [-- --note TEXT]`: runs the benchmarks and writes their
// figures to BENCHMARKS.md: a table of the issue's targets (value, meets / misses and why, method)
// and one section per benchmark with the date, commit and machine it ran on. Running a subset
// replaces only those sections; the targets table is rebuilt from the data every section keeps.
// --quick runs everything small as a smoke test and writes test-results/BENCHMARKS.quick.md
// instead (its figures mean nothing). --note labels the sections of this run (e.g. "provisional").
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadAverage } from './stats';
import { formatValue, TARGET_IDS, TARGETS } from './targets';
import type { BenchContext, BenchModule, BenchResult, Headline } from './types';
import { repoRoot } from './sim-process';

const ALL = ['paging', 'export', 'cpu', 'media', 'preview', 'sim', 'shared-limiter', 'sync'];

function parseArgs(argv: string[]): { names: string[]; quick: boolean; note?: string } {
  const names: string[] = [];
  let quick = false;
  let note: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') quick = true;
    else if (a === '--note') note = argv[++i];
    else if (a.startsWith('--note=')) note = a.slice('--note='.length);
    else if (a.startsWith('-')) throw new Error(`unknown option ${a} (known: --quick, --note TEXT)`);
    else if (!ALL.includes(a)) throw new Error(`unknown benchmark "${a}" (known: ${ALL.join(', ')})`);
    else names.push(a);
  }
  return { names: names.length ? names : ALL, quick, ...(note ? { note } : {}) };
}

function machine(): string {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.platform()} ${os.release()}, Node ${process.version}`;
}

function commit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    // BENCHMARKS.md itself is rewritten by every run: only other changes make the code differ from the commit.
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no', '--', '.', ':!BENCHMARKS.md'], { cwd: repoRoot, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${sha} (with uncommitted changes)` : sha;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

/** What a section keeps for the targets table, in an HTML comment at its end. */
interface SectionData {
  name: string;
  when: string;
  commit: string;
  note?: string;
  headlines: Headline[];
}

const DATA_RE = /<!-- bench-data: (.*) -->/;
// JSON inside an HTML comment must not contain "--": escape it inside strings (outside strings JSON has none).
const encode = (d: SectionData) => `<!-- bench-data: ${JSON.stringify(d).replace(/--/g, '-\\u002d')} -->`;

function renderSection(data: SectionData, results: BenchResult[] | { error: string }, load: string): string {
  const lines = [`## ${data.name}`, '', `Run ${data.when} at commit ${data.commit} on ${machine()}; load average at the start ${load}.`, ''];
  if (data.note) lines.push(`**${data.note[0].toUpperCase()}${data.note.slice(1)}.**`, '');
  if ('error' in results) {
    lines.push(`Not measured: ${results.error}`, '');
  } else {
    for (const r of results) {
      lines.push(`### ${r.name}`, '', '| figure | value |', '| --- | --- |');
      for (const [k, v] of Object.entries(r.figures)) lines.push(`| ${k} | ${typeof v === 'number' ? Number(v.toFixed(3)) : v} |`);
      lines.push('');
      if (r.notes) lines.push(r.notes, '');
    }
  }
  lines.push(encode(data), '');
  return lines.join('\n');
}

function targetsTable(sections: SectionData[]): string {
  const lines = [
    '## Targets',
    '',
    'The targets of issue 15 (and the sync target of issue 14), each with the figure that measures it. "Run" names the section below that holds its details.',
    '',
    '| figure | target | measured | meets / misses, and why | method | run |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const id of TARGET_IDS) {
    const t = TARGETS[id];
    const found = sections.flatMap((s) => s.headlines.filter((h) => h.target === id).map((h) => ({ s, h })))[0];
    if (!found) {
      lines.push(`| ${t.figure} | ${t.target} | – | not measured yet | – | – |`);
      continue;
    }
    const { s, h } = found;
    const measured = h.value === null ? '–' : `${formatValue(h.value)}${t.unit}`;
    const verdict = h.value === null ? `not measured: ${h.why ?? 'see the section'}` : t.meets(h.value) ? 'meets' : `misses: ${h.why ?? 'the benchmark does not isolate the cause'}`;
    const run = `${s.name}, ${s.when.slice(0, 10)}${s.note ? ` (${s.note})` : ''}`;
    lines.push(`| ${t.figure} | ${t.target} | ${measured} | ${verdict} | ${h.method} | ${run} |`);
  }
  return lines.join('\n') + '\n';
}

const HEADER = [
  '# Benchmarks',
  '',
  'Written by `npm run bench` (all benchmarks; `npm run bench -- paging export` runs some; `npm run bench -- --quick` is a small smoke test that writes `test-results/BENCHMARKS.quick.md` instead). Ratios are measured side by side in one run because these machines are noisy; absolute times are anchors only. The benchmarks are not part of CI.',
  '',
].join('\n');

async function main(): Promise<number> {
  const { names, quick, note } = parseArgs(process.argv.slice(2));
  const ctx: BenchContext = { quick };
  const file = quick ? path.join(repoRoot, 'test-results', 'BENCHMARKS.quick.md') : path.join(repoRoot, 'BENCHMARKS.md');
  mkdirSync(path.dirname(file), { recursive: true });
  const sections = new Map<string, { text: string; data: SectionData }>();
  if (!quick && existsSync(file)) {
    for (const part of readFileSync(file, 'utf8').split(/^(?=## )/m).slice(1)) {
      const m = DATA_RE.exec(part);
      if (!m) continue; // the targets table, or a section from before sections kept their data
      const data = JSON.parse(m[1]) as SectionData;
      sections.set(data.name, { text: part.trimEnd() + '\n', data });
    }
  }
  const label = quick ? 'quick smoke test, not a measurement' : note;
  let failed = 0;
  for (const name of names) {
    console.log(`bench: ${name} …`);
    const load = await loadAverage();
    const data: SectionData = { name, when: new Date().toISOString(), commit: commit(), ...(label ? { note: label } : {}), headlines: [] };
    let results: BenchResult[] | { error: string };
    try {
      const mod = (await import(pathToFileURL(path.join(import.meta.dirname, `${name}.ts`)).href)) as BenchModule;
      results = await mod.run(ctx);
      data.headlines = results.flatMap((r) => r.headlines ?? []);
    } catch (e) {
      failed++;
      results = { error: e instanceof Error ? e.message : String(e) };
      console.error(`bench ${name} failed:`, e);
    }
    sections.set(name, { text: renderSection(data, results, load), data });
    const ordered = [...ALL, ...[...sections.keys()].filter((k) => !ALL.includes(k))].filter((k) => sections.has(k)).map((k) => sections.get(k)!);
    writeFileSync(file, [HEADER, targetsTable(ordered.map((s) => s.data)), ...ordered.map((s) => s.text)].join('\n'));
    console.log(`bench: ${name} done → ${path.relative(process.cwd(), file)}`);
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(2);
  },
);
