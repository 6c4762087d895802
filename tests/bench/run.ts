// `npm run bench [-- name …]`: runs the benchmarks and writes their figures to BENCHMARKS.md
// with the date and the machine. Ratios are measured side by side in one run, because these
// machines are noisy; absolute times are anchors only.
import { writeFileSync, existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import type { BenchModule, BenchResult } from './types';

const ALL = ['paging', 'export', 'media', 'preview', 'sim', 'shared-limiter'];
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length ? wanted : ALL;

function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.platform()} ${os.release()}, Node ${process.version}`;
}

function renderSection(name: string, results: BenchResult[] | { error: string }, when: string): string {
  const lines = [`## ${name}`, '', `Run ${when} on ${machine()}.`, ''];
  if ('error' in results) {
    lines.push(`Not measured: ${results.error}`, '');
    return lines.join('\n');
  }
  for (const r of results) {
    lines.push(`### ${r.name}`, '', '| figure | value |', '| --- | --- |');
    for (const [k, v] of Object.entries(r.figures)) lines.push(`| ${k} | ${typeof v === 'number' ? Number(v.toFixed(3)) : v} |`);
    lines.push('');
    if (r.notes) lines.push(r.notes, '');
  }
  return lines.join('\n');
}

const file = 'BENCHMARKS.md';
const header = '# Benchmarks\n\nWritten by `npm run bench`. Each section is replaced when its benchmark runs again.\n';
const existing = existsSync(file) ? readFileSync(file, 'utf8') : header;
const sections = new Map<string, string>();
for (const part of existing.split(/^(?=## )/m).slice(1)) sections.set(part.split('\n')[0].slice(3).trim(), part.trimEnd() + '\n');

let failed = 0;
for (const name of names) {
  const when = new Date().toISOString();
  console.log(`bench: ${name} …`);
  let results: BenchResult[] | { error: string };
  try {
    const mod = (await import(pathToFileURL(`${import.meta.dirname}/${name}.ts`).href)) as BenchModule;
    results = await mod.run();
  } catch (e) {
    failed++;
    results = { error: e instanceof Error ? e.message : String(e) };
    console.error(`bench ${name} failed:`, e);
  }
  sections.set(name, renderSection(name, results, when));
  writeFileSync(file, header + '\n' + ALL.concat([...sections.keys()].filter((k) => !ALL.includes(k))).filter((k) => sections.has(k)).map((k) => sections.get(k)).join('\n'));
  console.log(`bench: ${name} done`);
}
process.exit(failed ? 1 : 0);
