// The mint route and the storage origin: Range/206, Content-Range, ETag, If-Range, 416, expiry, media faults.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type RecordingInfo, type Simulator } from './index';
import { fakeClock, getJson } from './test-helpers';

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function mint(s: Simulator, rec: RecordingInfo): Promise<string> {
  const { status, body } = await getJson(s, rec.downloadPath);
  expect(status).toBe(200);
  expect(body).toEqual({ status: 'success', data: { url: expect.any(String) } });
  return body.data.url;
}

function sha(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

describe('mint and storage', () => {
  it('mints an absolute signed URL on the storage origin and serves the whole file with validators', async () => {
    sim = await startSimulator();
    const rec = sim.dataset.recordings()[0];
    const url = await mint(sim, rec);
    expect(url.startsWith(sim.storageOrigin + '/storage/')).toBe(true);
    expect(url).toMatch(/[?&]expires=\d+/);
    const res = await fetch(url); // no API key: signed URLs stand alone
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(rec.size));
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]+"$/);
    expect(res.headers.get('content-type')).toBe(rec.format === 'mp4' ? 'video/mp4' : 'audio/webm');
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.length).toBe(rec.size);
    expect(sha(body)).toBe(rec.sha256);
    expect(body.equals(sim.dataset.mediaBytes(rec.roomId, rec.recordingId))).toBe(true);
    expect(sim.counters().mints).toBe(1);
    expect(sim.counters().bytesMedia).toBe(rec.size);
  });

  it('serves the hostile-looking recording id through an encoded downloadPath', async () => {
    sim = await startSimulator();
    const rec = sim.dataset.recordings().find((r) => r.recordingId.includes('..'))!;
    expect(rec).toBeDefined();
    expect(rec.roomId).toContain('..');
    const res = await fetch(await mint(sim, rec));
    expect(res.status).toBe(200);
    expect(sha(Buffer.from(await res.arrayBuffer()))).toBe(rec.sha256);
  });

  it('answers Range requests with 206, Content-Range and the right bytes', async () => {
    sim = await startSimulator();
    const rec = sim.dataset.recordings()[1];
    const url = await mint(sim, rec);
    const full = sim.dataset.mediaBytes(rec.roomId, rec.recordingId);
    const cases: Array<[string, number, number]> = [
      ['bytes=0-99', 0, 99],
      ['bytes=70000-', 70000, rec.size - 1],
      ['bytes=-500', rec.size - 500, rec.size - 1],
      [`bytes=100-${rec.size + 10}`, 100, rec.size - 1],
    ];
    for (const [range, start, end] of cases) {
      const res = await fetch(url, { headers: { Range: range } });
      expect(res.status).toBe(206);
      expect(res.headers.get('content-range')).toBe(`bytes ${start}-${end}/${rec.size}`);
      expect(res.headers.get('content-length')).toBe(String(end - start + 1));
      expect(Buffer.from(await res.arrayBuffer()).equals(full.subarray(start, end + 1))).toBe(true);
    }
  });

  it('answers a range past the end with 416 and bytes */size', async () => {
    sim = await startSimulator();
    const rec = sim.dataset.recordings()[0];
    const res = await fetch(await mint(sim, rec), { headers: { Range: `bytes=${rec.size}-` } });
    expect(res.status).toBe(416);
    expect(res.headers.get('content-range')).toBe(`bytes */${rec.size}`);
  });

  it('honours If-Range: matching ETag → 206, stale ETag → 200 with the whole file', async () => {
    sim = await startSimulator();
    const rec = sim.dataset.recordings()[0];
    const url = await mint(sim, rec);
    const etag = (await fetch(url, { method: 'HEAD' })).headers.get('etag')!;
    const fresh = await fetch(url, { headers: { Range: 'bytes=10-19', 'If-Range': etag } });
    expect(fresh.status).toBe(206);
    await fresh.arrayBuffer();
    const stale = await fetch(url, { headers: { Range: 'bytes=10-19', 'If-Range': '"stale-etag"' } });
    expect(stale.status).toBe(200);
    expect(Buffer.from(await stale.arrayBuffer()).length).toBe(rec.size);
  });

  it('refuses a URL after its expiry time (403) and a tampered signature', async () => {
    const clock = fakeClock();
    sim = await startSimulator({ now: clock.now, signedUrlTtlSec: 600 });
    const rec = sim.dataset.recordings()[0];
    const url = await mint(sim, rec);
    clock.advance(599_000);
    const ok = await fetch(url, { headers: { Range: 'bytes=0-0' } });
    expect(ok.status).toBe(206);
    await ok.arrayBuffer();
    clock.advance(2000);
    const expired = await fetch(url);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('ExpiredToken');
    const fresh = await mint(sim, rec);
    const tampered = fresh.replace(/sig=([0-9a-f])/, (_m, c) => `sig=${c === '0' ? '1' : '0'}`);
    const bad = await fetch(tampered);
    expect(bad.status).toBe(403);
    expect(await bad.text()).toContain('SignatureDoesNotMatch');
    expect((await fetch(fresh, { method: 'HEAD' })).status).toBe(200);
  });

  it('404s the mint for an unknown recording or a recording in another room', async () => {
    sim = await startSimulator();
    const [a, b] = sim.dataset.recordings();
    expect((await getJson(sim, `/data/recordings/download/${encodeURIComponent(a.roomId)}/EG_nope`)).status).toBe(404);
    expect((await getJson(sim, `/data/recordings/download/${encodeURIComponent(a.roomId)}/${encodeURIComponent(b.recordingId)}`)).status).toBe(404);
  });
});

describe('media faults', () => {
  it('expires every signed URL on demand (expireSignedUrls)', async () => {
    sim = await startSimulator();
    const rec = sim.dataset.recordings()[0];
    const url = await mint(sim, rec);
    sim.setFaults({ expireSignedUrls: true });
    expect((await fetch(url)).status).toBe(403);
    sim.resetFaults();
    expect((await fetch(url)).status).toBe(200);
  });

  it('cuts a download after N bytes and then refuses the URL until a new one is minted (expireAfterBytes)', async () => {
    sim = await startSimulator({ faults: { expireAfterBytes: 50_000 } });
    const rec = sim.dataset.recordings()[0];
    const url = await mint(sim, rec);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    await expect(res.arrayBuffer()).rejects.toThrow();
    expect((await fetch(url, { headers: { Range: 'bytes=50000-' } })).status).toBe(403);
    // A fresh URL resumes from where the cut happened.
    const again = await fetch(await mint(sim, rec), { headers: { Range: 'bytes=50000-99999' } });
    expect(again.status).toBe(206);
    const part = Buffer.from(await again.arrayBuffer());
    expect(part.equals(sim.dataset.mediaBytes(rec.roomId, rec.recordingId, 50_000, 100_000))).toBe(true);
    expect(sim.counters().faults.expireAfterBytes).toBe(1);
  });

  it('resets the connection mid-body when a rule says so', async () => {
    sim = await startSimulator();
    const rec = sim.dataset.recordings()[0];
    const url = await mint(sim, rec);
    sim.setFaults({ rules: [{ match: '^/storage/', kind: 'reset', count: 1, afterBytes: 1000 }] });
    const res = await fetch(url);
    await expect(res.arrayBuffer()).rejects.toThrow();
    const ok = await fetch(url);
    expect(Buffer.from(await ok.arrayBuffer()).length).toBe(rec.size);
    expect(sim.counters().faults.reset).toBe(1);
  });

  it('sends a wrong Content-Length (overstated → premature close; understated → short body)', async () => {
    sim = await startSimulator({ faults: { mediaLengthDelta: 4096 } });
    const rec = sim.dataset.recordings()[0];
    const url = await mint(sim, rec);
    const over = await fetch(url);
    expect(over.headers.get('content-length')).toBe(String(rec.size + 4096));
    await expect(over.arrayBuffer()).rejects.toThrow();
    sim.setFaults({ mediaLengthDelta: -100 });
    const under = await fetch(url);
    expect(under.headers.get('content-length')).toBe(String(rec.size - 100));
    expect(Buffer.from(await under.arrayBuffer()).length).toBe(rec.size - 100);
  });
});
