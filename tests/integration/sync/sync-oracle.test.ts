// The oracle: a folder kept up to date equals a fresh export of the same data, byte for byte.
// Over several seeds (and formats and splits), a sync, then rounds of a live experiment growing
// through the simulator's control routes: records appended to several rooms and types, late
// records whose times fall inside what was already synced, new rooms with new participants, a
// room that ends, a field that appears; after every round a sync, and then every file of the
// folder must equal a fresh folder export made at that moment. Each sync's requests are held
// against the ideal, computed here from what was appended (not from the product's planner).
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator, type StreamType } from '../../sim/index';
import type { SyncSelection } from '../../../src-main/core/sync/state';
import { expectSameAsFresh, freshExport, removeDir, selection, syncOnce, tempDir } from './sync-helpers';

const PAGE = 1000;
/** The data types of the selections, as the simulator names them. */
const SIM: Record<string, StreamType> = { events: 'events', chat: 'chat', components: 'components', 'ratings-continuous': 'ratings/continuous', eyetracking: 'eyetracking', sync: 'sync', recordings: 'recordings' };
/** Types whose rooms are read per room (no experiment-scope stream): variables. */
const PER_ROOM = new Set(['variables']);

const CASES: Array<{ seed: number; sel: Partial<SyncSelection> }> = [
  { seed: 11, sel: { types: ['events', 'chat', 'components', 'ratings-continuous', 'variables'], format: 'csv', split: 'none' } },
  { seed: 12, sel: { types: ['events', 'chat', 'eyetracking', 'recordings'], format: 'json', split: 'room', includeRecordings: true } },
  { seed: 13, sel: { types: ['events', 'chat', 'sync'], format: 'ndjson', split: 'participant' } },
];

let root: string;
beforeAll(async () => {
  root = await tempDir('sync-oracle-');
});
afterAll(async () => {
  await removeDir(root);
});

/** A small deterministic stream of numbers per seed (the rounds' choices). */
function rng(seed: number) {
  let a = seed >>> 0;
  return (lo: number, hi: number) => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return lo + (a % (hi - lo + 1));
  };
}

interface Round {
  /** Rooms the sync must look at: live at the last sync, new since, or just ended. */
  read: Set<string>;
  /** Rooms added since the last sync. */
  fresh: Set<string>;
  /** (type, room) pairs that received late records (inside the synced range). */
  late: Set<string>;
  /** Records appended after the end, per type and room. */
  after: Map<string, number>;
}

/** The fewest requests that can bring the folder up to date, from what this round did. */
function idealRequests(sim: Simulator, sel: SyncSelection, round: Round): { ideal: number; slack: number; pairs: number } {
  let ideal = 3; // the listings a fresh export reads: the experiment, its rooms, its participants
  let slack = 0;
  let pairs = 0;
  const types = [...new Set([...sel.types, ...(sel.includeRecordings ? ['recordings'] : [])])];
  for (const type of types) {
    for (const room of round.read) {
      pairs++;
      if (PER_ROOM.has(type)) {
        ideal += 1;
        continue;
      }
      const total = sim.dataset.count(SIM[type], 'room', room);
      const key = `${type}|${room}`;
      // A new room, or one with late data, must be read whole (nothing says where late records
      // went); otherwise what was appended after its end (at least one request to see it).
      const need = round.fresh.has(room) || round.late.has(key) ? Math.max(1, Math.ceil(total / PAGE)) : Math.max(1, Math.ceil(((round.after.get(key) ?? 0) + 1) / PAGE));
      ideal += need;
      // A read from the cursor that meets late data stitches at the cursor (one request more at
      // most); a small room read whole may cost one more than its new records alone.
      if (total > PAGE) slack += 1;
    }
  }
  return { ideal, slack, pairs };
}

describe('a synced folder equals a fresh export after every round', { timeout: 600_000 }, () => {
  for (const c of CASES) {
    it(`seed ${c.seed}: ${c.sel.types!.join(', ')} as ${c.sel.format}, split ${c.sel.split}${c.sel.includeRecordings ? ', with recordings' : ''}`, async () => {
      const sim = await startSimulator({ scale: 'tiny', seed: c.seed });
      try {
        const exp = sim.dataset.experiments()[0];
        const sel = selection(exp.id, c.sel);
        const dir = path.join(root, `s${c.seed}`, 'folder');
        const first = await syncOnce(sim, dir, { create: { selection: sel } });
        expect(first.record.kind).toBe('first');
        await expectSameAsFresh(dir, await freshExport(sim, sel, path.join(root, `s${c.seed}`, 'fresh0')), `seed ${c.seed}, first sync`);

        const pick = rng(c.seed);
        let live = sim.dataset.rooms(exp.id).filter((r) => r.status === 'active').map((r) => r.id);
        expect(live.length).toBeGreaterThan(0);
        const report: string[] = [];
        for (let n = 1; n <= 3; n++) {
          const round: Round = { read: new Set(live), fresh: new Set(), late: new Set(), after: new Map() };
          const append = (type: string, room: string, count: number, where: 'mixed' | 'inside' | 'after', extra?: Record<string, unknown>) => {
            if (PER_ROOM.has(type) || type === 'recordings') return;
            sim.appendRecords(SIM[type], exp.id, room, count, { where, ...(extra ? { extra } : {}) });
            const key = `${type}|${room}`;
            if (where !== 'after') round.late.add(key);
            if (where !== 'inside') round.after.set(key, (round.after.get(key) ?? 0) + (where === 'mixed' ? Math.floor(count / 2) : count));
          };
          // Every round: new and late records in the live rooms, several types.
          for (const room of live) {
            append('events', room, pick(200, 1600), 'mixed');
            append(sel.types[1], room, pick(5, 40), 'after');
            append(sel.types[2], room, pick(10, 300), pick(0, 1) ? 'inside' : 'after');
          }
          if (n === 1) {
            // A new session with new participants (its records come with it).
            const added = sim.addRoom(exp.id, { participants: 3 });
            round.read.add(added.roomId);
            round.fresh.add(added.roomId);
            live = [...live, added.roomId];
          }
          if (n === 2) {
            // The first live room ends, with late records (eye tracking at the end of a session),
            // and a field appears in the new room's chat.
            const ending = live[0];
            append('events', ending, pick(20, 80), 'inside');
            sim.setRoomStatus(ending, 'completed');
            live = live.slice(1);
            if (live.length) append('chat', live[0], 3, 'after', { reaction: '👍', mood: pick(1, 5) });
          }
          if (n === 3) {
            // A room that was over before the folder ever saw it: read whole once.
            const done = sim.addRoom(exp.id, { participants: 2, active: false });
            round.read.add(done.roomId);
            round.fresh.add(done.roomId);
          }
          sim.resetCounters();
          const result = await syncOnce(sim, dir);
          expect(result.requests, 'the server counted every request the sync made').toBe(sim.counters().requests);
          const { ideal, slack } = idealRequests(sim, sel, round);
          report.push(`round ${n}: ${result.requests} requests, ideal ${ideal} (+${slack} allowed), repaired ${result.record.repaired.length}`);
          expect(result.requests, `round ${n}: requests against the ideal ${ideal}`).toBeLessThanOrEqual(ideal + slack);
          expect(result.requests).toBeGreaterThanOrEqual(3);
          if (n === 2 && live.length) expect(Object.values(result.record.newColumns).flat()).toEqual(expect.arrayContaining(sel.format === 'csv' ? ['reaction', 'mood'] : []));
          await expectSameAsFresh(dir, await freshExport(sim, sel, path.join(root, `s${c.seed}`, `fresh${n}`)), `seed ${c.seed}, round ${n}`);
        }
        // Nothing new: only the live rooms are looked at.
        sim.resetCounters();
        const idle = await syncOnce(sim, dir);
        const idleIdeal = idealRequests(sim, sel, { read: new Set(live), fresh: new Set(), late: new Set(), after: new Map() });
        report.push(`idle: ${idle.requests} requests, ideal ${idleIdeal.ideal}`);
        expect(idle.requests).toBe(idleIdeal.ideal);
        expect(Object.values(idle.record.newRecords).every((x) => x === 0)).toBe(true);
        await expectSameAsFresh(dir, await freshExport(sim, sel, path.join(root, `s${c.seed}`, 'fresh-idle')), `seed ${c.seed}, idle`);
        console.log(`seed ${c.seed}: ${report.join('; ')}`);
      } finally {
        await sim.close();
      }
    });
  }
});
