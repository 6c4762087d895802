// How recordings are reached, and that no credential goes with them: a listed downloadUrl is used
// as it is; once expired it comes back fresh from listing the recording's room again (one request,
// counted in the plan); the mint route mints again; a signed URL is fetched without the API key,
// also across redirects, which are bounded; an absolute downloadPath on another origin is refused.
// Capture servers on loopback record every request header they receive.
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { downloadRecordingFile } from '../../../src-main/core/export/media/download-file';
import { nodeMediaGet } from '../../../src-main/core/export/media/media-http';
import { createPlan } from '../../../src-main/core/plan/planner';
import { startSimulator, type Simulator } from '../../sim/index';
import { fakeClock } from '../../sim/test-helpers';
import { baseRequest, capture, exportOnce, makeSource, removeDir, tempDir, mediaOf, type Capture } from './export-helpers';

const redirectTo = (location: string) => (_req: http.IncomingMessage, res: http.ServerResponse) => {
  res.writeHead(307, { Location: location });
  res.end();
};

const CREDENTIAL_HEADERS = ['x-api-key', 'authorization', 'cookie', 'x-organization-id', 'proxy-authorization'];
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const clock = fakeClock(Date.now());
let sim: Simulator;
let root: string;
let captures: Capture[] = [];
beforeAll(async () => {
  sim = await startSimulator({ scale: 'tiny', seed: 5, now: clock.now, signedUrlTtlSec: 600 });
  root = await tempDir('media-links-');
});
afterAll(async () => {
  await sim?.close();
  await removeDir(root);
});
afterEach(async () => {
  await Promise.all(captures.map((c) => c.close()));
  captures = [];
  sim.resetShapes();
  sim.resetFaults();
  sim.resetCounters();
});
const track = (c: Capture) => (captures.push(c), c);

async function listedRecording(source = makeSource(sim)) {
  const exp = sim.dataset.experiments()[0];
  const rec = (await source.fetchPage({ type: 'recordings', scope: 'experiment', scopeId: exp.id }, {})).records[0];
  return { source, rec, full: sim.dataset.mediaBytes(String(rec.roomId), String(rec.recordingId)) };
}

describe('signed URLs carry no credential', () => {
  it('fetches a listed downloadUrl without the key, also across a redirect to another origin', async () => {
    const { source, rec, full } = await listedRecording();
    const second = track(await capture(redirectTo(String(rec.downloadUrl))));
    const first = track(await capture(redirectTo(`${second.origin}/next`)));
    const file = path.join(root, 'redirected.mp4');
    const before = source.requestsMade();
    const r = await downloadRecordingFile({ ...mediaOf(source, { ...rec, downloadUrl: `${first.origin}/signed?x=1` }), file });
    expect(r).toMatchObject({ status: 'downloaded', mints: 0 });
    expect(source.requestsMade()).toBe(before); // the listed link costs no API request
    expect(sha(await readFile(file))).toBe(sha(full));
    for (const c of [first, second]) {
      expect(c.seen).toHaveLength(1);
      for (const h of CREDENTIAL_HEADERS) expect(c.seen[0].headers[h], h).toBeUndefined();
    }
  });

  it('sends only Range and If-Range, whatever headers it is handed', async () => {
    const c = track(await capture((_req, res) => res.end('ok')));
    const res = await nodeMediaGet(`${c.origin}/x`, { Range: 'bytes=0-1', 'If-Range': '"e1"', 'X-API-Key': sim.apiKey, Authorization: 'Bearer secret', Cookie: 'sid=1', 'X-Organization-Id': sim.orgId }, undefined);
    res.discard();
    const h = c.seen[0].headers;
    expect(h.range).toBe('bytes=0-1');
    expect(h['if-range']).toBe('"e1"');
    for (const name of CREDENTIAL_HEADERS) expect(h[name], name).toBeUndefined();
  });

  it('drops a user:password part from a link and from a redirect', async () => {
    const target = track(await capture((_req, res) => res.end('ok')));
    const hop = track(await capture(redirectTo(target.origin.replace('http://', 'http://bob:hunter2@') + '/file')));
    const res = await nodeMediaGet(hop.origin.replace('http://', 'http://alice:s3cret@') + '/start', {}, undefined);
    res.discard();
    expect(hop.seen[0].headers.authorization).toBeUndefined();
    expect(target.seen).toHaveLength(1);
    expect(target.seen[0].headers.authorization).toBeUndefined();
  });

  it('follows at most 5 redirects, then fails that recording with a clear error (no retries)', async () => {
    const { source, rec } = await listedRecording();
    // Redirects to itself forever; after 20 hops it gives up, so an unbounded client ends too.
    const loop: Capture = track(await capture((_req, res, n) => (n > 20 ? (res.writeHead(500), res.end()) : redirectTo(`${loop.origin}/again/${n}`)(_req, res))));
    const attempt = downloadRecordingFile({ ...mediaOf(source, { ...rec, downloadUrl: `${loop.origin}/start` }), file: path.join(root, 'loop.mp4'), backoffMs: 1, maxStalls: 2 });
    await expect(attempt).rejects.toMatchObject({ code: 'BAD_RESPONSE', message: expect.stringMatching(/redirected the download more than 5 times/) });
    expect(loop.seen).toHaveLength(6); // the request and five redirects
  });

  it('refuses an absolute downloadPath on another origin (nothing is sent there), and mints one on the API origin', async () => {
    sim.setShapes({ recordingLinks: 'downloadPath' });
    const { source, rec } = await listedRecording();
    const elsewhere = track(await capture((_req, res) => res.end('{"status":"success","data":{"url":"http://127.0.0.1:9/x"}}')));
    const foreign = { ...rec, downloadPath: `${elsewhere.origin}/api/v3${rec.downloadPath}` };
    await expect(source.media!.url(foreign)).rejects.toMatchObject({ code: 'CROSS_ORIGIN', message: expect.stringContaining(new URL(elsewhere.origin).host) });
    expect(elsewhere.seen).toHaveLength(0);
    const file = path.join(root, 'foreign.mp4');
    await expect(downloadRecordingFile({ ...mediaOf(source, foreign), file })).rejects.toMatchObject({ code: 'CROSS_ORIGIN' });
    expect(elsewhere.seen).toHaveLength(0);
    const own = (await source.media!.url({ ...rec, downloadPath: `${sim.baseUrl}${rec.downloadPath}` })).url;
    expect(own.startsWith(`${sim.storageOrigin}/storage/`)).toBe(true);
    expect(sim.counters().mints).toBe(1);
  });
});

describe('fresh links', () => {
  it('mints again through downloadPath when a minted URL expires mid-file', async () => {
    sim.setShapes({ recordingLinks: 'downloadPath' });
    const { source, rec, full } = await listedRecording();
    sim.setFaults({ expireAfterBytes: 32 * 1024 });
    const r = await downloadRecordingFile({ ...mediaOf(source, rec), file: path.join(root, 'reminted.mp4'), backoffMs: 1 });
    expect(r.mints).toBeGreaterThan(1);
    expect(sim.counters().mints).toBe(r.mints);
    expect(sim.counters().byEndpoint['/data/recordings/room/{id}']).toBeUndefined();
    expect(sha(await readFile(path.join(root, 'reminted.mp4')))).toBe(sha(full));
  });

  it('lists the room again for every downloadUrl that expired between plan and download: one request each, within the plan', async () => {
    const exp = sim.dataset.experiments()[0];
    const source = makeSource(sim);
    const request = baseRequest(exp.id, { types: ['events', 'recordings'], includeRecordings: true, destination: root });
    const plan = await createPlan(source, { target: request.target, types: request.types, includeRecordings: true });
    const files = plan.recordings.length;
    expect(files).toBeGreaterThan(0);
    expect(plan.plan.mediaRequests).toBe(files); // one link request per recording
    expect(plan.plan.mediaReserve).toBe(files); // each only if its listed link expires first
    clock.advance(601_000); // every listed link has expired
    sim.resetCounters();
    const r = await exportOnce(sim, request, path.join(root, 'expired'), { source, plan });
    const c = sim.counters();
    expect(c.byStatus['403']).toBe(files);
    expect(c.byEndpoint['/data/recordings/room/{id}']).toBe(files);
    expect(c.mints).toBe(0);
    const manifest = JSON.parse(await readFile(path.join(r.outputPath, 'metadata.json'), 'utf8'));
    expect(manifest.requests.used).toBeLessThanOrEqual(manifest.requests.planned);
    const got = await readdir(path.join(r.outputPath, 'recordings'));
    const hashes = await Promise.all(got.map(async (n) => sha(await readFile(path.join(r.outputPath, 'recordings', n)))));
    expect(hashes.sort()).toEqual(sim.dataset.recordings(exp.id).map((x) => x.sha256).sort());
    const csv = await readFile(path.join(r.outputPath, 'recordings.csv'), 'utf8');
    expect(csv).not.toContain('sig='); // signed links stay out of the files
  });
});
