// ZIPs from writeZipFromDir, checked by three independent readers (Info-ZIP `unzip -t`, Python's
// zipfile, and yauzl, which trusts the EOCD entry count), for determinism, cleanup on abort, and
// ZIP64 past 65,535 entries.
import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { mkdir, open, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeZipFromDir } from '../../../src-main/core/export/zip/zip-writer';
import { listTree, makeTempDir, pythonZipTest, readZipWithYauzl, runPythonJson, unzipTest } from './writers-helpers';

let tmp: { dir: string; cleanup: () => Promise<void> };
let src: string;
const contents = new Map<string, Buffer>();

beforeAll(async () => {
  tmp = await makeTempDir('studydl-zip-');
  src = path.join(tmp.dir, 'src');
  const files: Record<string, Buffer> = {
    'metadata.json': Buffer.from(JSON.stringify({ a: 1, text: 'x'.repeat(5000) }, null, 2)),
    'README.txt': Buffer.from('Read me\r\n'.repeat(100)),
    'events.csv': Buffer.from('\ufeffid,content\r\n' + Array.from({ length: 2000 }, (_, i) => `e${i},"hello, ""world"" ${i}"\r\n`).join('')),
    'rooms/room_A/chat.csv': Buffer.from('\ufeffid\r\nm1\r\n'),
    'rooms/Zoë Ångström 😀/events.csv': Buffer.from('unicode folder\r\n'),
    'recordings/P001_video_EG_1.mp4': randomBytes(300_000),
    'recordings/P002_audio_EG_2.WEBM': randomBytes(50_000),
    'empty.ndjson': Buffer.alloc(0),
  };
  for (const [rel, data] of Object.entries(files)) {
    const abs = path.join(src, ...rel.split('/'));
    await mkdir(path.dirname(abs), { recursive: true });
    await writeFile(abs, data);
    contents.set(rel, data);
  }
});
afterAll(async () => {
  await tmp?.cleanup();
});

describe('writeZipFromDir', () => {
  it('writes a ZIP that unzip, python zipfile and yauzl all accept, with the right contents', async () => {
    const out = path.join(tmp.dir, 'export.zip');
    const progress: number[] = [];
    const res = await writeZipFromDir({ sourceDir: src, outPath: out, rootName: 'Emotion-Study_exp_1_2024-06-15', onProgress: (_b, done) => progress.push(done) });
    expect(res.entries).toBe(contents.size);
    expect(res.bytes).toBe((await stat(out)).size);
    expect((await unzipTest(out)).ok).toBe(true);
    const py = await pythonZipTest(out);
    expect(py.ok).toBe(true);
    expect(py.output).not.toMatch(/error|bad|corrupt/i);
    const names = await runPythonJson<string[]>('import sys, json, zipfile; print(json.dumps(zipfile.ZipFile(sys.argv[1]).namelist()))', [out]);
    expect(names).toHaveLength(contents.size);

    const z = await readZipWithYauzl(out, { withData: () => true });
    expect(z.entryCount).toBe(contents.size);
    for (const e of z.entries) {
      expect(e.name.startsWith('Emotion-Study_exp_1_2024-06-15/')).toBe(true);
      const rel = e.name.slice('Emotion-Study_exp_1_2024-06-15/'.length);
      expect(e.data!.equals(contents.get(rel)!)).toBe(true);
      // Media is stored, text is deflated.
      const media = /\.(mp4|webm)$/i.test(rel);
      expect(e.compressionMethod).toBe(media ? 0 : 8);
    }
    // Deterministic order: folder by folder, names sorted.
    expect(z.entries.map((e) => e.name.split('/').slice(1).join('/'))).toEqual([
      'README.txt',
      'empty.ndjson',
      'events.csv',
      'metadata.json',
      'recordings/P001_video_EG_1.mp4',
      'recordings/P002_audio_EG_2.WEBM',
      'rooms/Zoë Ångström 😀/events.csv',
      'rooms/room_A/chat.csv',
    ]);
    expect(progress.at(-1)).toBe(contents.size);
    expect(await listTree(tmp.dir)).not.toContain('export.zip.part');
  });

  it('is deterministic: the same tree gives byte-identical archives, whatever the file times', async () => {
    const a = await writeZipFromDir({ sourceDir: src, outPath: path.join(tmp.dir, 'a.zip'), rootName: 'x' });
    await utimes(path.join(src, 'events.csv'), new Date('2030-01-01'), new Date('2030-01-01'));
    const b = await writeZipFromDir({ sourceDir: src, outPath: path.join(tmp.dir, 'b.zip'), rootName: 'x' });
    expect(b.sha256).toBe(a.sha256);
    expect((await readFile(path.join(tmp.dir, 'a.zip'))).equals(await readFile(path.join(tmp.dir, 'b.zip')))).toBe(true);
    const c = await writeZipFromDir({ sourceDir: src, outPath: path.join(tmp.dir, 'c.zip'), rootName: 'x', mtime: new Date('2024-06-15T12:00:00Z') });
    expect(c.sha256).not.toBe(a.sha256);
  });

  it('removes the .part and leaves no archive when aborted', async () => {
    const big = path.join(tmp.dir, 'bigsrc');
    await mkdir(big, { recursive: true });
    for (let i = 0; i < 20; i++) await writeFile(path.join(big, `f${i}.bin`), randomBytes(1_000_000));
    const ac = new AbortController();
    const out = path.join(tmp.dir, 'aborted.zip');
    const p = writeZipFromDir({ sourceDir: big, outPath: out, storeExtensions: [], signal: ac.signal, onProgress: (bytes) => bytes > 2_000_000 && ac.abort() });
    await expect(p).rejects.toThrow();
    const left = await listTree(tmp.dir);
    expect(left).not.toContain('aborted.zip');
    expect(left).not.toContain('aborted.zip.part');
  });

  it('stops before writing anything when the export was already stopped, whatever the stop’s reason', async () => {
    const paused = new AbortController();
    paused.abort('pause'); // the job queue stops with a word, not an Error
    await expect(writeZipFromDir({ sourceDir: src, outPath: path.join(tmp.dir, 'paused.zip'), signal: paused.signal })).rejects.toMatchObject({ name: 'AbortError', message: 'The operation was aborted.' });
    const failed = new AbortController();
    const why = new Error('the disk went away');
    failed.abort(why);
    await expect(writeZipFromDir({ sourceDir: src, outPath: path.join(tmp.dir, 'failed.zip'), signal: failed.signal })).rejects.toBe(why);
    const left = await listTree(tmp.dir);
    expect(left.filter((f) => /^(paused|failed)\.zip/.test(f))).toEqual([]);
  });

  it.each([
    ['a large file (read when its turn comes)', 'big', 2, 200_000, 1],
    ['a small file (read ahead)', 'small', 40, 100, 35],
  ])('a file that disappears while the archive is written (%s): fails with ENOENT and leaves nothing', async (_what, name, count, size, vanishing) => {
    const dir = path.join(tmp.dir, `vanish-${name}`);
    await mkdir(dir, { recursive: true });
    const names = Array.from({ length: count }, (_, i) => `f${String(i).padStart(3, '0')}.bin`);
    for (const n of names) await writeFile(path.join(dir, n), randomBytes(size));
    const out = path.join(tmp.dir, `vanish-${name}.zip`);
    let gone = false;
    // When the first entry starts, a later file is deleted (before it is opened or read ahead).
    const onProgress = () => {
      if (!gone) {
        gone = true;
        unlinkSync(path.join(dir, names[vanishing]));
      }
    };
    await expect(writeZipFromDir({ sourceDir: dir, outPath: out, storeExtensions: [], onProgress })).rejects.toMatchObject({ code: 'ENOENT' });
    expect(gone).toBe(true);
    const left = await listTree(tmp.dir);
    expect(left.filter((f) => f.startsWith(`vanish-${name}.zip`))).toEqual([]);
  });

  it('fails clearly and leaves nothing when the source folder is missing', async () => {
    const out = path.join(tmp.dir, 'missing.zip');
    await expect(writeZipFromDir({ sourceDir: path.join(tmp.dir, 'nope'), outPath: out })).rejects.toThrow(/ENOENT/);
    const left = await listTree(tmp.dir);
    expect(left.filter((f) => f.startsWith('missing.zip'))).toEqual([]);
  });

  it('never puts the archive (or a stale .part of it) inside itself when written into the source folder', async () => {
    const inside = path.join(tmp.dir, 'inside');
    await mkdir(inside, { recursive: true });
    await writeFile(path.join(inside, 'data.csv'), 'a\r\n');
    await writeFile(path.join(inside, 'self.zip.part'), 'stale');
    const res = await writeZipFromDir({ sourceDir: inside, outPath: path.join(inside, 'self.zip') });
    expect(res.entries).toBe(1);
    const z = await readZipWithYauzl(path.join(inside, 'self.zip'));
    expect(z.entries.map((e) => e.name)).toEqual(['data.csv']);
    expect(await listTree(inside)).toEqual(['data.csv', 'self.zip']);
  });

  it('writes a ZIP64 end record past 65,535 entries that a strict reader counts correctly', { timeout: 300_000 }, async () => {
    const many = path.join(tmp.dir, 'many');
    const n = 65_600;
    for (let d = 0; d < 66; d++) await mkdir(path.join(many, `p${String(d).padStart(3, '0')}`), { recursive: true });
    for (let i = 0; i < n; i += 500) {
      await Promise.all(
        Array.from({ length: Math.min(500, n - i) }, (_, j) => {
          const k = i + j;
          return writeFile(path.join(many, `p${String(k % 66).padStart(3, '0')}`, `e${k}.txt`), `${k}\n`);
        }),
      );
    }
    const out = path.join(tmp.dir, 'many.zip');
    const res = await writeZipFromDir({ sourceDir: many, outPath: out, compressionLevel: 0 });
    expect(res.entries).toBe(n);
    // The classic EOCD count saturates at 0xFFFF and a ZIP64 EOCD record + locator precede it.
    const fh = await open(out, 'r');
    const size = (await fh.stat()).size;
    const tail = Buffer.alloc(200);
    await fh.read(tail, 0, 200, size - 200);
    await fh.close();
    const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    expect(eocd).toBeGreaterThan(0);
    expect(tail.readUInt16LE(eocd + 10)).toBe(0xffff);
    const zip64 = tail.indexOf(Buffer.from([0x50, 0x4b, 0x06, 0x06]));
    expect(zip64).toBeGreaterThanOrEqual(0);
    expect(Number(tail.readBigUInt64LE(zip64 + 32))).toBe(n);
    const z = await readZipWithYauzl(out);
    expect(z.entryCount).toBe(n);
    expect(z.entries).toHaveLength(n);
    expect((await unzipTest(out)).ok).toBe(true);
    const count = await runPythonJson<number>('import sys, zipfile; print(len(zipfile.ZipFile(sys.argv[1]).infolist()))', [out]);
    expect(count).toBe(n);
  });
});
