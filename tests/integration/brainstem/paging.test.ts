// The robust pager (reference §3.1) under every list shape the simulator can serve: the documented
// {"<plural>": [...], "meta": {...}}, meta left out, a DRF count beside it, and DRF's
// {count, next, previous, results}; with and without sideloading; a last page exactly full.
// Expected records come from the simulator's dataset; request counts from its counters.
import { describe, expect, it } from 'vitest';
import type { BrainstemShapes } from '../../sim/index';
import { ALL_TYPES, brainstemSuite, ids, projectExpectation, readAll, rowsUnder } from './helpers';

const suite = brainstemSuite({ scale: 'small', seed: 1 });

const SHAPES: Array<[string, Partial<BrainstemShapes>]> = [
  ['meta (documented)', {}],
  ['meta absent', { omitMeta: true }],
  ['count added', { addCount: true }],
  ['DRF count/next/results', { paging: 'results' }],
];

/** Requests a stream of n records costs by the robust rule: a full last page needs one more (empty) page unless a total says it was the last. */
function pagesFor(n: number, limit: number, totalKnown: boolean): number {
  if (n === 0) return 1;
  return Math.ceil(n / limit) + (!totalKnown && n % limit === 0 ? 1 : 0);
}

describe('paging a list to its end', () => {
  for (const [name, shape] of SHAPES) {
    for (const concurrency of [1, 4]) it(`${name}: every session of a project, in order, with a last page exactly full (limit 20, 60 sessions, ${concurrency} in flight)`, async () => {
      const sim = suite.sim();
      sim.setShapes(shape);
      const project = sim.dataset.projects().find((p) => p.sessionIds.length % 20 === 0 && p.sessionIds.length > 20)!;
      expect(project.sessionIds.length).toBe(60);
      const client = suite.use();
      const seen: string[] = [];
      let pages = 0;
      for await (const page of client.pages({ model: 'session', filters: [['projects.id', project.id]], what: 'sessions' }, { limit: 20, concurrency })) {
        pages++;
        seen.push(...ids(page.records));
      }
      expect(seen).toEqual(project.sessionIds);
      const totalKnown = !shape.omitMeta;
      expect(pages).toBe(pagesFor(60, 20, totalKnown));
      expect(sim.counters().requests).toBe(pagesFor(60, 20, totalKnown));
    });

    it(`${name}: a project of exactly 100 sessions at the largest page (limit 100)`, async () => {
      const sim = suite.sim();
      sim.setShapes(shape);
      const project = sim.dataset.projects().find((p) => p.sessionIds.length === 100)!;
      const client = suite.use();
      const got = await readAll(client, { level: 'project', ids: [project.id] }, ['sessions']);
      expect(ids(got.sessions)).toEqual(project.sessionIds);
      expect(sim.counters().requests).toBe(pagesFor(100, 100, !shape.omitMeta));
    });

    for (const sideloading of [false, true]) {
      it(`${name}, sideloading ${sideloading ? 'on' : 'off'}: every record of a project, exactly as the API gives it`, async () => {
        const sim = suite.sim();
        sim.setShapes({ ...shape, sideloading });
        const project = sim.dataset.projects()[1];
        const want = projectExpectation(sim, project.id);
        const client = suite.use();
        const got = await readAll(client, { level: 'project', ids: [project.id] }, ALL_TYPES);
        for (const t of ALL_TYPES) {
          if (t === 'epochs') continue;
          expect(got[t] ?? [], t).toEqual(want[t]);
        }
        // Epochs ride with the sessions (include[]=epochs.*): embedded, or sideloaded; same records either way.
        expect(new Map((got.epochs ?? []).map((e) => [e.id, e]))).toEqual(new Map(want.epochs.map((e) => [e.id, e])));
        expect(got.epochs).toHaveLength(want.epochs.length);
        // No request for epochs of their own, and none per session.
        expect(Object.keys(sim.counters().byEndpoint).some((k) => /epoch|\{id\}/.test(k))).toBe(false);
      });
    }
  }
});

describe('request counts', () => {
  it('a whole project costs the ideal number of requests (one stream per type, batched by session and subject)', async () => {
    const sim = suite.sim();
    const project = sim.dataset.projects()[1];
    const want = projectExpectation(sim, project.id);
    const client = suite.use();
    await readAll(client, { level: 'project', ids: [project.id] }, ALL_TYPES);
    // The ideal: one paged stream per type (epochs come with the sessions), ⌈n/100⌉ pages each.
    const ideal = ALL_TYPES.filter((t) => t !== 'epochs').reduce((n, t) => n + pagesFor(want[t].length, 100, true), 0);
    expect(sim.counters().requests).toBe(ideal);
    expect(client.requestsMade()).toBe(ideal);
    // Sessions: one filtered stream, not one request per session.
    expect(sim.counters().byEndpoint['/private/stem/session/']).toBe(pagesFor(want.sessions.length, 100, true));
    expect(sim.counters().byEndpoint['/private/stem/session/{id}/']).toBeUndefined();
  });

  it('a session shared by two projects appears once when both are read together', async () => {
    const sim = suite.sim();
    const [a, b] = sim.dataset.projects();
    const shared = a.sessionIds.filter((s) => b.sessionIds.includes(s));
    expect(shared.length).toBeGreaterThan(0);
    const client = suite.use();
    const got = await readAll(client, { level: 'project', ids: [a.id, b.id] }, ['sessions', 'data_acquisitions', 'epochs', 'links']);
    const union = [...new Set([...a.sessionIds, ...b.sessionIds])];
    expect(ids(got.sessions).sort()).toEqual(union.sort());
    expect(new Set(ids(got.sessions)).size).toBe(got.sessions.length);
    const das = rowsUnder(sim, 'dataacquisition', 'session', union);
    expect(ids(got.data_acquisitions).sort()).toEqual(ids(das).sort());
    expect(ids(got.epochs).sort()).toEqual(ids(rowsUnder(sim, 'epoch', 'session', union)).sort());
    // One links row per link of each session, the shared one's once.
    const links = rowsUnder(sim, 'session', 'projects', [a.id, b.id]).reduce((n, s) => n + (s.download_links as unknown[]).length, 0);
    expect(got.links).toHaveLength(links);
  });
});
