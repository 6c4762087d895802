// A job's staging dir ("workspace"), kept hidden beside the final output so the last rename is
// atomic (same volume) and nothing in it looks like a finished export:
//
//   <destination>/.studydl-<jobId>/
//     run.json              the plan, the recordings list, the folder name, the start time (written once)
//     pages/<stream>/…      raw API pages, one file per page (the per-stream checkpoint)
//     listings/*.json       the source's listings as fetched (HyperStudy: experiment, rooms, participants)
//     out/                  the export tree being built; out/recordings/*.part(.json) are the per-file checkpoints
//     finalizing.json       where the finished output is going (so a crash during the last step resolves)
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Plan } from '../../../../src-shared/model';
import type { Page } from '../../sources/source';
import { writeFileAtomic } from './page-store';

export interface Workspace {
  root: string;
  pagesDir: string;
  listingsDir: string;
  outDir: string;
  runFile: string;
  finalizingFile: string;
}

export function workspaceAt(root: string): Workspace {
  return {
    root,
    pagesDir: path.join(root, 'pages'),
    listingsDir: path.join(root, 'listings'),
    outDir: path.join(root, 'out'),
    runFile: path.join(root, 'run.json'),
    finalizingFile: path.join(root, 'finalizing.json'),
  };
}

/** What the first attempt decided; every later attempt reuses it so the output is identical. */
export interface RunRecord {
  version: 1;
  plan: Plan;
  recordings: Array<Record<string, unknown>>;
  /** ISO time the export first started (the folder's date and the manifest's start). */
  startedAt: string;
  /** Stream keys in plan order (the planner's streamKey). */
  streamKeys: string[];
}

export interface FinalizingRecord {
  outputPath: string;
  outputName: string;
  zip: boolean;
  manifest: import('../../../../src-shared/model').ManifestSummary;
}

export async function readJson<T>(file: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || e instanceof SyntaxError) return null;
    throw e;
  }
}

export async function writeJson(file: string, value: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, JSON.stringify(value));
}

export type FirstPages = Map<string, Page>;

/** Removes a workspace and any ZIP `.part` it was writing. */
export async function removeWorkspace(root: string): Promise<void> {
  const ws = workspaceAt(root);
  const fin = await readJson<FinalizingRecord>(ws.finalizingFile).catch(() => null);
  if (fin?.zip) await rm(`${fin.outputPath}.part`, { force: true });
  await rm(root, { recursive: true, force: true });
}
