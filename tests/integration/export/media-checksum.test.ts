// SHA-256 verification of recordings against the simulator: the hash is computed inline while the
// bytes are written (also across a signed URL expiring mid-file), re-read from disk only for a
// .part left by an earlier run, and a mismatch discards the copy with a plain-words error.
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
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

// The recording's checksum, as the source reads it from the record.
const sha256Of = (r: Record<string, unknown>) => fixture.source.media!.fileOf(r)!.sha256;
const fixture = mediaFixture('media-checksum-', (r) => sha256Of(r) !== null);
beforeAll(() => {
  ({ sim, root, source, recording, full } = fixture);
  expect(sha256Of(recording)).toBe(sha(full));
});

describe('recording checksums', () => {
  it('verifies a fresh download inline', async () => {
    const file = path.join(root, 'fresh.mp4');
    const r = await downloadRecordingFile({ ...mediaOf(source, recording), file });
    expect(r).toMatchObject({ status: 'downloaded', checksumBy: 'inline' });
    expect(sha(await readFile(file))).toBe(sha(full));
  });

  it('keeps the inline hash across signed URLs expiring mid-file', async () => {
    sim.setFaults({ expireAfterBytes: 48 * 1024 });
    const file = path.join(root, 'expiring.mp4');
    const r = await downloadRecordingFile({ ...mediaOf(source, recording), file, backoffMs: 1 });
    expect(r.mints).toBeGreaterThan(1);
    expect(r.checksumBy).toBe('inline');
    expect(sha(await readFile(file))).toBe(sha(full));
  });

  it('re-reads the file when the .part came from an earlier run', async () => {
    const file = path.join(root, 'resume.mp4');
    const have = 40_000;
    await writeFile(`${file}.part`, full.subarray(0, have));
    await writeFile(`${file}.part.json`, JSON.stringify({ recordId: recording.recordingId, expectedSize: full.length, etag: null, sha256: null }));
    const r = await downloadRecordingFile({ ...mediaOf(source, recording), file });
    expect(r.checksumBy).toBe('file');
    expect(sim.counters().bytesMedia).toBe(full.length - have);
    expect(sha(await readFile(file))).toBe(sha(full));
  });

  it('discards a copy whose bytes do not match the checksum', async () => {
    const file = path.join(root, 'damaged.mp4');
    const wrong = { ...recording, checksum: { sha256: sha(Buffer.from('something else')) } };
    await expect(downloadRecordingFile({ ...mediaOf(source, wrong), file })).rejects.toMatchObject({ code: 'BAD_RESPONSE', message: expect.stringContaining('damaged') });
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(stat(`${file}.part`)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('rejects a .part from an earlier run whose bytes were corrupted', async () => {
    const file = path.join(root, 'corrupt.mp4');
    const have = 40_000;
    const bad = Buffer.from(full.subarray(0, have));
    bad[1234] ^= 0xff;
    await writeFile(`${file}.part`, bad);
    await writeFile(`${file}.part.json`, JSON.stringify({ recordId: recording.recordingId, expectedSize: full.length, etag: null, sha256: null }));
    await expect(downloadRecordingFile({ ...mediaOf(source, recording), file })).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
    await expect(stat(`${file}.part`)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
