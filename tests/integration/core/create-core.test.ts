// createCore against the simulator over loopback, with real files in temp dirs: profiles,
// settings, listings (cached), previews, jobs, the shell actions and the connection status.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionStatus } from '../../../src-shared/model';
import { createCore, type Core, type ShellActions } from '../../../src-main/core/create-core';
import { createMemoryStore } from '../../../src-main/core/secrets';
import { startSimulator, type Simulator } from '../../sim';
import { hsPath, hsTarget } from '../../hs-paths';

let sim: Simulator;
let root: string;
const cores: Core[] = [];

beforeAll(async () => {
  sim = await startSimulator({ scale: 'small' });
  root = await mkdtemp(join(tmpdir(), 'studydl-core-'));
});
afterAll(async () => {
  for (const c of cores) await c.close();
  await sim?.close();
  await rm(root, { recursive: true, force: true });
});

function recordingShell() {
  const calls: Array<[string, string]> = [];
  let nextFolder: string | null = null;
  const shell: ShellActions = {
    showInFolder: (p) => void calls.push(['showInFolder', p]),
    openPath: async (p) => void calls.push(['openPath', p]),
    copyText: (t) => void calls.push(['copyText', t]),
    startDrag: (p) => void calls.push(['startDrag', p]),
    chooseFolder: async (current) => (calls.push(['chooseFolder', current]), nextFolder),
    notify: (title, body) => void calls.push(['notify', `${title}: ${body}`]),
  };
  return { shell, calls, pickNext: (f: string | null) => (nextFolder = f) };
}

async function makeCore(name: string, extra: Partial<Parameters<typeof createCore>[0]> = {}) {
  const dir = join(root, name);
  const downloads = join(dir, 'downloads');
  await mkdir(downloads, { recursive: true });
  const core = createCore({
    mode: 'browser',
    configDir: join(dir, 'config'),
    dataDir: join(dir, 'jobs'),
    appVersion: '0.0.0-test',
    secretStore: createMemoryStore(),
    settings: { defaults: { downloadFolder: downloads } },
    ...extra,
  });
  cores.push(core);
  await core.ready;
  return { core, dir, downloads };
}

const profile = () => ({ name: 'Lab', source: 'hyperstudy', environment: 'custom' as const, baseUrl: sim.baseUrl, apiKey: sim.apiKey });
const experiments = (core: Core, refresh?: boolean) => core.api.listLevel({ level: 'experiment', parentPath: [], ...(refresh ? { refresh } : {}) });

function nextStatus(core: Core, want: (s: ConnectionStatus) => boolean): Promise<ConnectionStatus> {
  return new Promise((resolve) => {
    const off = core.on('connectionStatus', (s) => {
      if (want(s)) {
        queueMicrotask(() => off());
        resolve(s);
      }
    });
  });
}

describe('createCore against the simulator', () => {
  it('starts with no profile, says so, and adds, validates and removes one', async () => {
    const { core } = await makeCore('profiles');
    await nextStatus(core, (s) => s.state === 'no-profile');
    expect(await core.api.listProfiles(undefined)).toEqual([]);
    await expect(experiments(core)).rejects.toMatchObject({ code: 'NO_PROFILE', fix: expect.any(String) });

    expect((await core.api.validateProfile({ ...profile(), apiKey: 'not-a-key' })).outcome).toBe('wrong-format');
    expect((await core.api.validateProfile({ ...profile(), apiKey: 'hst_test_doesnotexist000000' })).outcome).toBe('rejected');
    expect((await core.api.validateProfile(profile())).outcome).toBe('accepted');

    const online = nextStatus(core, (s) => s.state === 'online');
    const added = await core.api.addProfile(profile());
    expect(added.validation.outcome).toBe('accepted');
    expect(added.profile).toMatchObject({ name: 'Lab', active: true, hasKey: true });
    expect((await online).profileId).toBe(added.profile!.id);
    const listed = await core.api.listProfiles(undefined);
    expect(JSON.stringify(listed)).not.toContain(sim.apiKey);
    expect((await experiments(core)).items.length).toBeGreaterThan(0);

    const gone = nextStatus(core, (s) => s.state === 'no-profile');
    expect(await core.api.removeProfile({ id: added.profile!.id })).toEqual([]);
    await gone;
    await expect(experiments(core)).rejects.toMatchObject({ code: 'NO_PROFILE' });
  });

  it('persists settings and applies rate limits to the budget', async () => {
    const { core, dir } = await makeCore('settings');
    const s = await core.api.updateSettings({ concurrency: 2, keyLimit: 500, theme: 'dark' });
    expect(s).toMatchObject({ concurrency: 2, keyLimit: 500, theme: 'dark' });
    expect((await core.api.getRateBudget(undefined)).keyLimit).toBe(500);
    await core.close();
    const again = createCore({ mode: 'browser', configDir: join(dir, 'config'), dataDir: join(dir, 'jobs'), appVersion: 't', secretStore: createMemoryStore() });
    cores.push(again);
    expect(await again.api.getSettings(undefined)).toMatchObject({ concurrency: 2, keyLimit: 500, theme: 'dark' });
  });

  it('lists with a per-session cache (refresh bypasses it) and previews a participant with its room', async () => {
    const { core } = await makeCore('listing', { demo: { baseUrl: sim.baseUrl, apiKey: sim.apiKey } });
    const exp = sim.dataset.experiments({ includeShared: false })[0];
    await experiments(core);
    const before = sim.counters().requests;
    await experiments(core);
    expect(sim.counters().requests).toBe(before);
    await experiments(core, true);
    expect(sim.counters().requests).toBeGreaterThan(before);

    const room = sim.dataset.rooms(exp.id)[0];
    const participant = sim.dataset.participants({ roomId: room.id })[0];
    const counts = await core.api.getItemCounts({ path: hsPath(exp.id, room.id, participant.id) });
    expect(counts.path.at(-1)!.id).toBe(participant.id);
    const target = hsTarget(exp.id, room.id, participant.id);
    let page = await core.api.getPreview({ target, type: 'events', offset: 0, limit: 5 });
    while (!page.complete) {
      await new Promise((r) => setTimeout(r, 20));
      page = await core.api.getPreview({ target, type: 'events', offset: 0, limit: 5 });
    }
    expect(page.totalRows).toBe(sim.dataset.count('events', 'participant', participant.id, room.id));
    expect(page.rows.every((r) => r.participantId === participant.id)).toBe(true);
    const searched = await core.api.getPreview({ target, type: 'events', offset: 0, limit: 1000, search: String(page.rows[0].id) });
    expect(searched.totalRows).toBeGreaterThanOrEqual(1);
    expect(searched.rows[0].id).toBe(page.rows[0].id);
  });

  it('refuses ids the active source does not have: a data type, a level, a path out of order, a split', async () => {
    const { core } = await makeCore('ids', { demo: { baseUrl: sim.baseUrl, apiKey: sim.apiKey } });
    const exp = sim.dataset.experiments({ includeShared: false })[0];
    const room = sim.dataset.rooms(exp.id)[0];
    await expect.poll(async () => (await core.api.getConnectionStatus(undefined)).state).toBe('online'); // the start-up check is done
    sim.resetCounters();
    await expect(core.api.getPreview({ target: hsTarget(exp.id), type: 'passwords', offset: 0, limit: 10 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/type/) });
    await expect(core.api.listLevel({ level: 'cohort', parentPath: [] })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/cohort/) });
    await expect(core.api.listLevel({ level: 'participant', parentPath: [{ level: 'room', id: room.id }] })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(core.api.planExport({ target: { level: 'room', path: [{ level: 'room', id: room.id }] }, types: ['events'], includeRecordings: false })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const base = { target: hsTarget(exp.id), types: ['chat'], format: 'csv' as const, zip: true, anonymize: 'keep' as const, includeRecordings: false, bom: false, formulaProtection: true };
    await expect(core.api.startExport({ ...base, split: 'session' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/split/) });
    await expect(core.api.getItemCounts({ path: hsPath(exp.id) })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: 'HyperStudy has no record counts per experiment.' });
    expect(sim.counters().requests).toBe(0); // refused before anything was sent
    expect((await core.api.describeSource(undefined)).id).toBe('hyperstudy');
  });

  it('runs an export job; shell actions get the output path from the registry only', async () => {
    const shell = recordingShell();
    const { core, downloads } = await makeCore('jobs', { demo: { baseUrl: sim.baseUrl, apiKey: sim.apiKey }, shell: shell.shell, mode: 'electron' });
    const exp = sim.dataset.experiments({ includeShared: false })[0];
    const target = hsTarget(exp.id);
    const base = { target, types: ['chat'], format: 'csv' as const, zip: true, split: 'none' as const, anonymize: 'keep' as const, includeRecordings: false, bom: false, formulaProtection: true };

    await expect(core.api.startExport({ ...base, destination: root })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    // a symlink inside the download folder that leads outside does not count as inside
    await symlink(root, join(downloads, 'sneaky'));
    await expect(core.api.startExport({ ...base, destination: join(downloads, 'sneaky', 'x') })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const done = new Promise<string>((resolve) => core.on('jobState', (s) => s.state === 'completed' && resolve(s.id)));
    const job = await core.api.startExport(base);
    expect(await done).toBe(job.id);

    await core.api.showInFolder({ jobId: job.id });
    await core.api.openOutput({ jobId: job.id });
    await core.api.startDrag({ jobId: job.id });
    await core.api.copyOutputPath({ jobId: job.id });
    const paths = shell.calls.filter(([k]) => k !== 'notify' && k !== 'chooseFolder');
    expect(paths.map(([k]) => k)).toEqual(['showInFolder', 'openPath', 'startDrag', 'copyText']);
    for (const [, p] of paths) expect(p.startsWith(downloads) || p.includes('downloads')).toBe(true);
    expect(shell.calls.some(([k, v]) => k === 'notify' && /finished/i.test(v))).toBe(true);
    await expect(core.api.startDrag({ jobId: 'unknown-job' })).rejects.toMatchObject({ code: 'NOT_FOUND' });

    // the desktop app changes the folder only through the native picker
    await expect(core.api.updateSettings({ downloadFolder: '/' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    shell.pickNext(join(root, 'picked'));
    expect((await core.api.chooseDownloadFolder(undefined))?.downloadFolder).toBe(join(root, 'picked'));
    shell.pickNext(null);
    expect(await core.api.chooseDownloadFolder(undefined)).toBeNull();
  });

  it('pauses an export waiting behind another and retries it once the first is cancelled', { timeout: 60_000 }, async () => {
    const { core } = await makeCore('queue', { demo: { baseUrl: sim.baseUrl, apiKey: sim.apiKey } });
    const exp = sim.dataset.experiments({ includeShared: false })[0];
    const base = { target: hsTarget(exp.id), format: 'csv' as const, zip: false, split: 'none' as const, anonymize: 'keep' as const, includeRecordings: false, bom: false, formulaProtection: true };
    // The first export's first data request hangs, so the second one waits in the queue.
    const slowBefore = sim.counters().faults.slow ?? 0;
    sim.setFaults({ rules: [{ match: '/data/', kind: 'slow', delayMs: 120_000, count: 1 }] });
    try {
      const first = await core.api.startExport({ ...base, types: ['chat'] });
      const second = await core.api.startExport({ ...base, types: ['events'] });
      await expect.poll(() => sim.counters().faults.slow ?? 0, { timeout: 20_000 }).toBe(slowBefore + 1); // the first is stuck now
      expect((await core.api.pauseJob({ jobId: second.id })).state).toBe('paused');
      expect((await core.api.cancelJob({ jobId: first.id })).state).toBe('cancelled');
      expect((await core.api.listJobs(undefined)).find((j) => j.id === second.id)?.state).toBe('paused'); // nothing started it
      const done = new Promise<string>((resolve) => core.on('jobState', (s) => s.id === second.id && (s.state === 'completed' || s.state === 'failed') && resolve(s.state)));
      expect(['queued', 'running']).toContain((await core.api.retryJob({ jobId: second.id })).state);
      expect(await done).toBe('completed');
    } finally {
      sim.resetFaults();
    }
  });

  it('a config folder that cannot be created fails the start-up in words, and nothing is left unhandled', async () => {
    const blocker = join(root, 'config-is-a-file');
    await writeFile(blocker, 'x');
    const core = createCore({ mode: 'browser', configDir: join(blocker, 'config'), dataDir: join(root, 'unused-jobs'), appVersion: 't', secretStore: createMemoryStore() });
    await expect(core.ready).rejects.toMatchObject({ code: 'ENOTDIR' });
    await expect(core.api.listJobs(undefined)).rejects.toMatchObject({ code: 'ENOTDIR' });
    await core.close();
  });

  it('reports offline and keeps re-checking with backoff', async () => {
    const dead = await startSimulator({ scale: 'tiny' });
    const deadUrl = dead.baseUrl;
    await dead.close();
    const { core } = await makeCore('offline', { demo: { baseUrl: deadUrl, apiKey: sim.apiKey }, recheck: { minMs: 20, maxMs: 80 } });
    const seen: ConnectionStatus[] = [];
    core.on('connectionStatus', (s) => seen.push(s));
    await expect.poll(() => seen.filter((s) => s.state === 'offline').length, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    const offline = seen.find((s) => s.state === 'offline')!;
    expect(offline.message).toBeTruthy();
    expect(JSON.stringify(seen)).not.toContain(sim.apiKey);
  });
});
