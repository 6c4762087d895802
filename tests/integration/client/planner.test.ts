// The planner against the simulator: streams at the widest scope, request counts from the
// first page's total (⌈total/1000⌉), kept first pages, media count and size.
import { beforeAll, describe, expect, it } from 'vitest';
import { createPlan, streamKey, streamRefOf } from '../../../src-main/core/plan/planner';
import type { Target } from '../../../src-shared/model';
import type { Simulator } from '../../sim/index';
import { simulatorSuite } from './helpers';

const experimentTarget = (id: string): Target => ({ level: 'experiment', path: [{ level: 'experiment', id }] });

const suite = simulatorSuite();
const use = suite.use;
let sim: Simulator;
beforeAll(() => {
  sim = suite.sim();
});

describe('createPlan', () => {
  it('plans experiment-scope streams with ⌈total/1000⌉ requests each, and variables per room', async () => {
    const c = use();
    const exp = sim.dataset.experiments()[0];
    const { plan, firstPages } = await createPlan(c, { target: experimentTarget(exp.id), types: ['events', 'chat', 'ratings-continuous', 'variables'], includeRecordings: false });
    const events = plan.streams.find((s) => s.type === 'events')!;
    const n = sim.dataset.count('events', 'experiment', exp.id);
    expect(events).toMatchObject({ scope: 'experiment', scopeId: exp.id, total: n, requests: Math.ceil(n / 1000) });
    const chat = plan.streams.find((s) => s.type === 'chat')!;
    expect(chat.requests).toBe(Math.max(1, Math.ceil(sim.dataset.count('chat', 'experiment', exp.id) / 1000)));
    const vars = plan.streams.filter((s) => s.type === 'variables');
    expect(vars.map((s) => s.scopeId).sort()).toEqual([...exp.roomIds].sort());
    expect(vars.every((s) => s.scope === 'room')).toBe(true);
    // First pages are kept, one per stream; planning spent exactly those plus the rooms listing.
    expect(firstPages.size).toBe(plan.streams.length);
    expect(firstPages.get(streamKey(events))!.records.length).toBe(1000);
    // the rooms listing spent planning, plus the experiment and participants listings the export saves
    expect(plan.listingRequests).toBe(3);
    expect(plan.requestsSpentPlanning).toBe(plan.streams.length + 1);
    expect(sim.counters().requests).toBe(plan.requestsSpentPlanning);
    expect(plan.requestsNeeded).toBe(plan.streams.reduce((a, s) => a + s.requests, 0) + 3);
    expect(plan.records).toBe(plan.streams.reduce((a, s) => a + s.total, 0));
    expect(plan.budget.summary).toMatch(/requests left/);
    expect(plan.estimatedSeconds).toBeGreaterThanOrEqual(0);
  });

  it('fetching the rest after the plan costs exactly the planned requests (requests ÷ ideal = 1.00)', async () => {
    const c = use();
    const exp = sim.dataset.experiments()[0];
    const { plan, firstPages } = await createPlan(c, { target: experimentTarget(exp.id), types: ['events', 'eyetracking', 'sync'], includeRecordings: false });
    for (const s of plan.streams) {
      let n = 0;
      for await (const p of c.pages(streamRefOf(s), {}, { firstPage: firstPages.get(streamKey(s)) })) n += p.records.length;
      expect(n).toBe(s.total);
    }
    // the listings an export saves beside the data
    await c.exportListings(experimentTarget(exp.id));
    expect(sim.counters().requests).toBe(plan.requestsNeeded);
  });

  it('plans at room scope for a room and at participant scope (with its room) for a participant', async () => {
    const c = use();
    const room = sim.dataset.rooms()[0];
    const r = await createPlan(c, { target: { level: 'room', path: [{ level: 'experiment', id: room.experimentId }, { level: 'room', id: room.id }] }, types: ['events', 'variables'], includeRecordings: false });
    expect(r.plan.streams.map((s) => [s.type, s.scope, s.scopeId])).toEqual([
      ['events', 'room', room.id],
      ['variables', 'room', room.id],
    ]);
    expect(r.plan.streams[0].total).toBe(sim.dataset.count('events', 'room', room.id));
    const pid = room.participantIds[0];
    const p = await createPlan(c, { target: { level: 'participant', path: [{ level: 'experiment', id: room.experimentId }, { level: 'room', id: room.id }, { level: 'participant', id: pid }] }, types: ['events', 'chat'], includeRecordings: false });
    expect(p.plan.streams.every((s) => s.scope === 'participant' && s.scopeId === pid && s.params?.roomId === room.id)).toBe(true);
    expect(p.plan.streams[0].total).toBe(sim.dataset.count('events', 'participant', pid, room.id));
  });

  it('counts media files and bytes from the recordings listing, one mint request per file', async () => {
    const c = use();
    const exp = sim.dataset.experiments()[0];
    const { plan, recordings } = await createPlan(c, { target: experimentTarget(exp.id), types: ['events'], includeRecordings: true });
    const expected = sim.dataset.recordings(exp.id);
    expect(plan.mediaFiles).toBe(expected.length);
    expect(plan.mediaBytes).toBe(expected.reduce((a, r) => a + r.size, 0));
    expect(plan.mediaRequests).toBe(expected.length);
    // Under this simulator's shape each link is minted (downloadPath) or listed (downloadUrl); only listed ones are a reserve.
    expect(plan.mediaReserve).toBe(recordings.filter((r) => typeof r.downloadPath !== 'string').length);
    expect(recordings.map((r) => r.recordingId).sort()).toEqual(expected.map((r) => r.recordingId).sort());
    const only = await createPlan(c, { target: experimentTarget(exp.id), types: ['events'], includeRecordings: true, recordingIds: [expected[0].recordingId] });
    expect(only.plan.mediaFiles).toBe(1);
    expect(only.plan.mediaBytes).toBe(expected[0].size);
  });

  it('a type the key may not read becomes a warning, not a failed plan', async () => {
    const c = use({ connection: { secret: sim.limitedKey } });
    const exp = sim.dataset.experiments()[0];
    const { plan } = await createPlan(c, { target: experimentTarget(exp.id), types: ['events', 'chat'], includeRecordings: false });
    expect(plan.streams.map((s) => s.type)).toEqual(['events']);
    expect(plan.warnings.join(' ')).toMatch(/read:chat/);
  });
});
