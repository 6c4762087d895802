// orderedWriter on real files: batches land in order as one contiguous file, each batch is released
// once written, and after a failed write nothing more is written (no hole before later bytes) while
// every batch is still released and idle() reports the error.
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderedWriter } from '../../../src-main/core/export/media/ordered-writer';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ordered-writer-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('orderedWriter', () => {
  it('writes batches in order, as one contiguous file, releasing each after its write', async () => {
    const file = path.join(dir, 'ordered.bin');
    const fd = openSync(file, 'w');
    let written = 0;
    const w = orderedWriter(fd, (n) => (written += n));
    const expected: Buffer[] = [];
    const released: number[] = [];
    for (let i = 0; i < 50; i++) {
      // Several views per batch, of different sizes, one of them a view into a larger buffer.
      const big = Buffer.alloc(10_000 + i * 997, i);
      const views = [big.subarray(3, 3 + 5_000 + i), Buffer.from(`#${i}#`), big.subarray(7_000)];
      expected.push(...views);
      w.push(views, () => released.push(i));
    }
    expect(w.queued).toBeGreaterThan(0);
    await w.idle();
    closeSync(fd);
    const want = Buffer.concat(expected);
    expect(written).toBe(want.length);
    expect((await readFile(file)).equals(want)).toBe(true);
    expect(released).toEqual([...Array(50).keys()]);
    expect(w.queued).toBe(0);
    expect(w.failed).toBeNull();
  });

  it('stops at the first failed write: later batches are released but never written', async () => {
    const file = path.join(dir, 'readonly.bin');
    await writeFile(file, 'before');
    const fd = openSync(file, 'r'); // every write fails (EBADF)
    const w = orderedWriter(fd);
    const released: number[] = [];
    for (let i = 0; i < 5; i++) w.push([Buffer.from(`batch ${i}`)], () => released.push(i));
    await expect(w.idle()).rejects.toMatchObject({ code: 'EBADF' });
    w.push([Buffer.from('after the failure')], () => released.push(5));
    await expect(w.idle()).rejects.toMatchObject({ code: 'EBADF' });
    closeSync(fd);
    expect(released).toEqual([0, 1, 2, 3, 4, 5]);
    expect(w.failed).toMatchObject({ code: 'EBADF' });
    expect(await readFile(file, 'utf8')).toBe('before');
  });
});
