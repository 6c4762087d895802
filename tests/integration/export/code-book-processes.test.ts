// Several processes (as the app and `studydl` would be) give codes to overlapping participants
// of one study at the same time: the map stays whole, and no code or id appears twice.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStudyCodeBook } from '../../../src-main/core/export/anonymize/code-book';

const repo = path.resolve(import.meta.dirname, '../../..');
const dir = mkdtempSync(path.join(tmpdir(), 'code-book-procs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const child = (ids: string[]) => `
import { openStudyCodeBook } from ${JSON.stringify(path.join(repo, 'src-main/core/export/anonymize/code-book.ts'))};
const ids = ${JSON.stringify(ids)};
const book = await openStudyCodeBook({ dir: ${JSON.stringify(dir)}, source: 'hyperstudy', studyId: 'exp_shared' });
await book.ensure(ids.slice(0, 20));
for (const id of ids.slice(20)) book.assign(id);
const out = {};
for (const id of ids) out[id] = book.get(id);
process.stdout.write(JSON.stringify(out));
`;

function run(ids: string[]): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', child(ids)], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (c) => (out += c));
    p.stderr.on('data', (c) => (err += c));
    p.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`child failed (${code}): ${err}`))));
  });
}

describe('the study code map across processes', { timeout: 120_000 }, () => {
  it('stays consistent when four processes add codes at once', async () => {
    // Overlapping id sets: every child shares 10 ids with the next.
    const sets = [0, 1, 2, 3].map((k) => Array.from({ length: 40 }, (_, i) => `usr_${String(k * 30 + i).padStart(3, '0')}`));
    const seen = await Promise.all(sets.map(run));
    const book = await openStudyCodeBook({ dir, source: 'hyperstudy', studyId: 'exp_shared' });
    const entries = book.entries();
    const all = new Set(sets.flat());
    expect(entries).toHaveLength(all.size);
    expect(new Set(entries.map((e) => e.code)).size).toBe(all.size);
    // Every process saw the code the file now holds.
    for (const s of seen) for (const [id, code] of Object.entries(s)) expect(book.get(id), id).toBe(code);
  });
});
