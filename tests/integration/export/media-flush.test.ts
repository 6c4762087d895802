// Early writeback (background-flush.ts) on the real download path: with a tiny flush interval the
// bytes on disk are still exactly the object's, through a fresh download, a Range resume (append)
// and a signed URL expiring mid-file (the same mints and bytes sent as without it); the flusher
// never leaves a handle open behind it.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { backgroundFlush } from '../../../src-main/core/export/media/background-flush';
import { downloadRecordingFile } from '../../../src-main/core/export/media/download-file';
import { createNodeMediaGet } from '../../../src-main/core/export/media/media-http';
import type { Source } from '../../../src-main/core/sources/source';
import type { Simulator } from '../../sim/index';
import { mediaFixture, mediaOf } from './export-helpers';

let sim: Simulator;
let root: string;
let source: Source;
let recording: Record<string, unknown>;
let full: Buffer;
const mediaGet = createNodeMediaGet({ flushEveryBytes: 8 * 1024 });
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const canCountFds = existsSync('/proc/self/fd');
const openFds = async () => (await readdir('/proc/self/fd')).length;

const fixture = mediaFixture('media-flush-');
beforeAll(() => {
  ({ sim, root, source, recording, full } = fixture);
});

describe('media downloads with early writeback', () => {
  it('writes exactly the object when flushing every 8 KiB', async () => {
    const file = path.join(root, 'fresh.mp4');
    const r = await downloadRecordingFile({ ...mediaOf(source, recording), file, mediaGet });
    expect(r).toMatchObject({ status: 'downloaded', bytes: full.length });
    expect(sha(await readFile(file))).toBe(sha(full));
  });

  it('resumes with Range (append) and sends only the missing bytes', async () => {
    const file = path.join(root, 'resume.mp4');
    const have = 40_000;
    await writeFile(`${file}.part`, full.subarray(0, have));
    await writeFile(`${file}.part.json`, JSON.stringify({ recordId: recording.recordingId, expectedSize: full.length, etag: null, sha256: null }));
    await downloadRecordingFile({ ...mediaOf(source, recording), file, mediaGet });
    expect(sha(await readFile(file))).toBe(sha(full));
    expect(sim.counters().bytesMedia).toBe(full.length - have);
  });

  it('keeps every byte across signed URLs expiring mid-file (same transfers as without flushing)', async () => {
    const run = async (name: string, get?: typeof mediaGet) => {
      await fixture.relist();
      sim.resetCounters();
      sim.setFaults({ expireAfterBytes: 24 * 1024 });
      const file = path.join(root, name);
      const r = await downloadRecordingFile({ ...mediaOf(source, recording), file, mediaGet: get, backoffMs: 1 });
      expect(sha(await readFile(file))).toBe(sha(full));
      return { mints: r.mints, sent: sim.counters().bytesMedia };
    };
    const flushed = await run('expiring-flushed.mp4', mediaGet);
    const plain = await run('expiring-plain.mp4');
    expect(flushed.mints).toBeGreaterThan(1);
    expect(flushed).toEqual(plain);
  });
});

describe('backgroundFlush', () => {
  it('is a no-op on macOS and never rejects when the file is missing', async () => {
    const mac = backgroundFlush(path.join(root, 'nope'), 1, 'darwin');
    mac.wrote(10);
    await expect(mac.close()).resolves.toBeUndefined();
    const missing = backgroundFlush(path.join(root, 'missing.bin'), 1, 'linux');
    missing.wrote(10);
    await expect(missing.close()).resolves.toBeUndefined();
  });

  it('never changes the file and closes its handle', async () => {
    const file = path.join(root, 'flush.bin');
    const data = Buffer.alloc(64 * 1024, 9);
    await writeFile(file, data);
    const fdsBefore = canCountFds ? await openFds() : 0;
    const f = backgroundFlush(file, 1, 'linux');
    for (let i = 0; i < 20; i++) f.wrote(4096);
    await f.close();
    expect((await stat(file)).size).toBe(data.length);
    expect(sha(await readFile(file))).toBe(sha(data));
    if (canCountFds) expect(await openFds()).toBe(fdsBefore);
  });
});
