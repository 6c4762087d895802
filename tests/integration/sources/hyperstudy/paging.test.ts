// Paging: hasMore/nextOffset, the largest page, ascending time order, de-duplication while the
// server appends records mid-paging, cancellation, and continuing from a kept first page.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../../sim/index';
import { collect, makeClient, simulatorSuite, startSim } from './helpers';

const suite = simulatorSuite();
const use = suite.use;
let sim: Simulator;
beforeAll(() => {
  sim = suite.sim();
});

describe('pages()', () => {
  it('fetches every record in ⌈N/1000⌉ requests of 1000, sorted ascending by timestamp', async () => {
    const c = use();
    const exp = sim.dataset.experiments()[0];
    const n = sim.dataset.count('events', 'experiment', exp.id);
    expect(n).toBeGreaterThan(2000);
    const { records, pages } = await collect(c.pages('events', 'experiment', exp.id, {}));
    expect(records.length).toBe(n);
    expect(pages).toBe(Math.ceil(n / 1000));
    expect(sim.counters().byEndpoint['/data/events/experiment/{id}']).toBe(Math.ceil(n / 1000));
    expect(c.requestsMade()).toBe(Math.ceil(n / 1000));
    const ts = records.map((r) => Date.parse(r.timestamp as string));
    expect(ts.every((v, i) => i === 0 || ts[i - 1] <= v)).toBe(true);
    const expected = [...sim.dataset.records('events', 'experiment', exp.id)].map((r) => r.id);
    expect(records.map((r) => r.id)).toEqual(expected);
  });

  it('sequential paging (concurrency 1) gives the same records and requests', async () => {
    const c = use();
    const exp = sim.dataset.experiments()[0];
    const { records } = await collect(c.pages('events', 'experiment', exp.id, {}, { concurrency: 1 }));
    expect(records.length).toBe(sim.dataset.count('events', 'experiment', exp.id));
    expect(c.requestsMade()).toBe(Math.ceil(records.length / 1000));
  });

  for (const concurrency of [1, 4]) {
    it(`de-duplicates by record id while the server appends records mid-paging (concurrency ${concurrency})`, async () => {
      const local = await startSim();
      const t = makeClient(local);
      try {
        const c = t.client;
        const exp = local.dataset.experiments()[0];
        const room = local.dataset.rooms(exp.id)[0];
        const before = [...local.dataset.records('events', 'experiment', exp.id)];
        const lastTs = Math.max(...before.filter((r) => r.sessionId === room.id).map((r) => Date.parse(r.timestamp as string)));
        const beforeIds = new Set(before.map((r) => r.id as string));
        const seen: string[] = [];
        let appended = false;
        let pages = 0;
        for await (const page of c.pages('events', 'experiment', exp.id, {}, { concurrency })) {
          seen.push(...page.records.map((r) => r.id as string));
          pages++;
          if (!appended) {
            // Half land inside the time range already paged (shifting offsets), half after it.
            local.appendRecords('events', exp.id, room.id, 300);
            appended = true;
          }
        }
        expect(new Set(seen).size).toBe(seen.length); // no duplicates reached the consumer
        const ids = new Set(seen);
        for (const r of before) expect(ids.has(r.id as string)).toBe(true); // nothing that existed was lost
        const after = [...local.dataset.records('events', 'experiment', exp.id)];
        expect(after.length).toBe(before.length + 300);
        const appendedLate = after.filter((r) => !beforeIds.has(r.id as string) && Date.parse(r.timestamp as string) > lastTs);
        expect(appendedLate.length).toBeGreaterThan(0);
        for (const r of appendedLate) expect(ids.has(r.id as string)).toBe(true); // paging followed hasMore past the first total
        expect(pages).toBeGreaterThanOrEqual(Math.ceil(before.length / 1000));
      } finally {
        await t.limiter.close();
        await local.close();
      }
    });
  }

  it('can be cancelled with an AbortSignal, and sends nothing more afterwards', async () => {
    const c = use();
    const exp = sim.dataset.experiments()[0];
    const ac = new AbortController();
    sim.setFaults({ latencyMs: 30 });
    const got: number[] = [];
    const run = (async () => {
      for await (const p of c.pages('events', 'experiment', exp.id, {}, { signal: ac.signal, concurrency: 1 })) {
        got.push(p.records.length);
        ac.abort();
      }
    })();
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(got).toEqual([1000]);
    const sent = sim.counters().requests;
    await new Promise((r) => setTimeout(r, 100));
    expect(sim.counters().requests).toBe(sent);
    expect(sent).toBeLessThanOrEqual(2);
  });

  it('stopping early discards the prefetched pages', async () => {
    const c = use();
    const exp = sim.dataset.experiments()[0];
    for await (const p of c.pages('events', 'experiment', exp.id, {}, { concurrency: 2 })) {
      expect(p.records.length).toBe(1000);
      break;
    }
    expect(sim.counters().requests).toBeLessThanOrEqual(3);
  });

  it('continues from a first page it is given, without fetching it again', async () => {
    const c = use();
    const exp = sim.dataset.experiments()[0];
    const first = await c.fetchPage('events', 'experiment', exp.id, {});
    const { records } = await collect(c.pages('events', 'experiment', exp.id, {}, { firstPage: first }));
    const n = sim.dataset.count('events', 'experiment', exp.id);
    expect(records.length).toBe(n);
    expect(c.requestsMade()).toBe(Math.ceil(n / 1000));
  });

  it('participant scope: roomId is a filter, sent when known; a server that needs it says so', async () => {
    const c = use();
    const p = sim.dataset.participants()[0];
    const expected = sim.dataset.count('events', 'participant', p.id, p.roomId);
    expect((await c.fetchPage('events', 'participant', p.id, {})).total).toBe(expected);
    expect((await c.fetchPage('events', 'participant', p.id, { roomId: p.roomId })).total).toBe(expected);
    sim.setShapes({ participantNeedsRoomId: true });
    await expect(c.fetchPage('events', 'participant', p.id, {})).rejects.toMatchObject({ code: 'INVALID_PARAMETER' });
    expect((await c.fetchPage('events', 'participant', p.id, { roomId: p.roomId })).total).toBe(expected);
  });

  it('passes the time range to the server', async () => {
    const c = use();
    const exp = sim.dataset.experiments()[0];
    const all = [...sim.dataset.records('events', 'experiment', exp.id)];
    const mid = all[Math.floor(all.length / 2)].timestamp as string;
    const { records } = await collect(c.pages('events', 'experiment', exp.id, { startTime: mid }));
    expect(records.length).toBeGreaterThan(0);
    expect(records.length).toBeLessThan(all.length);
    expect(records.every((r) => (r.timestamp as string) >= mid)).toBe(true);
  });

  for (const timeRange of ['exclusive', 'inclusive'] as const) {
    it(`keeps the bounds of [since, until] whether the server reads them exclusive or inclusive (${timeRange})`, async () => {
      const c = use();
      sim.setShapes({ timeRange });
      const exp = sim.dataset.experiments()[0];
      const all = [...sim.dataset.records('events', 'experiment', exp.id)];
      const since = all[300].timestamp as string;
      const until = all[1700].timestamp as string;
      const { records } = await collect(c.pages('events', 'experiment', exp.id, { startTime: since, endTime: until }));
      expect(records.map((r) => r.id)).toEqual(all.filter((r) => (r.timestamp as string) >= since && (r.timestamp as string) <= until).map((r) => r.id));
      expect(records[0].timestamp).toBe(since);
      expect(records[records.length - 1].timestamp).toBe(until);
    });
  }

  it('pages on without nextOffset or an echoed offset (its own offset + returned)', async () => {
    const c = use();
    sim.setShapes({ omitNextOffset: true });
    const exp = sim.dataset.experiments()[0];
    const n = sim.dataset.count('events', 'experiment', exp.id);
    for (const concurrency of [1, 4]) {
      const { records } = await collect(c.pages('events', 'experiment', exp.id, {}, { concurrency }));
      expect(records.map((r) => r.id)).toEqual([...sim.dataset.records('events', 'experiment', exp.id)].map((r) => r.id));
      expect(records).toHaveLength(n);
    }
    const page = await c.fetchPage('events', 'experiment', exp.id, { offset: 1000 });
    expect(page).toMatchObject({ offset: 1000, returned: 1000, hasMore: true, nextOffset: 2000 });
  });
});
