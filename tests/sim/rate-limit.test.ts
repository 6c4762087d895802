// Rate limits: sliding-window logs per key and per (key, endpoint template), with Retry-After.
import { afterEach, describe, expect, it } from 'vitest';
import { endpointTemplate } from './endpoint-key';
import { startSimulator, type Simulator } from './index';
import { RateLimiter } from './rate-limit';
import { fakeClock, getJson } from './test-helpers';

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('endpoint templates (shared definition with the client limiter)', () => {
  it.each([
    ['/health', '/health'],
    ['/experiments', '/experiments'],
    ['/experiments/shared', '/experiments/shared'],
    ['/experiments/exp_1', '/experiments/{id}'],
    ['/deployments', '/deployments'],
    ['/deployments/dep_1', '/deployments/{id}'],
    ['/deployments/dep_1/sessions', '/deployments/{id}/sessions'],
    ['/data/events/experiment/exp_1', '/data/events/experiment/{id}'],
    ['/data/ratings/continuous/room/r%3A1', '/data/ratings/continuous/room/{id}'],
    ['/data/participants/room/r1', '/data/participants/room/{id}'],
    ['/data/counts/participant/u1', '/data/counts/participant/{id}'],
    ['/data/variables/room/r1', '/data/variables/room/{id}'],
    ['/data/check-access/experiment/e1', '/data/check-access/experiment/{id}'],
    ['/data/recordings/download/r1/EG_1', '/data/recordings/download/{id}/{id}'],
  ])('%s → %s', (path, template) => {
    expect(endpointTemplate(path)).toBe(template);
  });
});

describe('RateLimiter', () => {
  it('computes Retry-After as the time until the oldest entry leaves the window, rounded up', () => {
    const l = new RateLimiter({ keyLimit: 100, keyWindowSec: 3600, endpointLimit: 2, endpointWindowSec: 60 });
    expect(l.admit('k', '/a', 0).ok).toBe(true);
    expect(l.admit('k', '/a', 10_500).ok).toBe(true);
    const d = l.admit('k', '/a', 20_000);
    expect(d).toMatchObject({ ok: false, scope: 'endpoint', retryAfterSec: 40 });
    // A denied request consumed nothing: at 60 s the first slot frees.
    expect(l.admit('k', '/a', 59_999).ok).toBe(false);
    expect(l.admit('k', '/a', 60_000).ok).toBe(true);
    const d2 = l.admit('k', '/a', 60_100);
    expect(d2).toMatchObject({ ok: false, retryAfterSec: 11 }); // 10.5 s + 60 s - 60.1 s = 10.4 s → 11
    expect(l.admit('k', '/b', 60_100).ok).toBe(true); // another endpoint has its own window
  });
});

describe('rate limits over HTTP', () => {
  it('answers the sixth quick request to one endpoint with 429 and Retry-After (endpoint limit 5)', async () => {
    const clock = fakeClock();
    sim = await startSimulator({ endpointLimit: 5, endpointWindowSec: 60, now: clock.now });
    for (let i = 0; i < 5; i++) {
      expect((await getJson(sim, '/experiments')).status).toBe(200);
      clock.advance(1000);
    }
    const { status, body, res } = await getJson(sim, '/experiments');
    expect(status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('55');
    expect(body.status).toBe('error');
    expect(body.error.code).toBe('RATE_LIMIT_EXCEEDED');
    expect(body.error.details).toMatchObject({ scope: 'endpoint', limit: 5, windowSec: 60, endpoint: '/experiments', retryAfter: 55 });
    // Other endpoints are unaffected; ids do not make separate endpoints.
    expect((await getJson(sim, '/experiments/shared')).status).toBe(200);
    const exp = sim.dataset.experiments()[0].id;
    expect((await getJson(sim, `/experiments/${exp}`)).status).toBe(200);
    // 429s do not consume budget: once the oldest request leaves the window, one more fits.
    clock.advance(54_000);
    expect((await getJson(sim, '/experiments')).status).toBe(429);
    clock.advance(1000);
    expect((await getJson(sim, '/experiments')).status).toBe(200);
    expect((await getJson(sim, '/experiments')).status).toBe(429);
    const c = sim.counters();
    expect(c.rateLimited).toBe(3);
    expect(c.rateLimitedBy.endpoint).toBe(3);
    expect(c.byStatus['429']).toBe(3);
  });

  it('counts ids under one template, per key', async () => {
    const clock = fakeClock();
    sim = await startSimulator({ endpointLimit: 2, now: clock.now });
    const [a, b] = sim.dataset.experiments();
    expect((await getJson(sim, `/data/rooms/experiment/${a.id}`)).status).toBe(200);
    expect((await getJson(sim, `/data/rooms/experiment/${b.id}`)).status).toBe(200);
    expect((await getJson(sim, `/data/rooms/experiment/${a.id}`)).status).toBe(429);
    // The limited key has its own budget.
    expect((await getJson(sim, `/data/rooms/experiment/${a.id}`, { key: sim.limitedKey })).status).toBe(200);
  });

  it('enforces the per-key limit across endpoints', async () => {
    const clock = fakeClock();
    sim = await startSimulator({ keyLimit: 3, keyWindowSec: 3600, now: clock.now });
    const exp = sim.dataset.experiments()[0].id;
    expect((await getJson(sim, '/health')).status).toBe(200);
    clock.advance(10_000);
    expect((await getJson(sim, '/experiments')).status).toBe(200);
    expect((await getJson(sim, `/data/events/experiment/${exp}?limit=1`)).status).toBe(200);
    const { status, body, res } = await getJson(sim, `/deployments`);
    expect(status).toBe(429);
    expect(body.error.details.scope).toBe('key');
    expect(res.headers.get('retry-after')).toBe(String(3600 - 10));
    sim.resetRateLimits();
    expect((await getJson(sim, `/deployments`)).status).toBe(200);
  });

  it('does not rate-limit requests without a valid key or the storage route', async () => {
    const clock = fakeClock();
    sim = await startSimulator({ endpointLimit: 1, now: clock.now });
    for (let i = 0; i < 3; i++) expect((await getJson(sim, '/experiments', { key: 'hst_test_bad' })).status).toBe(401);
    expect((await getJson(sim, '/experiments')).status).toBe(200);
  });
});
