// Late data the planner could not expect, in a folder split by room (an experiment's events, one
// file per room): records that arrive in a room that had ended and settled (so it is not read
// again by plan), found by a read from the cursor at the experiment and repaired; and a new room
// next to live ones when reading rooms one by one is cheaper. After each sync the folder equals a
// fresh export of the same moment, byte for byte.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../sim/index';
import { expectSameAsFresh, freshExport, removeDir, selection, syncOnce, tempDir } from './sync-helpers';

let sim: Simulator;
let root: string;

beforeAll(async () => {
  root = await tempDir('sync-late-');
});
afterAll(async () => {
  await sim?.close();
  await removeDir(root);
});

describe('late data in rooms the plan did not look at', { timeout: 180_000 }, () => {
  it('records appended to a settled room are found by a --verify read at the experiment and repaired', async () => {
    sim = await startSimulator({ scale: 'tiny', seed: 61 });
    const exp = sim.dataset.experiments()[0].id;
    const rooms = sim.dataset.rooms(exp);
    const settled = rooms.filter((r) => r.status !== 'active').at(-1)!.id;
    const sel = selection(exp, { types: ['events'], split: 'room' });
    const dir = path.join(root, 'settled');
    await syncOnce(sim, dir, { create: { selection: sel } });
    sim.appendRecords('events', exp, settled, 1500, { where: 'after' });
    const r = await syncOnce(sim, dir, { verify: true });
    expect(r.plan.streams).toEqual([expect.objectContaining({ type: 'events', mode: 'scope', why: 'checking everything' })]);
    expect(r.record.repaired).toEqual(['events (late data at the room level)']);
    expect(r.record.newRecords).toEqual({ events: 1500 });
    // Only that room is read again (whole), after the tail from the anchor (two pages: the 1,500
    // late records push the anchor back): not the whole experiment.
    expect(r.requests - r.plan.listingRequests).toBeLessThanOrEqual(2 + Math.ceil(sim.dataset.count('events', 'room', settled) / 1000));
    await expectSameAsFresh(dir, await freshExport(sim, sel, path.join(root, 'settled-fresh')), 'late data in a settled room');
  });

  it('a new room beside two live ones, read room by room (cheaper than from the earliest cursor at the experiment), the new one whole', async () => {
    await sim?.close();
    sim = await startSimulator({ scale: 'tiny', seed: 62 });
    const exp = sim.dataset.experiments()[0].id;
    const last = sim.dataset.rooms(exp).find((r) => r.status === 'active')!.id;
    // Many records after the first room (reading from its cursor at the experiment would read them
    // all again), and small finished rooms (reading a new room whole costs what an average one does).
    sim.appendRecords('events', exp, last, 2500, { where: 'after' });
    for (let i = 0; i < 4; i++) sim.addRoom(exp, { participants: 1, active: false });
    const sel = selection(exp, { types: ['events'], split: 'room' });
    const dir = path.join(root, 'groups');
    await syncOnce(sim, dir, { create: { selection: sel } });
    const rooms = sim.dataset.rooms(exp);
    sim.setRoomStatus(rooms[0].id, 'active'); // the first room is live again (a participant came back)
    const added = sim.addRoom(exp, { participants: 2 });
    sim.appendRecords('events', exp, last, 7, { where: 'after' });
    sim.resetCounters();
    const r = await syncOnce(sim, dir);
    expect(r.plan.streams).toEqual([expect.objectContaining({ type: 'events', mode: 'groups', groups: { whole: 1, fromCursor: 2, skipped: rooms.length - 2 } })]);
    expect(r.record.newRecords.events).toBe(7 + sim.dataset.count('events', 'room', added.roomId));
    expect(r.requests).toBe(sim.counters().requests);
    await expectSameAsFresh(dir, await freshExport(sim, sel, path.join(root, 'groups-fresh')), 'a new room read whole');
  });
});
