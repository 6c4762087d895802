// Every fault kind is observable over HTTP, reproducible from its seed, and switchable at run time
// both in-process and through the control route.
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from './index';
import { fakeClock, get, getJson } from './test-helpers';

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function statuses(s: Simulator, n: number, path = '/experiments'): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = await get(s, path);
    await res.arrayBuffer().catch(() => undefined);
    out.push(res.status);
  }
  return out;
}

describe('random faults', () => {
  it('injects 5xx JSON errors at the configured rate, reproducibly from the fault seed', async () => {
    sim = await startSimulator({ faults: { errorRate: 0.5, seed: 7 } });
    const first = await statuses(sim, 40);
    const errors = first.filter((s) => s >= 500);
    expect(errors.length).toBeGreaterThan(8);
    expect(errors.length).toBeLessThan(32);
    expect(errors.every((s) => [500, 502, 503, 504].includes(s))).toBe(true);
    sim.resetFaults();
    sim.setFaults({ errorRate: 0.5, seed: 7 });
    expect(await statuses(sim, 40)).toEqual(first);
    const { body } = await getJson(sim, '/experiments?x=1').catch(() => ({ body: null }));
    if (body && body.status === 'error') expect(body.error.code).toMatch(/ERROR|UNAVAILABLE|TIMEOUT|GATEWAY/);
  });

  it('serves proxy-style HTML error pages', async () => {
    sim = await startSimulator({ faults: { htmlRate: 1 } });
    const res = await get(sim, '/experiments');
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toBe('text/html');
    expect(await res.text()).toContain('<h1>502 Bad Gateway</h1>');
  });

  it('truncates JSON bodies so they no longer parse', async () => {
    sim = await startSimulator({ faults: { truncateRate: 1 } });
    const res = await get(sim, '/experiments');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text.length).toBe(Number(res.headers.get('content-length')));
    expect(() => JSON.parse(text)).toThrow();
  });

  it('resets connections mid-body', async () => {
    sim = await startSimulator({ faults: { resetRate: 1 } });
    const exp = sim.dataset.experiments()[0].id;
    await expect(get(sim, `/data/events/experiment/${exp}`).then((r) => r.text())).rejects.toThrow();
    expect(sim.counters().faults.reset).toBe(1);
  });

  it('adds latency (fixed plus jitter)', async () => {
    sim = await startSimulator({ faults: { latencyMs: 150, jitterMs: 20 } });
    const t0 = performance.now();
    await get(sim, '/health');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(145);
  });

  it('answers slower than a client timeout, only on the matching routes', async () => {
    sim = await startSimulator({ faults: { slowMs: 5000, slowPattern: '^/data/recordings/' } });
    const exp = sim.dataset.experiments()[0].id;
    const fast = await fetch(`${sim.baseUrl}/data/events/experiment/${exp}?limit=1`, { headers: { 'X-API-Key': sim.apiKey }, signal: AbortSignal.timeout(3000) });
    expect(fast.status).toBe(200);
    await expect(fetch(`${sim.baseUrl}/data/recordings/experiment/${exp}`, { headers: { 'X-API-Key': sim.apiKey }, signal: AbortSignal.timeout(200) })).rejects.toThrow();
    expect(sim.counters().faults.slow).toBe(1);
  });

  it('adds _warnings to success envelopes', async () => {
    const w = 'MISSING_INDEX: Query for experiment/x requires a composite Firestore index. Results may be incomplete.';
    sim = await startSimulator({ faults: { warnings: [w] } });
    const exp = sim.dataset.experiments()[0].id;
    const { body } = await getJson(sim, `/data/events/experiment/${exp}?limit=1`);
    expect(body.metadata._warnings).toEqual([w]);
    sim.resetFaults();
    expect((await getJson(sim, `/data/events/experiment/${exp}?limit=1`)).body.metadata._warnings).toBeUndefined();
  });
});

describe('429 storms', () => {
  it('answers the next N requests with 429 and Retry-After in seconds, without consuming budget', async () => {
    sim = await startSimulator({ endpointLimit: 3 });
    sim.setFaults({ storm: { count: 3, retryAfterSec: 7 } });
    for (let i = 0; i < 3; i++) {
      const { status, body, res } = await getJson(sim, '/experiments');
      expect(status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('7');
      expect(body.error).toMatchObject({ code: 'RATE_LIMIT_EXCEEDED', details: { scope: 'server', reason: 'storm' } });
    }
    expect(await statuses(sim, 3)).toEqual([200, 200, 200]);
    expect(sim.counters().rateLimitedBy.storm).toBe(3);
  });

  it('storms for a duration with Retry-After as an HTTP date', async () => {
    const clock = fakeClock(Date.UTC(2026, 0, 1, 12, 0, 0));
    sim = await startSimulator({ now: clock.now });
    sim.setFaults({ storm: { untilMs: clock.now() + 10_000, retryAfterSec: 10, retryAfterAsDate: true } });
    const res = await get(sim, '/experiments');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('Thu, 01 Jan 2026 12:00:10 GMT');
    clock.advance(10_000);
    expect((await get(sim, '/experiments')).status).toBe(200);
  });
});

describe('exact rules', () => {
  it('fails exactly the next N requests matching a pattern, with the chosen kind', async () => {
    sim = await startSimulator();
    const exp = sim.dataset.experiments()[0].id;
    sim.setFaults({
      rules: [
        { match: '/data/events/', kind: 'error', status: 503, count: 2 },
        { match: '^/experiments$', kind: 'rate429', retryAfterSec: 3, count: 1 },
        { match: '/data/chat/', kind: 'truncate', count: 1 },
        { match: '/deployments', kind: 'html', status: 504, count: 1 },
      ],
    });
    expect(await statuses(sim, 3, `/data/events/experiment/${exp}?limit=1`)).toEqual([503, 503, 200]);
    const r429 = await get(sim, '/experiments');
    expect(r429.status).toBe(429);
    expect(r429.headers.get('retry-after')).toBe('3');
    expect((await get(sim, '/experiments')).status).toBe(200);
    const chat = await get(sim, `/data/chat/experiment/${exp}`);
    await expect(chat.json()).rejects.toThrow();
    const html = await get(sim, '/deployments');
    expect(html.status).toBe(504);
    expect(html.headers.get('content-type')).toBe('text/html');
    expect(sim.faults().rules).toEqual([]);
    const c = sim.counters();
    expect(c.faults).toMatchObject({ error: 2, rate429: 1, truncate: 1, html: 1 });
  });
});

describe('control route', () => {
  it('reads and changes faults, shapes and counters over HTTP', async () => {
    sim = await startSimulator();
    const json = async (r: Response): Promise<any> => r.json();
    const post = (path: string, body: unknown) => fetch(sim!.controlUrl + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const set = await post('/faults', { errorRate: 1, errorStatuses: [500] });
    expect((await json(set)).errorRate).toBe(1);
    expect((await get(sim, '/experiments')).status).toBe(500);
    await post('/faults/rules', [{ match: 'health', kind: 'html', count: 1 }]);
    expect((await json(await fetch(sim.controlUrl + '/faults'))).rules).toEqual([{ match: 'health', kind: 'html', count: 1 }]);
    await fetch(sim.controlUrl + '/faults', { method: 'DELETE' });
    expect((await get(sim, '/experiments')).status).toBe(200);
    await post('/shapes', { health: 'success' });
    expect((await getJson(sim, '/health')).body.status).toBe('success');
    const counters = await json(await fetch(sim.controlUrl + '/counters'));
    expect(counters.byEndpoint['/experiments']).toBe(2);
    expect(counters.byEndpoint['/health']).toBe(1);
    expect(counters.byStatus).toMatchObject({ '200': 2, '500': 1 });
    expect(counters.bytesApi).toBeGreaterThan(0);
    await post('/reset', {});
    expect((await json(await fetch(sim.controlUrl + '/counters'))).requests).toBe(0);
    expect((await getJson(sim, '/health')).body.status).toBe('healthy');
    const info = await json(await fetch(sim.controlUrl + '/info'));
    expect(info).toMatchObject({ baseUrl: sim.baseUrl, scale: 'tiny', orgId: sim.orgId });
    expect(JSON.stringify(info)).not.toContain(sim.apiKey);
    expect((await post('/faults', { storm: { retryAfterSec: 1 } })).status).toBe(400);
    const exp = sim.dataset.experiments()[0];
    const before = sim.dataset.count('chat', 'experiment', exp.id);
    expect((await post('/append', { type: 'chat', experimentId: exp.id, roomId: exp.roomIds[1], n: 4 })).status).toBe(200);
    expect(sim.dataset.count('chat', 'experiment', exp.id)).toBe(before + 4);
    expect((await post('/append', { type: 'chat', experimentId: exp.id, roomId: 'room_nope', n: 1 })).status).toBe(400);
  });
});
