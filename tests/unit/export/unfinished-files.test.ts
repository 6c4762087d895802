// A process killed mid-export leaves work files (a download's .part, its sidecar and the sidecar's
// temporary twin); the finished folder and ZIP must hold none of them, and nothing else is touched.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isUnfinishedFile, removeUnfinishedFiles } from '../../../src-main/core/export/run/unfinished-files';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('unfinished files', () => {
  it('names the parts, sidecars and a crash’s sidecar temporaries, not data or media', () => {
    for (const n of ['images/a.png.part', 'images/a.png.part.json', 'images/a.png.part.json.6973.173.tmp']) expect(isUnfinishedFile(n), n).toBe(true);
    for (const n of ['events.csv', 'images/a.png', 'recordings/part.webm', 'metadata.json', 'notes.tmp', 'x.1.2.tmp', 'a.partial']) expect(isUnfinishedFile(n), n).toBe(false);
  });

  it('removes them at any depth and keeps every other file', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'unfinished-'));
    await mkdir(path.join(dir, 'images', 'deep'), { recursive: true });
    const keep = ['events.csv', 'images/a.png', 'images/deep/b.png', 'x.1.2.tmp'];
    const drop = ['images/c.png.part', 'images/c.png.part.json', 'images/deep/d.png.part.json.12.3.tmp'];
    for (const f of [...keep, ...drop]) await writeFile(path.join(dir, f), 'x');
    await removeUnfinishedFiles(dir);
    const left = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
    expect(left.sort()).toEqual([...keep].sort());
  });
});
