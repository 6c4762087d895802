// A BrainSTEM project kept up to date the same way, through the port alone: a first sync, then
// sessions, subjects, acquisitions, behaviors and procedures appended through the simulator's
// control route (listed last, as the API's creation order puts them), and a re-sync; every file
// equals a fresh export of the project, byte for byte, after every round. BrainSTEM says nothing
// is settled and sends records in creation order (not by time), so each stream is kept whole and
// read again from its end.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportRequest } from '../../../src-shared/model';
import { createJointLimiter, type LimiterLimits } from '../../../src-main/core/net/limiter';
import { systemClock } from '../../../src-main/core/ports';
import { sourceModule } from '../../../src-main/core/sources/registry';
import type { Source } from '../../../src-main/core/sources/source';
import { runExport } from '../../../src-main/core/export/run/run-export';
import { runSync } from '../../../src-main/core/sync/run-sync';
import type { SyncSelection } from '../../../src-main/core/sync/state';
import { startBrainstemSimulator, type BrainstemSimulator } from '../../sim/brainstem/index';
import { startSimulator } from '../../sim/index';
import { digest, expectSameAsFresh, removeDir, syncOnce, tempDir } from './sync-helpers';

let sim: BrainstemSimulator;
let root: string;

beforeAll(async () => {
  sim = await startBrainstemSimulator({ scale: 'tiny', seed: 3 });
  root = await tempDir('sync-bs-');
});
afterAll(async () => {
  await sim?.close();
  await removeDir(root);
});

function open(): Source {
  const m = sourceModule('brainstem');
  const limiter = createJointLimiter({ ...(m.policy.limits as LimiterLimits), clock: systemClock });
  return m.open({ source: 'brainstem', baseUrl: sim.baseUrl, secret: sim.token, portal: 'private' }, { limiter, retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 4 } });
}

const TYPES = ['sessions', 'data_acquisitions', 'behaviors', 'epochs', 'subjects', 'procedures', 'subject_logs'];

describe('a BrainSTEM project kept up to date', { timeout: 300_000 }, () => {
  for (const split of ['none', 'session'] as const) {
    it(`equals a fresh export after appends, split ${split}`, async () => {
      const project = sim.dataset.projects()[1];
      const sel: SyncSelection = { target: { level: 'project', path: [{ level: 'project', id: project.id }] }, types: TYPES, format: 'csv', split, anonymize: 'keep', includeRecordings: false, bom: true, formulaProtection: false };
      const dir = path.join(root, `folder-${split}`);
      const sync = async (create: boolean) => {
        const source = open();
        const r = await runSync({ source, sourceUrl: sim.baseUrl, dir, ...(create ? { create: { selection: sel } } : {}), appVersion: '0.1.0', concurrency: 4, mediaConcurrency: 2, settleMs: 0 });
        return { ...r, requests: source.requestsMade() };
      };
      let n = 0;
      const fresh = async () => {
        const dest = path.join(root, `fresh-${split}-${++n}`);
        const request: ExportRequest = { ...sel, zip: false, destination: dest };
        const r = await runExport({ source: open(), sourceUrl: sim.baseUrl, request, workDir: path.join(dest, '.studydl-test'), destination: dest, appVersion: '0.1.0', concurrency: 4, mediaConcurrency: 2 });
        return r;
      };
      await sync(true);
      await expectSameAsFresh(dir, (await fresh()).outputPath, `BrainSTEM split ${split}, first sync`);
      for (let round = 1; round <= 2; round++) {
        const sessions = sim.append('session', project.id, 2);
        sim.append('dataacquisition', sessions[0], 3);
        const old = sim.dataset.rows('session').find((r) => (r.projects as string[]).includes(project.id) && !sessions.includes(String(r.id)))!;
        sim.append('behavior', String(old.id), 2);
        sim.append('epoch', String(old.id), 1);
        const subjects = sim.append('subject', project.id, 1);
        sim.append('procedure', subjects[0], 2);
        sim.append('subjectlog', subjects[0], 1);
        const r = await sync(false);
        expect(Object.values(r.record.newRecords).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(12);
        const f = await fresh();
        await expectSameAsFresh(dir, f.outputPath, `BrainSTEM split ${split}, round ${round}`);
        console.log(`BrainSTEM split ${split}, round ${round}: sync ${r.requests} requests, a fresh export ${f.manifest.requestsUsed}`);
        // Every list here fits in one page: a sync costs what a fresh export does, not more.
        expect(r.requests).toBeLessThanOrEqual(f.manifest.requestsUsed);
      }
    });
  }

  it('refuses to bring a BrainSTEM folder up to date through a HyperStudy connection, in words, its files untouched', async () => {
    const project = sim.dataset.projects()[0];
    const sel: SyncSelection = { target: { level: 'project', path: [{ level: 'project', id: project.id }] }, types: ['sessions'], format: 'csv', split: 'none', anonymize: 'keep', includeRecordings: false, bom: true, formulaProtection: false };
    const dir = path.join(root, 'folder-other-source');
    await runSync({ source: open(), sourceUrl: sim.baseUrl, dir, create: { selection: sel }, appVersion: '0.1.0', concurrency: 2, mediaConcurrency: 1, settleMs: 0 });
    const before = await digest(dir);
    const hs = await startSimulator({ scale: 'tiny', seed: 3 });
    try {
      await expect(syncOnce(hs, dir)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: 'This folder is kept up to date from BrainSTEM, not HyperStudy.', fix: 'Use a BrainSTEM connection to sync it.' });
      expect(hs.counters().requests, 'nothing was asked of the other server').toBe(0);
    } finally {
      await hs.close();
    }
    expect(await digest(dir)).toEqual(before);
  });
});
