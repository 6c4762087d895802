// Every way a BrainSTEM request can fail, and what it ends in: transient faults (5xx, resets, cut
// JSON, nginx HTML pages, 429 storms with Retry-After) are ridden out with nothing lost; the rest
// become typed errors in plain words — DRF's 401/403/404/400 bodies, web pages where JSON was
// expected, JSON of another API. No error or log line ever holds the token.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { StudyError, toErrorInfo } from '../../../src-shared/errors';
import { createBrainstemClient } from '../../../src-main/core/sources/brainstem/index';
import { createBrainstemLimiter } from '../../../src-main/core/sources/brainstem/policy';
import { createBrainstemTransport } from '../../../src-main/core/sources/brainstem/transport';
import { systemClock } from '../../../src-main/core/ports';
import { ALL_TYPES, FAST_RETRY, brainstemSuite, ids, projectExpectation, readAll } from './helpers';
import { recordingLogger } from '../../recording-logger';

const suite = brainstemSuite({ scale: 'tiny', seed: 7 });
const logger = recordingLogger();
const errors: unknown[] = [];
const servers: Server[] = [];
afterAll(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
});

async function failure(p: Promise<unknown>): Promise<StudyError> {
  const e = await p.then(
    () => null,
    (x) => x,
  );
  expect(e).toBeInstanceOf(StudyError);
  expect((e as StudyError).fix).toBeTruthy();
  errors.push(e);
  return e as StudyError;
}

async function wholeProject() {
  const sim = suite.sim();
  const project = sim.dataset.projects()[2];
  const client = suite.use({ logger });
  const got = await readAll(client, { level: 'project', ids: [project.id] }, ALL_TYPES);
  const want = projectExpectation(sim, project.id);
  for (const t of ALL_TYPES) if (t !== 'epochs') expect(ids(got[t]), t).toEqual(ids(want[t]));
  expect(ids(got.epochs).sort()).toEqual(ids(want.epochs).sort());
  return { sim, client };
}

describe('transient faults: nothing lost', () => {
  it('5xx JSON errors (500, 502, 503, 504) on every kind of request are retried', async () => {
    suite.sim().setFaults({
      rules: [
        { match: '/private/stem/session/', kind: 'error', status: 503, count: 2 },
        { match: '/private/modules/dataacquisition/', kind: 'error', status: 502, count: 1 },
        { match: '/private/modules/procedure/', kind: 'error', status: 504, count: 1 },
        { match: '/private/stem/subject/', kind: 'error', status: 500, count: 1 },
      ],
    });
    const { sim } = await wholeProject();
    expect(sim.counters().byStatus).toMatchObject({ '500': 1, '502': 1, '503': 2, '504': 1 });
  });

  it('connection resets and truncated JSON bodies are retried', async () => {
    suite.sim().setFaults({
      rules: [
        { match: '/private/modules/behavior/', kind: 'reset', count: 1 },
        { match: '/private/stem/session/', kind: 'truncate', count: 1 },
        { match: '/private/modules/subjectlog/', kind: 'truncate', count: 2 },
      ],
    });
    const { sim } = await wholeProject();
    expect(sim.counters().faults).toMatchObject({ reset: 1, truncate: 3 });
  });

  it('a proxy HTML 502 page is retried (it is the proxy, not a wrong address)', async () => {
    suite.sim().setFaults({ rules: [{ match: '/private/modules/manipulation/', kind: 'html', status: 502, count: 2 }] });
    const { sim } = await wholeProject();
    expect(sim.counters().faults.html).toBe(2);
  });

  it('a 429 storm with Retry-After (seconds, then an HTTP date) is waited out, not failed', async () => {
    suite.sim().setFaults({ storm: { count: 2, retryAfterSec: 1 } });
    const first = await wholeProject();
    expect(first.sim.counters().rateLimited).toBe(2);
    suite.sim().setFaults({ storm: { count: 1, retryAfterSec: 1, retryAfterAsDate: true } });
    const second = await wholeProject();
    expect(second.sim.counters().rateLimited).toBe(1);
  });

  it('random faults on every request (20 % 5xx, 10 % resets, cut bodies and HTML pages each): a whole project still arrives complete', async () => {
    suite.sim().setFaults({ seed: 11, errorRate: 0.2, resetRate: 0.1, truncateRate: 0.1, htmlRate: 0.1 });
    const client = suite.use({ logger, retry: { ...FAST_RETRY, maxAttempts: 10 } });
    const sim = suite.sim();
    const project = sim.dataset.projects()[0];
    const got = await readAll(client, { level: 'project', ids: [project.id] }, ALL_TYPES);
    const want = projectExpectation(sim, project.id);
    for (const t of ALL_TYPES) if (t !== 'epochs') expect(ids(got[t]), t).toEqual(ids(want[t]));
    expect(Object.values(sim.counters().faults).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });
});

describe('redirects', () => {
  it('a missing trailing slash: the 301 is followed on the same origin, with the token', async () => {
    const sim = suite.sim();
    sim.resetCounters();
    const limiter = createBrainstemLimiter(systemClock);
    const t = createBrainstemTransport({
      api: sim.baseUrl,
      errors: { site: sim.origin, portal: 'private', auth: 'token' },
      limiter,
      clock: systemClock,
      credential: { headers: { Authorization: `Bearer ${sim.token}` } },
    });
    const res = await t.request({ path: '/private/stem/project?limit=1' });
    expect((res.body as { projects: unknown[] }).projects).toHaveLength(1);
    expect(sim.counters().redirects).toBe(1);
    expect(sim.requestLog().map((e) => [e.path, e.status, e.authorization])).toEqual([
      ['/api/private/stem/project?limit=1', 301, 'bearer'],
      ['/api/private/stem/project/?limit=1', 200, 'bearer'],
    ]);
    await limiter.close();
  });
});

describe('failures that end in a typed error', () => {
  it('a 5xx that does not go away: SERVER after the allowed attempts, in BrainSTEM words', async () => {
    const sim = suite.sim();
    sim.setFaults({ rules: [{ match: '/private/stem/project/', kind: 'error', status: 503, count: 100 }] });
    const client = suite.use({ logger });
    const e = await failure(client.listLevel('project', null));
    expect(e).toMatchObject({ code: 'SERVER', status: 503 });
    expect(e.message).toBe('BrainSTEM failed (HTTP 503) 4 times in a row (BrainSTEM said: "Service temporarily unavailable, try again later.").');
    expect(sim.counters().requests).toBe(FAST_RETRY.maxAttempts);
  });

  it('403 (DRF detail): a record of a project the user is not a member of', async () => {
    const sim = suite.sim();
    const member = new Set(sim.dataset.users[1].projectIds);
    const foreign = sim.dataset.projects().find((p) => !member.has(p.id) && !p.isPublic)!;
    const client = suite.use({ logger, auth: { kind: 'token', token: sim.otherToken } });
    const e = await failure(client.getRecord('project', foreign.id));
    expect(e).toMatchObject({ code: 'FORBIDDEN', status: 403 });
    expect(e.message).toBe(`You do not have permission to see project ${foreign.id} on BrainSTEM (BrainSTEM said: "You do not have permission to perform this action.").`);
  });

  it('404 (DRF detail): an unknown id', async () => {
    const client = suite.use({ logger });
    const e = await failure(client.getRecord('session', '00000000-0000-4000-8000-000000000000'));
    expect(e).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    expect(e.message).toBe('BrainSTEM has no session 00000000-0000-4000-8000-000000000000 on the private portal (BrainSTEM said: "Not found.").');
  });

  it('400 (DRF list and field errors): what the server refused, in its words', async () => {
    const client = suite.use({ logger });
    const e = await failure(client.fetchPage({ model: 'session', filters: [['bogus', 'x']], what: 'sessions' }, 0));
    expect(e).toMatchObject({ code: 'INVALID_PARAMETER', status: 400 });
    expect(e.message).toBe('BrainSTEM refused the request as invalid (HTTP 400): "Invalid filter field: bogus".');
    const f = await failure(client.fetchPage({ model: 'session', filters: [['date_time.gt', 'not a date']], what: 'sessions' }, 0));
    expect(f.code).toBe('INVALID_PARAMETER');
  });

  it('400 with DRF field errors and non-field errors (the sign-in routes\' bodies): each field named, in the server\'s words', async () => {
    const sim = suite.sim();
    const limiter = createBrainstemLimiter(systemClock);
    const t = createBrainstemTransport({ api: sim.baseUrl, errors: { site: sim.origin, portal: 'private', auth: 'none' }, limiter, clock: systemClock, retry: FAST_RETRY, logger });
    try {
      const fields = await failure(t.request({ path: '/auth/token/', method: 'POST', json: {}, what: 'sign-in route' }));
      expect(fields).toMatchObject({ code: 'INVALID_PARAMETER', status: 400, details: { fields: { email: ['This field is required.'], password: ['This field is required.'] } } });
      expect(fields.message).toBe('BrainSTEM refused the request as invalid (HTTP 400): "email: This field is required.; password: This field is required.".');
      // non_field_errors are the server's sentence as it is, with no field name before it.
      const nonField = await failure(t.request({ path: '/token/', method: 'POST', json: { username: sim.credentials.email, password: 'not-the-password' }, what: 'legacy sign-in route' }));
      expect(nonField.message).toBe('BrainSTEM refused the request as invalid (HTTP 400): "Unable to log in with provided credentials.".');
      expect(nonField.message).not.toContain('not-the-password');
    } finally {
      await limiter.close();
    }
  });

  it('another 4xx (405 on a read-only route): BAD_RESPONSE with the status and DRF detail, not retried', async () => {
    const sim = suite.sim();
    sim.resetCounters();
    const limiter = createBrainstemLimiter(systemClock);
    const t = createBrainstemTransport({ api: sim.baseUrl, errors: { site: sim.origin, portal: 'private', auth: 'token' }, limiter, clock: systemClock, retry: FAST_RETRY, logger, credential: { headers: { Authorization: `Bearer ${sim.token}` } } });
    try {
      const e = await failure(t.request({ path: '/private/stem/project/', method: 'POST', json: { name: 'x' }, what: 'projects' }));
      expect(e).toMatchObject({ code: 'BAD_RESPONSE', status: 405 });
      expect(e.message).toBe('BrainSTEM refused the request (HTTP 405): "Method "POST" not allowed.".');
      expect(sim.counters().requests).toBe(1);
    } finally {
      await limiter.close();
    }
  });

  it('a 429 asking for longer than the allowed wait (3 h against 2 h): RATE_LIMITED at once, saying both, without waiting', async () => {
    const sim = suite.sim();
    sim.setFaults({ rules: [{ match: '/private/stem/project/', kind: 'rate429', count: 1, retryAfterSec: 3 * 3600 }] });
    const client = suite.use({ logger });
    const e = await failure(client.listLevel('project', null));
    expect(e).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    expect(e.message).toBe('BrainSTEM keeps asking us to slow down (HTTP 429). We already waited 0 s and it now asks for 180 min more, past the allowed 120 min.');
    expect(sim.counters().rateLimited).toBe(1);
    expect(sim.counters().requests).toBe(1);
  });

  it('HTML where JSON was expected (a wrong address: Django 404 pages): NOT_HYPERSTUDY-class "not the BrainSTEM API", no retries', async () => {
    const sim = suite.sim();
    const client = createBrainstemClient({ baseUrl: `${sim.origin}/elsewhere`, portal: 'private', auth: { kind: 'token', token: sim.token }, retry: FAST_RETRY, logger });
    sim.resetCounters();
    const e = await failure(client.listLevel('project', null));
    expect(e.code).toBe('NOT_HYPERSTUDY');
    expect(e.message).toBe('127.0.0.1:' + sim.port + ' answered with a web page (HTTP 404), not the BrainSTEM API: check the address.');
    expect(e.fix).toMatch(/https:\/\/www\.brainstem\.org\//);
    expect(sim.counters().requests).toBe(0); // /elsewhere/api/… is not under /api
    await client.close();
  });

  it('JSON of another API, and a 200 web page: not BrainSTEM', async () => {
    for (const [type, body] of [
      ['application/json', '{"status":"success","data":[]}'],
      ['text/html', '<!doctype html><title>Portal</title>'],
    ]) {
      const server = createServer((_req, res) => {
        res.writeHead(200, { 'Content-Type': type });
        res.end(body);
      });
      servers.push(server);
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const client = createBrainstemClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, portal: 'public', auth: { kind: 'none' }, retry: FAST_RETRY });
      const e = await failure(client.listLevel('project', null));
      expect(e.code).toBe('NOT_HYPERSTUDY');
      expect(e.message).toMatch(/not (like )?the BrainSTEM API/);
      await client.close();
    }
  });

  it('a server that echoes the token back in an error body: the token is redacted from the error', async () => {
    const token = suite.sim().token;
    const server = createServer((req, res) => {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ detail: `bad header ${req.headers.authorization}; raw ${String(req.headers.authorization).slice(7)}` }));
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const client = createBrainstemClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, portal: 'private', auth: { kind: 'token', token }, retry: FAST_RETRY, logger });
    const e = await failure(client.listLevel('project', null));
    expect(e.code).toBe('INVALID_PARAMETER');
    expect(e.message).toContain('[REDACTED]');
    await client.close();
  });

  it('plain http to another machine is refused before anything is sent', () => {
    expect(() => createBrainstemClient({ baseUrl: 'http://brainstem.example.org/', portal: 'private', auth: { kind: 'token', token: 'x'.repeat(40) } })).toThrow(/Refusing plain http/);
  });
});

describe('the token in no error and no log line', () => {
  it('across every test of this file', () => {
    const sim = suite.sim();
    expect(errors.length).toBeGreaterThan(5);
    expect(logger.lines.length).toBeGreaterThan(20);
    const text = errors.map((e) => JSON.stringify(toErrorInfo(e)) + String((e as Error).stack)).join('\n') + logger.lines.join('');
    for (const t of [sim.token, sim.otherToken]) expect(text).not.toContain(t);
  });
});
