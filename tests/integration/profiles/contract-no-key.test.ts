// The app path of the key guarantee: through createCore's contract (what the renderer can reach),
// no result, error or event carries the key, and after a full export (recordings, ZIP) nothing
// under the config dir, the job dir or the download folder holds it, ZIP entries included.
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../src-main/core/create-core';
import { createKeytarStore } from '../../../src-main/core/secrets/keytar-store';
import { eventNames, parseArgs, type MethodName } from '../../../src-shared/contract';
import { toErrorInfo } from '../../../src-shared/errors';
import { startSimulator, type Simulator } from '../../sim/index';
import { hsPath, hsTarget } from '../../hs-paths';
import { fakeKeytar } from '../../unit/secrets/fakes';
import { filesContaining, zipEntriesContaining } from '../secrets/cli-run';

let sim: Simulator;
let root = '';
let core: Core | null = null;

beforeAll(async () => {
  sim = await startSimulator({ scale: 'tiny' });
  root = await mkdtemp(path.join(os.tmpdir(), 'sd-contract-keys-'));
});
afterAll(async () => {
  await core?.close();
  await sim?.close();
  await rm(root, { recursive: true, force: true });
});

describe('the contract never hands out the key', () => {
  it('results, errors and events of a whole session, and the files it leaves', async () => {
    const configDir = path.join(root, 'config');
    const dataDir = path.join(root, 'data');
    const downloads = path.join(root, 'downloads');
    await mkdir(downloads, { recursive: true });
    const keychain = fakeKeytar();
    core = createCore({
      mode: 'browser',
      configDir,
      dataDir,
      appVersion: '0.0.0-test',
      secretStore: createKeytarStore({ load: async () => keychain }),
      settings: { defaults: { downloadFolder: downloads } },
    });
    await core.ready;

    const seen: unknown[] = [];
    for (const name of eventNames) core.on(name, (payload) => seen.push({ event: name, payload }));
    const call = async (name: MethodName, arg?: unknown) => {
      try {
        const value = await (core!.api[name] as (a: unknown) => Promise<unknown>)(parseArgs(name, arg));
        seen.push({ name, value });
        return value as any;
      } catch (e) {
        seen.push({ name, error: toErrorInfo(e) });
        return undefined;
      }
    };

    const profile = { name: 'Sim', source: 'hyperstudy', environment: 'custom', baseUrl: sim.baseUrl, apiKey: sim.apiKey };
    expect((await call('validateProfile', { ...profile, apiKey: sim.apiKey + 'x' }))?.outcome).toBe('rejected');
    expect((await call('addProfile', profile))?.validation.outcome).toBe('accepted');
    expect([...keychain.entries.values()]).toEqual([sim.apiKey]); // it went to the keychain…
    await call('listProfiles');
    await call('getConnectionStatus');
    await call('checkConnection');
    await call('getRateBudget');
    await call('getAppInfo');
    await call('getSettings');
    await call('updateSettings', { concurrency: 3 });

    const experiments = (await call('listLevel', { level: 'experiment', parentPath: [] }))?.items ?? [];
    expect(experiments.length).toBeGreaterThan(0);
    const experimentId = experiments[0].id;
    const rooms = (await call('listLevel', { level: 'room', parentPath: hsPath(experimentId) }))?.items ?? [];
    await call('listLevel', { level: 'participant', parentPath: hsPath(experimentId) });
    const target = hsTarget(experimentId);
    await call('getPreview', { target, type: 'events', offset: 0, limit: 50 });
    if (rooms[0]) await call('getPreview', { target: hsTarget(experimentId, rooms[0].id), type: 'chat', offset: 0, limit: 50 });
    await call('planExport', { target, types: ['events', 'chat', 'recordings'], includeRecordings: true });

    const done = new Promise<string>((resolve) => core!.on('jobState', (s) => ['completed', 'failed'].includes(s.state) && resolve(s.state)));
    const job = await call('startExport', {
      target,
      types: ['events', 'chat', 'ratings-continuous', 'recordings', 'variables'],
      format: 'csv',
      zip: true,
      split: 'room',
      anonymize: 'keep',
      includeRecordings: true,
      bom: true,
      formulaProtection: false,
    });
    expect(job?.id).toBeTruthy();
    expect(await done).toBe('completed');
    await call('listJobs');
    // Errors are sent to the renderer too.
    await call('activateProfile', { id: 'no-such-profile' });
    await call('listLevel', { level: 'room', parentPath: hsPath('exp_missing') });

    const text = JSON.stringify(seen);
    expect(seen.some((s) => (s as { event?: string }).event === 'jobProgress')).toBe(true);
    expect(seen.filter((s) => (s as { error?: unknown }).error).length).toBeGreaterThanOrEqual(2);
    expect(text.length).toBeGreaterThan(1000);
    expect(text).not.toContain(sim.apiKey);
    expect(text).not.toContain(sim.apiKey.slice(9, 25));

    for (const dir of [configDir, dataDir, downloads]) {
      expect(await filesContaining(dir, sim.apiKey), dir).toEqual([]);
    }
    const zipFiles = (await readdir(downloads, { recursive: true })).map(String).filter((n) => n.endsWith('.zip'));
    expect(zipFiles.length).toBe(1);
    expect(zipEntriesContaining(path.join(downloads, zipFiles[0]), sim.apiKey)).toEqual([]);
  });
});
