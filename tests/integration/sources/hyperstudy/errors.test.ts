// Every failure path of a request and the typed, plain-words error it ends in.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { StudyError, toErrorInfo } from '../../../../src-shared/errors';
import type { Simulator } from '../../../sim/index';
import { collect, makeClient, simulatorSuite, startSim } from './helpers';

const suite = simulatorSuite();
const use = suite.use;
let sim: Simulator;
beforeAll(() => {
  sim = suite.sim();
});

/** The error a promise rejects with; fails the test if it resolves. */
async function failure(p: Promise<unknown>): Promise<StudyError> {
  const r = await p.then(
    () => null,
    (e) => e,
  );
  expect(r).toBeInstanceOf(StudyError);
  const info = JSON.stringify(toErrorInfo(r));
  expect(info).not.toContain(sim.apiKey);
  expect(info).not.toContain(sim.limitedKey);
  expect(r.fix).toBeTruthy();
  return r as StudyError;
}

const exp = () => sim.dataset.experiments()[0];

describe('errors before and at the door', () => {
  it('a wrong key prefix is caught before any request', async () => {
    const c = use({ connection: { apiKey: 'sk_live_abcdef' } });
    const e = await failure(c.listExperiments());
    expect(e.code).toBe('KEY_FORMAT');
    expect(e.message).toMatch(/hst_live_/);
    expect(sim.counters().requests).toBe(0);
    expect(c.requestsMade()).toBe(0);
  });

  it('401: an unknown key is rejected in plain words, without retries', async () => {
    const c = use({ connection: { apiKey: 'hst_test_notARealKey123' } });
    const e = await failure(c.listExperiments());
    expect(e.code).toBe('UNAUTHORIZED');
    expect(e.status).toBe(401);
    expect(e.message).toMatch(/^The server rejected this API key \(invalid, expired or revoked\)/);
    expect(e.message).not.toContain('notARealKey123');
    expect(e.fix).toMatch(/Create a new key/);
    expect(sim.counters().requests).toBe(1);
  });

  it('403 names the missing scope', async () => {
    const c = use({ connection: { apiKey: sim.limitedKey } });
    const e = await failure(c.fetchPage('chat', 'experiment', exp().id, {}));
    expect(e.code).toBe('FORBIDDEN');
    expect(e.message).toBe('This key lacks `read:chat`; create a key with that scope.');
    expect(e.details).toMatchObject({ required: ['read:chat'] });
    expect(e.fix).toMatch(/read:chat/);
  });

  it('404 says what was not found', async () => {
    const e = await failure(use().getExperiment('exp_nope'));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toMatch(/experiment exp_nope/);
  });

  it('400 from the server is INVALID_PARAMETER with the server’s reason', async () => {
    const e = await failure(use().fetchPage('events', 'experiment', exp().id, { startTime: 'yesterday-ish' }));
    expect(e.code).toBe('INVALID_PARAMETER');
    expect(e.message).toMatch(/startTime/);
    expect(sim.counters().requests).toBe(1);
  });
});

describe('transient failures are retried', () => {
  it('5xx is retried with backoff, then succeeds', async () => {
    const c = use();
    sim.setFaults({ rules: [{ match: '/experiments$', kind: 'error', status: 503, count: 2 }] });
    const { items } = await c.listExperiments();
    expect(items.length).toBeGreaterThan(0);
    expect(sim.counters().byEndpoint['/experiments']).toBe(3);
  });

  it('5xx that persists ends as SERVER after the bounded attempts', async () => {
    const c = use({ retry: { maxAttempts: 3 } });
    sim.setFaults({ rules: [{ match: '/health', kind: 'error', status: 500, count: 10 }] });
    const e = await failure(c.health());
    expect(e.code).toBe('SERVER');
    expect(e.message).toMatch(/HTTP 500\) 3 times/);
    expect(sim.counters().requests).toBe(3);
  });

  it('truncated JSON is retried, and ends as BAD_RESPONSE if it persists', async () => {
    const c = use();
    sim.setFaults({ rules: [{ match: '/data/events/', kind: 'truncate', count: 2 }] });
    const page = await c.fetchPage('events', 'experiment', exp().id, {});
    expect(page.records.length).toBe(1000);
    expect(sim.counters().faults.truncate).toBe(2);
    sim.setFaults({ rules: [{ match: '/data/events/', kind: 'truncate', count: 10 }] });
    const e = await failure(c.fetchPage('events', 'experiment', exp().id, {}));
    expect(e.code).toBe('BAD_RESPONSE');
  });

  it('a connection reset mid-body is retried', async () => {
    const c = use();
    sim.setFaults({ rules: [{ match: '/data/chat/', kind: 'reset', count: 2 }] });
    const page = await c.fetchPage('chat', 'experiment', exp().id, {});
    expect(page.records.length).toBe(sim.dataset.count('chat', 'experiment', exp().id));
    expect(sim.counters().faults.reset).toBe(2);
  });

  it('a response slower than the timeout is retried, and ends as TIMEOUT if it persists', async () => {
    const c = use({ connection: { timeoutMs: 300 }, retry: { maxAttempts: 2 } });
    sim.setFaults({ rules: [{ match: '/health', kind: 'slow', delayMs: 2000, count: 1 }] });
    expect((await c.health()).ok).toBe(true);
    sim.setFaults({ rules: [{ match: '/health', kind: 'slow', delayMs: 2000, count: 5 }] });
    const e = await failure(c.health());
    expect(e.code).toBe('TIMEOUT');
    expect(e.message).toMatch(/did not answer within 0 s|did not answer within/);
  });
});

describe('not talking to HyperStudy', () => {
  it('an unreachable host (a closed port) is UNREACHABLE', async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as AddressInfo).port;
    await new Promise((r) => srv.close(r));
    const c = use({ connection: { baseUrl: `http://127.0.0.1:${port}/api/v3` }, retry: { maxAttempts: 2 } });
    const e = await failure(c.health());
    expect(e.code).toBe('UNREACHABLE');
    expect(e.message).toBe(`Cannot reach 127.0.0.1:${port}: the connection was refused (2 attempts).`);
    expect(e.fix).toMatch(/base URL/);
  });

  it('an HTML page where JSON was expected is NOT_HYPERSTUDY', async () => {
    const c = use();
    sim.setFaults({ rules: [{ match: '/experiments', kind: 'html', status: 200, count: 1 }] });
    const e = await failure(c.listExperiments());
    expect(e.code).toBe('NOT_HYPERSTUDY');
    expect(e.message).toMatch(/answered with a web page, not the HyperStudy API: check the base URL/);
    expect(sim.counters().requests).toBe(1);
  });

  it('a proxy’s 502 HTML page is retried like any 5xx', async () => {
    const c = use();
    sim.setFaults({ rules: [{ match: '/health', kind: 'html', status: 502, count: 1 }] });
    expect((await c.health()).ok).toBe(true);
    expect(sim.counters().requests).toBe(2);
  });

  it('JSON that is not the HyperStudy API is NOT_HYPERSTUDY', async () => {
    const other: Server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ hello: 'world' }));
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    try {
      const port = (other.address() as AddressInfo).port;
      const c = use({ connection: { baseUrl: `http://127.0.0.1:${port}/api/v3` } });
      const e = await failure(c.listExperiments());
      expect(e.code).toBe('NOT_HYPERSTUDY');
      const h = await failure(c.health());
      expect(h.code).toBe('NOT_HYPERSTUDY');
    } finally {
      await new Promise((r) => other.close(r));
    }
  });
});

describe('429', () => {
  it('a 429 storm is survived with zero extra 429s after the first (Retry-After in seconds)', async () => {
    const c = use();
    // The storm outlasts any plausible delay of the first request and ends before Retry-After does.
    sim.setFaults({ storm: { untilMs: Date.now() + 2500, retryAfterSec: 3 } });
    const waits: string[] = [];
    const { items } = await c.listExperiments({ onWait: (w) => waits.push(w.scope) });
    expect(items.length).toBeGreaterThan(0);
    // Everything after it goes through as well: the block covered the whole key.
    const [events, chat] = await Promise.all([
      collect(c.pages('events', 'experiment', exp().id, {})),
      collect(c.pages('chat', 'experiment', exp().id, {})),
    ]);
    expect(events.records.length).toBe(sim.dataset.count('events', 'experiment', exp().id));
    expect(chat.records.length).toBe(sim.dataset.count('chat', 'experiment', exp().id));
    expect(sim.counters().rateLimited).toBe(1);
    expect(c.rateLimitedResponses?.()).toBe(1);
    expect(waits).toContain('server');
  });

  it('Retry-After as an HTTP date is honoured', async () => {
    const c = use();
    // HTTP dates have 1 s resolution: the pause lasts until the next whole second or later.
    sim.setFaults({ storm: { untilMs: Date.now() + 1500, retryAfterSec: 3, retryAfterAsDate: true } });
    const started = Date.now();
    expect((await c.health()).ok).toBe(true);
    expect(sim.counters().rateLimited).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
  });

  it('learns a server limit stricter than configured from the first 429 and gets no second one', async () => {
    const strict = await startSim({ endpointLimit: 5, endpointWindowSec: 1 });
    try {
      const limiter = makeClient(strict, { limits: { endpointLimit: 100, endpointWindowMs: 1000, endpointMarginMs: 50 } });
      onTestFinished(() => limiter.limiter.close());
      const id = strict.dataset.experiments()[0].id;
      for (let i = 0; i < 12; i++) await limiter.client.fetchPage('chat', 'experiment', id, { limit: 5, offset: 0 });
      expect(strict.counters().rateLimited).toBe(1);
      // The server stated its limit in the 429: learned exactly, and held for a while before probing upwards.
      expect(limiter.limiter.limits().effectiveEndpointLimit('/data/chat/experiment/{id}')).toBe(5);
    } finally {
      await strict.close();
    }
  });

  it('gives up with RATE_LIMITED once the allowed wait is used up', async () => {
    const c = use({ retry: { maxRateLimitWaitMs: 500 } });
    sim.setFaults({ storm: { count: 5, retryAfterSec: 3 } });
    const e = await failure(c.health());
    expect(e.code).toBe('RATE_LIMITED');
    expect(e.status).toBe(429);
    expect(e.message).toMatch(/slow down/);
    expect(sim.counters().requests).toBe(1);
  });
});

describe('cancellation', () => {
  it('an abort signal cancels a request waiting on the limiter without sending it', async () => {
    const c = use({ limits: { keyLimit: 1, keyWindowMs: 60_000 } });
    await c.health();
    const ac = new AbortController();
    const p = c.health({ signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(sim.counters().requests).toBe(1);
  });
});
