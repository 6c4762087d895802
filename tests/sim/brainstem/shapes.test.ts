// The switchable response shapes (reference §3.1, §3.3), each on its own: DRF count/next/previous/
// results paging, meta left out, count beside meta, sideloading; plus the robust pager under each.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBrainstemSimulator, type BrainstemSimulator, type JsonRecord } from './index';
import { call, pageAll } from './test-helpers';

let sim: BrainstemSimulator;
let project: string;
let expected: string[];

beforeAll(async () => {
  sim = await startBrainstemSimulator({ scale: 'tiny', seed: 3 });
  // The project whose session count is a multiple of 20: a pager must not stop early or loop.
  const p = sim.dataset.projects().find((x) => x.sessionIds.length % 20 === 0)!;
  project = p.id;
  expected = sim.dataset
    .rows('session')
    .filter((s) => (s.projects as string[]).includes(project))
    .map((s) => s.id as string);
});
afterEach(() => sim.resetShapes());
afterAll(() => sim.close());

const ids = (records: JsonRecord[]) => records.map((r) => r.id as string);
const sessionsPath = () => `/private/stem/session/?filter{projects.id}=${project}`;

describe('defaults (documented shapes)', () => {
  it('keyed list with meta, no count, related objects embedded', async () => {
    expect(sim.shapes()).toEqual({ paging: 'keyed', omitMeta: false, addCount: false, sideloading: false });
    const r = await call(sim, `${sessionsPath()}&limit=2&include[]=dataacquisition.*`);
    expect(Object.keys(r.body)).toEqual(['sessions', 'meta']);
    expect(typeof r.body.sessions[0].dataacquisition[0]).toBe('object');
  });
});

describe("paging: 'results' (DRF count/next/previous/results)", () => {
  it('answers DRF paging with absolute next/previous links on the same origin', async () => {
    sim.setShapes({ paging: 'results' });
    const first = await call(sim, `${sessionsPath()}&limit=20`);
    expect(Object.keys(first.body)).toEqual(['count', 'next', 'previous', 'results']);
    expect(first.body.count).toBe(expected.length);
    expect(first.body.previous).toBeNull();
    const next = new URL(first.body.next);
    expect(next.origin).toBe(sim.origin);
    expect(next.pathname).toBe('/api/private/stem/session/');
    expect(next.searchParams.get('offset')).toBe('20');
    expect(next.searchParams.get('limit')).toBe('20');
    expect(next.searchParams.get('filter{projects.id}')).toBe(project);
    const second = await fetch(first.body.next, { headers: { Authorization: `Bearer ${sim.token}` } }).then((r) => r.json() as Promise<any>);
    expect(ids(second.results)).toEqual(expected.slice(20, 40));
    expect(new URL(second.previous).searchParams.has('offset')).toBe(false);
  });

  it('following next until null yields every record exactly once', async () => {
    sim.setShapes({ paging: 'results' });
    const seen: string[] = [];
    let url: string | null = `${sim.baseUrl}${sessionsPath()}&limit=7`;
    let requests = 0;
    while (url) {
      const body: any = await fetch(url, { headers: { Authorization: `Bearer ${sim.token}` } }).then((r) => r.json());
      seen.push(...ids(body.results));
      url = body.next;
      requests++;
    }
    expect(seen).toEqual(expected);
    expect(requests).toBe(Math.ceil(expected.length / 7));
  });

  it('leaves detail responses alone', async () => {
    sim.setShapes({ paging: 'results' });
    const r = await call(sim, `/private/stem/project/${project}/`);
    expect(Object.keys(r.body)).toEqual(['project']);
  });
});

describe('omitMeta', () => {
  it('drops meta; the robust pager still stops, one request after an exactly full last page', async () => {
    sim.setShapes({ omitMeta: true });
    const r = await call(sim, `${sessionsPath()}&limit=20`);
    expect(Object.keys(r.body)).toEqual(['sessions']);
    const { records, requests } = await pageAll(sim, sessionsPath(), 'sessions', 20);
    expect(ids(records)).toEqual(expected);
    expect(requests).toBe(expected.length / 20 + 1);
  });
});

describe('addCount', () => {
  it('adds count beside meta, equal to meta.total_results', async () => {
    sim.setShapes({ addCount: true });
    const r = await call(sim, `${sessionsPath()}&limit=20`);
    expect(Object.keys(r.body)).toEqual(['sessions', 'count', 'meta']);
    expect(r.body.count).toBe(expected.length);
    expect(r.body.meta.total_results).toBe(expected.length);
  });
});

describe('paging under meta and under count', () => {
  it.each([
    ['meta only', {}],
    ['count only (DRF results)', { paging: 'results' as const }],
    ['count beside meta', { addCount: true }],
    ['neither', { omitMeta: true }],
  ])('the robust pager gets exactly the project sessions: %s', async (_label, shapes) => {
    sim.setShapes(shapes);
    for (const limit of [20, 100, 9]) {
      const { records } = await pageAll(sim, sessionsPath(), 'sessions', limit);
      expect(ids(records)).toEqual(expected);
    }
  });
});

describe('sideloading', () => {
  it('moves included objects to top-level keys before the primary key; primary records keep ids', async () => {
    sim.setShapes({ sideloading: true });
    const r = await call(sim, `${sessionsPath()}&limit=5&include[]=dataacquisition.*&include[]=behaviors.*`);
    const keys = Object.keys(r.body);
    expect(keys.slice(-2)).toEqual(['sessions', 'meta']);
    expect(keys.slice(0, -2).sort()).toEqual(['behaviors', 'data_acquisitions']);
    const sessions: JsonRecord[] = r.body.sessions;
    const daIds = sessions.flatMap((s) => s.dataacquisition as string[]);
    for (const s of sessions) for (const d of s.dataacquisition as unknown[]) expect(typeof d).toBe('string');
    expect(ids(r.body.data_acquisitions)).toEqual(daIds);
    for (const d of r.body.data_acquisitions) expect(d).toEqual(sim.dataset.row('dataacquisition', d.id));
    expect(ids(r.body.behaviors)).toEqual(sessions.flatMap((s) => s.behaviors as string[]));
  });

  it('sideloads nested includes, each related record once', async () => {
    sim.setShapes({ sideloading: true });
    const r = await call(sim, `${sessionsPath()}&limit=100&include[]=behaviors.subjects.*`);
    expect(Object.keys(r.body)).toEqual(['subjects', 'behaviors', 'sessions', 'meta']);
    const subjectIds = r.body.behaviors.flatMap((b: JsonRecord) => b.subjects as string[]);
    expect(new Set(subjectIds).size).toBeLessThan(subjectIds.length); // the same subject behind several behaviors…
    expect(ids(r.body.subjects)).toEqual([...new Set(subjectIds)]); // …is sideloaded once
  });

  it('puts a sideloaded record of the primary type under "+<plural>", and sideloads on detail routes', async () => {
    sim.setShapes({ sideloading: true });
    const r = await call(sim, `/private/stem/session/${expected[0]}/?include[]=projects.sessions.*`);
    expect(Object.keys(r.body)).toEqual(['+sessions', 'projects', 'session']);
    expect(r.body.session.projects).toEqual([project]);
    expect(ids(r.body['+sessions'])).toEqual(expected);
  });

  it('?sideloading=false forces embedding and ?sideloading=true forces sideloading', async () => {
    sim.setShapes({ sideloading: true });
    const embedded = await call(sim, `${sessionsPath()}&limit=2&include[]=behaviors.*&sideloading=false`);
    expect(Object.keys(embedded.body)).toEqual(['sessions', 'meta']);
    sim.resetShapes();
    const side = await call(sim, `${sessionsPath()}&limit=2&include[]=behaviors.*&sideloading=true`);
    expect(Object.keys(side.body)).toEqual(['behaviors', 'sessions', 'meta']);
  });

  it('combines with DRF paging: buckets beside results', async () => {
    sim.setShapes({ sideloading: true, paging: 'results' });
    const r = await call(sim, `${sessionsPath()}&limit=3&include[]=dataacquisition.*`);
    expect(Object.keys(r.body)).toEqual(['count', 'next', 'previous', 'results', 'data_acquisitions']);
  });
});

describe('switching shapes from outside the process', () => {
  it('POST /__sim/shapes merges and DELETE restores the documented shapes', async () => {
    const set = await fetch(`${sim.controlUrl}/shapes`, { method: 'POST', body: JSON.stringify({ paging: 'results', sideloading: true }) }).then((r) => r.json());
    expect(set).toEqual({ paging: 'results', omitMeta: false, addCount: false, sideloading: true });
    expect(Object.keys((await call(sim, '/private/stem/project/')).body)).toEqual(['count', 'next', 'previous', 'results']);
    await fetch(`${sim.controlUrl}/shapes`, { method: 'DELETE' });
    expect(Object.keys((await call(sim, '/private/stem/project/')).body)).toEqual(['projects', 'meta']);
  });
});
