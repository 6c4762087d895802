// The text file pool's buffering and disk queue: bytes exactly as Buffer.from would encode the
// appended text (across the pool's batch and chunk boundaries, with many files sharing few
// handles), no waiting while nothing is due, and a disk error that fails the next call and
// every later one, with no `.part` left behind.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTextFilePool } from '../../../src-main/core/export/format/text-file';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'studydl-pool-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every file under a folder, recursively. */
async function tree(d: string): Promise<string[]> {
  return (await readdir(d, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
}

describe('text file pool', () => {
  it('writes exactly the UTF-8 of what was appended, over batch, chunk and handle boundaries', async () => {
    const pool = createTextFilePool({ maxOpen: 3, fileBufferBytes: 10_000, totalBufferBytes: 50_000, maxQueuedBytes: 20_000, fsync: false });
    const pieces = ['plain,row\r\n', 'Zoë Ångström 😀 你好\r\n', 'lone \ud800 surrogate\n', 'x'.repeat(9000), '\u2028\u2029"', ''];
    const expected = new Map<string, string>();
    for (let i = 0; i < 3000; i++) {
      const name = path.join(dir, 'many', `g${i % 17}`, `f${i % 17}.csv`);
      const text = pieces[(i * 7) % pieces.length] + String(i);
      expected.set(name, (expected.get(name) ?? '') + text);
      await pool.append(pool.file(name), text);
    }
    const empty = path.join(dir, 'many', 'empty.ndjson');
    pool.file(empty);
    expected.set(empty, '');
    const results = await pool.finish();
    for (const [name, text] of expected) {
      const want = Buffer.from(text, 'utf8');
      expect((await readFile(name)).equals(want)).toBe(true);
      expect(results.get(name)).toEqual({ bytes: want.length, sha256: createHash('sha256').update(want).digest('hex') });
    }
    expect((await tree(path.join(dir, 'many'))).filter((n) => n.endsWith('.part'))).toEqual([]);
  });

  it('asks the caller to wait only when a write is due', async () => {
    const pool = createTextFilePool({ fileBufferBytes: 64 * 1024, fsync: false });
    const f = pool.file(path.join(dir, 'wait', 'a.txt'));
    let waits = 0;
    for (let i = 0; i < 1000; i++) {
      const p = pool.append(f, 'short line\n');
      if (p) {
        waits++;
        await p;
      }
    }
    expect(waits).toBe(0); // 11 kB: nothing to write yet
    await pool.finish();
    expect(await readFile(path.join(dir, 'wait', 'a.txt'), 'utf8')).toBe('short line\n'.repeat(1000));
  });

  it('fails the next call with the disk error, and every call after it, and abort removes every .part', async () => {
    const base = path.join(dir, 'broken');
    await writeFile(path.join(dir, 'not-a-folder'), 'x');
    const pool = createTextFilePool({ fileBufferBytes: 100, maxQueuedBytes: 1_000_000, fsync: false });
    const good = pool.file(path.join(base, 'good.csv'));
    const bad = pool.file(path.join(dir, 'not-a-folder', 'bad.csv')); // its folder is a file
    let error: unknown = null;
    try {
      for (let i = 0; i < 200 && !error; i++) {
        await pool.append(good, 'g'.repeat(50) + '\n');
        await pool.append(bad, 'b'.repeat(50) + '\n');
      }
      await pool.finish();
    } catch (e) {
      error = e;
    }
    const code = (error as NodeJS.ErrnoException | null)?.code;
    expect(['EEXIST', 'ENOTDIR']).toContain(code);
    // Every later call fails the same way.
    await expect(Promise.resolve(pool.append(good, 'more\n'))).rejects.toMatchObject({ code });
    await expect(pool.finish()).rejects.toMatchObject({ code });
    await pool.abort();
    expect(await tree(base)).toEqual([]);
  });
});
