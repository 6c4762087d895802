// Folders kept up to date in the app, through the contract (createCore against the simulator over
// loopback, real files): "Keep up to date" on a finished folder export, the list with each
// folder's last result, its plan from its state, "Sync now" (one sync of a folder at a time), a
// notification when new data came in, the interval while the app runs (deferred while the key's
// budget is low), a new folder for a selection, refusals in words, forgetting a folder.
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportRequest, JobSnapshot, SyncFolderSummary } from '../../../src-shared/model';
import { createCore, type Core, type ShellActions } from '../../../src-main/core/create-core';
import { createMemoryStore } from '../../../src-main/core/secrets';
import { systemClock, type Clock } from '../../../src-main/core/ports';
import { startSimulator, type Simulator } from '../../sim';
import { expectSameAsFresh, freshExport, selection } from './sync-helpers';

let sim: Simulator;
let root: string;
let core: Core;
let downloads: string;
const notes: string[] = [];
const shown: string[] = [];
const jobStates: JobSnapshot[] = [];
const folderEvents: SyncFolderSummary[][] = [];
/** The app's clock runs this far ahead (the interval's time passes without waiting). */
let shift = 0;
const clock: Clock = { now: () => Date.now() + shift, sleep: (ms, signal) => systemClock.sleep(ms, signal) };

beforeAll(async () => {
  sim = await startSimulator({ scale: 'tiny', seed: 21 });
  root = await mkdtemp(path.join(tmpdir(), 'studydl-sync-service-'));
  downloads = path.join(root, 'downloads');
  await mkdir(downloads, { recursive: true });
  const shell: ShellActions = {
    showInFolder: (p) => void shown.push(p),
    openPath: async () => {},
    copyText: () => {},
    startDrag: () => {},
    chooseFolder: async () => null,
    notify: (title, body) => void notes.push(`${title}: ${body}`),
  };
  core = createCore({
    mode: 'electron',
    configDir: path.join(root, 'config'),
    dataDir: path.join(root, 'data'),
    appVersion: '0.0.0-test',
    secretStore: createMemoryStore(),
    settings: { defaults: { downloadFolder: downloads } },
    shell,
    clock,
    syncCheckMs: 40,
    ...(process.env.SYNC_DEBUG ? { logger: { debug() {}, info: (m: string, x?: object) => console.log(m, x), warn: (m: string, x?: object) => console.log(m, x), error: (m: string, x?: object) => console.log(m, x) } } : {}),
  });
  core.on('jobState', (s) => void jobStates.push(s));
  core.on('syncFolders', (f) => void folderEvents.push(f));
  await core.ready;
  await core.api.addProfile({ name: 'Lab', source: 'hyperstudy', environment: 'custom', baseUrl: sim.baseUrl, apiKey: sim.apiKey });
}, 60_000);
afterAll(async () => {
  await core?.close();
  await sim?.close();
  await rm(root, { recursive: true, force: true });
});

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
async function until<T>(what: string, get: () => T | undefined | null | false, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
const finished = (id: string) => until(`job ${id} to end`, () => jobStates.find((s) => s.id === id && TERMINAL.has(s.state)));

describe('folders kept up to date in the app', { timeout: 180_000 }, () => {
  let exp: string;
  let room: string;
  let folder: SyncFolderSummary;
  const sel = () => selection(exp, { types: ['events', 'chat'], format: 'csv' });
  const request = (over: Partial<ExportRequest> = {}): ExportRequest => ({ ...sel(), zip: false, ...over });

  it('turns a finished folder export into a folder kept up to date, equal to a fresh export', async () => {
    exp = sim.dataset.experiments()[0].id;
    const active = sim.dataset.rooms(exp).filter((r) => r.status === 'active');
    expect(active.length).toBeGreaterThan(0);
    room = active[0].id;

    const exported = await core.api.startExport(request());
    expect((await finished(exported.id)).state).toBe('completed');
    const out = (await core.api.listJobs(undefined)).find((j) => j.id === exported.id)!;
    const outDir = path.join(out.request.destination!, out.outputName!);

    const first = await core.api.keepExportUpToDate({ jobId: exported.id });
    expect(first.sync).toMatchObject({ dir: outDir, create: true, full: true });
    const done = await finished(first.id);
    expect(done.state, done.error?.message).toBe('completed');
    expect(done.sync?.outcome).toMatchObject({ state: 'completed', kind: 'first' });

    const list = await core.api.listSyncFolders(undefined);
    expect(list).toHaveLength(1);
    folder = list[0];
    expect(folder).toMatchObject({ path: outDir, source: 'hyperstudy', types: ['events', 'chat'], lastSync: { kind: 'first', state: 'completed' } });
    expect(folder.jobId).toBeUndefined();
    expect(folder.problem).toBeUndefined();
    await until('the folder list event', () => folderEvents.at(-1)?.[0]?.lastSync?.kind === 'first');
    await expectSameAsFresh(outDir, await freshExport(sim, sel(), path.join(root, 'fresh1')), 'after keep up to date');
    // The folder's README names what a sync cannot see.
    const readme = await readFile(path.join(outDir, 'README.txt'), 'utf8');
    expect(readme).toContain('KEPT UP TO DATE');
    expect(readme).toMatch(/deleted or changed on the server after they were downloaded are not noticed: the API\s+cannot report them/);

    // Asking again for the same export gives the same folder (no second entry).
    const again = await core.api.keepExportUpToDate({ jobId: exported.id });
    await finished(again.id);
    expect(await core.api.listSyncFolders(undefined)).toHaveLength(1);
  });

  it('plans from the state, syncs now (one sync of a folder at a time), notifies, and equals a fresh export', async () => {
    sim.appendRecords('events', exp, room, 250, { where: 'after' });
    sim.appendRecords('chat', exp, room, 7, { where: 'after' });
    const plan = await core.api.planSync({ folderId: folder.id });
    expect(plan).toMatchObject({ kind: 'incremental', fromState: true });
    expect(plan.requests).toBeGreaterThan(0);
    expect(plan.summary).toMatch(/request/);
    // A rebuild's plan reads every stream whole: a page per 1,000 records the folder holds (and the listings).
    const full = await core.api.planSync({ folderId: folder.id, full: true });
    expect(full.kind).toBe('full');
    expect(full.streams.map((x) => x.mode)).toEqual(full.streams.map(() => 'whole'));
    const held = sim.dataset.count('events', 'experiment', exp) - 250; // the folder has not seen the 250 just appended
    expect(full.streams.find((x) => x.type === 'events')!.requests).toBe(Math.ceil(held / 1000));

    notes.length = 0;
    sim.resetCounters();
    const [a, b] = await Promise.all([core.api.startSync({ folderId: folder.id }), core.api.startSync({ folderId: folder.id })]);
    expect(b.id, 'a second "Sync now" while one runs is the same job').toBe(a.id);
    const done = await finished(a.id);
    expect(done.state, done.error?.message).toBe('completed');
    expect(done.sync?.outcome?.newRecords).toEqual({ events: 250, chat: 7 });
    expect(done.sync?.outcome?.requests).toBe(sim.counters().requests);
    expect(done.sync?.outcome?.requests).toBeLessThanOrEqual(plan.requests + 2);
    await until('the notification', () => notes.find((n) => n.startsWith('New data downloaded: ')));
    expect(notes.join('\n')).toMatch(/new (participants?'s?|records?)/);

    const listed = (await core.api.listSyncFolders(undefined))[0];
    expect(listed.lastSync).toMatchObject({ kind: 'incremental', state: 'completed', newRecords: { events: 250, chat: 7 } });
    await expectSameAsFresh(folder.path, await freshExport(sim, sel(), path.join(root, 'fresh2')), 'after sync now');
  });

  it('syncs by itself at the interval, but waits while the key budget is low', async () => {
    const withInterval = await core.api.setSyncInterval({ folderId: folder.id, minutes: 5 });
    expect(withInterval.intervalMinutes).toBe(5);
    expect(Date.parse(withInterval.nextSyncAt!) - Date.parse(withInterval.lastSync!.at)).toBe(5 * 60_000);

    // A budget this small leaves no room beside the reserve: the interval waits.
    await core.api.updateSettings({ keyLimit: 3 });
    const before = jobStates.length;
    shift += 6 * 60_000;
    await new Promise((r) => setTimeout(r, 600));
    expect(jobStates.slice(before).filter((s) => s.sync?.automatic), 'no automatic sync on a low budget').toEqual([]);

    notes.length = 0;
    sim.appendRecords('events', exp, room, 5, { where: 'after' });
    await core.api.updateSettings({ keyLimit: 1000 });
    const auto = await until('an automatic sync', () => jobStates.slice(before).find((s) => s.sync?.automatic && TERMINAL.has(s.state)));
    expect(auto.state, auto.error?.message).toBe('completed');
    expect(auto.sync?.outcome?.newRecords).toMatchObject({ events: 5 });
    expect(auto.sync?.outcome?.newRecords.chat ?? 0).toBe(0);
    await until('its notification', () => notes.find((n) => n.startsWith('New data downloaded: ')));
    // Synced just now: not again until the interval has passed once more.
    const count = jobStates.filter((s) => s.sync?.automatic && s.state === 'completed').length;
    await new Promise((r) => setTimeout(r, 400));
    expect(jobStates.filter((s) => s.sync?.automatic && s.state === 'completed').length).toBe(count);
    await core.api.setSyncInterval({ folderId: folder.id, minutes: null });
  });

  it('starts a new folder for a selection in the download folder', async () => {
    const job = await core.api.createSyncFolder(request({ types: ['chat'] }));
    expect(path.dirname(job.sync!.dir)).toBe(downloads);
    expect(path.basename(job.sync!.dir)).toMatch(/kept-up-to-date/);
    const done = await finished(job.id);
    expect(done.state, done.error?.message).toBe('completed');
    const list = await core.api.listSyncFolders(undefined);
    expect(list.map((f) => f.path).sort()).toEqual([folder.path, job.sync!.dir].sort());
    await expectSameAsFresh(job.sync!.dir, await freshExport(sim, selection(exp, { types: ['chat'], format: 'csv' }), path.join(root, 'fresh3')), 'new folder');
  });

  it('refuses in words what cannot be kept up to date, shows and forgets a folder (its files stay)', async () => {
    await expect(core.api.createSyncFolder(request({ zip: true }))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/ZIP/) });
    await expect(core.api.createSyncFolder(request({ destination: root }))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/download folder/) });
    await expect(core.api.createSyncFolder(request({ types: ['no-such-type'] }))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const zipped = await core.api.startExport(request({ zip: true, types: ['chat'] }));
    await finished(zipped.id);
    await expect(core.api.keepExportUpToDate({ jobId: zipped.id })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/ZIP/) });
    await expect(core.api.startSync({ folderId: 'fold_nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(core.api.planSync({ folderId: 'fold_nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });

    await core.api.showSyncFolder({ folderId: folder.id });
    expect(shown).toEqual([folder.path]);

    const left = await core.api.forgetSyncFolder({ folderId: folder.id });
    expect(left.map((f) => f.id)).not.toContain(folder.id);
    expect((await readdir(folder.path)).sort()).toContain('events.csv');
    await expect(core.api.startSync({ folderId: folder.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
