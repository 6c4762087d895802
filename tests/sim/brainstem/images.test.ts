// dataacquisition.image points at real PNGs on a separate image origin (reference §5.1), served
// without auth, with ETag/304, Range/206 and 416. Checked with the independent `file` tool.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrainstemSimulator, type BrainstemSimulator } from './index';

let sim: BrainstemSimulator;
let imageUrls: string[];

beforeAll(async () => {
  sim = await startBrainstemSimulator({ scale: 'tiny', seed: 1 });
  imageUrls = [...new Set(sim.dataset.rows('dataacquisition').map((d) => d.image as string | null))].filter((u): u is string => u !== null);
});
afterAll(() => sim.close());

const hasFile = spawnSync('file', ['--version']).status === 0;

describe('image URLs', () => {
  it('some acquisitions have an image, others null, all on an origin other than the API', () => {
    const das = sim.dataset.rows('dataacquisition');
    expect(das.some((d) => d.image === null)).toBe(true);
    expect(imageUrls.length).toBeGreaterThan(1);
    for (const u of imageUrls) {
      const url = new URL(u);
      expect(url.origin).toBe(sim.imagesOrigin);
      expect(url.origin).not.toBe(sim.origin);
      expect(url.pathname).toMatch(/^\/images\/[a-z-]+\.png$/);
    }
  });

  it('images embedded in session descriptions live on the same image origin', () => {
    const embedded = sim.dataset.rows('session').flatMap((s) => [...(s.description as string).matchAll(/<img src="([^"]+)"/g)].map((m) => m[1]));
    expect(embedded.length).toBeGreaterThan(0);
    for (const u of embedded) expect(new URL(u).origin).toBe(sim.imagesOrigin);
  });
});

describe('the image origin', () => {
  it('serves a valid PNG without auth whose bytes match the dataset', async () => {
    for (const u of imageUrls) {
      const res = await fetch(u);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(Number(res.headers.get('content-length'))).toBe(bytes.length);
      const info = sim.dataset.images().find((i) => i.url === u)!;
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(info.sha256);
      expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    }
  });

  it.skipIf(!hasFile)('`file` recognises each image as a PNG of its stated size', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bs-png-'));
    try {
      for (const img of sim.dataset.images()) {
        const path = join(dir, img.name);
        writeFileSync(path, img.bytes);
        const out = spawnSync('file', ['-b', path], { encoding: 'utf8' }).stdout;
        expect(out).toContain(`PNG image data, ${img.width} x ${img.height}, 8-bit/color RGB`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('supports ETag/304, Range/206, If-Range and 416', async () => {
    const u = imageUrls[0];
    const full = await fetch(u);
    const bytes = Buffer.from(await full.arrayBuffer());
    const etag = full.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]+"$/);
    expect(full.headers.get('accept-ranges')).toBe('bytes');
    expect((await fetch(u, { headers: { 'If-None-Match': etag } })).status).toBe(304);
    const part = await fetch(u, { headers: { Range: 'bytes=10-99' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 10-99/${bytes.length}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(bytes.subarray(10, 100));
    const stale = await fetch(u, { headers: { Range: 'bytes=10-99', 'If-Range': '"other"' } });
    expect(stale.status).toBe(200);
    await stale.arrayBuffer();
    const past = await fetch(u, { headers: { Range: `bytes=${bytes.length}-` } });
    expect(past.status).toBe(416);
    const head = await fetch(u, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBe(bytes.length);
  });

  it('404s an unknown image, and the API origin does not serve images', async () => {
    expect((await fetch(`${sim.imagesOrigin}/images/nope.png`)).status).toBe(404);
    expect((await fetch(`${sim.origin}${new URL(imageUrls[0]).pathname}`)).status).toBe(404);
  });

  it('counts image requests that carry an Authorization header (a credential sent to another origin)', async () => {
    sim.resetCounters();
    await (await fetch(imageUrls[0])).arrayBuffer();
    expect(sim.counters()).toMatchObject({ imageRequests: 1, imageRequestsWithAuthorization: 0 });
    await (await fetch(imageUrls[0], { headers: { Authorization: `Bearer ${sim.token}` } })).arrayBuffer();
    expect(sim.counters()).toMatchObject({ imageRequests: 2, imageRequestsWithAuthorization: 1 });
    expect(sim.counters().bytesImages).toBeGreaterThan(0);
    expect(sim.requestLog().map((e) => [e.origin, e.authorization])).toEqual([
      ['images', 'none'],
      ['images', 'bearer'],
    ]);
  });

  it('body faults reach the image origin', async () => {
    sim.setFaults({ rules: [{ match: '^/images/', kind: 'reset', count: 1 }] });
    await expect(fetch(imageUrls[0]).then((r) => r.arrayBuffer())).rejects.toThrow();
    sim.setFaults({ rules: [{ match: '^/images/', kind: 'wrongLength', count: 1, lengthDelta: -10 }] });
    const short = await fetch(imageUrls[0]);
    const info = sim.dataset.images().find((i) => i.url === imageUrls[0])!;
    expect((await short.arrayBuffer()).byteLength).toBe(info.bytes.length - 10);
    sim.resetFaults();
    expect((await fetch(imageUrls[0])).status).toBe(200);
  });
});
