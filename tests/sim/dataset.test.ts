// The synthetic data: deterministic from the seed, realistic where exporters get hurt, and lazy
// enough that `large` starts fast and pages without materialising a million records.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { Dataset } from './dataset/index';
import { startSimulator, type Simulator, type StreamType } from './index';
import { get, getJson, pageAll } from './test-helpers';

const TYPES: StreamType[] = ['events', 'recordings', 'chat', 'videochat', 'ratings/continuous', 'ratings/sparse', 'sync', 'components', 'eyetracking'];
const ID_FIELD: Record<StreamType, string> = {
  events: 'id',
  recordings: 'recordingId',
  chat: 'messageId',
  videochat: 'id',
  'ratings/continuous': 'ratingId',
  'ratings/sparse': 'ratingId',
  sync: 'metricId',
  components: 'id', // only with componentExtras: documented component records have no record id
  eyetracking: 'id',
};

let sims: Simulator[] = [];
afterEach(async () => {
  await Promise.all(sims.map((s) => s.close()));
  sims = [];
});
async function start(...args: Parameters<typeof startSimulator>): Promise<Simulator> {
  const s = await startSimulator(...args);
  sims.push(s);
  return s;
}

/** Hash of a listing's records; signed download URLs are minted per listing, so they are left out. */
async function bodyHash(sim: Simulator, path: string): Promise<string> {
  const { body } = await getJson(sim, path);
  const data = body.data.map(({ downloadUrl: _signed, ...rest }: Record<string, unknown>) => rest);
  return createHash('sha256').update(JSON.stringify(data)).digest('hex');
}

describe('determinism', () => {
  it('serves the same data and media bytes for the same seed, and different data for another seed', async () => {
    const [a, b, c] = [await start({ seed: 1 }), await start({ seed: 1 }), await start({ seed: 2 })];
    expect(a.apiKey).toBe(b.apiKey);
    const exp = a.dataset.experiments()[0].id;
    for (const path of [`/experiments`, `/data/events/experiment/${exp}`, `/data/participants/experiment/${exp}`, `/data/recordings/experiment/${exp}`]) {
      expect(await bodyHash(a, path)).toBe(await bodyHash(b, path));
    }
    expect(c.dataset.experiments()[0].id).not.toBe(exp);
    const ra = a.dataset.recordings()[0];
    const rb = b.dataset.recordings()[0];
    const bytes = async (s: Simulator, rec: typeof ra) => {
      const { body } = await getJson(s, `/data/recordings/room/${encodeURIComponent(rec.roomId)}`);
      const url = body.data.find((r: any) => r.recordingId === rec.recordingId).downloadUrl;
      return Buffer.from(await (await fetch(url)).arrayBuffer());
    };
    expect((await bytes(a, ra)).equals(await bytes(b, rb))).toBe(true);
    expect(ra.sha256).not.toBe(c.dataset.recordings()[0].sha256);
  });

  it('generates tiny in well under 200 ms', () => {
    const t0 = performance.now();
    const ds = new Dataset('tiny', 3);
    for (const e of ds.world.experiments) for (const t of TYPES) ds.view(t, 'experiment', e.id);
    // Loose bound: generation is lazy, this only builds the world and the views.
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});

describe('shape of the tiny dataset', () => {
  it('has 2 own experiments, 1 shared, a >1000-record events stream and 2–3 small recordings', async () => {
    const sim = await start();
    const ds = sim.dataset;
    expect(ds.experiments({ includeShared: false })).toHaveLength(2);
    expect(ds.experiments().filter((e) => e.shared)).toHaveLength(1);
    expect(ds.rooms().length).toBeGreaterThanOrEqual(3);
    expect(ds.participants().length).toBeGreaterThanOrEqual(8);
    expect(ds.count('events', 'experiment', ds.experiments()[0].id)).toBeGreaterThan(1000);
    const recs = ds.recordings();
    expect(recs.length).toBeGreaterThanOrEqual(2);
    expect(recs.length).toBeLessThanOrEqual(3);
    for (const r of recs) expect(r.size).toBeGreaterThanOrEqual(64 * 1024);
  });

  it('keeps record ids unique per type and participant ids in the right fields', async () => {
    const sim = await start({ shapes: { componentExtras: true } });
    for (const e of sim.dataset.experiments()) {
      const participants = new Set(e.participantIds);
      for (const t of TYPES) {
        const recs = [...sim.dataset.records(t, 'experiment', e.id)];
        const ids = recs.map((r) => r[ID_FIELD[t]]);
        expect(new Set(ids).size, `${t} ids unique`).toBe(ids.length);
        for (const r of recs) {
          if (t === 'chat') {
            expect(participants.has(r.senderId as string)).toBe(true);
            for (const p of r.recipientIds as string[]) expect(participants.has(p)).toBe(true);
          } else if (r.participantId !== undefined) {
            expect(participants.has(r.participantId as string), `${t} participantId`).toBe(true);
          }
        }
      }
    }
  });

  it('has the awkward values exporters must survive', async () => {
    const sim = await start();
    const exp = sim.dataset.experiments()[0];
    const events = [...sim.dataset.records('events', 'experiment', exp.id)];
    expect(events.some((e) => (e.onset as number) < 0)).toBe(true);
    expect(events.some((e) => typeof e.response === 'object' && e.response !== null && 'value' in (e.response as object) && 'responseTime' in (e.response as object))).toBe(true);
    expect(events.some((e) => e.duration === undefined) && events.some((e) => e.duration !== undefined)).toBe(true);
    expect(events.some((e) => e.participantId === undefined)).toBe(true);
    const chat = [...sim.dataset.records('chat', 'experiment', exp.id)].map((m) => m.content as string);
    for (const needle of [',', '"', '\n']) expect(chat.some((c) => c.includes(needle)), `chat with ${JSON.stringify(needle)}`).toBe(true);
    for (const lead of ['=', '+', '-', '@']) expect(chat.some((c) => c.startsWith(lead)), `chat starting with ${lead}`).toBe(true);
    const names = sim.dataset.participants().map((p) => p.name);
    expect(names.some((n) => /[^\p{ASCII}]/u.test(n))).toBe(true);
    expect(names.some((n) => /\p{Extended_Pictographic}/u.test(n)) || names.some((n) => /\p{Script=Han}/u.test(n))).toBe(true);
    expect(sim.dataset.rooms().some((r) => r.id.includes('..') && r.id.includes(':'))).toBe(true);
    for (const r of sim.dataset.rooms()) expect(decodeURIComponent(encodeURIComponent(r.id))).toBe(r.id);
  });

  it('serves the hostile room id when it is percent-encoded in the path', async () => {
    const sim = await start();
    const room = sim.dataset.rooms().find((r) => r.id.includes('..'))!;
    const { status, body } = await getJson(sim, `/data/events/room/${encodeURIComponent(room.id)}?limit=3`);
    expect(status).toBe(200);
    expect(body.metadata.scopeId).toBe(room.id);
    expect(body.data.every((r: any) => r.sessionId === room.id)).toBe(true);
  });
});

describe('live experiment: records appended while paging', () => {
  it('shifts offset paging (duplicates) and adds records both inside and after the paged range', async () => {
    const sim = await start();
    const exp = sim.dataset.experiments()[0];
    const room = sim.dataset.rooms(exp.id)[1]; // the active room
    const path = `/data/events/experiment/${exp.id}`;
    const first = await getJson(sim, `${path}?limit=1000&offset=0`);
    const second = await getJson(sim, `${path}?limit=1000&offset=1000`);
    const lastSeen = second.body.data[second.body.data.length - 1];
    const before = sim.dataset.count('events', 'experiment', exp.id);
    sim.appendRecords('events', exp.id, room.id, 20);
    expect(sim.dataset.count('events', 'experiment', exp.id)).toBe(before + 20);
    // Re-reading the second page now sees some records shifted in from before its start.
    const again = await getJson(sim, `${path}?limit=1000&offset=1000`);
    expect(again.body.metadata.pagination.total).toBe(before + 20);
    expect(again.body.data.map((r: any) => r.id)).not.toEqual(second.body.data.map((r: any) => r.id));
    // Paging on from where we were shows an id we had already seen on page two (a duplicate).
    const third = await getJson(sim, `${path}?limit=1000&offset=2000`);
    const seen = new Set([...first.body.data, ...second.body.data].map((r: any) => r.id));
    expect(third.body.data.some((r: any) => seen.has(r.id))).toBe(true);
    // All records, including the new ones, are still in timestamp order and unique by id.
    const { records } = await pageAll(sim, path, 1000);
    expect(new Set(records.map((r) => r.id)).size).toBe(before + 20);
    const times = records.map((r) => Date.parse(r.timestamp));
    expect(times.every((t, i) => i === 0 || times[i - 1] <= t)).toBe(true);
    const appended = records.filter((r) => !seen.has(r.id) && r.sessionId === room.id && /_1\d{9}$/.test(r.id));
    expect(appended.some((r) => r.timestamp < lastSeen.timestamp)).toBe(true);
    expect(appended.some((r) => r.timestamp > records[records.length - 21].timestamp)).toBe(true);
  });
});

describe('live experiment: late and new data, new rooms, rooms that end', () => {
  it('appends only late or only new records on request, with a field that appears later', async () => {
    const sim = await start();
    const exp = sim.dataset.experiments()[0];
    const room = sim.dataset.rooms(exp.id).find((r) => r.status === 'active')!;
    const before = [...sim.dataset.records('chat', 'room', room.id)];
    const lastTs = before[before.length - 1].timestamp as string;
    sim.appendRecords('chat', exp.id, room.id, 6, { where: 'inside', extra: { reaction: '👍' } });
    sim.appendRecords('chat', exp.id, room.id, 4, { where: 'after' });
    const after = [...sim.dataset.records('chat', 'room', room.id)];
    const known = new Set(before.map((r) => r.messageId));
    const added = after.filter((r) => !known.has(r.messageId));
    expect(added).toHaveLength(10);
    expect(added.filter((r) => (r.timestamp as string) < lastTs)).toHaveLength(6);
    expect(added.filter((r) => r.reaction === '👍')).toHaveLength(6);
    expect(added.filter((r) => (r.timestamp as string) > lastTs && r.reaction === undefined)).toHaveLength(4);
    // Through the control route too, and a bad `where` is refused.
    const post = (body: unknown) => fetch(`${sim.controlUrl}/append`, { method: 'POST', body: JSON.stringify(body) });
    expect((await post({ type: 'chat', experimentId: exp.id, roomId: room.id, n: 2, where: 'after', extra: { mood: 3 } })).status).toBe(200);
    expect((await post({ type: 'chat', experimentId: exp.id, roomId: room.id, n: 2, where: 'sideways' })).status).toBe(400);
    expect([...sim.dataset.records('chat', 'room', room.id)].filter((r) => r.mood === 3)).toHaveLength(2);
  });

  it('adds rooms with new participants after the last one, and ends rooms, through the API listings', async () => {
    const sim = await start();
    const exp = sim.dataset.experiments()[0];
    const rooms = sim.dataset.rooms(exp.id);
    const res = await fetch(`${sim.controlUrl}/rooms`, { method: 'POST', body: JSON.stringify({ experimentId: exp.id, participants: 3 }) });
    const added = (await res.json()) as { roomId: string; participantIds: string[] };
    expect(added.participantIds).toHaveLength(3);
    const listed = await getJson(sim, `/data/rooms/experiment/${exp.id}`);
    expect(listed.body.data.map((r: any) => r.id)).toEqual([...rooms.map((r) => r.id), added.roomId]);
    expect(listed.body.data.at(-1).status).toBe('active');
    const people = await getJson(sim, `/data/participants/room/${added.roomId}`);
    expect(people.body.data.map((p: any) => p.id).sort()).toEqual([...added.participantIds].sort());
    // Its records follow the earlier rooms' at experiment scope, and all stay in time order.
    const all = [...sim.dataset.records('events', 'experiment', exp.id)];
    const times = all.map((r) => Date.parse(r.timestamp as string));
    expect(times.every((t, i) => i === 0 || times[i - 1] <= t)).toBe(true);
    expect(all.at(-1)!.sessionId).toBe(added.roomId);
    // The first active room ends; the new one keeps the experiment active.
    const live = rooms.find((r) => r.status === 'active')!;
    expect((await fetch(`${sim.controlUrl}/rooms/status`, { method: 'POST', body: JSON.stringify({ roomId: live.id, status: 'completed' }) })).status).toBe(200);
    const relisted = await getJson(sim, `/data/rooms/experiment/${exp.id}`);
    const ended = relisted.body.data.find((r: any) => r.id === live.id);
    expect(ended.status).toBe('completed');
    expect(typeof ended.endTime).toBe('string');
    expect(sim.dataset.experimentItem(exp.id)!.status).toBe('active');
    sim.setRoomStatus(added.roomId, 'completed');
    expect(sim.dataset.experimentItem(exp.id)!.status).toBe('completed');
  });

  it('merges rooms by timestamp at experiment scope when their records overlap in time', async () => {
    const sim = await start();
    const exp = sim.dataset.experiments()[0];
    const [first] = sim.dataset.rooms(exp.id);
    // Records appended after the first room's end run into the next room's time.
    sim.appendRecords('chat', exp.id, first.id, 40_000, { where: 'after' });
    const all = [...sim.dataset.records('chat', 'experiment', exp.id)];
    const times = all.map((r) => Date.parse(r.timestamp as string));
    expect(times.every((t, i) => i === 0 || times[i - 1] <= t)).toBe(true);
    expect(all).toHaveLength(sim.dataset.count('chat', 'experiment', exp.id));
    const rooms = new Set(all.slice(-100).map((r) => r.roomId));
    expect(rooms.size).toBeGreaterThan(1);
  });
});

describe('large scale', () => {
  it('starts fast with ≥1M records and ≥50 recordings, and pages without materialising them', async () => {
    const t0 = performance.now();
    const sim = await start({ scale: 'large' });
    expect(performance.now() - t0).toBeLessThan(5000);
    const ds = sim.dataset;
    let total = 0;
    for (const e of ds.experiments()) for (const t of TYPES) total += ds.count(t, 'experiment', e.id);
    expect(total).toBeGreaterThanOrEqual(1_000_000);
    expect(ds.recordings().length).toBeGreaterThanOrEqual(50);
    const exp = ds.experiments()[0].id;
    const n = ds.count('events', 'experiment', exp);
    const page = await getJson(sim, `/data/events/experiment/${exp}?offset=${n - 1000}`);
    expect(page.body.data).toHaveLength(1000);
    expect(page.body.metadata.pagination.hasMore).toBe(false);
    // Loose: the whole test process (vitest included) stays far below what 1M objects would need.
    expect(process.memoryUsage().rss).toBeLessThan(600 * 1024 * 1024);
  });

  it('streams a scaled recording without buffering it', async () => {
    const sim = await start({ scale: 'tiny', mediaScale: 200 });
    const rec = sim.dataset.recordings()[0];
    expect(rec.size).toBeGreaterThan(12 * 1024 * 1024);
    const { body } = await getJson(sim, rec.downloadPath); // the mint route answers whatever the listing shape
    const res = await fetch(body.data.url);
    let n = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) n += chunk.length;
    expect(n).toBe(rec.size);
    expect((await get(sim, '/health')).status).toBe(200);
  });
});
