// Every validation outcome over real HTTP: the simulator, plus two tiny loopback servers for what
// the simulator cannot be (a foreign JSON API; a key lacking read:experiments, replaying the
// documented 403 fixture, reference §3.2), and what the network can do: a reset connection, a
// host name nobody knows, a certificate that is not trusted.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import https from 'node:https';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sourceModule } from '../../../src-main/core/sources/registry';
import type { SourceConnection } from '../../../src-main/core/sources/source';
import { startSimulator, type Simulator } from '../../sim/index';

/** HyperStudy's credential check, through the registry (a request timeout rides on the connection). */
const validateKey = (c: SourceConnection, o: { timeoutMs?: number } = {}) => sourceModule('hyperstudy').validateCredential({ ...c, ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}) });

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ scale: 'tiny' });
});
afterAll(async () => {
  await sim.close();
});
afterEach(() => {
  sim.resetFaults();
  sim.resetShapes();
  sim.resetRateLimits();
});

async function loopback(handler: (path: string, headers: Record<string, unknown>) => { status: number; type: string; body: string }): Promise<{ baseUrl: string; seenKeys: string[]; close(): Promise<void> }> {
  const seenKeys: string[] = [];
  const server: Server = createServer((req, res) => {
    const key = req.headers['x-api-key'];
    if (typeof key === 'string') seenKeys.push(key);
    const path = (req.url ?? '/').replace(/^\/api\/v3/, '');
    const r = handler(path, req.headers);
    res.writeHead(r.status, { 'Content-Type': r.type });
    res.end(r.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}/api/v3`, seenKeys, close: () => new Promise((r) => server.close(() => r())) };
}

describe('validateKey', () => {
  it('accepted: health plus one cheap authenticated call', async () => {
    sim.resetCounters();
    const v = await validateKey({ source: 'hyperstudy', baseUrl: sim.baseUrl, secret: sim.apiKey });
    expect(v.outcome).toBe('accepted');
    expect(v.message).toMatch(/key works/);
    const c = sim.counters();
    expect(c.requests).toBe(2);
    expect(Object.keys(c.byEndpoint).sort()).toEqual(['/experiments', '/health']);
  });

  it('accepted with an organization id and with either health shape', async () => {
    sim.setShapes({ health: 'success' });
    expect((await validateKey({ source: 'hyperstudy', baseUrl: sim.baseUrl + '/', secret: sim.apiKey, organizationId: sim.orgId })).outcome).toBe('accepted');
  });

  it('accepted whether /health wants a key (docs: UNAUTHORIZED, in either error shape) or answers without one', async () => {
    for (const shapes of [{}, { bareErrors: true }, { authErrorCode: 'AUTHENTICATION_ERROR' as const }, { healthWithoutKey: true }]) {
      sim.resetShapes();
      sim.setShapes(shapes);
      expect((await validateKey({ source: 'hyperstudy', baseUrl: sim.baseUrl, secret: sim.apiKey })).outcome, JSON.stringify(shapes)).toBe('accepted');
      expect((await validateKey({ source: 'hyperstudy', baseUrl: sim.baseUrl, secret: 'hst_test_' + 'z'.repeat(40) })).outcome, JSON.stringify(shapes)).toBe('rejected');
    }
    sim.resetShapes();
  });

  it('wrong-format: no request is made', async () => {
    sim.resetCounters();
    for (const key of ['abc', 'hst_prod_123', 'Bearer hst_live_abc', 'hst_live_abc def']) {
      const v = await validateKey({ source: 'hyperstudy', baseUrl: sim.baseUrl, secret: key });
      expect(v.outcome).toBe('wrong-format');
      expect(v.fix).toMatch(/API Keys/);
    }
    expect(sim.counters().requests).toBe(0);
  });

  it('rejected: a well-formed key the server does not know (401)', async () => {
    const bogus = 'hst_test_' + 'z'.repeat(40);
    const v = await validateKey({ source: 'hyperstudy', baseUrl: sim.baseUrl, secret: bogus });
    expect(v.outcome).toBe('rejected');
    expect(v.message).toMatch(/invalid, expired or revoked/);
    expect(v.fix).toMatch(/new key/);
    expect(JSON.stringify(v)).not.toContain('zzzzzzzz');
  });

  it('missing-scopes: names the scopes from details.required (403)', async () => {
    const srv = await loopback((path) =>
      path.startsWith('/experiments')
        ? { status: 403, type: 'application/json', body: JSON.stringify({ status: 'error', error: { code: 'FORBIDDEN', message: 'Insufficient scopes. Required: read:experiments', details: { required: ['read:experiments'], provided: ['read:events'] } } }) }
        : { status: 200, type: 'application/json', body: JSON.stringify({ status: 'healthy', version: '3.0.0' }) },
    );
    try {
      const v = await validateKey({ source: 'hyperstudy', baseUrl: srv.baseUrl, secret: sim.limitedKey });
      expect(v.outcome).toBe('missing-scopes');
      expect(v.missingScopes).toEqual(['read:experiments']);
      expect(v.message).toContain('read:experiments');
      expect(v.fix).toContain('read:experiments');
    } finally {
      await srv.close();
    }
  });

  it('unreachable: nothing listening', async () => {
    const closed = await startSimulator({ scale: 'tiny' });
    const url = closed.baseUrl;
    await closed.close();
    const v = await validateKey({ source: 'hyperstudy', baseUrl: url, secret: sim.apiKey });
    expect(v.outcome).toBe('unreachable');
    expect(v.message).toMatch(/Could not reach 127\.0\.0\.1:\d+: the connection was refused/);
  });

  it('unreachable: no answer in time', async () => {
    sim.setFaults({ rules: [{ match: '/experiments', kind: 'slow', delayMs: 5_000 }] });
    const v = await validateKey({ source: 'hyperstudy', baseUrl: sim.baseUrl, secret: sim.apiKey }, { timeoutMs: 300 });
    expect(v.outcome).toBe('unreachable');
    expect(v.message).toMatch(/no answer within/);
  });

  it('not-hyperstudy: a web page at /health (HTML), and the key is never sent there', async () => {
    const srv = await loopback(() => ({ status: 200, type: 'text/html', body: '<!doctype html><html><body>Welcome to nginx</body></html>' }));
    try {
      const v = await validateKey({ source: 'hyperstudy', baseUrl: srv.baseUrl, secret: sim.apiKey });
      expect(v.outcome).toBe('not-hyperstudy');
      expect(v.message).toMatch(/web page/);
      expect(v.fix).toMatch(/api\/v3/);
      expect(srv.seenKeys).toEqual([]);
    } finally {
      await srv.close();
    }
  });

  it('not-hyperstudy: an HTML page in place of the simulator answer', async () => {
    sim.setFaults({ rules: [{ match: '/health', kind: 'html', status: 404 }] });
    const v = await validateKey({ source: 'hyperstudy', baseUrl: sim.baseUrl, secret: sim.apiKey });
    expect(v.outcome).toBe('not-hyperstudy');
  });

  it('not-hyperstudy: foreign JSON at /health', async () => {
    const srv = await loopback(() => ({ status: 200, type: 'application/json', body: JSON.stringify({ name: 'some other api', up: true }) }));
    try {
      const v = await validateKey({ source: 'hyperstudy', baseUrl: srv.baseUrl, secret: sim.apiKey });
      expect(v.outcome).toBe('not-hyperstudy');
      expect(v.message).toMatch(/unexpected shape/);
      expect(srv.seenKeys).toEqual([]);
    } finally {
      await srv.close();
    }
  });

  it('error: the server is failing (5xx) or rate-limiting (429) — said as such, not blamed on the key', async () => {
    sim.setFaults({ rules: [{ match: '/experiments', kind: 'error', status: 503 }] });
    const down = await validateKey({ source: 'hyperstudy', baseUrl: sim.baseUrl, secret: sim.apiKey });
    expect(down.outcome).toBe('error');
    expect(down.message).toMatch(/HTTP 503/);

    sim.setFaults({ rules: [{ match: '/experiments', kind: 'rate429', retryAfterSec: 42 }] });
    const limited = await validateKey({ source: 'hyperstudy', baseUrl: sim.baseUrl, secret: sim.apiKey });
    expect(limited.outcome).toBe('error');
    expect(limited.message).toMatch(/rate-limiting.*42 s/);

    sim.setFaults({ rules: [{ match: '/health', kind: 'html', status: 502 }] });
    expect((await validateKey({ source: 'hyperstudy', baseUrl: sim.baseUrl, secret: sim.apiKey })).outcome).toBe('error');
  });

  it('no outcome ever contains the key', async () => {
    const results = [
      await validateKey({ source: 'hyperstudy', baseUrl: sim.baseUrl, secret: sim.apiKey }),
      await validateKey({ source: 'hyperstudy', baseUrl: sim.baseUrl, secret: sim.apiKey.slice(0, -1) }),
      await validateKey({ source: 'hyperstudy', baseUrl: 'http://127.0.0.1:9/api/v3', secret: sim.apiKey }),
    ];
    for (const r of results) expect(JSON.stringify(r)).not.toContain(sim.apiKey.slice(9, 30));
  });

  it('never follows the key to another origin: a 307 on the keyed call stops the check, naming both servers', async () => {
    const capture = await loopback(() => ({ status: 200, type: 'application/json', body: '{"status":"success","data":[]}' }));
    // A server that looks like HyperStudy at /health, then sends the keyed call elsewhere.
    const redirecting = createServer((req, res) => {
      if ((req.url ?? '').startsWith('/api/v3/health')) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{"status":"healthy"}');
        return;
      }
      res.writeHead(307, { Location: `${capture.baseUrl}/experiments?limit=1` });
      res.end();
    });
    await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(redirecting.address() as AddressInfo).port}/api/v3`;
    try {
      const v = await validateKey({ source: 'hyperstudy', baseUrl: base, secret: sim.apiKey });
      expect(v.outcome).toBe('not-hyperstudy');
      expect(v.message).toContain(new URL(capture.baseUrl).host);
      expect(v.message).toContain(new URL(base).host);
      expect(capture.seenKeys).toEqual([]);
    } finally {
      await new Promise<void>((r) => redirecting.close(() => r()));
      await capture.close();
    }
  });

  it('refuses plain http off this machine before any request, naming https', async () => {
    const v = await validateKey({ source: 'hyperstudy', baseUrl: 'http://hyperstudy.example.org/api/v3', secret: sim.apiKey });
    expect(v.outcome).toBe('error');
    expect(v.message).toMatch(/https/);
  });

  it('missing-scopes: the scopes named only in the message ("Required: …"), or none named at all', async () => {
    const forbidden = (error: Record<string, unknown>) =>
      loopback((p) =>
        p.startsWith('/experiments')
          ? { status: 403, type: 'application/json', body: JSON.stringify({ status: 'error', error: { code: 'FORBIDDEN', ...error } }) }
          : { status: 200, type: 'application/json', body: JSON.stringify({ status: 'healthy', version: '3.0.0' }) },
      );
    const named = await forbidden({ message: 'Insufficient scopes. Required: read:experiments, read:events' });
    const unnamed = await forbidden({ message: 'Organization access denied' });
    try {
      const a = await validateKey({ source: 'hyperstudy', baseUrl: named.baseUrl, secret: sim.limitedKey });
      expect(a).toMatchObject({ outcome: 'missing-scopes', missingScopes: ['read:experiments', 'read:events'] });
      expect(a.message).toBe('This key lacks the scopes read:experiments, read:events, which the downloader needs to list experiments.');
      const b = await validateKey({ source: 'hyperstudy', baseUrl: unnamed.baseUrl, secret: sim.limitedKey });
      expect(b).toMatchObject({ outcome: 'missing-scopes', message: 'HyperStudy refused this key access to experiments (“Organization access denied”).' });
      expect(b.fix).toMatch(/organization id/);
    } finally {
      await named.close();
      await unnamed.close();
    }
  });

  it('not-hyperstudy: a healthy /health but an experiments list of another shape', async () => {
    const srv = await loopback((p) => ({ status: 200, type: 'application/json', body: JSON.stringify(p.startsWith('/experiments') ? { items: [], next: null } : { status: 'healthy' }) }));
    try {
      const v = await validateKey({ source: 'hyperstudy', baseUrl: srv.baseUrl, secret: sim.apiKey });
      expect(v).toMatchObject({ outcome: 'not-hyperstudy', message: `${new URL(srv.baseUrl).host} answered, but not like a HyperStudy API (its experiments list has an unexpected shape).` });
    } finally {
      await srv.close();
    }
  });

  it('unreachable: the connection reset, a host name nobody knows — each said in words, the key never sent', async () => {
    const seen: string[] = [];
    const resetting = createTcpServer((socket) => socket.once('data', (d) => (seen.push(d.toString('latin1')), socket.resetAndDestroy())));
    await new Promise<void>((r) => resetting.listen(0, '127.0.0.1', r));
    try {
      const port = (resetting.address() as AddressInfo).port;
      const reset = await validateKey({ source: 'hyperstudy', baseUrl: `http://127.0.0.1:${port}/api/v3`, secret: sim.apiKey });
      expect(reset).toMatchObject({ outcome: 'unreachable', message: `Could not reach 127.0.0.1:${port}: the connection was reset. The key was not checked.` });
      expect(seen.join('')).toMatch(/^GET \/api\/v3\/health /);
      expect(seen.join('')).not.toContain(sim.apiKey);
    } finally {
      await new Promise<void>((r) => resetting.close(() => r()));
    }
    // .invalid is reserved (RFC 6761): no resolver knows it.
    const unknown = await validateKey({ source: 'hyperstudy', baseUrl: 'https://no-such-host.invalid/api/v3', secret: sim.apiKey });
    expect(unknown).toMatchObject({ outcome: 'unreachable', message: 'Could not reach no-such-host.invalid: the host name could not be found. The key was not checked.' });
  });

  it("unreachable: a certificate that is not trusted (self-signed) is said as such, and the key is never sent", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'studydl-cert-'));
    let requests = 0;
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
      const server = https.createServer({ key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) }, (_req, res) => {
        requests++;
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{"status":"healthy"}');
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        const port = (server.address() as AddressInfo).port;
        const v = await validateKey({ source: 'hyperstudy', baseUrl: `https://127.0.0.1:${port}/api/v3`, secret: sim.apiKey });
        expect(v).toMatchObject({ outcome: 'unreachable', message: `Could not reach 127.0.0.1:${port}: the server's security certificate is not valid. The key was not checked.` });
        expect(requests).toBe(0);
      } finally {
        await new Promise<void>((r) => server.close(() => r()));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
