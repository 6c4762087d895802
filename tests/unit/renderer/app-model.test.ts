// The renderer's stores, driven by the real core (in-process, against the simulator on loopback):
// start-up, normalized hierarchy, counts, navigation history, paged previews, and a job's life.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '../../../src-shared/api-client';
import type { Api } from '../../../src-shared/contract';
import type { Core } from '../../../src-main/core/create-core';
import { dispatchCall } from '../../../src-main/core/dispatch-call';
import { createNodeCore } from '../../../src-main/server/node-core';
import { startSimulator, type Simulator } from '../../sim';
import { createAppModel, type AppModel } from '../../../src-renderer/src/stores/app-model';
import { itemAt, itemKey, listKey, listStatus } from '../../../src-renderer/src/stores/hierarchy-store';
import { canGoBack, canGoForward, currentLocation, goBack, goForward, goUp, navigate } from '../../../src-renderer/src/stores/nav-store';
import { createPreviewPager } from '../../../src-renderer/src/stores/preview-pager';
import { hsPath, hsTarget } from '../../hs-paths';

let sim: Simulator;
let core: Core;
let api: Api;
let model: AppModel;
let dir: string;

const until = async (cond: () => boolean, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

beforeAll(async () => {
  sim = await startSimulator({ scale: 'small' });
  dir = await mkdtemp(join(tmpdir(), 'studydl-renderer-'));
  core = createNodeCore({
    configDir: join(dir, 'config'), dataDir: join(dir, 'jobs'), keyStore: 'memory', env: {},
    settingsDefaults: { downloadFolder: join(dir, 'downloads') },
    demo: { baseUrl: sim.baseUrl, apiKey: sim.apiKey },
  });
  await core.ready;
  api = createApi({
    invoke: (name, arg) => dispatchCall(core.api, name, arg),
    subscribe: (event, cb) => core.on(event, cb as never),
  });
  model = createAppModel(api);
  await model.boot();
});

afterAll(async () => {
  model?.dispose();
  await core?.close();
  await sim?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('app model against the real core', () => {
  it('boots: app info, descriptor, the demo profile, settings, and the experiments, normalized', async () => {
    const s = model.app.getState();
    expect(s.ready).toBe(true);
    expect(s.appInfo?.mode).toBe('browser');
    expect(s.descriptor?.levels.map((l) => l.id)).toEqual(['experiment', 'room', 'participant']);
    expect(s.profiles.some((p) => p.demo && p.active)).toBe(true);
    expect(JSON.stringify(s.profiles)).not.toContain(sim.apiKey);
    await until(() => listStatus(model.hierarchy.getState(), 'experiment', []).status === 'ready');
    const h = model.hierarchy.getState();
    const experimentIds = h.lists[listKey('experiment', [])].ids;
    const own = sim.dataset.experiments().filter((e) => !e.shared).map((e) => e.id);
    for (const id of own) expect(experimentIds).toContain(id);
    for (const id of experimentIds) expect(itemAt(h, hsPath(id))!.id).toBe(id);
  });

  it('loads rooms and participants into id lists keyed by parent, and counts per participant', async () => {
    const exp = sim.dataset.experiments().find((e) => !e.shared && e.roomIds.length > 0)!;
    await model.loadList('room', hsPath(exp.id));
    const h1 = model.hierarchy.getState();
    expect(listStatus(h1, 'room', hsPath(exp.id)).status).toBe('ready');
    expect([...h1.lists[listKey('room', hsPath(exp.id))].ids].sort()).toEqual([...exp.roomIds].sort());
    const room = sim.dataset.rooms(exp.id)[0];
    expect(itemAt(h1, hsPath(exp.id, room.id))!.experimentId).toBe(exp.id);
    await model.loadList('participant', hsPath(exp.id, room.id));
    const h2 = model.hierarchy.getState();
    expect([...h2.lists[listKey('participant', hsPath(exp.id, room.id))].ids].sort()).toEqual([...room.participantIds].sort());
    const pid = room.participantIds[0];
    await model.loadCounts(hsPath(exp.id, room.id, pid));
    const counts = model.hierarchy.getState().counts[itemKey(hsPath(exp.id, room.id, pid))];
    expect(typeof counts).toBe('object');
    expect((counts as { counts: Record<string, number> }).counts.events).toBe(sim.dataset.count('events', 'participant', pid, room.id));
  });

  it('keeps a browser-like history of places: navigate, back, forward, up', () => {
    const nav = model.nav;
    const e1 = { level: 'experiment', id: 'e1' };
    const r1 = { level: 'room', id: 'r1' };
    const start = nav.getState().index;
    navigate(nav, { path: [e1] });
    navigate(nav, { path: [e1, r1] });
    navigate(nav, { path: [e1, r1] }); // same place: no new entry
    expect(nav.getState().index).toBe(start + 2);
    goBack(nav);
    expect(currentLocation(nav.getState())).toEqual({ path: [e1] });
    expect(canGoForward(nav.getState())).toBe(true);
    goForward(nav);
    goUp(nav);
    expect(currentLocation(nav.getState())).toEqual({ path: [e1] });
    expect(canGoForward(nav.getState())).toBe(false); // going up is a new entry, it drops the forward history
    expect(canGoBack(nav.getState())).toBe(true);
    // A leaf (participant) is always its data; up from it is its room.
    navigate(nav, { path: [e1, r1, { level: 'participant', id: 'p1' }] });
    expect(currentLocation(nav.getState()).data).toBe(true);
    goUp(nav);
    expect(currentLocation(nav.getState())).toEqual({ path: [e1, r1] });
  });

  it('pages a preview: fetches only the pages asked for, sorts and filters in the core', async () => {
    const room = sim.dataset.rooms().find((r) => r.participantIds.length > 0)!;
    const pid = room.participantIds[0];
    const target = hsTarget(room.experimentId, room.id, pid);
    const total = sim.dataset.count('events', 'participant', pid, room.id);
    let calls = 0;
    const getPreview: typeof api.getPreview = (q) => { calls += 1; return api.getPreview(q); };
    const pager = createPreviewPager(getPreview, { target, type: 'events' }, { pageSize: 50 });
    await until(() => pager.store.getState().status === 'ready' && pager.store.getState().complete);
    expect(pager.store.getState().totalRows).toBe(total);
    expect(pager.rowAt(0)).toBeDefined();
    expect(pager.rowAt(60)).toBeUndefined();
    const before = calls;
    pager.ensureRange(60, 120);
    await until(() => pager.rowAt(120) !== undefined);
    expect(calls - before).toBe(2); // pages 1 and 2 only
    pager.ensureRange(60, 120);
    expect(calls - before).toBe(2); // cached: no new request
    pager.dispose();

    const sorted = createPreviewPager(getPreview, { target, type: 'events', sort: { key: 'onset', dir: 'desc' } }, { pageSize: 20 });
    await until(() => sorted.store.getState().status === 'ready');
    const onsets = Array.from({ length: 20 }, (_, i) => Number(sorted.rowAt(i)?.onset));
    expect(onsets).toEqual([...onsets].sort((a, b) => b - a));
    sorted.dispose();

    const word = String(pager.rowAt(0)?.eventType ?? '').split('.')[0];
    const filtered = createPreviewPager(getPreview, { target, type: 'events', filters: { eventType: word } }, { pageSize: 500 });
    await until(() => filtered.store.getState().status === 'ready');
    const fs = filtered.store.getState();
    expect(fs.totalRows).toBeGreaterThan(0);
    expect(fs.totalRows).toBeLessThanOrEqual(fs.unfilteredRows);
    for (let i = 0; i < Math.min(fs.totalRows, 500); i++) expect(String(filtered.rowAt(i)?.eventType).toLowerCase()).toContain(word.toLowerCase());
    filtered.dispose();
  });

  it('surfaces a failed page as a plain-words error', async () => {
    const pager = createPreviewPager(
      () => Promise.reject(Object.assign(new Error('x'), { code: 'FORBIDDEN', message: 'This key lacks read:chat.', fix: 'Create a key with read:chat.', details: { required: ['read:chat'] } })),
      { target: hsTarget('e'), type: 'chat' },
    );
    await until(() => pager.store.getState().status === 'error');
    expect(pager.store.getState().error).toMatchObject({ code: 'FORBIDDEN', fix: 'Create a key with read:chat.', details: { required: ['read:chat'] } });
    pager.dispose();
  });

  it('tracks a job from start to completion through the events, progress in its own store', async () => {
    const room = sim.dataset.rooms().find((r) => r.participantIds.length > 0)!;
    const pid = room.participantIds[0];
    let progressUpdates = 0;
    const unsub = model.progress.subscribe(() => { progressUpdates += 1; });
    const jobId = await model.startExport({
      target: hsTarget(room.experimentId, room.id, pid),
      types: ['events', 'chat'], format: 'csv', zip: true, split: 'none', anonymize: 'keep',
      includeRecordings: false, bom: false, formulaProtection: false,
    });
    expect(model.ui.getState().progressJobId).toBe(jobId);
    expect(model.jobs.getState().jobIds[0]).toBe(jobId);
    await until(() => model.jobs.getState().jobsById[jobId]?.state === 'completed', 30_000);
    unsub();
    const job = model.jobs.getState().jobsById[jobId];
    expect(job.outputName).toMatch(/\.zip$/);
    expect(model.progress.getState()[jobId].state).toBe('completed');
    expect(progressUpdates).toBeGreaterThan(0);
    await model.removeJob(jobId);
    expect(model.jobs.getState().jobsById[jobId]).toBeUndefined();
    expect(model.progress.getState()[jobId]).toBeUndefined();
  });
});
