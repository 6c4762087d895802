// The simulator against the documented contract (reference §2–§5), over real HTTP.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from './index';
import { get, getJson, pageAll } from './test-helpers';

let sim: Simulator;
let expA: string; // own experiment with 2 rooms (events stream > 1000 records)
let expB: string; // own experiment with the hostile room id
let shared: string;

beforeAll(async () => {
  sim = await startSimulator({ scale: 'tiny', seed: 1 });
  const exps = sim.dataset.experiments();
  expA = exps[0].id;
  expB = exps[1].id;
  shared = exps.find((e) => e.shared)!.id;
});
afterAll(() => sim.close());

describe('success envelope and pagination', () => {
  it('wraps data streams in the documented envelope', async () => {
    const { status, body, res } = await getJson(sim, `/data/events/experiment/${expA}?limit=10`);
    expect(status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(body.status).toBe('success');
    const m = body.metadata;
    expect(m).toMatchObject({ dataType: 'events', scope: 'experiment', scopeId: expA });
    expect(Date.parse(m.timestamp)).not.toBeNaN();
    expect(m.query).toEqual({ startTime: null, endTime: null, category: null, limit: 10, offset: 0, sort: 'timestamp', order: 'asc' });
    expect(m.pagination).toEqual({ total: 2500, returned: 10, hasMore: true, limit: 10, offset: 0, nextOffset: 10 });
    expect(Object.keys(m.processing).sort()).toEqual(['enriched', 'experimentStartedAt', 'processingTimeMs', 'version']);
    expect(m.processing).toMatchObject({ enriched: true, version: '3.0.0' });
    expect(typeof m.processing.processingTimeMs).toBe('number');
    expect(m.processing.experimentStartedAt).toBe(sim.dataset.rooms(expA)[0].startTime);
    expect(body.data).toHaveLength(10);
  });

  it('defaults to pages of 1000, omits nextOffset on the last page, and pages to the exact total', async () => {
    const first = await getJson(sim, `/data/events/experiment/${expA}`);
    expect(first.body.metadata.pagination).toMatchObject({ total: 2500, returned: 1000, hasMore: true, limit: 1000, nextOffset: 1000 });
    const last = await getJson(sim, `/data/events/experiment/${expA}?offset=2000`);
    expect(last.body.metadata.pagination).toEqual({ total: 2500, returned: 500, hasMore: false, limit: 1000, offset: 2000 });
    expect('nextOffset' in last.body.metadata.pagination).toBe(false);
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
    expect(body.metadata.pagination.limit).toBe(1000);
    expect(body.metadata.query.limit).toBe(1000);
    expect(body.data).toHaveLength(1000);
    const bad = await getJson(sim, `/data/events/experiment/${expA}?limit=abc`);
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ status: 'error', error: { code: 'INVALID_PARAMETER', message: expect.any(String), details: { parameter: 'limit', value: 'abc', expected: expect.any(String) } } });
  });

  it('answers an offset past the end with an empty last page', async () => {
    const { body } = await getJson(sim, `/data/events/experiment/${expA}?offset=9999`);
    expect(body.data).toEqual([]);
    expect(body.metadata.pagination).toEqual({ total: 2500, returned: 0, hasMore: false, limit: 1000, offset: 9999 });
  });
});

describe('query parameters', () => {
  it('filters by time range (inclusive) and by room', async () => {
    const all = [...sim.dataset.records('events', 'experiment', expA)];
    const from = all[100].timestamp as string;
    const to = all[199].timestamp as string;
    const { records } = await pageAll(sim, `/data/events/experiment/${expA}?startTime=${from}&endTime=${to}`, 1000);
    const expected = all.filter((r) => (r.timestamp as string) >= from && (r.timestamp as string) <= to);
    expect(records).toEqual(expected);
    const room = sim.dataset.rooms(expA)[1].id;
    const byRoom = await getJson(sim, `/data/events/experiment/${expA}?roomId=${room}&limit=1000`);
    expect(byRoom.body.metadata.pagination.total).toBe(1250);
    expect(byRoom.body.data.every((r: any) => r.roomId === room)).toBe(true);
    const badTime = await getJson(sim, `/data/events/experiment/${expA}?startTime=yesterday`);
    expect(badTime.status).toBe(400);
    expect(badTime.body.error.details.parameter).toBe('startTime');
  });

  it('filters by deployment', async () => {
    const rooms = sim.dataset.rooms(expA);
    const dep = rooms[0].deploymentId;
    const { body } = await getJson(sim, `/data/events/experiment/${expA}?deploymentId=${dep}&limit=1`);
    expect(body.metadata.pagination.total).toBe(rooms.filter((r) => r.deploymentId === dep).length * 1250);
  });

  it('sorts descending and by onset', async () => {
    const asc = [...sim.dataset.records('chat', 'experiment', expA)];
    const desc = await getJson(sim, `/data/chat/experiment/${expA}?order=desc`);
    expect(desc.body.data).toEqual([...asc].reverse());
    const onset = await getJson(sim, `/data/chat/experiment/${expA}?sort=onset`);
    const onsets = onset.body.data.map((r: any) => r.onset);
    expect(onsets).toEqual([...onsets].sort((a: number, b: number) => a - b));
    expect(onsets.some((o: number) => o < 0)).toBe(true);
    expect(new Set(onset.body.data.map((r: any) => r.messageId))).toEqual(new Set(asc.map((r) => r.messageId)));
    const bad = await getJson(sim, `/data/chat/experiment/${expA}?order=sideways`);
    expect(bad.status).toBe(400);
  });

  it('filters events by category', async () => {
    const { body } = await getJson(sim, `/data/events/experiment/${expA}?category=pre_experiment`);
    expect(body.data.length).toBeGreaterThan(0);
    expect(body.data.every((r: any) => r.category === 'pre_experiment' && r.onset < 0)).toBe(true);
    expect(body.metadata.query.category).toBe('pre_experiment');
  });

  it('requires roomId for participant scope (400 INVALID_PARAMETER)', async () => {
    const p = sim.dataset.participants({ experimentId: expA })[0];
    const { status, body } = await getJson(sim, `/data/events/participant/${p.id}`);
    expect(status).toBe(400);
    expect(body.error.code).toBe('INVALID_PARAMETER');
    expect(body.error.details.parameter).toBe('roomId');
    const ok = await getJson(sim, `/data/events/participant/${p.id}?roomId=${p.roomId}`);
    expect(ok.status).toBe(200);
    expect(ok.body.data.length).toBeGreaterThan(0);
    expect(ok.body.data.every((r: any) => r.participantId === p.id)).toBe(true);
    expect(ok.body.metadata.pagination.total).toBe(sim.dataset.count('events', 'participant', p.id, p.roomId));
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

  it('puts chat participants in senderId and recipientIds', async () => {
    const p = sim.dataset.participants({ experimentId: expA })[0];
    const { body } = await getJson(sim, `/data/chat/participant/${p.id}?roomId=${p.roomId}`);
    expect(body.data.length).toBeGreaterThan(0);
    for (const m of body.data) expect(m.senderId === p.id || m.recipientIds.includes(p.id)).toBe(true);
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

describe('auth and scopes', () => {
  it('answers a missing or unknown key with the 401 envelope', async () => {
    const expected = { status: 'error', error: { code: 'AUTHENTICATION_ERROR', message: 'Invalid or expired API key' } };
    for (const key of [null, 'hst_test_unknown', 'sk_live_wrong_prefix', sim.apiKey.replace('hst_test_', 'hst_live_')]) {
      const { status, body } = await getJson(sim, `/experiments`, { key });
      expect(status).toBe(401);
      expect(body).toEqual(expected);
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
  it('serves /health as {"status":"healthy"} with and without a key', async () => {
    for (const key of [undefined, null]) {
      const { status, body } = await getJson(sim, '/health', { key });
      expect(status).toBe(200);
      expect(body).toEqual({ status: 'healthy', version: '3.0.0', timestamp: expect.any(String) });
    }
    expect((await getJson(sim, '/health', { key: 'hst_test_nope' })).status).toBe(401);
  });

  it('lists experiments with search, limit and offset (default page 50)', async () => {
    const { body } = await getJson(sim, '/experiments');
    expect(body.metadata).toMatchObject({ dataType: 'experiments', scope: 'user' });
    expect(body.metadata.pagination).toEqual({ total: 2, returned: 2, hasMore: false, limit: 50, offset: 0 });
    for (const e of body.data) {
      expect(e).toMatchObject({ id: expect.stringMatching(/^exp_/), name: expect.any(String), description: expect.any(String), ownerEmail: expect.any(String), roomCount: expect.any(Number), participantCount: expect.any(Number), createdAt: expect.any(String), updatedAt: expect.any(String), status: expect.any(String) });
    }
    const page = await getJson(sim, '/experiments?limit=1&offset=1');
    expect(page.body.data.map((e: any) => e.id)).toEqual([expB]);
    expect(page.body.metadata.pagination).toEqual({ total: 2, returned: 1, hasMore: false, limit: 1, offset: 1 });
    const name = body.data[0].name as string;
    const found = await getJson(sim, `/experiments?search=${encodeURIComponent(name.slice(0, 5).toLowerCase())}`);
    expect(found.body.data.map((e: any) => e.id)).toContain(expA);
    const none = await getJson(sim, `/experiments?search=zzzz-no-such`);
    expect(none.body.data).toEqual([]);
  });

  it('returns one experiment as a one-element list with the detail fields', async () => {
    const { body } = await getJson(sim, `/experiments/${expA}`);
    expect(body.metadata.dataType).toBe('experiment');
    expect(Array.isArray(body.data)).toBe(true);
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
    const all = await getJson(sim, `/deployments`);
    expect(all.body.data.some((d: any) => d.experimentId === shared)).toBe(false);
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
    const noRoom = await getJson(sim, `/data/counts/participant/${p}`);
    expect(noRoom.status).toBe(400);
    expect(noRoom.body.error.code).toBe('INVALID_PARAMETER');
  });

  it('serves sparse ratings in the fixture shape with metadata.ratingType', async () => {
    const { body } = await getJson(sim, `/data/ratings/sparse/experiment/${expA}`);
    expect(body.metadata).toMatchObject({ dataType: 'ratings', ratingType: 'sparse' });
    expect(body.data[0]).toMatchObject({ ratingId: expect.any(String), participantId: expect.any(String), onset: expect.any(Number), rawOnset: expect.any(Number), value: expect.any(Number), scale: { min: 0, max: 80 }, type: 'sparse', sparseRatingData: expect.objectContaining({ componentData: expect.any(Object) }), metadata: expect.objectContaining({ question: expect.any(String) }) });
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
});

describe('formats', () => {
  it('returns text/csv without an envelope for format=csv', async () => {
    const res = await get(sim, `/data/chat/experiment/${expA}?format=csv&limit=5`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('x-total-count')).toBe(String(sim.dataset.count('chat', 'experiment', expA)));
    const text = await res.text();
    expect(text.startsWith('{')).toBe(false);
    expect(text.split('\r\n')[0].split(',')).toContain('messageId');
  });

  it('writes CSV that an independent reader (python csv) parses back to the JSON values', async () => {
    const res = await get(sim, `/data/chat/experiment/${expA}?format=csv`);
    const text = await res.text();
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
    const events = await (await get(sim, `/data/events/experiment/${expA}?format=csv&limit=200`)).text();
    const header = events.split('\r\n')[0].split(',');
    expect(header).toContain('response_value');
    expect(header).toContain('response_responseTime');
  });

  it('returns one JSON object per line for format=ndjson', async () => {
    const res = await get(sim, `/data/events/experiment/${expA}?format=ndjson&limit=3`);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual([...sim.dataset.records('events', 'experiment', expA)].slice(0, 3));
  });

  it('rejects unknown formats', async () => {
    expect((await getJson(sim, `/data/events/experiment/${expA}?format=xml`)).status).toBe(400);
  });
});

describe('recordings listing', () => {
  it('lists recordings with downloadPath and the documented fields', async () => {
    const { body } = await getJson(sim, `/data/recordings/experiment/${expA}`);
    expect(body.metadata.query.sort).toBe('startTime');
    expect(body.data.length).toBeGreaterThan(0);
    for (const r of body.data) {
      expect(r).toMatchObject({ recordingId: expect.any(String), participantId: expect.any(String), participantName: expect.any(String), startTime: expect.any(String), endTime: expect.any(String), duration: expect.any(Number), fileSize: expect.any(Number), format: expect.stringMatching(/^(mp4|webm)$/), status: 'completed', fileName: expect.any(String), downloadPath: expect.stringMatching(/^\/data\/recordings\/download\//), metadata: { type: expect.stringMatching(/^(video|audio)$/), recordingType: expect.any(String), roomName: expect.any(String), experimentId: expA } });
      const info = sim.dataset.recordings(expA).find((x) => x.recordingId === r.recordingId)!;
      expect(r.fileSize).toBe(info.size);
      expect(r.fileSize).toBeGreaterThanOrEqual(64 * 1024);
      expect(r.fileSize).toBeLessThanOrEqual(256 * 1024);
      if (r.checksum) expect(r.checksum.sha256).toBe(info.sha256);
    }
  });
});
