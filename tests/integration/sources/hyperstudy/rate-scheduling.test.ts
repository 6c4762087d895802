// How the client schedules requests under the rate limits, against the simulator (which enforces
// the windows exactly): a request waiting for its endpoint's window must not hold back requests
// to other endpoints (no head-of-line blocking behind the in-flight cap).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJointLimiter } from '../../../../src-main/core/net/limiter';
import { systemClock } from '../../../../src-main/core/ports';
import { createHyperStudyClient } from '../../../../src-main/core/sources/hyperstudy/client';
import type { Simulator } from '../../../sim/index';
import { FAST_RETRY, ROOMY, startSim } from './helpers';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSim();
});
afterAll(async () => {
  await sim?.close();
});

describe('in-flight cap and the endpoint windows', () => {
  it('requests waiting for a full endpoint window hold no in-flight place: another endpoint goes at once', async () => {
    sim.resetCounters();
    // Events may send 2 per minute; the client may have 2 requests in flight.
    const limiter = createJointLimiter({
      keyLimit: ROOMY.keyLimit,
      keyWindowMs: ROOMY.keyWindowSec * 1000,
      endpointLimit: 2,
      endpointWindowMs: 60_000,
      clock: systemClock,
    });
    const client = createHyperStudyClient({
      connection: { baseUrl: sim.baseUrl, apiKey: sim.apiKey, organizationId: sim.orgId },
      limiter,
      retry: FAST_RETRY,
      maxInFlight: 2,
    });
    const ac = new AbortController();
    try {
      const exp = sim.dataset.experiments()[0];
      // Four event pages: two go out, two wait a minute for the events window, before the rooms listing.
      const events = [0, 1, 2, 3].map((i) => client.fetchPage('events', 'experiment', exp.id, { limit: 10, offset: 10 * i }, { signal: ac.signal }));
      for (const p of events) p.catch(() => {});
      // Before the fix this waited behind the two parked event requests (each held an in-flight
      // place while waiting for its window), i.e. a minute: the test's timeout fails it.
      const rooms = await client.listRooms(exp.id);
      expect(rooms.items.length).toBeGreaterThan(0);
      await Promise.all(events.slice(0, 2));
      expect(sim.counters().byEndpoint['/data/events/experiment/{id}']).toBe(2);
      expect(sim.counters().rateLimited).toBe(0);
    } finally {
      ac.abort();
      await limiter.close();
    }
  });
});
