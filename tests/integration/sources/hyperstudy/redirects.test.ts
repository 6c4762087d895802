// Credentials stay on their origin. A proxy in front of the simulator answers with redirects; a
// capture server on another 127.0.0.1 port records what reaches it. The key (or a BrainSTEM-style
// Authorization header) must reach the API origin only: never across a redirect, never to an
// absolute URL on another origin; same-origin redirects are followed with it, at most 5 hops.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../../src-main/cli/main';
import { createApiTransport } from '../../../../src-main/core/net/http';
import { createJointLimiter } from '../../../../src-main/core/net/limiter';
import { systemClock } from '../../../../src-main/core/ports';
import type { Simulator } from '../../../sim/index';
import { FAST_RETRY, makeClient, ROOMY, startSim } from './helpers';
import { startProxy, type RouteAnswer, type TestProxy } from '../../client/proxy';

let sim: Simulator;
let home: string;
const started: TestProxy[] = [];
beforeAll(async () => {
  sim = await startSim();
  home = mkdtempSync(join(tmpdir(), 'studydl-redirects-'));
});
afterAll(async () => {
  await sim.close();
  rmSync(home, { recursive: true, force: true });
});
afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.close()));
});

const simOrigin = () => new URL(sim.baseUrl).origin;
const apiPath = () => new URL(sim.baseUrl).pathname; // "/api/v3"

/** A proxy forwarding to the simulator; with target null it answers everything itself. */
async function proxy(route?: (url: URL) => RouteAnswer, target: string | null = simOrigin()): Promise<TestProxy> {
  const p = await startProxy({ target: target ?? undefined, route });
  started.push(p);
  return p;
}

/** A capture server that forwards to the simulator, so on a client that follows it the call would succeed. */
const captureServer = () => proxy();

/** `/api/v3/<name>` answered with a chain of `hops` same-origin 307s before the real resource. */
function hopChain(name: string, hops: number): (url: URL) => RouteAnswer {
  const base = apiPath();
  return (url) => {
    if (url.pathname === `${base}/${name}`) return hops > 0 ? { redirect: `${base}/hop/1/${name}${url.search}` } : null;
    const m = new RegExp(`^${base}/hop/(\\d+)/${name}$`).exec(url.pathname);
    if (!m) return null;
    const k = Number(m[1]);
    return k < hops ? { redirect: `${base}/hop/${k + 1}/${name}${url.search}` } : { forward: `${base}/${name}${url.search}` };
  };
}

async function runCli(argv: string[], env: Record<string, string | undefined>) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  const full: Record<string, string> = { STUDYDL_HOME: home, STUDYDL_NO_KEYCHAIN: '1' };
  for (const [k, v] of Object.entries(env)) if (v !== undefined) full[k] = v;
  const code = await main(argv, { stdout, stderr, stdin: Readable.from([]), env: full as NodeJS.ProcessEnv, isTTY: false });
  return { code, out, err };
}

describe('studydl ls behind a 307 to another port', () => {
  it('sends no key to the other port and stops with an error naming both origins', async () => {
    const capture = await captureServer();
    const front = await proxy((url) => (url.pathname === `${apiPath()}/experiments` ? { redirect: `${capture.origin}${url.pathname}${url.search}` } : null));
    const r = await runCli(['ls'], { HYPERSTUDY_BASE_URL: front.origin + apiPath(), HYPERSTUDY_API_KEY: sim.apiKey, HYPERSTUDY_ORGANIZATION_ID: sim.orgId });

    expect(capture.requestsWith('x-api-key', 'authorization', 'x-organization-id')).toEqual([]);
    expect(capture.requests).toEqual([]); // not followed at all: a JSON API call has no business elsewhere
    expect(front.requests.length).toBeGreaterThan(0);
    expect(r.code).toBe(5);
    expect(r.err).toContain(front.origin.replace('http://', ''));
    expect(r.err).toContain(capture.origin.replace('http://', ''));
    expect(r.err).toMatch(/redirect/i);
    expect(r.out + r.err).not.toContain(sim.apiKey);
  });

  it('follows a same-origin redirect with the key', async () => {
    const front = await proxy(hopChain('experiments', 2));
    const r = await runCli(['ls', '--json'], { HYPERSTUDY_BASE_URL: front.origin + apiPath(), HYPERSTUDY_API_KEY: sim.apiKey, HYPERSTUDY_ORGANIZATION_ID: sim.orgId });
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out).experiments.length).toBe(sim.dataset.experiments({ includeShared: true }).length);
    const hops = front.requests.filter((q) => q.url.includes('/hop/'));
    expect(hops.length).toBe(2);
    for (const q of hops) expect(q.headers['x-api-key']).toBe(sim.apiKey);
  });
});

describe('the API transport (HyperStudy key)', () => {
  it('follows 5 same-origin hops with the key, and refuses the 6th', async () => {
    const five = await proxy(hopChain('health', 5));
    const ok = makeClient(sim, { connection: { baseUrl: five.origin + apiPath() } });
    await expect(ok.client.health()).resolves.toMatchObject({ ok: true });
    await ok.limiter.close();
    expect(five.requests.length).toBe(6);
    for (const q of five.requests) expect(q.headers['x-api-key']).toBe(sim.apiKey);

    const six = await proxy(hopChain('health', 6));
    const refused = makeClient(sim, { connection: { baseUrl: six.origin + apiPath() } });
    const e = await refused.client.health().catch((x) => x);
    await refused.limiter.close();
    expect(e).toMatchObject({ code: 'BAD_RESPONSE', details: { redirects: 5 } });
    expect(e.message).toMatch(/redirected the request more than 5 times/);
    expect(six.requests.length).toBe(6); // the 6th redirect was not followed
  });

  it('never sends the key to an absolute downloadPath on another origin', async () => {
    const capture = await captureServer();
    const { client, limiter } = makeClient(sim);
    const e = await client.mintRecordingUrl({ recordingId: 'rec_1', downloadPath: `${capture.origin}${apiPath()}/data/recordings/download/room_1/rec_1` }).catch((x) => x);
    await limiter.close();
    expect(e).toMatchObject({ code: 'CROSS_ORIGIN' });
    expect(e.message).toContain(capture.origin.replace('http://', ''));
    expect(e.message).toContain(simOrigin().replace('http://', ''));
    expect(capture.requests).toEqual([]);
  });
});

describe('the API transport with another source’s credential (Authorization: Bearer)', () => {
  const TOKEN = 'tok_secret_bearer_value';
  function bearerTransport(baseUrl: string) {
    const limiter = createJointLimiter({ keyLimit: ROOMY.keyLimit, keyWindowMs: 3_600_000, endpointLimit: ROOMY.endpointLimit, endpointWindowMs: 60_000, clock: systemClock });
    const transport = createApiTransport({ connection: { baseUrl }, credential: { headers: { Authorization: `Bearer ${TOKEN}` } }, limiter, retry: FAST_RETRY });
    return { transport, limiter };
  }

  it('keeps the header on same-origin hops, and drops it entirely on an allowed cross-origin hop', async () => {
    const capture = await proxy(undefined, null);
    const front = await proxy((url) => {
      if (url.pathname.endsWith('/same')) return { redirect: url.pathname.replace(/same$/, 'same-2') };
      if (url.pathname.endsWith('/same-2')) return { status: 200, json: { status: 'success', data: { ok: true } } };
      if (url.pathname.endsWith('/away')) return { redirect: `${capture.origin}/elsewhere` };
      return null;
    }, null);
    const { transport, limiter } = bearerTransport(front.origin + '/api/private');
    try {
      await expect(transport.request({ path: '/same' })).resolves.toMatchObject({ status: 200, body: { data: { ok: true } } });
      expect(front.requests.map((q) => q.headers.authorization)).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);

      // Not allowed by the caller: stops, names both origins, nothing reaches the capture server.
      const e = await transport.request({ path: '/away' }).catch((x) => x);
      expect(e).toMatchObject({ code: 'CROSS_ORIGIN' });
      expect(e.message).toContain(front.origin.replace('http://', ''));
      expect(e.message).toContain(capture.origin.replace('http://', ''));
      expect(JSON.stringify(e)).not.toContain(TOKEN);
      expect(capture.requests).toEqual([]);

      // Allowed: followed, with no credential header at all.
      await expect(transport.request({ path: '/away', crossOriginRedirects: 'follow-without-credentials' })).resolves.toMatchObject({ status: 200 });
      expect(capture.requests.length).toBe(1);
      expect(capture.requestsWith('authorization', 'x-api-key', 'x-organization-id')).toEqual([]);
    } finally {
      await limiter.close();
    }
  });

  it('refuses an absolute URL on another origin before sending anything', async () => {
    const capture = await proxy(undefined, null);
    const { transport, limiter } = bearerTransport(simOrigin() + '/api/private');
    const e = await transport.request({ path: `${capture.origin}/api/private/stem/project/` }).catch((x) => x);
    await limiter.close();
    expect(e).toMatchObject({ code: 'CROSS_ORIGIN' });
    expect(capture.requests).toEqual([]);
    expect(transport.requestsMade()).toBe(0);
  });
});
