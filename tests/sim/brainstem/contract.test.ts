// The BrainSTEM simulator against the reference (§1 URL scheme and keys, §3 envelopes, paging,
// filters, sorting, includes, errors, §7.3 the local server spec), over real HTTP. Expected values
// come from the raw dataset and the reference's literal strings, never from the query engine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrainstemSimulator, type BrainstemSimulator, type JsonRecord } from './index';
import { call, pageAll } from './test-helpers';

let sim: BrainstemSimulator;
let publicId: string;
let privateIds: string[];

beforeAll(async () => {
  sim = await startBrainstemSimulator({ scale: 'tiny', seed: 1 });
  const projects = sim.dataset.projects();
  publicId = projects.find((p) => p.isPublic)!.id;
  privateIds = projects.filter((p) => !p.isPublic).map((p) => p.id);
});
afterAll(() => sim.close());

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ids = (records: JsonRecord[]) => records.map((r) => r.id);
const rows = (model: string) => sim.dataset.rows(model);

describe('URL scheme and envelope keys (§1.1, §1.4, §3.1)', () => {
  // [app, model, list key, detail key] as the reference's table spells them.
  const TABLE: Array<[string, string, string, string]> = [
    ['stem', 'project', 'projects', 'project'],
    ['stem', 'session', 'sessions', 'session'],
    ['stem', 'subject', 'subjects', 'subject'],
    ['stem', 'collection', 'collections', 'collection'],
    ['stem', 'cohort', 'cohorts', 'cohort'],
    ['modules', 'dataacquisition', 'data_acquisitions', 'data_acquisition'],
    ['modules', 'behavior', 'behaviors', 'behavior'],
    ['modules', 'manipulation', 'manipulations', 'manipulation'],
    ['modules', 'procedure', 'procedures', 'procedure'],
    ['modules', 'procedurelog', 'procedure_logs', 'procedure_log'],
    ['modules', 'subjectlog', 'subject_logs', 'subject_log'],
    ['modules', 'equipment', 'equipment', 'equipment'],
    ['personal_attributes', 'datastorage', 'datastorages', 'datastorage'],
    ['personal_attributes', 'setup', 'setups', 'setup'],
    ['personal_attributes', 'behavioralassay', 'behavioralassays', 'behavioralassay'],
    ['taxonomies', 'brainregion', 'brain_regions', 'brain_region'],
    ['taxonomies', 'species', 'species', 'species'],
    ['taxonomies', 'strain', 'strains', 'strain'],
  ];

  it.each(TABLE)('/api/private/%s/%s/ lists under its key and details under its singular key', async (app, model, listKey, detailKey) => {
    const list = await call(sim, `/private/${app}/${model}/`);
    expect(list.status).toBe(200);
    expect(list.res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(Object.keys(list.body)).toEqual([listKey, 'meta']);
    expect(list.body[listKey].length).toBe(Math.min(20, rows(model).length));
    expect(list.body[listKey].length).toBeGreaterThan(0);
    const first = list.body[listKey][0];
    const detail = await call(sim, `/private/${app}/${model}/${first.id}/`);
    expect(detail.status).toBe(200);
    expect(detail.body).toEqual({ [detailKey]: first });
  });

  it('routes documented models it holds no records for as empty lists', async () => {
    for (const [app, model, key] of [
      ['stem', 'breeding', 'breedings'],
      ['dissemination', 'publication', 'publications'],
      ['users', 'laboratory', 'laboratories'],
    ]) {
      const r = await call(sim, `/private/${app}/${model}/`);
      expect(r.status).toBe(200);
      expect(r.body[key]).toEqual([]);
      expect(r.body.meta.total_results).toBe(0);
    }
  });

  it('gives every record a lowercase v4 UUID and relations as UUID strings', async () => {
    for (const model of ['project', 'session', 'subject', 'dataacquisition', 'behavior', 'manipulation', 'epoch', 'procedure', 'procedurelog', 'subjectlog']) {
      for (const r of rows(model)) expect(r.id).toMatch(UUID_V4);
    }
    const { body } = await call(sim, '/private/stem/session/?limit=100');
    for (const s of body.sessions) {
      for (const rel of ['projects', 'epochs', 'datastorage', 'dataacquisition', 'behaviors', 'manipulations']) {
        expect(Array.isArray(s[rel])).toBe(true);
        for (const v of s[rel]) expect(v).toMatch(UUID_V4);
      }
    }
  });

  it('serves the documented session, data acquisition, behavior, manipulation and subject fields (§5.2)', async () => {
    const s = (await call(sim, '/private/stem/session/?limit=1')).body.sessions[0];
    expect(Object.keys(s)).toEqual(
      expect.arrayContaining(['id', 'name', 'description', 'projects', 'date_time', 'epochs', 'datastorage', 'extra_fields', 'download_links', 'dataacquisition', 'behaviors', 'manipulations', 'name_used_in_storage', 'tags', 'links']),
    );
    const da = (await call(sim, '/private/modules/dataacquisition/?limit=1')).body.data_acquisitions[0];
    expect(Object.keys(da)).toEqual(expect.arrayContaining(['id', 'type', 'notes', 'session', 'procedures', 'equipment', 'details', 'type_schema_version', 'image', 'order']));
    const b = (await call(sim, '/private/modules/behavior/?limit=1')).body.behaviors[0];
    expect(Object.keys(b)).toEqual(expect.arrayContaining(['id', 'session', 'subjects', 'setup', 'behavioralassay', 'notes', 'order']));
    const m = (await call(sim, '/private/modules/manipulation/?limit=1')).body.manipulations[0];
    expect(Array.isArray(m.details)).toBe(true);
    const subj = (await call(sim, '/private/stem/subject/?limit=1')).body.subjects[0];
    expect(subj.links).toEqual({ procedures: 'procedures/', subjectlogs: 'subjectlogs/' });
    const p = (await call(sim, '/private/stem/project/?limit=1')).body.projects[0];
    expect(p.links).toEqual({ cohorts: 'cohorts/', collections: 'collections/', sessions: 'sessions/', subjects: 'subjects/' });
  });

  it('has no endpoint for epochs: they are reachable only through sessions', async () => {
    for (const path of ['/private/stem/epoch/', '/private/modules/epoch/']) {
      const r = await call(sim, path);
      expect(r.status).toBe(404);
      expect(r.res.headers.get('content-type')).toMatch(/^text\/html/);
    }
    const session = rows('session').find((s) => (s.epochs as string[]).length > 0)!;
    const inc = await call(sim, `/private/stem/session/${session.id}/?include[]=epochs.*`);
    expect(ids(inc.body.session.epochs)).toEqual(session.epochs);
    expect(inc.body.session.epochs[0].session).toBe(session.id);
    const rel = await call(sim, `/private/stem/session/${session.id}/epochs/`);
    expect(rel.status).toBe(200);
    expect(ids(rel.body.epochs)).toEqual(session.epochs);
  });
});

describe('trailing slash (§1.1)', () => {
  it('redirects a GET without the slash with 301 to the slashed URL on the same origin, query kept', async () => {
    const r = await call(sim, '/private/stem/project?limit=1');
    expect(r.status).toBe(301);
    expect(r.res.headers.get('location')).toBe('/api/private/stem/project/?limit=1');
    const detail = await call(sim, `/private/stem/project/${publicId}`);
    expect(detail.status).toBe(301);
    expect(detail.res.headers.get('location')).toBe(`/api/private/stem/project/${publicId}/`);
  });

  it('redirects before authenticating, and a client following it keeps its token (same origin)', async () => {
    expect((await call(sim, '/private/stem/project', { token: null })).status).toBe(301);
    sim.resetCounters();
    const followed = await call(sim, '/private/stem/project?limit=2', { redirect: 'follow' });
    expect(followed.status).toBe(200);
    expect(followed.body.projects).toHaveLength(2);
    const log = sim.requestLog();
    expect(log.map((e) => [e.status, e.authorization])).toEqual([
      [301, 'bearer'],
      [200, 'bearer'],
    ]);
    expect(sim.counters().redirects).toBe(1);
  });

  it('answers Django HTML 404 for paths that resolve neither with nor without the slash', async () => {
    for (const path of ['/private/stem/nosuchmodel/', '/private/modules/session/', '/secret/stem/project/', '/private/stem/project/a.b/', '/']) {
      const r = await call(sim, path);
      expect(r.status, path).toBe(404);
      expect(r.res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(r.text).toContain('<h1>Not Found</h1>');
    }
  });
});

describe('paging (§3.2)', () => {
  it('defaults to 20, caps limit at 100, and reports DREST meta', async () => {
    const total = rows('session').length;
    const d = await call(sim, '/private/stem/session/');
    expect(d.body.sessions).toHaveLength(20);
    expect(d.body.meta).toEqual({ page: 1, per_page: 20, total_results: total, total_pages: Math.ceil(total / 20) });
    const capped = await call(sim, '/private/stem/session/?limit=500');
    expect(capped.body.sessions).toHaveLength(Math.min(100, total));
    expect(capped.body.meta.per_page).toBe(100);
  });

  it('limit=10&offset=30 returns records 31–40 in the default order', async () => {
    const r = await call(sim, '/private/stem/session/?limit=10&offset=30');
    expect(ids(r.body.sessions)).toEqual(ids(rows('session')).slice(30, 40));
    expect(r.body.meta).toMatchObject({ page: 4, per_page: 10 });
  });

  it('falls back to the defaults for a bad limit or offset, as DRF does (no error)', async () => {
    for (const q of ['limit=abc', 'limit=0', 'limit=-5', 'limit=2.5']) {
      const r = await call(sim, `/private/stem/session/?${q}`);
      expect(r.status, q).toBe(200);
      expect(r.body.sessions, q).toHaveLength(20);
    }
    const off = await call(sim, '/private/stem/session/?limit=5&offset=zz');
    expect(ids(off.body.sessions)).toEqual(ids(rows('session')).slice(0, 5));
  });

  it('a page past the end is empty', async () => {
    const r = await call(sim, `/private/stem/session/?offset=${rows('session').length}`);
    expect(r.status).toBe(200);
    expect(r.body.sessions).toEqual([]);
  });

  it('pages every project to exactly its sessions (25+ each), including a count that is a multiple of 20', async () => {
    const counts: number[] = [];
    for (const p of sim.dataset.projects()) {
      const expected = rows('session').filter((s) => (s.projects as string[]).includes(p.id));
      for (const limit of [20, 100, 7]) {
        const { records } = await pageAll(sim, `/private/stem/session/?filter{projects.id}=${p.id}`, 'sessions', limit);
        expect(ids(records)).toEqual(ids(expected));
      }
      counts.push(expected.length);
    }
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(25);
    expect(counts.some((n) => n % 20 === 0)).toBe(true);
  });

  it("also accepts DREST's page/per_page", async () => {
    const r = await call(sim, '/private/stem/session/?page=2&per_page=10');
    expect(ids(r.body.sessions)).toEqual(ids(rows('session')).slice(10, 20));
    expect(r.body.meta).toMatchObject({ page: 2, per_page: 10 });
    const bad = await call(sim, '/private/stem/session/?page=999');
    expect(bad.status).toBe(404);
    expect(bad.body).toEqual({ detail: 'Invalid page.' });
  });
});

describe('filters (§3.3)', () => {
  const sessionsOf = (p: string) => ids(rows('session').filter((s) => (s.projects as string[]).includes(p)));
  const get = async (path: string, key: string) => {
    const r = await call(sim, path + (path.includes('?') ? '&' : '?') + 'limit=100');
    expect(r.status, `${path}: ${r.text.slice(0, 200)}`).toBe(200);
    return ids(r.body[key]);
  };

  it('filters sessions by project, dotted and bare', async () => {
    const p = privateIds[0];
    expect(await get(`/private/stem/session/?filter{projects.id}=${p}`, 'sessions')).toEqual(sessionsOf(p));
    expect(await get(`/private/stem/session/?filter{projects}=${p}`, 'sessions')).toEqual(sessionsOf(p));
  });

  it('filters modules by session and batches sessions with repeated filter{session.id.in}', async () => {
    const [s1, s2] = rows('session').filter((s) => (s.dataacquisition as string[]).length > 0);
    const das = rows('dataacquisition');
    expect(await get(`/private/modules/dataacquisition/?filter{session.id}=${s1.id}`, 'data_acquisitions')).toEqual(ids(das.filter((d) => d.session === s1.id)));
    expect(await get(`/private/modules/dataacquisition/?filter{session}=${s1.id}`, 'data_acquisitions')).toEqual(ids(das.filter((d) => d.session === s1.id)));
    const both = await get(`/private/modules/dataacquisition/?filter{session.id.in}=${s1.id}&filter{session.id.in}=${s2.id}`, 'data_acquisitions');
    expect(both).toEqual(ids(das.filter((d) => d.session === s1.id || d.session === s2.id)));
    for (const [model, key] of [
      ['behavior', 'behaviors'],
      ['manipulation', 'manipulations'],
    ]) {
      expect(await get(`/private/modules/${model}/?filter{session.id}=${s2.id}`, key)).toEqual(ids(rows(model).filter((r) => r.session === s2.id)));
    }
  });

  it('filters procedures and subject logs by subject, procedure logs by procedure', async () => {
    const subject = rows('subject')[1];
    expect(await get(`/private/modules/procedure/?filter{subject.id}=${subject.id}`, 'procedures')).toEqual(ids(rows('procedure').filter((r) => r.subject === subject.id)));
    expect(await get(`/private/modules/subjectlog/?filter{subject.id}=${subject.id}`, 'subject_logs')).toEqual(ids(rows('subjectlog').filter((r) => r.subject === subject.id)));
    const proc = rows('procedure').find((p) => rows('procedurelog').some((l) => l.procedure === p.id))!;
    expect(await get(`/private/modules/procedurelog/?filter{procedure.id}=${proc.id}`, 'procedure_logs')).toEqual(ids(rows('procedurelog').filter((r) => r.procedure === proc.id)));
  });

  it('supports the text operators, exact and negated', async () => {
    const names = rows('session').map((s) => s.name as string);
    const probe = names[3].slice(2, 7);
    const cases: Array<[string, (n: string) => boolean]> = [
      [`filter{name.icontains}=${encodeURIComponent(probe.toUpperCase())}`, (n) => n.toLowerCase().includes(probe.toLowerCase())],
      [`filter{name.startswith}=${encodeURIComponent(names[0].slice(0, 4))}`, (n) => n.startsWith(names[0].slice(0, 4))],
      [`filter{name.istartswith}=${encodeURIComponent(names[0].slice(0, 4).toUpperCase())}`, (n) => n.toLowerCase().startsWith(names[0].slice(0, 4).toLowerCase())],
      [`filter{name.endswith}=${encodeURIComponent(names[7].slice(-3))}`, (n) => n.endsWith(names[7].slice(-3))],
      [`filter{name.iendswith}=${encodeURIComponent(names[7].slice(-3).toUpperCase())}`, (n) => n.toLowerCase().endsWith(names[7].slice(-3).toLowerCase())],
      [`filter{name.iexact}=${encodeURIComponent(names[5].toUpperCase())}`, (n) => n.toLowerCase() === names[5].toLowerCase()],
      [`filter{name}=${encodeURIComponent(names[5])}`, (n) => n === names[5]],
    ];
    for (const [q, pred] of cases) {
      const expected = rows('session').filter((s) => pred(s.name as string));
      expect(expected.length, q).toBeGreaterThan(0);
      const { records } = await pageAll(sim, `/private/stem/session/?${q}`, 'sessions');
      expect(ids(records), q).toEqual(ids(expected));
    }
    const typed = await get('/private/modules/dataacquisition/?filter{type}=ExtracellularEphys', 'data_acquisitions');
    expect(typed.length).toBeGreaterThan(0);
    const { records: notTyped } = await pageAll(sim, '/private/modules/dataacquisition/?filter{-type}=ExtracellularEphys', 'data_acquisitions');
    expect(ids(notTyped)).toEqual(ids(rows('dataacquisition').filter((d) => d.type !== 'ExtracellularEphys')));
  });

  it('compares dates, numbers and booleans, and finds nulls', async () => {
    const from = '2024-02-01T00:00:00Z';
    const to = '2024-03-01T00:00:00Z';
    const { records } = await pageAll(sim, `/private/stem/session/?filter{date_time.gte}=${from}&filter{date_time.lt}=${to}`, 'sessions');
    const inRange = rows('session').filter((s) => s.date_time !== null && Date.parse(s.date_time as string) >= Date.parse(from) && Date.parse(s.date_time as string) < Date.parse(to));
    expect(inRange.length).toBeGreaterThan(0);
    expect(ids(records)).toEqual(ids(inRange));
    const nulls = await get('/private/stem/session/?filter{date_time.isnull}=true', 'sessions');
    expect(nulls).toEqual(ids(rows('session').filter((s) => s.date_time === null)));
    expect(nulls.length).toBeGreaterThan(0);
    const { records: later } = await pageAll(sim, '/private/modules/dataacquisition/?filter{order.gt}=1', 'data_acquisitions');
    expect(ids(later)).toEqual(ids(rows('dataacquisition').filter((d) => (d.order as number) > 1)));
    expect(await get('/private/stem/project/?filter{is_public}=true', 'projects')).toEqual([publicId]);
  });

  it('ANDs several filters', async () => {
    const p = privateIds[1];
    const { records } = await pageAll(sim, `/private/stem/session/?filter{projects.id}=${p}&filter{date_time.isnull}=false`, 'sessions');
    expect(ids(records)).toEqual(ids(rows('session').filter((s) => (s.projects as string[]).includes(p) && s.date_time !== null)));
  });

  it('rejects an unknown field, a malformed key and a non-UUID id with 400', async () => {
    const unknown = await call(sim, '/private/stem/session/?filter{bogus}=1');
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual(['Invalid filter field: bogus']);
    const nested = await call(sim, '/private/stem/session/?filter{name.bogus}=1');
    expect(nested.status).toBe(400);
    expect(nested.body).toEqual(['Invalid nested filter field: name']);
    const malformed = await call(sim, '/private/stem/session/?filter{name=1');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toEqual({ detail: '"filter{name" is not a well-formed filter key.' });
    const badId = await call(sim, '/private/modules/dataacquisition/?filter{session.id}=not-a-uuid');
    expect(badId.status).toBe(400);
    expect(Array.isArray(badId.body)).toBe(true);
  });
});

describe('sorting (§3.3)', () => {
  const byName = (a: JsonRecord, b: JsonRecord) => ((a.name as string) < (b.name as string) ? -1 : (a.name as string) > (b.name as string) ? 1 : 0);

  it('sorts ascending and descending', async () => {
    const { records: asc } = await pageAll(sim, '/private/stem/session/?sort[]=name', 'sessions');
    expect(ids(asc)).toEqual(ids([...rows('session')].sort(byName)));
    const { records: desc } = await pageAll(sim, '/private/stem/session/?sort[]=-name', 'sessions');
    expect(ids(desc)).toEqual(ids([...rows('session')].sort(byName).reverse()));
  });

  it('sorts by several keys, nulls last ascending', async () => {
    const { records } = await pageAll(sim, '/private/modules/dataacquisition/?sort[]=type&sort[]=-order', 'data_acquisitions');
    const keys = records.map((r) => [r.type, r.order]);
    for (let i = 1; i < keys.length; i++) {
      const [t0, o0] = keys[i - 1];
      const [t1, o1] = keys[i];
      expect(t0 < t1 || (t0 === t1 && o0 >= o1)).toBe(true);
    }
    const { records: byDate } = await pageAll(sim, '/private/stem/session/?sort[]=date_time', 'sessions');
    const dates = byDate.map((s) => s.date_time);
    const firstNull = dates.indexOf(null);
    expect(firstNull).toBeGreaterThan(0);
    expect(dates.slice(firstNull).every((d) => d === null)).toBe(true);
  });

  it('rejects an unknown sort field with 400', async () => {
    const r = await call(sim, '/private/stem/session/?sort[]=start_time');
    expect(r.status).toBe(400);
    expect(r.body).toEqual(["Invalid filter field: ['start_time']"]);
  });
});

describe('include[] (§3.3), embedded by default', () => {
  it('embeds the full related objects for rel.* and keeps ids without .*', async () => {
    const session = rows('session').find((s) => (s.dataacquisition as string[]).length > 1 && (s.behaviors as string[]).length > 0)!;
    const r = await call(sim, `/private/stem/session/${session.id}/?include[]=dataacquisition.*&include[]=behaviors.*&include[]=manipulations.*&include[]=epochs.*`);
    expect(Object.keys(r.body)).toEqual(['session']);
    const s = r.body.session;
    expect(s.dataacquisition).toEqual((session.dataacquisition as string[]).map((id) => sim.dataset.row('dataacquisition', id)));
    expect(s.behaviors).toEqual((session.behaviors as string[]).map((id) => sim.dataset.row('behavior', id)));
    const plain = await call(sim, `/private/stem/session/${session.id}/?include[]=behaviors`);
    expect(plain.body.session.behaviors).toEqual(session.behaviors);
  });

  it('embeds nested includes and works on lists', async () => {
    const p = privateIds[0];
    const r = await call(sim, `/private/stem/session/?filter{projects.id}=${p}&limit=5&include[]=behaviors.subjects.*`);
    expect(Object.keys(r.body)).toEqual(['sessions', 'meta']);
    for (const s of r.body.sessions) {
      for (const b of s.behaviors) {
        expect(typeof b).toBe('object');
        for (const subj of b.subjects) expect(subj).toEqual(sim.dataset.row('subject', subj.id));
      }
    }
  });

  it('drops fields named in exclude[] and rejects unknown include names', async () => {
    const r = await call(sim, '/private/stem/session/?limit=1&exclude[]=description');
    expect('description' in r.body.sessions[0]).toBe(false);
    const bad = await call(sim, '/private/stem/session/?include[]=bogus.*');
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ detail: '"bogus" is not a valid field name for "session".' });
  });
});

describe('relation routes (DREST links)', () => {
  it("lists a project's sessions at project/{id}/sessions/, unpaged, and refuses filters", async () => {
    const p = privateIds[0];
    const r = await call(sim, `/private/stem/project/${p}/sessions/`);
    expect(r.status).toBe(200);
    expect(Object.keys(r.body)).toEqual(['sessions']);
    expect(ids(r.body.sessions)).toEqual(ids(rows('session').filter((s) => (s.projects as string[]).includes(p))));
    const f = await call(sim, `/private/stem/project/${p}/sessions/?filter{name}=x`);
    expect(f.status).toBe(400);
    expect(f.body).toEqual(['Filtering is not enabled on relation endpoints.']);
    const missing = await call(sim, '/private/stem/project/00000000-0000-4000-8000-000000000000/sessions/');
    expect(missing.status).toBe(404);
  });
});

describe('portals and permissions (§1.1, §2.1, §7.3)', () => {
  it('the public portal needs no token and serves only records of public projects', async () => {
    const projects = await call(sim, '/public/stem/project/', { token: null });
    expect(projects.status).toBe(200);
    expect(ids(projects.body.projects)).toEqual([publicId]);
    const { records } = await pageAll(sim, '/public/stem/session/', 'sessions', 100, { token: null });
    expect(ids(records)).toEqual(ids(rows('session').filter((s) => (s.projects as string[]).includes(publicId))));
    const { records: das } = await pageAll(sim, '/public/modules/dataacquisition/', 'data_acquisitions', 100, { token: null });
    const publicSessions = new Set(ids(records));
    expect(ids(das)).toEqual(ids(rows('dataacquisition').filter((d) => publicSessions.has(d.session as string))));
  });

  it('a private record on the public portal is 404, also with a valid token', async () => {
    for (const token of [null, sim.token]) {
      const r = await call(sim, `/public/stem/project/${privateIds[0]}/`, { token });
      expect(r.status).toBe(404);
      expect(r.body).toEqual({ detail: 'Not found.' });
    }
  });

  it('the private portal without a token is 401 with the DRF detail and a WWW-Authenticate header', async () => {
    const r = await call(sim, '/private/stem/project/', { token: null });
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ detail: 'Authentication credentials were not provided.' });
    expect(r.res.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it("shows the second user only their projects, and 403 for another project's record", async () => {
    const user = sim.dataset.users[1];
    const r = await call(sim, '/private/stem/project/', { token: sim.otherToken });
    expect(ids(r.body.projects).sort()).toEqual([...user.projectIds].sort());
    const hidden = privateIds.find((id) => !user.projectIds.includes(id))!;
    const denied = await call(sim, `/private/stem/project/${hidden}/`, { token: sim.otherToken });
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({ detail: 'You do not have permission to perform this action.' });
  });

  it('an unknown or malformed id is 404 {"detail":"Not found."}', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', '%27%3B--']) {
      const r = await call(sim, `/private/stem/session/${id}/`);
      expect(r.status, id).toBe(404);
      expect(r.body).toEqual({ detail: 'Not found.' });
    }
  });

  it('lists a session shared by two projects under both', async () => {
    const shared = rows('session').filter((s) => (s.projects as string[]).length === 2);
    expect(shared).toHaveLength(1);
    for (const p of shared[0].projects as string[]) {
      const { records } = await pageAll(sim, `/private/stem/session/?filter{projects.id}=${p}`, 'sessions');
      expect(ids(records)).toContain(shared[0].id);
    }
  });
});

describe('methods and content negotiation', () => {
  it('is read-only: other methods get 405 with the DRF detail', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const r = await call(sim, '/private/stem/project/', { method, headers: { 'Content-Type': 'application/json' } });
      expect(r.status, method).toBe(405);
      expect(r.body).toEqual({ detail: `Method "${method}" not allowed.` });
      expect(r.res.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    }
    const head = await call(sim, '/private/stem/project/', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    const options = await call(sim, '/private/stem/project/', { method: 'OPTIONS' });
    expect(options.status).toBe(200);
    expect(options.body.renders).toContain('application/json');
  });

  it('gives a browser the HTML browsable API unless it asks for ?format=json', async () => {
    const html = await call(sim, '/private/stem/project/', { headers: { Accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(html.status).toBe(200);
    expect(html.res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html.text).toContain('Django REST framework');
    expect(html.text).not.toContain(sim.token);
    const json = await call(sim, '/private/stem/project/?format=json', { headers: { Accept: 'text/html' } });
    expect(json.res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(json.body.projects.length).toBeGreaterThan(0);
    const anything = await call(sim, '/private/stem/project/', { headers: { Accept: '*/*' } });
    expect(anything.body.projects.length).toBeGreaterThan(0);
  });
});
