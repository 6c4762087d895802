// The generated data (reference §5.2, §7.3 fixtures): deterministic from the seed, 25+ sessions per
// project at every scale, mixed `details` schema versions, the relations a downloader walks, and
// records appended later for incremental sync.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrainstemSimulator, type BrainstemSimulator, type JsonRecord } from './index';
import { call, pageAll } from './test-helpers';

let sim: BrainstemSimulator;
beforeAll(async () => {
  sim = await startBrainstemSimulator({ scale: 'small', seed: 1 });
});
afterAll(() => sim.close());

const rows = (model: string) => sim.dataset.rows(model);
/** The dataset without the (port-dependent) image URLs. */
const portable = (s: BrainstemSimulator) => JSON.stringify(['session', 'dataacquisition', 'subject', 'procedurelog'].map((m) => s.dataset.rows(m))).replaceAll(s.imagesOrigin, 'IMAGES');

describe('determinism and scales', () => {
  it('the same seed gives the same data; another seed different data', async () => {
    const again = await startBrainstemSimulator({ scale: 'small', seed: 1 });
    const other = await startBrainstemSimulator({ scale: 'small', seed: 2 });
    try {
      expect(portable(again)).toBe(portable(sim));
      expect(again.token).toBe(sim.token);
      expect(portable(other)).not.toBe(portable(sim));
      expect(other.token).not.toBe(sim.token);
    } finally {
      await Promise.all([again.close(), other.close()]);
    }
  });

  it.each([
    ['tiny', 3, 90],
    ['small', 5, 250],
    ['large', 8, 4000],
  ] as const)('%s: %i projects, one public, 25+ sessions each, at least %i sessions', async (scale, projects, minSessions) => {
    const s = scale === 'small' ? sim : await startBrainstemSimulator({ scale, seed: 1 });
    try {
      const ps = s.dataset.projects();
      expect(ps).toHaveLength(projects);
      expect(ps.filter((p) => p.isPublic)).toHaveLength(1);
      for (const p of ps) expect(p.sessionIds.length).toBeGreaterThanOrEqual(25);
      expect(s.dataset.summary().sessions).toBeGreaterThanOrEqual(minSessions);
    } finally {
      if (s !== sim) await s.close();
    }
  });
});

describe('records a downloader walks', () => {
  it('mixes details schema versions: 0.0.0 scalar sr and 1.1.0 {value, unit}', () => {
    const withSr = rows('dataacquisition').filter((d) => (d.details as JsonRecord).sr !== undefined);
    const old = withSr.filter((d) => d.type_schema_version === '0.0.0');
    const current = withSr.filter((d) => d.type_schema_version === '1.1.0');
    expect(old.length).toBeGreaterThan(0);
    expect(current.length).toBeGreaterThan(0);
    for (const d of old) expect(typeof (d.details as JsonRecord).sr).toBe('number');
    for (const d of current) expect((d.details as JsonRecord).sr).toEqual({ value: expect.any(Number), unit: 'Hz' });
  });

  it('manipulations carry details as an array of objects; behaviors carry subjects[]', () => {
    for (const m of rows('manipulation')) {
      expect(Array.isArray(m.details)).toBe(true);
      expect((m.details as unknown[]).length).toBeGreaterThan(0);
    }
    const subjectIds = new Set(rows('subject').map((s) => s.id));
    const behaviors = rows('behavior');
    expect(behaviors.some((b) => (b.subjects as string[]).length > 0)).toBe(true);
    for (const b of behaviors) for (const id of b.subjects as string[]) expect(subjectIds.has(id)).toBe(true);
  });

  it('sessions link datastorage records and list external download links the simulator never serves', () => {
    const storageIds = new Set(rows('datastorage').map((d) => d.id));
    const sessions = rows('session');
    expect(sessions.some((s) => (s.datastorage as string[]).length > 0)).toBe(true);
    for (const s of sessions) for (const id of s.datastorage as string[]) expect(storageIds.has(id)).toBe(true);
    const links = sessions.flatMap((s) => s.download_links as Array<{ repository: string; url: string }>);
    expect(links.length).toBeGreaterThan(0);
    for (const l of links) {
      expect(['CRCNS', 'DANDI', 'Figshare', 'GitHub', 'Globus', 'Mendeley', 'Zenodo', 'Webshare', 'Other']).toContain(l.repository);
      expect(l.url).toMatch(/^https:\/\//);
      expect(l.url.startsWith(sim.origin) || l.url.startsWith(sim.imagesOrigin)).toBe(false);
    }
  });

  it('every session has no subject field; acquisitions, behaviors, manipulations and epochs point back at it', () => {
    for (const s of rows('session')) {
      expect('subject' in s).toBe(false);
      for (const [field, model] of [
        ['dataacquisition', 'dataacquisition'],
        ['behaviors', 'behavior'],
        ['manipulations', 'manipulation'],
        ['epochs', 'epoch'],
      ]) {
        for (const id of s[field] as string[]) expect(sim.dataset.row(model, id)!.session).toBe(s.id);
      }
    }
    expect(rows('epoch').length).toBeGreaterThan(0);
  });

  it('subjects have procedures, procedure logs and subject logs; projects have collections and cohorts', () => {
    const subjects = rows('subject');
    expect(subjects.every((s) => (s.procedures as string[]).length > 0)).toBe(true);
    expect(subjects.every((s) => (s.subjectlogs as string[]).length > 0)).toBe(true);
    expect(rows('procedurelog').length).toBeGreaterThan(0);
    for (const p of rows('project')) {
      expect((p.collections as string[]).length).toBeGreaterThan(0);
      expect((p.cohorts as string[]).length).toBeGreaterThan(0);
    }
    expect(subjects.filter((s) => (s.projects as string[]).length === 2)).toHaveLength(1);
  });

  it('holds text a CSV writer must survive', () => {
    const text = JSON.stringify(rows('dataacquisition').map((d) => d.notes));
    for (const needle of ['\\n', ',', '\\"', '=HYPERLINK', '👍']) expect(text).toContain(needle);
  });
});

describe('appending records (incremental sync)', () => {
  it('appends sessions to a project and acquisitions to a session, visible at once through the API', async () => {
    const s = await startBrainstemSimulator({ scale: 'tiny', seed: 5 });
    try {
      const project = s.dataset.projects().find((p) => !p.isPublic)!;
      const before = project.sessionIds.length;
      const res = await fetch(`${s.controlUrl}/append`, { method: 'POST', body: JSON.stringify({ model: 'session', parent: project.id, n: 3 }) });
      const { ids } = (await res.json()) as { ids: string[] };
      expect(ids).toHaveLength(3);
      const { records } = await pageAll(s, `/private/stem/session/?filter{projects.id}=${project.id}`, 'sessions', 20);
      expect(records).toHaveLength(before + 3);
      expect(records.slice(-3).map((r) => r.id)).toEqual(ids);
      const daIds = s.append('dataacquisition', ids[0], 2);
      const das = await call(s, `/private/modules/dataacquisition/?filter{session.id}=${ids[0]}&limit=100`);
      expect(das.body.data_acquisitions.map((d: JsonRecord) => d.id).slice(-2)).toEqual(daIds);
      expect((await call(s, `/private/stem/session/${ids[0]}/`)).body.session.dataacquisition.slice(-2)).toEqual(daIds);
      const bad = await fetch(`${s.controlUrl}/append`, { method: 'POST', body: JSON.stringify({ model: 'project', parent: project.id, n: 1 }) });
      expect(bad.status).toBe(400);
    } finally {
      await s.close();
    }
  });

  it('appended ids are deterministic for the same seed and sequence of appends', async () => {
    const a = await startBrainstemSimulator({ scale: 'tiny', seed: 5 });
    const b = await startBrainstemSimulator({ scale: 'tiny', seed: 5 });
    try {
      const p = a.dataset.projects()[1].id;
      expect(a.append('session', p, 2)).toEqual(b.append('session', p, 2));
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
