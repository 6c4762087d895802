// The simulator against the documented contract, over real HTTP, with every shape at its default
// (docs/hyperstudy-api-notes.md lists where each answer comes from; shapes.test.ts tests each
// switch on its own).
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator, type StreamType } from './index';
import { fakeClock, get, getJson, pageAll } from './test-helpers';

let sim: Simulator;
let expA: string; // own experiment with 2 rooms (events stream > 1000 records)
let expB: string; // own experiment with the hostile room id
let shared: string;
const clock = fakeClock(Date.UTC(2026, 0, 1));

beforeAll(async () => {
  sim = await startSimulator({ scale: 'tiny', seed: 1, now: clock.now, signedUrlTtlSec: 600 });
  const exps = sim.dataset.experiments();
  expA = exps[0].id;
  expB = exps[1].id;
  shared = exps.find((e) => e.shared)!.id;
});
afterAll(() => sim.close());

const STREAMS: StreamType[] = ['events', 'recordings', 'chat', 'videochat', 'ratings/continuous', 'ratings/sparse', 'sync', 'components', 'eyetracking'];

describe('success envelope and pagination', () => {
  it('wraps data streams in the documented envelope: pagination {total, returned, hasMore, nextOffset}', async () => {
    const { status, body, res } = await getJson(sim, `/data/events/experiment/${expA}?limit=10`);
    expect(status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(body.status).toBe('success');
    const m = body.metadata;
    expect(m).toMatchObject({ dataType: 'events', scope: 'experiment', scopeId: expA });
    expect(Date.parse(m.timestamp)).not.toBeNaN();
    expect(m.query).toEqual({ startTime: null, endTime: null, category: null, limit: 10, offset: 0, sort: 'timestamp', order: 'asc' });
    expect(m.pagination).toEqual({ total: 2500, returned: 10, hasMore: true, nextOffset: 10 });
    expect(Object.keys(m.processing).sort()).toEqual(['enriched', 'experimentStartedAt', 'processingTimeMs', 'version']);
    expect(m.processing).toMatchObject({ enriched: true, version: '3.0.0' });
    expect(typeof m.processing.processingTimeMs).toBe('number');
    expect(m.processing.experimentStartedAt).toBe(sim.dataset.experiments()[0].startedAt);
    expect(body.data).toHaveLength(10);
  });

  it('defaults to pages of 1000, omits nextOffset on the last page, and pages to the exact total', async () => {
    const first = await getJson(sim, `/data/events/experiment/${expA}`);
    expect(first.body.metadata.pagination).toEqual({ total: 2500, returned: 1000, hasMore: true, nextOffset: 1000 });
    const last = await getJson(sim, `/data/events/experiment/${expA}?offset=2000`);
    expect(last.body.metadata.pagination).toEqual({ total: 2500, returned: 500, hasMore: false });
    const { records, requests } = await pageAll(sim, `/data/events/experiment/${expA}`, 1000);
    expect(requests).toBe(3);
    expect(records).toHaveLength(2500);
    expect(new Set(records.map((r) => r.id)).size).toBe(2500);
    const times = records.map((r) => Date.parse(r.timestamp));
    expect(times.every((t, i) => i === 0 || times[i - 1] <= t)).toBe(true);
    expect(records).toEqual([...sim.dataset.records('events', 'experiment', expA)]);
  });

  it('clamps limit above 1000 and rejects a bad limit with INVALID_PARAMETER', async () => {
    const { body } = await getJson(sim, `/data/events/experiment/${expA}?limit=5000`);
    expect(body.metadata.pagination.returned).toBe(1000);
    expect(body.metadata.query.limit).toBe(1000);
    expect(body.data).toHaveLength(1000);
    const bad = await getJson(sim, `/data/events/experiment/${expA}?limit=abc`);
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ status: 'error', error: { code: 'INVALID_PARAMETER', message: expect.any(String), details: { parameter: 'limit', value: 'abc', expected: expect.any(String) } } });
  });

  it('answers an offset past the end with an empty last page', async () => {
    const { body } = await getJson(sim, `/data/events/experiment/${expA}?offset=9999`);
    expect(body.data).toEqual([]);
    expect(body.metadata.pagination).toEqual({ total: 2500, returned: 0, hasMore: false });
  });

  it('keeps experimentStartedAt consistent with every onset, at every scope', async () => {
    const room = sim.dataset.rooms(expA)[1];
    const p = sim.dataset.participants({ roomId: room.id })[0];
    for (const type of ['events', 'chat', 'ratings/continuous', 'ratings/sparse', 'sync', 'components', 'eyetracking', 'videochat']) {
      for (const path of [`/data/${type}/experiment/${expA}`, `/data/${type}/room/${room.id}`, `/data/${type}/participant/${p.id}?roomId=${room.id}`]) {
        const { body } = await getJson(sim, path);
        const start = Date.parse(body.metadata.processing.experimentStartedAt);
        expect(body.data.length, path).toBeGreaterThan(0);
        for (const r of body.data) expect(Date.parse(r.timestamp) - r.onset, `${path} ${JSON.stringify(r).slice(0, 80)}`).toBe(start);
      }
    }
    for (const path of [`/data/rooms/experiment/${expA}`, `/data/participants/experiment/${expA}`, `/data/variables/room/${room.id}`]) {
      expect((await getJson(sim, path)).body.metadata.processing.experimentStartedAt).toBe(sim.dataset.experiments()[0].startedAt);
    }
  });
});

describe('query parameters', () => {
  it('filters by time range: startTime and endTime are exclusive (after / before)', async () => {
    const all = [...sim.dataset.records('events', 'experiment', expA)];
    const from = all[100].timestamp as string;
    const to = all[199].timestamp as string;
    const { records } = await pageAll(sim, `/data/events/experiment/${expA}?startTime=${from}&endTime=${to}`, 1000);
    expect(records).toEqual(all.filter((r) => (r.timestamp as string) > from && (r.timestamp as string) < to));
    expect(records.some((r) => r.timestamp === from || r.timestamp === to)).toBe(false);
    const badTime = await getJson(sim, `/data/events/experiment/${expA}?startTime=yesterday`);
    expect(badTime.status).toBe(400);
    expect(badTime.body.error.details.parameter).toBe('startTime');
  });

  it('filters by room', async () => {
    const room = sim.dataset.rooms(expA)[1].id;
    const byRoom = await getJson(sim, `/data/events/experiment/${expA}?roomId=${room}&limit=1000`);
    expect(byRoom.body.metadata.pagination.total).toBe(1250);
    expect(byRoom.body.data.every((r: any) => r.sessionId === room)).toBe(true);
  });

  it('filters by deployment', async () => {
    const rooms = sim.dataset.rooms(expA);
    const dep = rooms[0].deploymentId;
    const { body } = await getJson(sim, `/data/events/experiment/${expA}?deploymentId=${dep}&limit=1`);
    expect(body.metadata.pagination.total).toBe(rooms.filter((r) => r.deploymentId === dep).length * 1250);
  });

  it('sorts descending and by onset where the docs show sort, and ignores sort elsewhere', async () => {
    const asc = [...sim.dataset.records('chat', 'experiment', expA)];
    const desc = await getJson(sim, `/data/chat/experiment/${expA}?order=desc`);
    expect(desc.body.data).toEqual([...asc].reverse());
    const onset = await getJson(sim, `/data/chat/experiment/${expA}?sort=onset`);
    const onsets = onset.body.data.map((r: any) => r.onset);
    expect(onsets).toEqual([...onsets].sort((a: number, b: number) => a - b));
    expect(onsets.some((o: number) => o < 0)).toBe(true);
    expect((await getJson(sim, `/data/chat/experiment/${expA}?order=sideways`)).status).toBe(400);
    for (const type of ['recordings', 'components', 'eyetracking']) {
      const plain = await getJson(sim, `/data/${type}/experiment/${expA}`);
      const asked = await getJson(sim, `/data/${type}/experiment/${expA}?sort=onset&order=desc`);
      expect(asked.status).toBe(200);
      const ids = (b: any) => b.data.map((r: any) => r.recordingId ?? r.id ?? `${r.componentId}@${r.timestamp}`);
      expect(ids(asked.body)).toEqual(ids(plain.body));
      expect(asked.body.metadata.query.sort).toBeUndefined();
    }
  });

  it('filters events by category; questionnaire answers are post_experiment', async () => {
    const { body } = await getJson(sim, `/data/events/experiment/${expA}?category=pre_experiment`);
    expect(body.data.length).toBeGreaterThan(0);
    expect(body.data.every((r: any) => r.category === 'pre_experiment' && r.eventType.match(/^(consent|instructions)\./))).toBe(true);
    expect(body.metadata.query.category).toBe('pre_experiment');
    const categories = new Set([...sim.dataset.records('events', 'experiment', expA)].map((r) => r.category));
    expect([...categories].sort()).toEqual(['communication', 'component', 'media', 'post_experiment', 'pre_experiment', 'state', 'sync', 'system']);
  });

  it('serves the participant scope without roomId (a filter, not a requirement); counts still need it', async () => {
    const p = sim.dataset.participants({ experimentId: expA })[0];
    const without = await getJson(sim, `/data/events/participant/${p.id}`);
    expect(without.status).toBe(200);
    expect(without.body.data.length).toBeGreaterThan(0);
    expect(without.body.data.every((r: any) => r.participantId === p.id)).toBe(true);
    expect(without.body.metadata.pagination.total).toBe(sim.dataset.count('events', 'participant', p.id, p.roomId));
    const withRoom = await getJson(sim, `/data/events/participant/${p.id}?roomId=${p.roomId}`);
    expect(withRoom.body.data).toEqual(without.body.data);
    const noRoom = await getJson(sim, `/data/counts/participant/${p.id}`);
    expect(noRoom.status).toBe(400);
    expect(noRoom.body.error).toMatchObject({ code: 'INVALID_PARAMETER', details: { parameter: 'roomId' } });
  });

  it('answers a participant with another room id with an empty page, and counts with 404', async () => {
    const p = sim.dataset.participants({ experimentId: expA })[0];
    const elsewhere = sim.dataset.rooms(expA).find((r) => r.id !== p.roomId)!.id;
    const { status, body } = await getJson(sim, `/data/events/participant/${p.id}?roomId=${elsewhere}`);
    expect(status).toBe(200);
    expect(body.data).toEqual([]);
    expect(body.metadata.pagination.total).toBe(0);
    expect((await getJson(sim, `/data/counts/participant/${p.id}?roomId=${elsewhere}`)).status).toBe(404);
  });

  it('rejects a scope the type does not support and unknown types', async () => {
    expect((await getJson(sim, `/data/variables/experiment/${expA}`)).status).toBe(400);
    expect((await getJson(sim, `/data/rooms/room/x`)).status).toBe(400);
    const unknown = await getJson(sim, `/data/nonsense/experiment/${expA}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('NOT_FOUND');
    const missing = await getJson(sim, `/data/events/experiment/exp_does_not_exist`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ status: 'error', error: { code: 'NOT_FOUND', message: expect.stringContaining('exp_does_not_exist') } });
  });
});

describe('record shapes', () => {
  it('events carry sessionId = the room id and no roomId', async () => {
    for (const room of sim.dataset.rooms()) {
      const { body } = await getJson(sim, `/data/events/room/${encodeURIComponent(room.id)}`, { org: sim.orgId });
      expect(body.data.length).toBeGreaterThan(0);
      for (const e of body.data) {
        expect(e.sessionId).toBe(room.id);
        expect('roomId' in e).toBe(false);
      }
    }
  });

  it('components carry the documented fields plus their participant, and no id or roomId', async () => {
    const { body } = await getJson(sim, `/data/components/experiment/${expA}`);
    const participants = new Set(sim.dataset.participants({ experimentId: expA }).map((p) => p.id));
    for (const c of body.data) {
      expect(c).toMatchObject({ componentId: expect.any(String), componentType: expect.any(String), experimentId: expA, stateId: expect.any(String), config: expect.any(Object), timestamp: expect.any(String), onset: expect.any(Number), variableSnapshot: expect.any(Object), completed: expect.any(Boolean) });
      expect(participants.has(c.participantId)).toBe(true);
      expect('id' in c || 'roomId' in c || 'sessionId' in c).toBe(false);
    }
  });

  it('ratings: sparse carry componentId, scaleMin, scaleMax and labels; continuous value is 0–1 beside rawValue', async () => {
    const sparse = await getJson(sim, `/data/ratings/sparse/experiment/${expA}`);
    expect(sparse.body.metadata).toMatchObject({ dataType: 'ratings', ratingType: 'sparse' });
    for (const r of sparse.body.data) {
      expect(Object.keys(r).sort()).toEqual(['componentId', 'experimentId', 'labels', 'onset', 'participantId', 'ratingId', 'responseTime', 'roomId', 'scaleMax', 'scaleMin', 'timestamp', 'value'].sort());
      expect(r.labels).toEqual({ min: expect.any(String), max: expect.any(String) });
      expect(r.value).toBeGreaterThanOrEqual(r.scaleMin);
      expect(r.value).toBeLessThanOrEqual(r.scaleMax);
    }
    const cont = await getJson(sim, `/data/ratings/continuous/experiment/${expA}`);
    expect(cont.body.metadata.ratingType).toBe('continuous');
    for (const r of cont.body.data) {
      expect(r.value).toBeGreaterThanOrEqual(0);
      expect(r.value).toBeLessThanOrEqual(1);
      expect(r.normalizedValue).toBe(r.value);
      expect(r.value).toBeCloseTo((r.rawValue - r.scaleMin) / (r.scaleMax - r.scaleMin), 3);
    }
    expect(cont.body.data.some((r: any) => r.rawValue > 1)).toBe(true);
  });

  it('serves continuous ratings at 5–10 Hz per participant', async () => {
    const room = sim.dataset.rooms(expA)[0];
    const p = room.participantIds[0];
    const { body } = await getJson(sim, `/data/ratings/continuous/participant/${p}?roomId=${room.id}`);
    const t = body.data.map((r: any) => Date.parse(r.timestamp));
    const hz = (t.length - 1) / ((t[t.length - 1] - t[0]) / 1000);
    expect(hz).toBeGreaterThanOrEqual(4.5);
    expect(hz).toBeLessThanOrEqual(10.5);
  });

  it('sync quality is a number 0–1 and chat messageType is text', async () => {
    const sync = await getJson(sim, `/data/sync/experiment/${expA}`);
    for (const r of sync.body.data) {
      expect(typeof r.syncQuality).toBe('number');
      expect(r.syncQuality).toBeGreaterThanOrEqual(0);
      expect(r.syncQuality).toBeLessThanOrEqual(1);
    }
    const chat = await getJson(sim, `/data/chat/experiment/${expA}`);
    expect(new Set(chat.body.data.map((m: any) => m.messageType))).toEqual(new Set(['text']));
    const p = sim.dataset.participants({ experimentId: expA })[0];
    const mine = await getJson(sim, `/data/chat/participant/${p.id}?roomId=${p.roomId}`);
    expect(mine.body.data.length).toBeGreaterThan(0);
    for (const m of mine.body.data) expect(m.senderId === p.id || m.recipientIds.includes(p.id)).toBe(true);
  });

  it('every type names its room as documented (roomId; events sessionId; components neither)', async () => {
    const room = sim.dataset.rooms(expA)[0];
    for (const type of STREAMS) {
      const { body } = await getJson(sim, `/data/${type}/room/${room.id}`);
      expect(body.data.length, type).toBeGreaterThan(0);
      for (const r of body.data) {
        if (type === 'events') expect(r.sessionId).toBe(room.id);
        else if (type === 'components') expect(r.roomId ?? r.sessionId).toBeUndefined();
        else expect(r.roomId, type).toBe(room.id);
      }
    }
  });
});

describe('auth and scopes', () => {
  it('answers a missing or unknown key with 401 UNAUTHORIZED', async () => {
    const expected = { status: 'error', error: { code: 'UNAUTHORIZED', message: 'Invalid or expired API key' } };
    for (const key of [null, 'hst_test_unknown', 'sk_live_wrong_prefix', sim.apiKey.replace('hst_test_', 'hst_live_')]) {
      const { status, body } = await getJson(sim, `/experiments`, { key });
      expect(status).toBe(401);
      expect(body).toEqual(expected);
    }
  });

  it('needs a key for /health too', async () => {
    const ok = await getJson(sim, '/health');
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ status: 'healthy', version: '3.0.0', timestamp: expect.any(String) });
    for (const key of [null, 'hst_test_nope']) {
      const denied = await getJson(sim, '/health', { key });
      expect(denied.status).toBe(401);
      expect(denied.body.error.code).toBe('UNAUTHORIZED');
    }
  });

  it('answers missing scopes with 403 FORBIDDEN listing required and provided', async () => {
    const { status, body } = await getJson(sim, `/data/chat/experiment/${expA}`, { key: sim.limitedKey });
    expect(status).toBe(403);
    expect(body.error).toEqual({
      code: 'FORBIDDEN',
      message: 'Insufficient scopes. Required: read:chat',
      details: { required: ['read:chat'], provided: ['read:events', 'read:experiments'] },
    });
    for (const [type, scope] of [['recordings', 'read:recordings'], ['ratings/continuous', 'read:ratings'], ['sync', 'read:sync'], ['components', 'read:components'], ['videochat', 'read:videochat']]) {
      const r = await getJson(sim, `/data/${type}/experiment/${expA}`, { key: sim.limitedKey });
      expect(r.status).toBe(403);
      expect(r.body.error.details.required).toEqual([scope]);
    }
    const room = sim.dataset.rooms(expA)[0];
    expect((await getJson(sim, `/data/recordings/download/${room.id}/whatever`, { key: sim.limitedKey })).status).toBe(403);
  });

  it('lets the limited key read events, rooms, participants and experiments', async () => {
    for (const path of [`/data/events/experiment/${expA}?limit=1`, `/data/rooms/experiment/${expA}`, `/data/participants/experiment/${expA}`, `/experiments`, `/experiments/${expA}`]) {
      expect((await get(sim, path, { key: sim.limitedKey })).status).toBe(200);
    }
  });
});

describe('organisation header and shared experiments', () => {
  it('lists shared experiments only with the matching X-Organization-Id', async () => {
    const without = await getJson(sim, `/experiments/shared`);
    expect(without.status).toBe(200);
    expect(without.body.data).toEqual([]);
    const wrong = await getJson(sim, `/experiments/shared`, { org: 'org_someone_else' });
    expect(wrong.body.data).toEqual([]);
    const withOrg = await getJson(sim, `/experiments/shared`, { org: sim.orgId });
    expect(withOrg.body.data.map((e: any) => e.id)).toEqual([shared]);
    expect(withOrg.body.data[0]).toMatchObject({ id: shared, name: expect.any(String), roomCount: 1, participantCount: expect.any(Number) });
  });

  it('keeps shared experiments out of /experiments and gates their data on the header', async () => {
    const own = await getJson(sim, `/experiments`, { org: sim.orgId });
    expect(own.body.data.map((e: any) => e.id)).toEqual([expA, expB]);
    expect((await getJson(sim, `/experiments/${shared}`)).status).toBe(404);
    expect((await getJson(sim, `/experiments/${shared}`, { org: sim.orgId })).status).toBe(200);
    const denied = await getJson(sim, `/data/events/experiment/${shared}`);
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('FORBIDDEN');
    const ok = await getJson(sim, `/data/events/experiment/${shared}?limit=5`, { org: sim.orgId });
    expect(ok.status).toBe(200);
    expect(ok.body.data).toHaveLength(5);
    const access = await getJson(sim, `/data/check-access/experiment/${shared}`);
    expect(access.body.data).toEqual({ canView: false, canExport: false });
    const access2 = await getJson(sim, `/data/check-access/experiment/${shared}`, { org: sim.orgId });
    expect(access2.body.data).toEqual({ canView: true, canExport: true });
  });
});

describe('listing endpoints', () => {
  it('lists experiments with search, limit and offset (default page 50)', async () => {
    const { body } = await getJson(sim, '/experiments');
    expect(body.metadata).toMatchObject({ dataType: 'experiments', scope: 'user', query: { limit: 50, offset: 0 } });
    expect(body.metadata.pagination).toEqual({ total: 2, returned: 2, hasMore: false });
    for (const e of body.data) {
      expect(e).toMatchObject({ id: expect.stringMatching(/^exp_/), name: expect.any(String), description: expect.any(String), ownerEmail: expect.any(String), roomCount: expect.any(Number), participantCount: expect.any(Number), createdAt: expect.any(String), updatedAt: expect.any(String), status: expect.any(String) });
    }
    const page = await getJson(sim, '/experiments?limit=1');
    expect(page.body.metadata.pagination).toEqual({ total: 2, returned: 1, hasMore: true, nextOffset: 1 });
    const next = await getJson(sim, '/experiments?limit=1&offset=1');
    expect(next.body.data.map((e: any) => e.id)).toEqual([expB]);
    const name = body.data[0].name as string;
    const found = await getJson(sim, `/experiments?search=${encodeURIComponent(name.slice(0, 5).toLowerCase())}`);
    expect(found.body.data.map((e: any) => e.id)).toContain(expA);
    expect((await getJson(sim, `/experiments?search=zzzz-no-such`)).body.data).toEqual([]);
  });

  it('returns one experiment as a one-element list with the detail fields', async () => {
    const { body } = await getJson(sim, `/experiments/${expA}`);
    expect(body.metadata.dataType).toBe('experiment');
    expect(body.data).toHaveLength(1);
    expect(body.data[0]).toMatchObject({ id: expA, ownerId: expect.any(String), states: expect.any(Array), roles: expect.any(Object), requiredParticipants: expect.any(Number) });
    expect((await getJson(sim, '/experiments/exp_nope')).status).toBe(404);
  });

  it('lists deployments, one deployment as a dict, and its sessions', async () => {
    const { body } = await getJson(sim, `/deployments?experimentId=${expA}`);
    expect(body.metadata.dataType).toBe('deployments');
    expect(body.data.map((d: any) => d.id).sort()).toEqual([...sim.dataset.experiments()[0].deploymentIds].sort());
    expect(body.data[0]).toMatchObject({ id: expect.any(String), experimentId: expA, name: expect.any(String), status: expect.any(String), ownerId: expect.any(String), ownerName: expect.any(String), createdAt: expect.any(String) });
    const depId = body.data[0].id;
    const one = await getJson(sim, `/deployments/${depId}`);
    expect(Array.isArray(one.body.data)).toBe(false);
    expect(one.body.data).toMatchObject({ id: depId, participantCount: expect.any(Number), maxParticipants: expect.any(Number), updatedAt: expect.any(String) });
    const sessions = await getJson(sim, `/deployments/${depId}/sessions`);
    expect(sessions.body.metadata).toMatchObject({ dataType: 'sessions', scope: 'deployment', scopeId: depId });
    expect(sessions.body.data[0]).toEqual({ id: expect.any(String), experimentId: expA, deploymentId: depId, status: expect.any(String), participantCount: expect.any(Number), createdAt: expect.any(String) });
    expect((await getJson(sim, `/deployments`)).body.data.some((d: any) => d.experimentId === shared)).toBe(false);
  });

  it('lists rooms of an experiment, enriched', async () => {
    const { body } = await getJson(sim, `/data/rooms/experiment/${expA}`);
    expect(body.metadata).toMatchObject({ dataType: 'rooms', scope: 'experiment', scopeId: expA });
    expect(body.data).toHaveLength(2);
    expect(body.data[0]).toMatchObject({ id: expect.any(String), experimentId: expA, deploymentId: expect.any(String), deploymentName: expect.any(String), participantCount: expect.any(Number), status: 'completed', startTime: expect.any(String), endTime: expect.any(String) });
    expect(body.data[1].status).toBe('active');
    expect(body.data[1].endTime).toBeUndefined();
  });

  it('lists participants of an experiment and of a room, with filters and sorting', async () => {
    const { body } = await getJson(sim, `/data/participants/experiment/${expA}`);
    expect(body.metadata.dataType).toBe('participants');
    const ids = sim.dataset.participants({ experimentId: expA }).map((p) => p.id);
    expect(body.data.map((p: any) => p.id).sort()).toEqual([...ids].sort());
    for (const p of body.data) {
      expect(p).toMatchObject({ id: expect.any(String), name: expect.any(String), email: expect.stringContaining('@'), role: expect.any(String), status: expect.any(String), completionCode: expect.any(String), joinedAt: expect.any(String), roomId: expect.any(String) });
    }
    const joined = body.data.map((p: any) => p.joinedAt);
    expect(joined).toEqual([...joined].sort());
    const room = sim.dataset.rooms(expA)[1];
    const inRoom = await getJson(sim, `/data/participants/room/${room.id}`);
    expect(inRoom.body.data.map((p: any) => p.id).sort()).toEqual([...room.participantIds].sort());
    const inProgress = await getJson(sim, `/data/participants/experiment/${expA}?completionCode=IN_PROGRESS`);
    expect(inProgress.body.data.every((p: any) => p.completionCode === 'IN_PROGRESS' && p.completedAt === undefined)).toBe(true);
    expect(inProgress.body.data.length).toBe(room.participantIds.length);
    const byEmail = await getJson(sim, `/data/participants/experiment/${expA}?sort=email&order=desc`);
    const emails = byEmail.body.data.map((p: any) => p.email);
    expect(emails).toEqual([...emails].sort().reverse());
  });

  it('serves variables with their metadata payload and per-participant counts', async () => {
    const room = sim.dataset.rooms(expA)[0];
    const v = await getJson(sim, `/data/variables/room/${room.id}`);
    expect(v.body.metadata).toMatchObject({ dataType: 'variables', scope: 'room', variableNames: expect.any(Array), timeline: expect.any(Array), matrixColumns: expect.any(Array), droppedWrites: expect.any(Array), mode: 'replay' });
    expect(v.body.data[0]).toMatchObject({ variable: expect.any(String), source: expect.any(String), persisted: expect.any(Boolean) });
    const p = room.participantIds[0];
    const c = await getJson(sim, `/data/counts/participant/${p}?roomId=${encodeURIComponent(room.id)}`);
    expect(c.body.data).toHaveLength(1);
    const counts = c.body.data[0];
    expect(counts).toMatchObject({ participantId: p, roomId: room.id });
    expect(counts.counts.textchat).toBe(sim.dataset.count('chat', 'participant', p, room.id));
    expect(counts.counts.events).toBe(sim.dataset.count('events', 'participant', p, room.id));
    expect('chat' in counts.counts).toBe(false);
    expect(counts.hasData.textchat).toBe(counts.counts.textchat > 0);
  });
});

describe('formats', () => {
  it('returns text/csv without an envelope or paging headers for format=csv', async () => {
    const res = await get(sim, `/data/chat/experiment/${expA}?format=csv&limit=5`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('x-total-count')).toBeNull();
    expect(res.headers.get('x-has-more')).toBeNull();
    const text = await res.text();
    expect(text.startsWith('{')).toBe(false);
    expect(text.split('\r\n')[0].split(',')).toContain('messageId');
  });

  it('writes CSV that an independent reader (python csv) parses back to the JSON values', async () => {
    const text = await (await get(sim, `/data/chat/experiment/${expA}?format=csv`)).text();
    const py = spawnSync('python3', ['-c', 'import csv,sys,json; print(json.dumps(list(csv.DictReader(sys.stdin))))'], { input: text, encoding: 'utf8' });
    expect(py.status).toBe(0);
    const rows = JSON.parse(py.stdout) as Array<Record<string, string>>;
    const records = [...sim.dataset.records('chat', 'experiment', expA)];
    expect(rows).toHaveLength(records.length);
    rows.forEach((row, i) => {
      expect(row.messageId).toBe(records[i].messageId);
      expect(row.content).toBe(records[i].content);
      expect(JSON.parse(row.recipientIds)).toEqual(records[i].recipientIds);
    });
    const header = (await (await get(sim, `/data/events/experiment/${expA}?format=csv&limit=200`)).text()).split('\r\n')[0].split(',');
    expect(header).toContain('response_value');
    expect(header).toContain('response_responseTime');
  });

  it('refuses format=ndjson and unknown formats (the docs show json and csv)', async () => {
    for (const f of ['ndjson', 'xml']) {
      const r = await getJson(sim, `/data/events/experiment/${expA}?format=${f}`);
      expect(r.status).toBe(400);
      expect(r.body.error.details.parameter).toBe('format');
    }
  });
});

describe('recordings and signed URLs', () => {
  it('lists recordings with a signed downloadUrl on a separate storage origin, and no downloadPath', async () => {
    const { body } = await getJson(sim, `/data/recordings/experiment/${expA}`);
    expect(body.data.length).toBeGreaterThan(0);
    expect(sim.storageOrigin).not.toBe(sim.origin);
    for (const r of body.data) {
      expect(r).toMatchObject({ recordingId: expect.any(String), roomId: expect.any(String), participantId: expect.any(String), participantName: expect.any(String), startTime: expect.any(String), endTime: expect.any(String), duration: expect.any(Number), fileSize: expect.any(Number), format: expect.stringMatching(/^(mp4|webm)$/), status: 'completed', fileName: expect.any(String), metadata: { type: expect.stringMatching(/^(video|audio)$/), recordingType: expect.any(String), roomName: expect.any(String), experimentId: expA } });
      expect(r.downloadUrl.startsWith(`${sim.storageOrigin}/storage/`)).toBe(true);
      expect(r.downloadUrl).toMatch(/[?&]expires=\d+&/);
      expect('downloadPath' in r).toBe(false);
      const info = sim.dataset.recordings(expA).find((x) => x.recordingId === r.recordingId)!;
      expect(r.fileSize).toBe(info.size);
      if (r.checksum) expect(r.checksum.sha256).toBe(info.sha256);
    }
  });

  it('serves a downloadUrl without any key, refuses it once expired, and a new listing signs a fresh one', async () => {
    const room = sim.dataset.rooms(expA)[0];
    const list = async () => (await getJson(sim, `/data/recordings/room/${room.id}`)).body.data[0];
    const rec = await list();
    const info = sim.dataset.recordings(expA).find((x) => x.recordingId === rec.recordingId)!;
    const ok = await fetch(rec.downloadUrl);
    expect(ok.status).toBe(200);
    expect(Buffer.from(await ok.arrayBuffer()).equals(sim.dataset.mediaBytes(info.roomId, info.recordingId))).toBe(true);
    clock.advance(601_000);
    const expired = await fetch(rec.downloadUrl);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('ExpiredToken');
    const fresh = await list();
    expect(fresh.downloadUrl).not.toBe(rec.downloadUrl);
    expect((await fetch(fresh.downloadUrl, { method: 'HEAD' })).status).toBe(200);
  });

  it('keeps the two origins apart: no media on the API origin, no API on the storage origin', async () => {
    const rec = (await getJson(sim, `/data/recordings/experiment/${expA}`)).body.data[0];
    const onApi = rec.downloadUrl.replace(sim.storageOrigin, sim.origin);
    expect((await fetch(onApi)).status).toBe(404);
    expect((await fetch(`${sim.storageOrigin}/api/v3/experiments`, { headers: { 'X-API-Key': sim.apiKey } })).status).toBe(404);
  });
});
