// Resumable media against the simulator's storage route: a partial `.part` resumes with Range and
// transfers only the missing bytes; a stale ETag (If-Range) gets a 200 and restarts the file; a
// `.part` of another object is discarded; a complete file is skipped without minting.
import { createHash } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { downloadRecordingFile } from '../../../src-main/core/export/media/download-file';
import type { Source } from '../../../src-main/core/sources/source';
import type { Simulator } from '../../sim/index';
import { mediaFixture, mediaOf } from './export-helpers';

let sim: Simulator;
let root: string;
let source: Source;
let recording: Record<string, unknown>;
let full: Buffer;

const fixture = mediaFixture('export-media-');
beforeAll(() => {
  ({ sim, root, source, recording, full } = fixture);
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('media downloads', () => {
  it('resumes a partial file with Range and transfers only the missing bytes', async () => {
    const file = path.join(root, 'resume.mp4');
    const have = 40_000;
    await writeFile(`${file}.part`, full.subarray(0, have));
    await writeFile(`${file}.part.json`, JSON.stringify({ recordId: recording.recordingId, expectedSize: full.length, etag: null, sha256: null }));
    const r = await downloadRecordingFile({ ...mediaOf(source, recording), file });
    expect(r.status).toBe('downloaded');
    expect(sha(await readFile(file))).toBe(sha(full));
    expect(sim.counters().bytesMedia).toBe(full.length - have);
    expect(sim.counters().byStatus['206']).toBe(1);
    await expect(stat(`${file}.part`)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(stat(`${file}.part.json`)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('restarts the file when If-Range finds the object changed (200 instead of 206)', async () => {
    const file = path.join(root, 'changed.mp4');
    await writeFile(`${file}.part`, Buffer.alloc(30_000, 7)); // bytes of some other version
    await writeFile(`${file}.part.json`, JSON.stringify({ recordId: recording.recordingId, expectedSize: full.length, etag: '"stale-version"', sha256: null }));
    await downloadRecordingFile({ ...mediaOf(source, recording), file });
    expect(sha(await readFile(file))).toBe(sha(full));
    expect(sim.counters().byStatus['200']).toBeGreaterThanOrEqual(1);
    expect(sim.counters().bytesMedia).toBe(full.length);
  });

  it('discards a .part that belongs to another recording', async () => {
    const file = path.join(root, 'other.mp4');
    await writeFile(`${file}.part`, Buffer.alloc(50_000, 1));
    await writeFile(`${file}.part.json`, JSON.stringify({ recordId: 'someone-else', expectedSize: 123, etag: null, sha256: null }));
    await downloadRecordingFile({ ...mediaOf(source, recording), file });
    expect(sha(await readFile(file))).toBe(sha(full));
  });

  it('skips a complete file without minting a URL', async () => {
    const file = path.join(root, 'resume.mp4');
    const mintsBefore = sim.counters().mints;
    const r = await downloadRecordingFile({ ...mediaOf(source, recording), file });
    expect(r).toMatchObject({ status: 'skipped', mints: 0 });
    expect(sim.counters().mints).toBe(mintsBefore);
  });

  it('re-mints an expired signed URL and resumes; gives up clearly when every link is refused', async () => {
    const file = path.join(root, 'expired.mp4');
    sim.setFaults({ expireAfterBytes: 64 * 1024 });
    const r = await downloadRecordingFile({ ...mediaOf(source, recording), file, backoffMs: 5 });
    expect(r.mints).toBeGreaterThan(1);
    expect(sha(await readFile(file))).toBe(sha(full));
    sim.setFaults({ expireAfterBytes: null, expireSignedUrls: true });
    await expect(downloadRecordingFile({ ...mediaOf(source, recording), file: path.join(root, 'never.mp4'), backoffMs: 5 })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
