// The list of folders kept up to date (<dataDir>/sync-folders.json) when it is damaged, and the
// folders in it when they are not what the list says, through the core over loopback: a file that
// is not JSON, or holds entries that cannot be used, is set aside at start-up (byte for byte) and
// named in a notice, the good entries kept; a folder whose first sync failed is finished by "Sync
// now"; a moved folder and a damaged state are named in the listing and refused in words.
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobSnapshot, Notice } from '../../../src-shared/model';
import type { Core } from '../../../src-main/core/create-core';
import { syncPaths } from '../../../src-main/core/sync/folder';
import { SYNC_REGISTRY_FILE } from '../../../src-main/core/sync/registry';
import { createNodeCore } from '../../../src-main/server/node-core';
import { startSimulator, type Simulator } from '../../sim/index';
import { expectSameAsFresh, freshExport, removeDir, selection, syncOnce, tempDir } from './sync-helpers';

let sim: Simulator;
let root: string;
let expId: string;

beforeAll(async () => {
  sim = await startSimulator({ scale: 'tiny', seed: 51 });
  root = await tempDir('sync-registry-');
  expId = sim.dataset.experiments()[0].id;
});
afterAll(async () => {
  await sim?.close();
  await removeDir(root);
});

/** A core on `home` (browser mode, keys in memory), its notices, and a way to wait for a job's end (by its events). */
async function openCore(home: string): Promise<{ core: Core; notices: Notice[]; ended: (id: string) => Promise<JobSnapshot> }> {
  const core = createNodeCore({ configDir: path.join(home, 'config'), dataDir: path.join(home, 'data'), keyStore: 'memory', env: {}, settingsDefaults: { downloadFolder: path.join(home, 'downloads') } });
  const notices: Notice[] = [];
  const states: JobSnapshot[] = [];
  const waiting = new Map<string, (s: JobSnapshot) => void>();
  const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
  core.on('notice', (n) => void notices.push(n));
  core.on('jobState', (s) => {
    states.push(s);
    if (TERMINAL.has(s.state)) waiting.get(s.id)?.(s);
  });
  await core.ready;
  const ended = (id: string) => new Promise<JobSnapshot>((resolve) => {
    const done = states.find((s) => s.id === id && TERMINAL.has(s.state));
    if (done) resolve(done);
    else waiting.set(id, resolve);
  });
  return { core, notices, ended };
}

async function homeWithList(name: string, text: string): Promise<{ home: string; file: string }> {
  const home = path.join(root, name);
  await mkdir(path.join(home, 'data'), { recursive: true });
  const file = path.join(home, 'data', SYNC_REGISTRY_FILE);
  await writeFile(file, text);
  return { home, file };
}

const backupsOf = async (file: string) => (await readdir(path.dirname(file))).filter((n) => n.startsWith(`${path.basename(file)}.corrupt-`));

describe('a damaged list of folders kept up to date', { timeout: 120_000 }, () => {
  it('that is not JSON: set aside at start-up byte for byte, named in a notice; the app starts with an empty list', async () => {
    const garbage = '{"version":1,"folders":[{"id":"fold_1","pa\u0000';
    const { home, file } = await homeWithList('garbage', garbage);
    const { core, notices } = await openCore(home);
    try {
      const backups = await backupsOf(file);
      expect(backups).toHaveLength(1);
      expect(await readFile(path.join(path.dirname(file), backups[0]), 'utf8')).toBe(garbage);
      expect(notices).toContainEqual(expect.objectContaining({ level: 'warning', message: expect.stringContaining(`(${file}) could not be read in full; it was kept as ${path.join(path.dirname(file), backups[0])}`) }));
      expect(await core.api.listSyncFolders(undefined)).toEqual([]);
      expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ version: 1, folders: [] });
      expect((await stat(file)).mode & 0o777).toBe(0o600);
    } finally {
      await core.close();
    }
  });

  it('with an entry that cannot be used: that one dropped, the others kept; an unfinished first sync is finished by "Sync now", a moved folder and a damaged state are named', async () => {
    const sel = selection(expId, { types: ['chat'] });
    // A first sync that failed half-way (reading the chat kept failing): the folder remembers its selection.
    const unfinished = path.join(root, 'folders', 'unfinished');
    sim.setFaults({ rules: [{ match: '/data/chat/', kind: 'error', status: 503, count: 1000 }] });
    await expect(syncOnce(sim, unfinished, { create: { selection: sel } })).rejects.toMatchObject({ code: 'SERVER' });
    sim.resetFaults();
    expect((await stat(syncPaths(unfinished).pending)).isFile()).toBe(true);
    await expect(stat(syncPaths(unfinished).state)).rejects.toMatchObject({ code: 'ENOENT' });
    // A folder whose state was damaged since.
    const damaged = path.join(root, 'folders', 'damaged');
    await syncOnce(sim, damaged, { create: { selection: sel } });
    await writeFile(syncPaths(damaged).state, '{"format":');
    const moved = path.join(root, 'folders', 'moved-away');
    const at = '2026-01-01T00:00:00.000Z';
    const { home, file } = await homeWithList(
      'entries',
      JSON.stringify({
        version: 1,
        folders: [
          { id: 'fold_unfinished', path: unfinished, createdAt: at },
          { id: 'fold_relative', path: 'relative/path', createdAt: at },
          { id: 'fold_damaged', path: damaged, createdAt: at },
          { id: 'fold_moved', path: moved, createdAt: at, intervalMinutes: 30 },
        ],
      }),
    );
    const { core, notices, ended } = await openCore(home);
    try {
      await core.api.addProfile({ name: 'Lab', source: 'hyperstudy', environment: 'custom', baseUrl: sim.baseUrl, apiKey: sim.apiKey });
      expect(notices.filter((n) => n.message.includes(file))).toHaveLength(1);
      expect(await backupsOf(file)).toHaveLength(1);
      const listed = await core.api.listSyncFolders(undefined);
      expect(listed.map((f) => f.id).sort()).toEqual(['fold_damaged', 'fold_moved', 'fold_unfinished']);
      const byId = new Map(listed.map((f) => [f.id, f]));
      expect(byId.get('fold_damaged')!.problem).toMatch(/^The sync state of this folder .* cannot be read: it is not valid JSON/);
      expect(byId.get('fold_moved')!.problem).toBe('The folder has not been synced yet, or was moved.');
      expect(byId.get('fold_unfinished')!.problem).toBeUndefined();

      await expect(core.api.startSync({ folderId: 'fold_moved' })).rejects.toMatchObject({ code: 'NOT_FOUND', message: `${moved} is no longer a folder kept up to date (it was moved, or its sync state removed).` });
      const job = await core.api.startSync({ folderId: 'fold_unfinished' });
      expect(job.sync).toMatchObject({ dir: unfinished, create: true });
      const done = await ended(job.id);
      expect(done.state, done.error?.message).toBe('completed');
      expect(done.sync?.outcome).toMatchObject({ state: 'completed', kind: 'first' });
      await expectSameAsFresh(unfinished, await freshExport(sim, sel, path.join(root, 'unfinished-fresh')), 'finished first sync');
    } finally {
      await core.close();
    }
  });
});
