// Shared helpers for the sync tests: a sync run in-process (the engine itself, on the simulator's
// HyperStudy source through the registry), a fresh folder export to compare with, and a
// comparison of two folders file by file (bytes), with what a sync adds set apart.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import type { ExportRequest } from '../../../src-shared/model';
import type { Source } from '../../../src-main/core/sources/source';
import { runSync, type RunSyncOptions, type SyncResult } from '../../../src-main/core/sync/run-sync';
import type { SyncSelection } from '../../../src-main/core/sync/state';
import type { Simulator } from '../../sim/index';
import { exportOnce, makeSource } from '../export/export-helpers';

export { makeSource, tempDir, removeDir } from '../export/export-helpers';

export function selection(experimentId: string, over: Partial<SyncSelection> = {}): SyncSelection {
  return {
    target: { level: 'experiment', path: [{ level: 'experiment', id: experimentId }] },
    types: ['events', 'chat'],
    format: 'csv',
    split: 'none',
    anonymize: 'keep',
    includeRecordings: false,
    bom: true,
    formulaProtection: false,
    ...over,
  };
}

/** One sync of `dir` in-process; `create` makes it a new sync folder. A fresh source (its own request count) unless given. */
export async function syncOnce(sim: Simulator, dir: string, over: Partial<RunSyncOptions> & { create?: RunSyncOptions['create'] } = {}, source: Source = makeSource(sim)): Promise<SyncResult & { requests: number }> {
  const before = source.requestsMade();
  const result = await runSync({
    source,
    sourceUrl: sim.baseUrl,
    dir,
    appVersion: '0.1.0',
    concurrency: 4,
    mediaConcurrency: 3,
    mediaBackoffMs: 20,
    settleMs: 0,
    ...over,
  });
  return { ...result, requests: source.requestsMade() - before };
}

/** A fresh folder export of the same selection, now; returns its folder. */
export async function freshExport(sim: Simulator, sel: SyncSelection, dest: string, over: Partial<Parameters<typeof exportOnce>[3]> = {}): Promise<string> {
  const request: ExportRequest = { ...sel, zip: false };
  const r = await exportOnce(sim, request, dest, over);
  return r.outputPath;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Relative path → SHA-256 of every file under dir, the sync's own hidden folder left out. */
export async function digest(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  async function walk(abs: string, rel: string): Promise<void> {
    for (const e of await readdir(abs, { withFileTypes: true })) {
      if (e.name === '.studydl-sync') continue;
      const a = path.join(abs, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(a, r);
      else out.set(r, sha(await readFile(a)));
    }
  }
  await walk(dir, '');
  return out;
}

/** Files that differ by design between a sync folder and a fresh export: the README (a paragraph more) and metadata.json (times, requests, history). */
export const OWN_FILES = new Set(['README.txt', 'metadata.json']);

/**
 * The oracle: the same files, every data file byte for byte; metadata.json names every data file
 * with the same SHA-256 as the fresh export's. Returns the number of files compared.
 */
export async function expectSameAsFresh(syncDir: string, freshDir: string, label = ''): Promise<number> {
  const a = await digest(syncDir);
  const b = await digest(freshDir);
  expect([...a.keys()].sort(), `${label}: file set`).toEqual([...b.keys()].sort());
  let n = 0;
  for (const [rel, h] of b) {
    if (OWN_FILES.has(rel)) continue;
    expect(a.get(rel), `${label}: ${rel}`).toBe(h);
    n++;
  }
  const ma = JSON.parse(await readFile(path.join(syncDir, 'metadata.json'), 'utf8')) as { files: Array<{ path: string; sha256: string; records?: number }> };
  const mb = JSON.parse(await readFile(path.join(freshDir, 'metadata.json'), 'utf8')) as { files: Array<{ path: string; sha256: string; records?: number }> };
  const strip = (m: typeof ma) => m.files.filter((f) => f.path !== 'README.txt').map((f) => `${f.path} ${f.sha256} ${f.records ?? ''}`);
  expect(strip(ma), `${label}: metadata.json files`).toEqual(strip(mb));
  return n;
}
