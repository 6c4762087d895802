// Every listing of the HyperStudy client against the simulator, and every tolerant-parsing
// variant the simulator can switch to (reference §3 and §13).
import { beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../../sim/index';
import { makeSource } from '../../export/export-helpers';
import { collect, simulatorSuite } from './helpers';

const suite = simulatorSuite();
const client = () => suite.use();
let sim: Simulator;
beforeAll(() => {
  sim = suite.sim();
});

describe('listings', () => {
  it('lists own and shared experiments, merged, de-duplicated and marked with their origin', async () => {
    const c = client();
    const { items, warnings } = await c.listExperiments();
    const expected = sim.dataset.experiments({ includeShared: true });
    expect(items.map((e) => e.id).sort()).toEqual(expected.map((e) => e.id).sort());
    expect(new Set(items.map((e) => e.id)).size).toBe(items.length);
    for (const e of expected) expect(items.find((x) => x.id === e.id)?.origin).toBe(e.shared ? 'shared' : 'own');
    expect(items.some((e) => e.origin === 'shared')).toBe(true);
    const own = items.find((e) => e.origin === 'own')!;
    expect(own.name).toBe(expected.find((e) => e.id === own.id)!.name);
    expect(typeof own.roomCount).toBe('number');
    expect(warnings).toEqual([]);
  });

  it('without the organization header the shared experiments are not listed', async () => {
    const { items } = await suite.use({ connection: { organizationId: undefined } }).listExperiments();
    expect(items.every((e) => e.origin === 'own')).toBe(true);
    expect(items.length).toBe(sim.dataset.experiments().filter((e) => !e.shared).length);
  });

  it('a server that refuses a page of 1,000 experiments (HTTP 400) is asked again with the SDK\'s page size of 50', async () => {
    sim.setFaults({ rules: [{ match: '/experiments$', kind: 'error', status: 400, count: 1 }] });
    sim.resetCounters();
    const { items } = await client().listExperiments();
    expect(items.map((e) => e.id).sort()).toEqual(sim.dataset.experiments({ includeShared: true }).map((e) => e.id).sort());
    expect(sim.counters().byEndpoint['/experiments']).toBe(2);
    expect(sim.counters().byStatus['400']).toBe(1);
  });

  it('shared experiments that cannot be listed (403, 404) leave the own ones, with a warning that says so', async () => {
    for (const status of [403, 404]) {
      sim.setFaults({ rules: [{ match: '/experiments/shared', kind: 'error', status, count: 1 }] });
      const { items, warnings } = await client().listExperiments();
      expect(items.map((e) => e.id).sort()).toEqual(sim.dataset.experiments().filter((e) => !e.shared).map((e) => e.id).sort());
      expect(warnings).toEqual([expect.stringMatching(/^Experiments shared from other organizations could not be listed: /)]);
    }
    sim.setFaults({ rules: [{ match: '/experiments/shared', kind: 'error', status: 500, count: 100 }] });
    await expect(client().listExperiments()).rejects.toMatchObject({ code: 'SERVER' });
  });

  it('what the source cannot list or count is refused in words, naming where, before any request', async () => {
    const exp = sim.dataset.experiments()[0];
    const source = makeSource(sim);
    sim.resetCounters();
    await expect(source.listLevel('room', [])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: 'HyperStudy cannot list rooms.' });
    await expect(source.listLevel('experiment', [{ level: 'experiment', id: exp.id }])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: `HyperStudy cannot list experiments under experiment ${exp.id}.` });
    await expect(source.itemCounts!([{ level: 'experiment', id: exp.id }, { level: 'room', id: exp.roomIds[0] }])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: 'HyperStudy counts records per participant of a room.' });
    expect(sim.counters().requests).toBe(0);
  });

  it('gets one experiment, whether data is a list or an object', async () => {
    const id = sim.dataset.experiments()[0].id;
    for (const singleItem of ['documented', 'list', 'object'] as const) {
      sim.setShapes({ singleItem });
      const e = await client().getExperiment(id);
      expect(e.id).toBe(id);
    }
  });

  it('lists the rooms of an experiment', async () => {
    const exp = sim.dataset.experiments()[0];
    const { items } = await client().listRooms(exp.id);
    expect(items.map((r) => r.id).sort()).toEqual([...exp.roomIds].sort());
    for (const r of items) {
      expect(r.experimentId).toBe(exp.id);
      expect(r.participantCount).toBe(sim.dataset.rooms(exp.id).find((x) => x.id === r.id)!.participantIds.length);
    }
  });

  it('falls back to the deployments’ sessions when the rooms listing answers 404', async () => {
    const exp = sim.dataset.experiments()[0];
    sim.setFaults({ rules: [{ match: '/data/rooms/experiment/', kind: 'error', status: 404, count: 1 }] });
    sim.resetCounters();
    const { items, warnings } = await client().listRooms(exp.id);
    expect(items.map((r) => r.id).sort()).toEqual([...exp.roomIds].sort());
    expect(items.every((r) => r.deploymentId)).toBe(true);
    expect(warnings.join(' ')).toMatch(/deployments/);
    expect(sim.counters().byEndpoint['/deployments/{id}/sessions']).toBe(exp.deploymentIds.length);
  });

  it('an unknown experiment is NOT_FOUND even through the fallback', async () => {
    await expect(client().listRooms('exp_does_not_exist')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('lists participants of an experiment and of a room', async () => {
    const exp = sim.dataset.experiments()[0];
    const c = client();
    const all = await c.listParticipants('experiment', exp.id);
    expect(all.items.map((p) => p.id).sort()).toEqual([...exp.participantIds].sort());
    const room = sim.dataset.rooms(exp.id)[0];
    const inRoom = await c.listParticipants('room', room.id);
    expect(inRoom.items.map((p) => p.id).sort()).toEqual([...room.participantIds].sort());
    expect(inRoom.items.every((p) => p.roomId === room.id && p.name)).toBe(true);
  });

  it('reads per-participant counts with the server keys translated (textchat → chat)', async () => {
    const room = sim.dataset.rooms()[0];
    const pid = room.participantIds[0];
    const counts = await client().getCounts(pid, room.id);
    expect(counts).toMatchObject({ participantId: pid, roomId: room.id });
    expect(counts.counts.chat).toBe(sim.dataset.count('chat', 'participant', pid, room.id));
    expect(counts.counts.events).toBe(sim.dataset.count('events', 'participant', pid, room.id));
    expect(counts.counts['ratings-continuous']).toBe(sim.dataset.count('ratings/continuous', 'participant', pid, room.id));
    expect(Object.keys(counts.counts)).not.toContain('textchat');
  });

  it('checks access', async () => {
    const exp = sim.dataset.experiments()[0];
    expect(await client().checkAccess(exp.id)).toEqual({ canView: true, canExport: true });
  });

  it('uses a listed downloadUrl without a request, and mints through downloadPath with one', async () => {
    const exp = sim.dataset.experiments()[0];
    const c = client();
    const info = (id: unknown) => sim.dataset.recordings(exp.id).find((r) => r.recordingId === id)!;
    const { records } = await collect(c.pages('recordings', 'experiment', exp.id, {}));
    expect(records.length).toBe(sim.dataset.recordings(exp.id).length);
    const before = c.requestsMade();
    const signed = await c.mintRecordingUrl(records[0]);
    expect(signed).toBe(records[0].downloadUrl);
    expect(c.requestsMade()).toBe(before);
    expect(Buffer.from(await (await fetch(signed)).arrayBuffer()).length).toBe(info(records[0].recordingId).size);
    sim.setShapes({ recordingLinks: 'downloadPath' });
    const minted = (await collect(c.pages('recordings', 'experiment', exp.id, {}))).records[0];
    const mid = c.requestsMade();
    const url = await c.mintRecordingUrl(minted);
    expect(c.requestsMade()).toBe(mid + 1);
    expect(url.startsWith(sim.storageOrigin)).toBe(true);
    expect(Buffer.from(await (await fetch(url)).arrayBuffer()).length).toBe(info(minted.recordingId).size);
    sim.resetShapes();
  });

  it('gets a fresh downloadUrl by listing the recording’s room again (one request), or its participant when no room is known', async () => {
    const exp = sim.dataset.experiments()[0];
    const c = client();
    const rec = (await c.fetchPage('recordings', 'experiment', exp.id, {})).records[0];
    const before = c.requestsMade();
    const fresh = await c.refreshRecordingUrl(rec);
    expect(c.requestsMade()).toBe(before + 1);
    expect(fresh).not.toBe(rec.downloadUrl);
    expect(fresh.startsWith(`${sim.storageOrigin}/storage/`)).toBe(true);
    expect(sim.counters().byEndpoint['/data/recordings/room/{id}']).toBe(1);
    const { roomId: _r, ...roomless } = rec;
    const viaParticipant = await c.refreshRecordingUrl(roomless);
    expect(c.requestsMade()).toBe(before + 2);
    expect(sim.counters().byEndpoint['/data/recordings/participant/{id}']).toBe(1);
    expect((await fetch(viaParticipant, { method: 'HEAD' })).status).toBe(200);
    await expect(c.refreshRecordingUrl({ ...rec, recordingId: 'EG_gone' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('tolerant parsing', () => {
  it('reads both health shapes', async () => {
    for (const health of ['healthy', 'success'] as const) {
      sim.setShapes({ health });
      const h = await client().health();
      expect(h.ok).toBe(true);
      expect(h.version).toBe('3.0.0');
    }
  });

  it('reads bare-array listings and a bare-array shared list', async () => {
    sim.setShapes({ listingsBareArray: true, sharedBareArray: true });
    const { items } = await client().listExperiments();
    expect(items.map((e) => e.id).sort()).toEqual(sim.dataset.experiments({ includeShared: true }).map((e) => e.id).sort());
    expect(items.filter((e) => e.origin === 'shared').length).toBe(sim.dataset.experiments({ includeShared: true }).filter((e) => e.shared).length);
  });

  it('without a pagination object, ends on a short page and pages on after a full one', async () => {
    sim.setShapes({ omitPagination: true });
    const exp = sim.dataset.experiments()[0];
    const c = client();
    const page = await c.fetchPage('chat', 'experiment', exp.id, {});
    expect(page.hasMore).toBe(false);
    expect(page.nextOffset).toBeNull();
    expect(page.total).toBe(page.records.length);
    expect((await collect(c.pages('chat', 'experiment', exp.id, {}))).pages).toBe(1);
    const first = await c.fetchPage('events', 'experiment', exp.id, {});
    expect(first).toMatchObject({ hasMore: true, nextOffset: 1000, total: null });
    const events = await collect(c.pages('events', 'experiment', exp.id, {}));
    expect(events.records.map((r) => r.id)).toEqual([...sim.dataset.records('events', 'experiment', exp.id)].map((r) => r.id));
    expect(events.pages).toBe(3);
  });

  it('surfaces _warnings in listings and pages', async () => {
    const w = 'MISSING_INDEX: Query requires a composite Firestore index. Results may be incomplete.';
    sim.setFaults({ warnings: [w] });
    const exp = sim.dataset.experiments()[0];
    const c = client();
    expect((await c.listExperiments()).warnings).toContain(w);
    expect((await c.listRooms(exp.id)).warnings).toContain(w);
    expect((await c.fetchPage('events', 'experiment', exp.id, { limit: 10 })).warnings).toContain(w);
  });

  it('reads non-envelope error bodies', async () => {
    sim.setShapes({ bareErrors: true });
    const err = await client().getExperiment('exp_missing').catch((e) => e);
    expect(err).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    expect(err.message).toMatch(/experiment exp_missing/);
  });
});
