// Plain http:// is accepted only for this machine (127.0.0.0/8, ::1, localhost). Anything else is
// refused before any request — no DNS lookup, no connection — with a message that names https: in
// the transport, in profile validation and in the CLI (--base-url, HYPERSTUDY_BASE_URL).
import dns from 'node:dns';
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src-main/cli/main';
import { baseUrlProblem, isLoopbackHost } from '../../../src-main/core/net/base-url';
import { createApiTransport } from '../../../src-main/core/net/http';
import { createJointLimiter } from '../../../src-main/core/net/limiter';
import { systemClock } from '../../../src-main/core/ports';
import { createProfileManager } from '../../../src-main/core/profiles/profile-manager';
import { createMemoryStore } from '../../../src-main/core/secrets';

const KEY = 'hst_live_SomeProductionKey0123456789abcdef';
let home: string;
beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'studydl-baseurl-'));
});
afterAll(() => rmSync(home, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** Every way this process could reach the network, counted (and failed) while the spies are on. */
function watchNetwork() {
  const fetchSpy = vi.spyOn(globalThis, 'fetch').mockRejectedValue(new Error('network attempted'));
  const lookup = vi.spyOn(dns, 'lookup');
  const lookupP = vi.spyOn(dns.promises, 'lookup');
  const connect = vi.spyOn(net.Socket.prototype, 'connect');
  return () => fetchSpy.mock.calls.length + lookup.mock.calls.length + lookupP.mock.calls.length + connect.mock.calls.length;
}

async function run(argv: string[], env: Record<string, string>) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  const code = await main(argv, { stdout, stderr, stdin: Readable.from([KEY + '\n']), env: { STUDYDL_HOME: home, STUDYDL_NO_KEYCHAIN: '1', ...env }, isTTY: false });
  return { code, out, err };
}

describe('which hosts may be reached over plain http', () => {
  it('loopback only', () => {
    for (const h of ['127.0.0.1', '127.5.6.7', 'localhost', 'LOCALHOST', '[::1]', '::1']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['10.0.0.1', '192.168.1.2', '128.0.0.1', 'localhost.example.org', 'example.org', '[::2]', '0.0.0.0']) expect(isLoopbackHost(h), h).toBe(false);
    // The URL parser normalizes other IPv4 spellings first.
    expect(baseUrlProblem('http://127.1:8080/api/v3')).toBeNull();
    expect(baseUrlProblem('http://0x7f.0.0.1/api/v3')).toBeNull();
    expect(baseUrlProblem('http://[::1]:9000/api/v3')).toBeNull();
    expect(baseUrlProblem('https://api.hyperstudy.io/api/v3')).toBeNull();
    expect(baseUrlProblem('http://hyperstudy.example.org/api/v3')?.message).toMatch(/https/);
    expect(baseUrlProblem('http://10.1.2.3/api/v3')?.message).toMatch(/https/);
    expect(baseUrlProblem('ftp://x/api/v3')?.message).toMatch(/https/);
  });
});

describe('studydl with a plain-http base URL off this machine', () => {
  it('--base-url http://hyperstudy.example.org/api/v3 ls is refused at once, naming https, with no lookup or request', async () => {
    const attempts = watchNetwork();
    const r = await run(['--base-url', 'http://hyperstudy.example.org/api/v3', 'ls'], { HYPERSTUDY_API_KEY: KEY });
    const tried = attempts();
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: .*https/m);
    expect(r.err).toMatch(/fix: Use https:\/\/hyperstudy\.example\.org\/api\/v3/);
    expect(r.out + r.err).not.toContain(KEY);
    expect(tried).toBe(0);
  });

  it('HYPERSTUDY_BASE_URL, a piped key, and login are refused the same way', async () => {
    const attempts = watchNetwork();
    const viaEnv = await run(['ls'], { HYPERSTUDY_API_KEY: KEY, HYPERSTUDY_BASE_URL: 'http://hyperstudy.example.org/api/v3' });
    const piped = await run(['ls', '--api-key-stdin', '--base-url', 'http://192.168.10.20/api/v3'], {});
    const login = await run(['login', '--base-url', 'http://hyperstudy.example.org/api/v3'], {});
    for (const r of [viaEnv, piped, login]) {
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/https/);
    }
    expect(attempts()).toBe(0);
  });
});

describe('the transport and profiles refuse it too', () => {
  it('the transport fails every request before sending', async () => {
    const doFetch = vi.fn<typeof fetch>();
    const limiter = createJointLimiter({ keyLimit: 100, keyWindowMs: 60_000, endpointLimit: 100, endpointWindowMs: 60_000, clock: systemClock });
    const t = createApiTransport({ connection: { baseUrl: 'http://hyperstudy.example.org/api/v3', apiKey: KEY }, limiter, fetch: doFetch });
    await expect(t.request({ path: '/experiments' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/https/) });
    await limiter.close();
    expect(doFetch).not.toHaveBeenCalled();
    expect(t.requestsMade()).toBe(0);
  });

  it('a profile for such an address is not saved, and nothing is asked of the server', async () => {
    const validateKey = vi.fn(async () => ({ outcome: 'accepted' as const, message: 'ok' }));
    const pm = createProfileManager({ dir: join(home, 'profiles'), secrets: createMemoryStore(), validateKey });
    await expect(pm.add({ name: 'Lab', source: 'hyperstudy', environment: 'custom', baseUrl: 'http://lab.example.org/api/v3', apiKey: KEY })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/https/) });
    await expect(pm.validate({ name: 'Lab', source: 'hyperstudy', environment: 'custom', baseUrl: 'http://lab.example.org/api/v3', apiKey: KEY })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(validateKey).not.toHaveBeenCalled();
    expect(await pm.list()).toEqual([]);
    // Loopback stays fine (the simulator, a local tunnel).
    await expect(pm.add({ name: 'Local', source: 'hyperstudy', environment: 'custom', baseUrl: 'http://localhost:8787/api/v3', apiKey: KEY })).resolves.toMatchObject({ profile: { baseUrl: 'http://localhost:8787/api/v3' } });
  });
});
