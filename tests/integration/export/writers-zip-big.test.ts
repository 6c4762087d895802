// Opt-in (STUDYDL_BIG_ZIP_TEST=1): an archive past 4 GiB, where a writer without ZIP64 produces a
// corrupt file. One sparse 4.5 GiB entry (stored) followed by a small entry whose offset needs
// ZIP64; all three readers must accept it and the small entry must read back intact.
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeZipFromDir } from '../../../src-main/core/export/zip/zip-writer';
import { BIG_ZIP_TEST_ENABLED, makeSparseFile, makeTempDir, pythonZipTest, readZipWithYauzl, unzipTest } from './writers-helpers';

const BIG = 4.5 * 1024 ** 3;
let tmp: { dir: string; cleanup: () => Promise<void> } | undefined;

beforeAll(async () => {
  if (BIG_ZIP_TEST_ENABLED) tmp = await makeTempDir('studydl-bigzip-');
});
afterAll(async () => {
  await tmp?.cleanup();
});

describe.skipIf(!BIG_ZIP_TEST_ENABLED)('writeZipFromDir past 4 GiB (set STUDYDL_BIG_ZIP_TEST=1 to run; needs ~4.6 GB free disk)', () => {
  it('writes a valid ZIP64 archive over 4 GiB', { timeout: 1_800_000 }, async () => {
    const src = path.join(tmp!.dir, 'src');
    await mkdir(path.join(src, 'recordings'), { recursive: true });
    await makeSparseFile(path.join(src, 'recordings', 'big.mp4'), BIG);
    await writeFile(path.join(src, 'z_after.csv'), 'id\r\n1\r\n');
    const out = path.join(tmp!.dir, 'big.zip');
    const res = await writeZipFromDir({ sourceDir: src, outPath: out });
    await rm(src, { recursive: true, force: true });
    expect(res.bytes).toBeGreaterThan(BIG);
    expect((await stat(out)).size).toBe(res.bytes);
    expect((await unzipTest(out)).ok).toBe(true);
    expect((await pythonZipTest(out)).ok).toBe(true);
    const z = await readZipWithYauzl(out, { withData: (n) => n.endsWith('.csv') });
    expect(z.entryCount).toBe(2);
    expect(z.entries[0].uncompressedSize).toBe(BIG);
    expect(z.entries[1].data!.toString()).toBe('id\r\n1\r\n');
  });
});
