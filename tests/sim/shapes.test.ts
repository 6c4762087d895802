// Every response shape switch on its own: what it changes against the documented default, that it
// leaves the rest of each record alone, and that it can be set by option, control route and flag.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type ShapeConfig, type Simulator, type StreamType } from './index';
import { SHAPE_VALUES, defaultShapes } from './shapes';
import { shapesFromFlags } from './shape-flags';
import { fakeClock, get, getJson, pageAll } from './test-helpers';

let sim: Simulator;
let expA: string;
const clock = fakeClock(Date.UTC(2026, 0, 1));

beforeAll(async () => {
  sim = await startSimulator({ scale: 'tiny', seed: 1, now: clock.now });
  expA = sim.dataset.experiments()[0].id;
});
afterAll(() => sim.close());
afterEach(() => sim.resetShapes());

const STREAMS: StreamType[] = ['events', 'recordings', 'chat', 'videochat', 'ratings/continuous', 'ratings/sparse', 'sync', 'components', 'eyetracking'];

/** The records of a type at the experiment scope, as served under the given shapes. */
async function served(type: StreamType, shapes: Partial<ShapeConfig> = {}, query = ''): Promise<any[]> {
  sim.resetShapes();
  sim.setShapes(shapes);
  const { records } = await pageAll(sim, `/data/${type}/experiment/${expA}${query}`, 1000);
  return records;
}

/** Records with the named fields removed (to check a switch changes nothing else). */
const without = (records: any[], fields: string[]) => records.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !fields.includes(k))));

describe('where the records name their room (roomField)', () => {
  it("'roomId': every record carries roomId (the SDK fixtures' events), events no sessionId", async () => {
    const before = await served('events');
    const after = await served('events', { roomField: 'roomId' });
    expect(after.every((e, i) => e.roomId === before[i].sessionId && !('sessionId' in e))).toBe(true);
    expect(without(after, ['roomId'])).toEqual(without(before, ['sessionId']));
    for (const type of STREAMS) {
      const recs = await served(type, { roomField: 'roomId' });
      expect(recs.every((r) => typeof r.roomId === 'string' && r.roomId.startsWith('room_')), type).toBe(true);
    }
  });

  it("'none': no record names its room; its participant still does", async () => {
    for (const type of STREAMS) {
      const recs = await served(type, { roomField: 'none' });
      expect(recs.length).toBeGreaterThan(0);
      expect(recs.some((r) => 'roomId' in r || 'sessionId' in r), type).toBe(false);
    }
    const events = await served('events', { roomField: 'none' });
    expect(events.filter((e) => e.participantId === undefined).length).toBeGreaterThan(0); // server-side events: no room at all
  });
});

describe('recordings: downloadPath instead of downloadUrl (recordingLinks)', () => {
  it('lists the mint route, which signs a URL on the storage origin', async () => {
    const recs = await served('recordings', { recordingLinks: 'downloadPath' });
    const plain = await served('recordings');
    for (const [i, r] of recs.entries()) {
      expect(r.downloadPath).toMatch(/^\/data\/recordings\/download\//);
      expect(r.downloadUrl === undefined || r.downloadUrl.startsWith('https://storage.googleapis.com/')).toBe(true); // old records: a long-expired GCS link
      expect(without([r], ['downloadPath', 'downloadUrl', 'url'])).toEqual(without([plain[i]], ['downloadUrl']));
    }
    const mint = await getJson(sim, recs[0].downloadPath);
    expect(mint.body).toEqual({ status: 'success', data: { url: expect.stringMatching(new RegExp(`^${sim.storageOrigin}/storage/`)) } });
    expect((await fetch(mint.body.data.url, { method: 'HEAD' })).status).toBe(200);
  });
});

describe('errors and auth', () => {
  it("authErrorCode 'AUTHENTICATION_ERROR' (the SDK fixture's code)", async () => {
    sim.setShapes({ authErrorCode: 'AUTHENTICATION_ERROR' });
    const { status, body } = await getJson(sim, '/experiments', { key: 'hst_test_unknown' });
    expect(status).toBe(401);
    expect(body).toEqual({ status: 'error', error: { code: 'AUTHENTICATION_ERROR', message: 'Invalid or expired API key' } });
  });

  it('healthWithoutKey: /health answers without a key, a wrong key still gets 401', async () => {
    expect((await getJson(sim, '/health', { key: null })).status).toBe(401);
    sim.setShapes({ healthWithoutKey: true });
    const { status, body } = await getJson(sim, '/health', { key: null });
    expect(status).toBe(200);
    expect(body.status).toBe('healthy');
    expect((await getJson(sim, '/health', { key: 'hst_test_nope' })).status).toBe(401);
  });

  it('participantNeedsRoomId: the participant scope refuses a request without roomId', async () => {
    const p = sim.dataset.participants({ experimentId: expA })[0];
    expect((await getJson(sim, `/data/events/participant/${p.id}`)).status).toBe(200);
    sim.setShapes({ participantNeedsRoomId: true });
    const { status, body } = await getJson(sim, `/data/events/participant/${p.id}`);
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: 'INVALID_PARAMETER', details: { parameter: 'roomId' } });
    expect((await getJson(sim, `/data/events/participant/${p.id}?roomId=${p.roomId}`)).status).toBe(200);
  });
});

describe('ratings, sync and chat values', () => {
  it("sparseRatings 'sdk': the fixture shape (scale{}, sparseRatingData, no room)", async () => {
    const doc = await served('ratings/sparse');
    const sdk = await served('ratings/sparse', { sparseRatings: 'sdk' });
    expect(sdk.map((r) => r.ratingId)).toEqual(doc.map((r) => r.ratingId));
    for (const [i, r] of sdk.entries()) {
      expect(r).toMatchObject({ participantId: doc[i].participantId, onset: doc[i].onset, value: doc[i].value, responseTime: doc[i].responseTime, rawValue: expect.any(Number), scale: { min: 0, max: 80 }, type: 'sparse', sparseRatingData: expect.objectContaining({ componentData: { value: r.rawValue } }), metadata: expect.objectContaining({ question: expect.any(String) }) });
      expect('roomId' in r || 'componentId' in r || 'labels' in r).toBe(false);
    }
  });

  it("continuousValue 'scale': value on the rating scale, normalizedValue beside it", async () => {
    const doc = await served('ratings/continuous');
    const scaled = await served('ratings/continuous', { continuousValue: 'scale' });
    expect(scaled.some((r) => r.value > 1)).toBe(true);
    scaled.forEach((r, i) => {
      expect(r.value).toBe(doc[i].rawValue);
      expect(r.normalizedValue).toBeCloseTo(doc[i].value, 1);
    });
    expect(without(scaled, ['value', 'normalizedValue', 'rawValue'])).toEqual(without(doc, ['value', 'normalizedValue', 'rawValue']));
  });

  it("syncQuality 'label': good/fair/poor instead of 0–1", async () => {
    const doc = await served('sync');
    const labelled = await served('sync', { syncQuality: 'label' });
    expect(new Set(labelled.map((r) => r.syncQuality))).toEqual(new Set(['good', 'fair', 'poor']));
    labelled.forEach((r, i) => expect(r.syncQuality).toBe(doc[i].syncQuality >= 0.85 ? 'good' : doc[i].syncQuality >= 0.7 ? 'fair' : 'poor'));
    expect(without(labelled, ['syncQuality'])).toEqual(without(doc, ['syncQuality']));
  });

  it("chatMessageType 'audience': direct or broadcast instead of text", async () => {
    const doc = await served('chat');
    const audience = await served('chat', { chatMessageType: 'audience' });
    expect(new Set(audience.map((m) => m.messageType))).toEqual(new Set(['direct', 'broadcast']));
    for (const m of audience) if (m.messageType === 'direct') expect(m.recipientIds).toHaveLength(1);
    expect(without(audience, ['messageType'])).toEqual(without(doc, ['messageType']));
  });
});

describe('queries', () => {
  it("timeRange 'inclusive': startTime and endTime include the bounds", async () => {
    const all = [...sim.dataset.records('events', 'experiment', expA)];
    const from = all[100].timestamp as string;
    const to = all[199].timestamp as string;
    const q = `?startTime=${from}&endTime=${to}`;
    const exclusive = await served('events', {}, q);
    const inclusive = await served('events', { timeRange: 'inclusive' }, q);
    expect(inclusive).toEqual(all.filter((r) => (r.timestamp as string) >= from && (r.timestamp as string) <= to));
    expect(inclusive.length).toBeGreaterThanOrEqual(exclusive.length + 2);
  });

  it("onsetFrom 'room': each room's onsets count from its own start; experimentStartedAt names the first room's", async () => {
    sim.setShapes({ onsetFrom: 'room' });
    const rooms = sim.dataset.rooms(expA);
    const { body } = await getJson(sim, `/data/events/room/${rooms[1].id}`);
    const start = Date.parse(body.metadata.processing.experimentStartedAt);
    expect(start).toBe(Date.parse(rooms[1].startTime));
    for (const e of body.data) expect(Date.parse(e.timestamp) - e.onset).toBe(Date.parse(rooms[1].startTime));
    const exp = await getJson(sim, `/data/events/experiment/${expA}?offset=1500&limit=10`);
    expect(exp.body.metadata.processing.experimentStartedAt).toBe(rooms[0].startTime);
    expect(exp.body.data.every((e: any) => Date.parse(e.timestamp) - e.onset === Date.parse(rooms[1].startTime))).toBe(true);
  });

  it("questionnaireCategory 'mixed': some questionnaire answers under the SDK's 'questionnaire'", async () => {
    const doc = await served('events');
    const mixed = await served('events', { questionnaireCategory: 'mixed' });
    const changed = mixed.filter((e, i) => e.category !== doc[i].category);
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.every((e) => e.category === 'questionnaire' && e.eventType === 'questionnaire.answer')).toBe(true);
    const filtered = await served('events', { questionnaireCategory: 'mixed' }, '?category=questionnaire');
    expect(filtered.map((e) => e.id)).toEqual(changed.map((e) => e.id));
  });

  it('sortEverywhere: sort and order work on recordings, components and eyetracking too', async () => {
    for (const type of ['components', 'eyetracking'] as StreamType[]) {
      const asc = await served(type, { sortEverywhere: true });
      const desc = await served(type, { sortEverywhere: true }, '?order=desc');
      expect(desc).toEqual([...asc].reverse());
      const ignored = await served(type, {}, '?order=desc');
      expect(ignored).toEqual(asc);
    }
    sim.setShapes({ sortEverywhere: true });
    expect((await getJson(sim, `/data/recordings/experiment/${expA}`)).body.metadata.query.sort).toBe('startTime');
  });
});

describe('fields the docs do not show', () => {
  it('componentExtras: components also carry a record id and roomId', async () => {
    const doc = await served('components');
    const extra = await served('components', { componentExtras: true });
    expect(new Set(extra.map((c) => c.id)).size).toBe(extra.length);
    expect(extra.every((c) => typeof c.roomId === 'string')).toBe(true);
    expect(without(extra, ['id', 'roomId'])).toEqual(doc);
  });

  it('paginationEcho: pagination also echoes limit and offset', async () => {
    sim.setShapes({ paginationEcho: true });
    const { body } = await getJson(sim, `/data/events/experiment/${expA}?limit=10&offset=5`);
    expect(body.metadata.pagination).toEqual({ total: 2500, returned: 10, hasMore: true, limit: 10, offset: 5, nextOffset: 15 });
  });

  it('ndjson: format=ndjson gives one JSON object per line', async () => {
    sim.setShapes({ ndjson: true });
    const res = await get(sim, `/data/events/experiment/${expA}?format=ndjson&limit=3`);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual([...sim.dataset.records('events', 'experiment', expA)].slice(0, 3));
  });

  it('csvPagingHeaders: CSV answers carry X-Total-Count, X-Has-More and X-Next-Offset', async () => {
    sim.setShapes({ csvPagingHeaders: true });
    const res = await get(sim, `/data/chat/experiment/${expA}?format=csv&limit=5`);
    expect(res.headers.get('x-total-count')).toBe(String(sim.dataset.count('chat', 'experiment', expA)));
    expect(res.headers.get('x-has-more')).toBe('true');
    expect(res.headers.get('x-next-offset')).toBe('5');
  });
});

describe('tolerance shapes', () => {
  it('health success, single items as lists or objects, bare arrays, bare errors', async () => {
    sim.setShapes({ health: 'success', singleItem: 'object', sharedBareArray: true, bareErrors: true });
    expect((await getJson(sim, '/health')).body.status).toBe('success');
    const one = await getJson(sim, `/experiments/${expA}`);
    expect(one.body.data.id).toBe(expA);
    const sharedList = await getJson(sim, '/experiments/shared', { org: sim.orgId });
    expect(Array.isArray(sharedList.body)).toBe(true);
    const denied = await getJson(sim, `/data/chat/experiment/${expA}`, { key: sim.limitedKey });
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({ error: expect.any(String) });
    sim.setShapes({ singleItem: 'list', listingsBareArray: true });
    const dep = sim.dataset.experiments()[0].deploymentIds[0];
    expect(Array.isArray((await getJson(sim, `/deployments/${dep}`)).body.data)).toBe(true);
    expect(Array.isArray((await getJson(sim, '/experiments')).body)).toBe(true);
  });

  it('omitPagination, totalOffBy and omitNextOffset', async () => {
    sim.setShapes({ omitPagination: true });
    expect((await getJson(sim, `/data/events/experiment/${expA}?limit=2`)).body.metadata.pagination).toBeUndefined();
    sim.setShapes({ omitPagination: false, totalOffBy: -7, omitNextOffset: true });
    const skewed = await getJson(sim, `/data/events/experiment/${expA}?limit=1000`);
    expect(skewed.body.metadata.pagination).toEqual({ total: 2493, returned: 1000, hasMore: true });
    const lastPage = await getJson(sim, `/data/events/experiment/${expA}?limit=1000&offset=2000`);
    expect(lastPage.body.metadata.pagination).toEqual({ total: 2493, returned: 500, hasMore: false });
  });
});

describe('setting shapes', () => {
  it('the defaults are the documented answers', () => {
    expect(sim.shapes()).toEqual(defaultShapes());
    expect(defaultShapes()).toMatchObject({ roomField: 'documented', recordingLinks: 'downloadUrl', authErrorCode: 'UNAUTHORIZED', healthWithoutKey: false, participantNeedsRoomId: false, timeRange: 'exclusive' });
  });

  it('by the control route, which refuses unknown shapes and values', async () => {
    const post = (body: unknown) => fetch(sim.controlUrl + '/shapes', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const r = await post({ roomField: 'roomId', paginationEcho: true });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ roomField: 'roomId', paginationEcho: true });
    expect(sim.shapes().roomField).toBe('roomId');
    expect((await post({ roomFeild: 'roomId' })).status).toBe(400);
    expect((await post({ roomField: 'sometimes' })).status).toBe(400);
    expect((await post({ ndjson: 'yes' })).status).toBe(400);
  });

  it('by option at start, and by command-line flag for every shape', async () => {
    await expect(startSimulator({ shapes: { recordingLinks: 'mint' as never } })).rejects.toThrow(/recordingLinks/);
    const other = await startSimulator({ scale: 'tiny', shapes: { authErrorCode: 'AUTHENTICATION_ERROR' } });
    try {
      expect((await getJson(other, '/experiments', { key: null })).body.error.code).toBe('AUTHENTICATION_ERROR');
    } finally {
      await other.close();
    }
    const kebab = (n: string) => n.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    for (const [name, values] of Object.entries(SHAPE_VALUES)) {
      const value = values === 'boolean' ? true : values === 'number' ? '3' : values[values.length - 1];
      const parsed = shapesFromFlags({ [kebab(name)]: value });
      expect(parsed, name).toEqual({ [name]: values === 'number' ? 3 : value });
    }
    expect(shapesFromFlags({ 'room-field': 'everywhere' })).toMatch(/--room-field must be one of documented, roomId, none/);
  });
});
