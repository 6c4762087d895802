// Streams at every scope (portal, project, session, subject) against the dataset, relations given
// as ids or embedded objects, and the request-line cap on batched filters (the simulator accepts
// any length, so the cap is checked by measuring every request line it received).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_REQUEST_LINE, withRelationIds, type BrainstemClient } from '../../../src-main/core/sources/brainstem/index';
import { startBrainstemSimulator, type BrainstemSimulator } from '../../sim/index';
import { ALL_TYPES, brainstemSuite, ids, makeClient, readAll, rowsUnder, sorted } from './helpers';

describe('scopes', () => {
  const suite = brainstemSuite({ scale: 'tiny', seed: 3 });

  it('portal: every record visible on the private portal, each type one plain list', async () => {
    const sim = suite.sim();
    const client = suite.use();
    const got = await readAll(client, { level: 'portal' }, ALL_TYPES);
    const models: Record<string, string> = { projects: 'project', sessions: 'session', data_acquisitions: 'dataacquisition', behaviors: 'behavior', manipulations: 'manipulation', epochs: 'epoch', subjects: 'subject', procedures: 'procedure', procedure_logs: 'procedurelog', subject_logs: 'subjectlog', collections: 'collection', cohorts: 'cohort' };
    for (const t of ALL_TYPES) expect(sorted(ids(got[t])), t).toEqual(sorted(ids(sim.dataset.rows(models[t]))));
    // No filters at all: the portal already limits what is visible.
    expect(sim.requestLog().every((r) => !r.path.includes('filter'))).toBe(true);
  });

  it('session: the session, its acquisitions, behaviors, manipulations and epochs — nothing per record', async () => {
    const sim = suite.sim();
    const session = sim.dataset.rows('session').find((s) => (s.epochs as string[]).length > 1 && (s.dataacquisition as string[]).length > 0)!;
    const client = suite.use();
    const got = await readAll(client, { level: 'session', ids: [session.id as string] }, ['sessions', 'data_acquisitions', 'behaviors', 'manipulations', 'epochs', 'links']);
    expect(got.sessions).toEqual([session]);
    expect(got.data_acquisitions ?? []).toEqual(rowsUnder(sim, 'dataacquisition', 'session', [session.id as string]));
    expect(got.behaviors ?? []).toEqual(rowsUnder(sim, 'behavior', 'session', [session.id as string]));
    expect(got.manipulations ?? []).toEqual(rowsUnder(sim, 'manipulation', 'session', [session.id as string]));
    expect(sorted(ids(got.epochs))).toEqual(sorted(session.epochs as string[]));
    expect(got.links ?? []).toEqual((session.download_links as Array<{ repository: string; url: string }>).map((l) => ({ session_id: session.id, session_name: session.name, repository: l.repository, url: l.url })));
    expect(sim.counters().requests).toBe(4);
  });

  it('subject: the subject, its procedures, their logs and its subject logs', async () => {
    const sim = suite.sim();
    const subject = sim.dataset.rows('subject').find((s) => (s.procedures as string[]).length > 1)!;
    const sid = subject.id as string;
    const client = suite.use();
    const got = await readAll(client, { level: 'subject', ids: [sid] }, ['subjects', 'procedures', 'procedure_logs', 'subject_logs']);
    const procedures = rowsUnder(sim, 'procedure', 'subject', [sid]);
    expect(got.subjects).toEqual([subject]);
    expect(got.procedures).toEqual(procedures);
    expect(got.procedure_logs ?? []).toEqual(rowsUnder(sim, 'procedurelog', 'procedure', ids(procedures)));
    expect(got.subject_logs ?? []).toEqual(rowsUnder(sim, 'subjectlog', 'subject', [sid]));
    expect(sim.counters().requests).toBe(4);
  });

  it('levels: projects of the portal; sessions, subjects, collections and cohorts of a project', async () => {
    const sim = suite.sim();
    const client = suite.use();
    const projects = await client.listLevel('project', null);
    expect(projects.map((p) => [p.id, p.label])).toEqual(sim.dataset.projects().map((p) => [p.id, p.name]));
    const p = sim.dataset.projects()[2];
    expect((await client.listLevel('session', p.id)).map((s) => s.id)).toEqual(p.sessionIds);
    expect((await client.listLevel('subject', p.id)).map((s) => s.id)).toEqual(p.subjectIds);
    expect((await client.listLevel('collection', p.id)).map((s) => s.id)).toEqual(ids(rowsUnder(sim, 'collection', 'project', [p.id])));
    expect((await client.listLevel('cohort', p.id)).map((s) => s.id)).toEqual(ids(rowsUnder(sim, 'cohort', 'project', [p.id])));
  });

  it('the public portal lists only public projects, and an unknown project is NOT_FOUND rather than "no sessions"', async () => {
    const sim = suite.sim();
    const client = suite.use({ portal: 'public', auth: { kind: 'none' } });
    const publicIds = sim.dataset.projects().filter((p) => p.isPublic).map((p) => p.id);
    expect((await client.listLevel('project', null)).map((p) => p.id)).toEqual(publicIds);
    // A private project sharing nothing with a public one (a shared session would be listed publicly under it).
    const publicSessions = new Set(sim.dataset.projects().filter((p) => p.isPublic).flatMap((p) => p.sessionIds));
    const privateProject = sim.dataset.projects().find((p) => !p.isPublic && p.sessionIds.every((s) => !publicSessions.has(s)))!;
    await expect(client.listLevel('session', privateProject.id)).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/public portal/) });
  });

  it('hostile ids are refused before any request', async () => {
    const sim = suite.sim();
    const client = suite.use();
    for (const bad of ['../../etc', 'a b', 'x'.repeat(65), '"><img>', '']) {
      await expect(readAll(client, { level: 'session', ids: [bad] }, ['sessions'])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
    expect(sim.counters().requests).toBe(0);
  });
});

describe('relations: ids or embedded objects', () => {
  const suite = brainstemSuite({ scale: 'tiny', seed: 4 });

  for (const sideloading of [false, true]) {
    it(`include[]=session.* with sideloading ${sideloading ? 'on (ids stay, sessions beside)' : 'off (embedded objects)'}: JSON as given, CSV columns as ids`, async () => {
      const sim = suite.sim();
      sim.setShapes({ sideloading });
      const session = sim.dataset.rows('session')[0];
      const client = suite.use();
      const pages = [];
      for await (const p of client.pages({ model: 'dataacquisition', filters: [['session.id', session.id as string]], include: ['session', 'procedures'], what: 'acquisitions' })) pages.push(p);
      const records = pages.flatMap((p) => p.records);
      const want = rowsUnder(sim, 'dataacquisition', 'session', [session.id as string]);
      expect(ids(records)).toEqual(ids(want));
      if (sideloading) {
        expect(records.every((r) => typeof r.session === 'string')).toBe(true);
        expect(ids(pages[0].sideloaded.sessions)).toEqual([session.id]);
      } else {
        // Kept as given for JSON: the embedded session object.
        expect(records[0].session).toMatchObject({ id: session.id, name: session.name });
      }
      // Normalized for CSV: exactly the dataset's id-valued records.
      expect(records.map((r) => withRelationIds('data_acquisitions', r))).toEqual(want);
    });
  }
});

describe('batching under the request-line cap', () => {
  let sim: BrainstemSimulator;
  let client: BrainstemClient;
  beforeAll(async () => {
    sim = await startBrainstemSimulator({ scale: 'large', seed: 1 });
    client = makeClient(sim);
  }, 60_000);
  afterAll(async () => {
    await client.close();
    await sim.close();
  });

  it('acquisitions of a 521-session project: batches as full as the cap allows, no line longer than it, every record once', async () => {
    const project = sim.dataset.projects()[0];
    expect(project.sessionIds).toHaveLength(521);
    sim.resetCounters();
    const got = await readAll(client, { level: 'project', ids: [project.id] }, ['data_acquisitions']);
    const want = rowsUnder(sim, 'dataacquisition', 'session', project.sessionIds);
    expect(sorted(ids(got.data_acquisitions))).toEqual(sorted(ids(want)));
    expect(got.data_acquisitions).toHaveLength(want.length);

    // Every request line the server received, measured.
    const log = sim.requestLog();
    const lines = log.map((r) => Buffer.byteLength(`${r.method} ${r.path} HTTP/1.1`));
    expect(Math.max(...lines)).toBeLessThanOrEqual(MAX_REQUEST_LINE);

    // The fullest batch the cap allows, computed here from the URL's parts (not by the client).
    const fixed = Buffer.byteLength('GET /api/private/modules/dataacquisition/?limit=100&offset=999999999 HTTP/1.1');
    const perId = Buffer.byteLength('filter%7Bsession.id.in%7D=&') + 36;
    const perBatch = Math.floor((MAX_REQUEST_LINE - fixed + 1) / perId);
    const daRequests = log.filter((r) => r.path.startsWith('/api/private/modules/dataacquisition/'));
    const batches = new Map<string, string[]>();
    for (const r of daRequests) {
      const q = new URL(r.path, 'http://x').searchParams;
      batches.set(q.getAll('filter{session.id.in}').join(','), q.getAll('filter{session.id.in}'));
    }
    const sizes = [...batches.values()].map((b) => b.length);
    expect(sizes.length).toBe(Math.ceil(521 / perBatch));
    expect(sizes.slice(0, -1).every((n) => n === perBatch)).toBe(true);
    expect([...batches.values()].flat().sort()).toEqual([...project.sessionIds].sort());
    // Sessions: one stream of ⌈521/100⌉ pages; acquisitions: each batch paged to its end.
    expect(sim.counters().byEndpoint['/private/stem/session/']).toBe(6);
    const perBatchPages = [...batches.values()].reduce((n, b) => n + Math.ceil(rowsUnder(sim, 'dataacquisition', 'session', b).length / 100), 0);
    expect(daRequests).toHaveLength(perBatchPages);
  });
});
