// What one recording's download does with each answer a storage server may give besides a clean
// 200/206: 416 on a resume, a 5xx, a 404, a 206 for a range it was not asked for, a body of
// unknown length, a .part longer than the object, a server that cannot be reached, and a file
// whose folder is a file. The simulator's storage route serves the real cases; a scripted
// loopback server serves the answers the simulator never gives. Every test reads the result back.
import { randomBytes } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { downloadRecordingFile } from '../../../src-main/core/export/media/download-file';
import type { SourceMedia } from '../../../src-main/core/sources/source';
import { capture, mediaFixture, mediaOf, type Capture } from './export-helpers';

const fixture = mediaFixture('media-answers-');
const fixed = (url: string): Pick<SourceMedia, 'url' | 'freshUrl'> => ({ url: async () => ({ url, requests: 0 }), freshUrl: async () => ({ url, requests: 0 }) });
/** A .part left by an earlier run, with its checkpoint as the downloader writes it. */
async function partFile(file: string, bytes: Buffer, sidecar: { recordId: string; expectedSize: number | null; etag?: string | null }) {
  await writeFile(`${file}.part`, bytes);
  await writeFile(`${file}.part.json`, JSON.stringify({ etag: null, sha256: null, ...sidecar }));
}
const gone = async (p: string) => expect(stat(p)).rejects.toMatchObject({ code: 'ENOENT' });

let servers: Capture[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});
const serve = async (answer: (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void) => {
  const s = await capture(answer);
  servers.push(s);
  return s;
};

describe('the storage server’s answers (simulator)', () => {
  it('a .part holding every byte of an object of unknown size is published when the server answers 416 for the rest', async () => {
    const { source, recording, full, root } = fixture;
    const file = path.join(root, 'complete-part.mp4');
    const info = { ...mediaOf(source, recording).fileInfo, size: null };
    await partFile(file, full, { recordId: info.id, expectedSize: null });
    const r = await downloadRecordingFile({ ...mediaOf(source, recording), fileInfo: info, file });
    expect(r).toMatchObject({ status: 'downloaded', bytes: full.length });
    expect((await readFile(file)).equals(full)).toBe(true);
    expect(fixture.sim.counters()).toMatchObject({ bytesMedia: 0, mediaRequests: 1, byStatus: { 416: 1 } });
    await gone(`${file}.part`);
  });

  it('a .part longer than the object is discarded: after the 416 the whole object comes again', async () => {
    const { source, recording, full, root } = fixture;
    const file = path.join(root, 'long-part-unknown.mp4');
    const info = { ...mediaOf(source, recording).fileInfo, size: null };
    await partFile(file, Buffer.concat([full, Buffer.from('trailing junk')]), { recordId: info.id, expectedSize: null });
    const r = await downloadRecordingFile({ ...mediaOf(source, recording), fileInfo: info, file, backoffMs: 1 });
    expect(r.bytes).toBe(full.length);
    expect((await readFile(file)).equals(full)).toBe(true);
    expect(fixture.sim.counters()).toMatchObject({ bytesMedia: full.length, mediaRequests: 2, byStatus: { 416: 1 } });
  });

  it('a .part longer than the known size is discarded before anything is asked for', async () => {
    const { source, recording, full, root } = fixture;
    const file = path.join(root, 'long-part-known.mp4');
    const media = mediaOf(source, recording);
    await partFile(file, Buffer.concat([full, Buffer.alloc(100)]), { recordId: media.fileInfo.id, expectedSize: full.length });
    const r = await downloadRecordingFile({ ...media, file });
    expect(r.bytes).toBe(full.length);
    expect((await readFile(file)).equals(full)).toBe(true);
    expect(fixture.sim.counters()).toMatchObject({ bytesMedia: full.length, mediaRequests: 1 });
    expect(fixture.sim.counters().byStatus[416]).toBeUndefined();
  });

  it('retries a 503 from the storage server and gets every byte', async () => {
    const { source, recording, full, root } = fixture;
    fixture.sim.setFaults({ rules: [{ match: '/storage/', kind: 'error', status: 503, count: 2 }] });
    const file = path.join(root, 'after-503.mp4');
    const r = await downloadRecordingFile({ ...mediaOf(source, recording), file, backoffMs: 1 });
    expect(r.bytes).toBe(full.length);
    expect((await readFile(file)).equals(full)).toBe(true);
    expect(fixture.sim.counters()).toMatchObject({ mediaRequests: 3, byStatus: { 503: 2 } });
  });

  it('gives up on a 503 that never ends with the server’s status, keeping nothing that looks finished', async () => {
    const { source, recording, root } = fixture;
    fixture.sim.setFaults({ rules: [{ match: '/storage/', kind: 'error', status: 503, count: 100 }] });
    const file = path.join(root, 'always-503.mp4');
    await expect(downloadRecordingFile({ ...mediaOf(source, recording), file, backoffMs: 1, maxStalls: 2 })).rejects.toMatchObject({ code: 'SERVER', status: 503, message: 'The storage server answered 503.' });
    await gone(file);
  });

  it('an object the storage server does not have fails at once as NOT_FOUND, in words', async () => {
    const { recording, root } = fixture;
    const file = path.join(root, 'missing.mp4');
    const url = `${fixture.sim.baseUrl.replace(/\/api\/v3$/, '')}/storage/${String(recording.roomId)}/no-such-recording.mp4`;
    await expect(downloadRecordingFile({ links: fixed(url), recording, fileInfo: { id: 'rec_missing', size: null, sha256: null }, file })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      status: 404,
      message: 'The recording rec_missing could not be downloaded (the storage server answered 404).',
    });
    await gone(file);
  });
});

describe('answers the simulator never gives (scripted server)', () => {
  const body = randomBytes(50_000);

  it('a 206 for another range than the one asked for: the .part is dropped and the whole object fetched', async () => {
    const s = await serve((req, res) => {
      if (req.headers.range) {
        res.writeHead(206, { 'Content-Range': `bytes 0-99/${body.length}`, 'Content-Length': 100 });
        res.end(body.subarray(0, 100));
      } else {
        res.writeHead(200, { 'Content-Length': body.length });
        res.end(body);
      }
    });
    const file = path.join(fixture.root, 'wrong-range.bin');
    await partFile(file, body.subarray(0, 20_000), { recordId: 'rec_range', expectedSize: body.length });
    const r = await downloadRecordingFile({ links: fixed(`${s.origin}/obj`), recording: {}, fileInfo: { id: 'rec_range', size: body.length, sha256: null }, file });
    expect(r.bytes).toBe(body.length);
    expect((await readFile(file)).equals(body)).toBe(true);
    expect(s.seen.map((x) => x.headers.range ?? null)).toEqual(['bytes=20000-', null]);
  });

  it('a body without a length, of an object of unknown size, is taken as complete when it ends', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'video/mp4' }); // chunked: no Content-Length
      res.write(body.subarray(0, 30_000));
      res.end(body.subarray(30_000));
    });
    const file = path.join(fixture.root, 'chunked.bin');
    const r = await downloadRecordingFile({ links: fixed(`${s.origin}/obj`), recording: {}, fileInfo: { id: 'rec_chunked', size: null, sha256: null }, file });
    expect(r).toMatchObject({ status: 'downloaded', bytes: body.length });
    expect((await readFile(file)).equals(body)).toBe(true);
  });

  it('an object smaller than the listing said is not published', async () => {
    // The server holds 50,000 bytes, all of them in the .part already; the listing said 60,000.
    const s = await serve((_req, res) => {
      res.writeHead(416, { 'Content-Range': `bytes */${body.length}` });
      res.end();
    });
    const file = path.join(fixture.root, 'shrunk.bin');
    await partFile(file, body, { recordId: 'rec_shrunk', expectedSize: 60_000 });
    await expect(downloadRecordingFile({ links: fixed(`${s.origin}/obj`), recording: {}, fileInfo: { id: 'rec_shrunk', size: 60_000, sha256: null }, file })).rejects.toMatchObject({
      code: 'BAD_RESPONSE',
      message: `The recording rec_shrunk has ${body.length} bytes on the storage server, but its listing says 60000.`,
    });
    await gone(file);
    expect((await stat(`${file}.part`)).size).toBe(body.length); // the bytes are kept for a retry
  });

  it('a server that cannot be reached fails as UNREACHABLE after the allowed attempts', async () => {
    const s = await serve((_req, res) => res.end());
    const url = `${s.origin}/obj`;
    await s.close(); // nothing listens there any more
    const file = path.join(fixture.root, 'unreachable.bin');
    const attempt = downloadRecordingFile({ links: fixed(url), recording: {}, fileInfo: { id: 'rec_down', size: 10, sha256: null }, file, backoffMs: 1, maxStalls: 2 });
    await expect(attempt).rejects.toMatchObject({ code: 'UNREACHABLE', message: 'The recording rec_down could not be downloaded: the connection kept failing.', cause: { code: 'ECONNREFUSED' } });
    await gone(file);
  });

  it('a file whose folder is a file fails with that disk error before anything is fetched', async () => {
    const s = await serve((_req, res) => res.end());
    const blocker = path.join(fixture.root, 'not-a-folder');
    await writeFile(blocker, 'x');
    const attempt = downloadRecordingFile({ links: fixed(`${s.origin}/obj`), recording: {}, fileInfo: { id: 'rec_dir', size: 10, sha256: null }, file: path.join(blocker, 'rec.bin') });
    await expect(attempt).rejects.toMatchObject({ code: 'ENOTDIR' });
    expect(s.seen).toHaveLength(0);
  });
});
