// Formula-looking cells (= + - @ at the start of a text value), end to end through `studydl export`
// against the simulator. Protection is off by default: the values stay exactly as recorded, and
// the CLI summary, README.txt and metadata.json say how many such cells there are and in which
// files. With --formula-protection those cells (and only those) get a leading '; numbers never
// change. The oracle is python3 + pandas reading the files back with its own definition.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src-main/cli/main';
import { startSimulator, type Simulator } from '../../sim/index';
import { python, removeDir, tempDir } from './export-helpers';

let sim: Simulator;
let root: string;
let expId: string;

beforeAll(async () => {
  sim = await startSimulator({ scale: 'tiny', seed: 7 });
  root = await tempDir('export-formulas-');
  expId = sim.dataset.experiments()[0].id;
});
afterAll(async () => {
  await sim?.close();
  await removeDir(root);
});

async function exportCli(name: string, extra: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  const env = { STUDYDL_HOME: path.join(root, 'home'), HYPERSTUDY_API_KEY: sim.apiKey, HYPERSTUDY_BASE_URL: sim.baseUrl } as NodeJS.ProcessEnv;
  const args = ['export', 'experiment', expId, '--types', 'events,chat,ratings-continuous', '--split', 'room', '--out', path.join(root, name), ...extra];
  const code = await main(args, { stdout, stderr, stdin: Readable.from([]), env, isTTY: false });
  // Progress lines first (stdout is not a terminal), the output path last.
  return { code, out: out.trim().split('\n').at(-1)!, err };
}

// Per CSV file: the cells (header included) a spreadsheet would run as a formula, by pandas' reading.
const COUNT = `
import sys, json, os, re, csv
FORMULA = re.compile(r'^[=+\\-@\\t\\r]')
NUMBER = re.compile(r'^[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?$')
root = sys.argv[1]
counts = {}
for d, _, names in os.walk(root):
    for n in names:
        if not n.endswith('.csv'):
            continue
        p = os.path.join(d, n)
        with open(p, encoding='utf-8-sig', newline='') as f:
            cells = [c for row in csv.reader(f) for c in row]
        k = sum(1 for c in cells if FORMULA.match(c) and not NUMBER.match(c))
        if k:
            counts[os.path.relpath(p, root).replace(os.sep, '/')] = k
print(json.dumps(counts))
`;

// Protected vs plain, file by file and cell by cell; numeric columns compared as numbers.
const COMPARE = `
import sys, json, os, re
import pandas as pd
FORMULA = re.compile(r'^[=+\\-@\\t\\r]')
NUMBER = re.compile(r'^[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?$')
plain_root, prot_root = sys.argv[1], sys.argv[2]
report = {'files': 0, 'changed': 0, 'bad': [], 'numeric_cols': 0, 'negative_numbers': 0}
for d, _, names in os.walk(plain_root):
    for n in names:
        if not n.endswith('.csv'):
            continue
        rel = os.path.relpath(os.path.join(d, n), plain_root)
        a = pd.read_csv(os.path.join(plain_root, rel), encoding='utf-8-sig', dtype=str, keep_default_na=False, header=None)
        b = pd.read_csv(os.path.join(prot_root, rel), encoding='utf-8-sig', dtype=str, keep_default_na=False, header=None)
        report['files'] += 1
        if a.shape != b.shape:
            report['bad'].append([rel, 'shape'])
            continue
        for x, y in zip(a.values.ravel(), b.values.ravel()):
            if x == y:
                if FORMULA.match(x) and not NUMBER.match(x):
                    report['bad'].append([rel, 'unprotected', x])
            elif FORMULA.match(x) and not NUMBER.match(x) and y == "'" + x:
                report['changed'] += 1
            else:
                report['bad'].append([rel, x, y])
        na = pd.read_csv(os.path.join(plain_root, rel), encoding='utf-8-sig')
        nb = pd.read_csv(os.path.join(prot_root, rel), encoding='utf-8-sig')
        for col in na.select_dtypes('number').columns:
            report['numeric_cols'] += 1
            report['negative_numbers'] += int((na[col] < 0).sum())
            if col not in nb.columns or not na[col].equals(nb[col]):
                report['bad'].append([rel, 'numeric column changed', col])
print(json.dumps(report))
`;

describe('formula-looking cells in a CSV export', { timeout: 180_000 }, () => {
  let plainDir = '';
  let expected: Record<string, number> = {};

  it('off by default: values kept, and the summary, README.txt and metadata.json say how many and where', async () => {
    const r = await exportCli('plain', []);
    expect(r.code, r.err).toBe(0);
    plainDir = r.out;
    expected = (await python(COUNT, [plainDir])) as Record<string, number>;
    const total = Object.values(expected).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(0); // the simulator's chat has =SUM(…), @host … and the like

    const manifest = JSON.parse(await readFile(path.join(plainDir, 'metadata.json'), 'utf8'));
    expect(manifest.filters.formulaProtection).toBe(false);
    expect(manifest.formulaCells.total).toBe(total);
    expect(manifest.formulaCells.protected).toBe(false);
    expect(Object.fromEntries(manifest.formulaCells.files.map((f: { path: string; cells: number }) => [f.path, f.cells]))).toEqual(expected);
    for (const f of manifest.files) expect(f.formulaCells ?? 0, f.path).toBe(expected[f.path] ?? 0);

    const readme = await readFile(path.join(plainDir, 'README.txt'), 'utf8');
    expect(readme).toContain('CELLS THAT LOOK LIKE SPREADSHEET FORMULAS');
    expect(readme).toContain(`${total.toLocaleString('en-US')} text cell`);
    for (const [file, n] of Object.entries(expected)) expect(readme).toMatch(new RegExp(`\\s${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+${n}\\r\\n`));

    const note = r.err.split('\n').find((l) => l.startsWith('note: '));
    expect(note).toContain(`${total} text cell`);
    expect(note).toContain('--formula-protection');
    for (const file of Object.keys(expected)) expect(note).toContain(file);
  });

  it('--formula-protection changes exactly those cells, and never a number', async () => {
    const r = await exportCli('protected', ['--formula-protection']);
    expect(r.code, r.err).toBe(0);
    const report = (await python(COMPARE, [plainDir, r.out])) as { files: number; changed: number; bad: unknown[]; numeric_cols: number; negative_numbers: number };
    expect(report.bad).toEqual([]);
    expect(report.changed).toBe(Object.values(expected).reduce((a, b) => a + b, 0));
    expect(report.numeric_cols).toBeGreaterThan(0);
    expect(report.negative_numbers).toBeGreaterThan(0); // negative numbers were there, and stayed numbers

    const manifest = JSON.parse(await readFile(path.join(r.out, 'metadata.json'), 'utf8'));
    expect(manifest.formulaCells).toMatchObject({ total: report.changed, protected: true });
    const readme = await readFile(path.join(r.out, 'README.txt'), 'utf8');
    expect(readme).toMatch(/Formula protection is ON/);
    expect(readme).toMatch(/got a leading ' \(formula protection is ON\)/);
    expect(r.err).toMatch(/^note: .*got a leading ' \(formula protection\)/m);
  });
});
