// Switching profiles in the middle of an export, both profiles on the same key: the core keeps
// one limiter for the key (one log file, named by a hash, never the key), so what the export
// spends and what browsing through the other profile spends add up in one budget.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobProgress } from '../../../src-shared/model';
import { createCore } from '../../../src-main/core/create-core';
import { keyIdentity } from '../../../src-main/core/net/key-identity';
import { createMemoryStore } from '../../../src-main/core/secrets';
import { startSimulator, type Simulator } from '../../sim';
import { hsPath, hsTarget } from '../../hs-paths';
import { removeDir, tempDir } from '../export/export-helpers';

let sim: Simulator;
let root: string;

beforeAll(async () => {
  sim = await startSimulator({ scale: 'tiny', seed: 4 });
  root = await tempDir('profile-switch-');
});
afterAll(async () => {
  await sim?.close();
  await removeDir(root);
});

describe('profile switch mid-export', () => {
  it('keeps one limiter per key: the export and the other profile spend one budget', { timeout: 60_000 }, async () => {
    const configDir = join(root, 'config');
    const downloads = join(root, 'downloads');
    const core = createCore({
      mode: 'browser',
      configDir,
      dataDir: join(root, 'jobs'),
      appVersion: '0.0.0-test',
      secretStore: createMemoryStore(),
      settings: { defaults: { downloadFolder: downloads, concurrency: 1 } },
    });
    try {
      await core.ready;
      const conn = { source: 'hyperstudy', environment: 'custom' as const, baseUrl: sim.baseUrl, apiKey: sim.apiKey };
      const a = (await core.api.addProfile({ name: 'Lab A', ...conn })).profile!;
      const b = (await core.api.addProfile({ name: 'Lab B (same key)', ...conn })).profile!;
      await core.api.activateProfile({ id: a.id });
      await expect.poll(async () => (await core.api.checkConnection(undefined)).state).toBe('online');

      const before = (await core.api.getRateBudget(undefined)).keyRemaining;
      sim.resetCounters();
      sim.setFaults({ latencyMs: 120 }); // the export takes a few seconds: room to switch mid-way
      const progress: JobProgress[] = [];
      core.on('jobProgress', (p) => progress.push(p));
      const exp = sim.dataset.experiments({ includeShared: false })[0];
      const done = new Promise<string>((resolve) => core.on('jobState', (s) => (s.state === 'completed' || s.state === 'failed') && resolve(s.state)));
      await core.api.startExport({
        target: hsTarget(exp.id),
        types: ['events', 'chat', 'ratings-continuous', 'sync'],
        format: 'csv', zip: false, split: 'none', anonymize: 'keep', includeRecordings: false, bom: true, formulaProtection: false,
      });
      await expect.poll(() => progress.at(-1)?.requestsUsed ?? 0, { timeout: 20_000, interval: 10 }).toBeGreaterThanOrEqual(2);

      // Mid-export: the other profile (same key) becomes active and browses.
      await core.api.activateProfile({ id: b.id });
      await core.api.listLevel({ level: 'experiment', parentPath: [], refresh: true });
      await core.api.listLevel({ level: 'room', parentPath: hsPath(exp.id), refresh: true });
      await core.api.listLevel({ level: 'participant', parentPath: hsPath(exp.id), refresh: true });
      expect(progress.at(-1)!.state).toBe('running'); // the switch happened mid-export
      expect(await done).toBe('completed');
      await expect.poll(async () => (await core.api.getConnectionStatus(undefined)).profileId).toBe(b.id);
      sim.resetFaults();

      // Every request the simulator saw since, from both profiles, came out of the one budget.
      const spent = sim.counters().requests;
      expect(spent).toBeGreaterThan(6);
      expect((await core.api.getRateBudget(undefined)).keyRemaining).toBe(before - spent);

      // One log for the key, named by a hash; the key is in neither its name nor its content.
      const logs = await readdir(join(configDir, 'ratelimit'));
      expect(logs).toEqual([`key-${keyIdentity(sim.baseUrl, sim.apiKey)}.json`]);
      expect(await readFile(join(configDir, 'ratelimit', logs[0]), 'utf8')).not.toContain(sim.apiKey);
    } finally {
      await core.close();
    }
  });
});
