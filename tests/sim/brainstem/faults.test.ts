// The shared fault layer on the BrainSTEM simulator: exact rules and storms answered as DRF would
// (throttled 429 with Retry-After) or as a proxy would (HTML pages), truncated and reset bodies, and
// the counters a client test reads.
import { afterEach, describe, expect, it } from 'vitest';
import { startBrainstemSimulator, type BrainstemSimulator } from './index';
import { call, fakeClock } from './test-helpers';

let sim: BrainstemSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('proxy-level faults', () => {
  it('an html rule answers the next matching request with a 502 nginx page, then recovers', async () => {
    sim = await startBrainstemSimulator({ faults: { rules: [{ match: '^/private/stem/session/$', kind: 'html', count: 1 }] } });
    const r = await call(sim, '/private/stem/session/');
    expect(r.status).toBe(502);
    expect(r.res.headers.get('content-type')).toBe('text/html');
    expect(r.text).toContain('502 Bad Gateway');
    expect((await call(sim, '/private/stem/project/')).status).toBe(200);
    expect((await call(sim, '/private/stem/session/')).status).toBe(200);
    expect(sim.counters().faults.html).toBe(1);
  });

  it('an error rule answers 5xx with a JSON detail', async () => {
    sim = await startBrainstemSimulator({ faults: { rules: [{ match: '/modules/dataacquisition/', kind: 'error', count: 2, status: 503 }] } });
    const a = await call(sim, '/private/modules/dataacquisition/');
    expect(a.status).toBe(503);
    expect(a.body).toEqual({ detail: 'Service temporarily unavailable, try again later.' });
    expect((await call(sim, '/private/modules/dataacquisition/')).status).toBe(503);
    expect((await call(sim, '/private/modules/dataacquisition/')).status).toBe(200);
  });

  it('a 429 storm answers as DRF throttling with Retry-After, before authentication, then stops', async () => {
    sim = await startBrainstemSimulator({ faults: { storm: { count: 3, retryAfterSec: 7 } } });
    for (let i = 0; i < 3; i++) {
      const r = await call(sim, '/private/stem/project/', { token: i === 0 ? null : sim.token });
      expect(r.status).toBe(429);
      expect(r.res.headers.get('retry-after')).toBe('7');
      expect(r.body).toEqual({ detail: 'Request was throttled. Expected available in 7 seconds.' });
    }
    expect((await call(sim, '/private/stem/project/')).status).toBe(200);
    expect(sim.counters().rateLimited).toBe(3);
  });

  it('a Retry-After date comes from the simulator clock', async () => {
    const clock = fakeClock(Date.UTC(2030, 5, 1, 12, 0, 0));
    sim = await startBrainstemSimulator({ now: clock.now, faults: { rules: [{ match: 'project', kind: 'rate429', retryAfterSec: 30, retryAfterAsDate: true }] } });
    const r = await call(sim, '/public/stem/project/', { token: null });
    expect(r.status).toBe(429);
    expect(r.res.headers.get('retry-after')).toBe(new Date(Date.UTC(2030, 5, 1, 12, 0, 30)).toUTCString());
  });

  it('random errors are reproducible from the fault seed', async () => {
    sim = await startBrainstemSimulator({ faults: { errorRate: 0.5, seed: 11 } });
    const run = async () => {
      const out: number[] = [];
      for (let i = 0; i < 30; i++) out.push((await call(sim!, '/public/stem/project/', { token: null })).status);
      return out;
    };
    const first = await run();
    expect(first.filter((s) => s >= 500).length).toBeGreaterThan(5);
    expect(first.filter((s) => s === 200).length).toBeGreaterThan(5);
    sim.resetFaults();
    sim.setFaults({ errorRate: 0.5, seed: 11 });
    expect(await run()).toEqual(first);
  });
});

describe('body faults', () => {
  it('truncate: a 200 whose JSON is cut in half', async () => {
    sim = await startBrainstemSimulator({ faults: { rules: [{ match: '/private/stem/session/', kind: 'truncate' }] } });
    const r = await call(sim, '/private/stem/session/');
    expect(r.status).toBe(200);
    expect(r.body).toBeUndefined();
    expect(r.text.length).toBeGreaterThan(10);
  });

  it('reset: the connection dies mid-body', async () => {
    sim = await startBrainstemSimulator({ faults: { rules: [{ match: '/private/stem/session/', kind: 'reset' }] } });
    await expect(call(sim, '/private/stem/session/')).rejects.toThrow();
    expect((await call(sim, '/private/stem/session/')).status).toBe(200);
  });

  it('faults are switchable through the control route', async () => {
    sim = await startBrainstemSimulator();
    await fetch(`${sim.controlUrl}/faults/rules`, { method: 'POST', body: JSON.stringify([{ match: 'auth/device', kind: 'html', count: 1 }]) });
    const r = await fetch(`${sim.baseUrl}/auth/device/`, { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json' } });
    expect(r.status).toBe(502);
    await fetch(`${sim.controlUrl}/faults`, { method: 'DELETE' });
    expect((await fetch(`${sim.controlUrl}/faults`).then((x) => x.json() as Promise<any>)).rules).toEqual([]);
  });
});

describe('counters and request log', () => {
  it('counts requests by route template, statuses, 401s, redirects and Authorization by portal', async () => {
    sim = await startBrainstemSimulator();
    const s = sim.dataset.rows('session')[0];
    await call(sim, '/private/stem/session/');
    await call(sim, `/private/stem/session/${s.id}/`);
    await call(sim, `/private/stem/session/${s.id}/behaviors/`);
    await call(sim, '/public/stem/project/', { token: null });
    await call(sim, '/private/stem/project/', { token: null });
    await call(sim, '/private/stem/project/', { token: 'stale' });
    await call(sim, '/private/stem/project');
    const c = sim.counters();
    expect(c.byEndpoint).toEqual({
      '/private/stem/session/': 1,
      '/private/stem/session/{id}/': 1,
      '/private/stem/session/{id}/behaviors/': 1,
      '/public/stem/project/': 1,
      '/private/stem/project/': 3,
    });
    expect(c.requests).toBe(7);
    expect(c.unauthorized).toBe(2);
    expect(c.redirects).toBe(1);
    expect(c.withAuthorization).toEqual({ private: 5 });
    expect(c.byStatus).toMatchObject({ 200: 4, 401: 2, 301: 1 });
    const log = sim.requestLog();
    expect(log).toHaveLength(7);
    expect(log[3]).toEqual({ method: 'GET', path: '/api/public/stem/project/', status: 200, authorization: 'none', origin: 'api' });
    expect(JSON.stringify(log)).not.toContain(sim.token);
    sim.resetCounters();
    expect(sim.counters().requests).toBe(0);
    expect(sim.requestLog()).toEqual([]);
  });
});
