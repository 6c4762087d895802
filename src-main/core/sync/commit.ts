// Putting a sync's files in place. The new files are written whole in staging/; then a journal
// names every rename and removal and the new state, and only then does anything in the folder
// change. A crash before the journal leaves the previous files and state untouched; a crash
// after it is finished by the next sync (every step can be done twice). A reader of the folder
// sees each file either as it was or as it is now, never half-written.
import { readdir, rename, rm, rmdir, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { readJson, writeJson } from '../export/run/workspace';
import { writeSyncState, type SyncState } from './state';
import type { SyncPaths } from './folder';

export interface Journal {
  version: 1;
  /** Files of staging/ to rename into the folder, by path relative to both (data first, metadata.json last). */
  moves: string[];
  /** Files of the folder that the new set no longer has (a split group gone, a type dropped). */
  removals: string[];
  state: SyncState;
}

/** Steps of a commit, for tests that stop it half-way (a crash). */
export interface CommitHooks {
  afterStep?: (step: number) => void;
}

const abs = (root: string, rel: string) => path.join(root, ...rel.split('/'));

/** Every file under dir, as forward-slash paths relative to it, sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(a: string, rel: string): Promise<void> {
    let entries;
    try {
      entries = await readdir(a, { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(path.join(a, e.name), r);
      else out.push(r);
    }
  }
  await walk(dir, '');
  return out.sort();
}

/** Removes now-empty folders from `rel`'s parent up to (not including) root. */
async function pruneEmptyParents(root: string, rel: string): Promise<void> {
  let dir = path.dirname(abs(root, rel));
  while (dir.startsWith(root) && dir !== root) {
    try {
      await rmdir(dir);
    } catch {
      return; // not empty (or gone): stop
    }
    dir = path.dirname(dir);
  }
}

/** Writes the journal, then applies it. */
export async function commit(p: SyncPaths, journal: Journal, hooks: CommitHooks = {}): Promise<void> {
  await writeJson(p.journal, journal);
  hooks.afterStep?.(0);
  await applyJournal(p, journal, hooks);
}

/** Applies a journal (again, after a crash): renames what is still in staging, removes what is still there, writes the state, cleans up. */
export async function applyJournal(p: SyncPaths, journal: Journal, hooks: CommitHooks = {}): Promise<void> {
  let step = 0;
  for (const rel of journal.moves) {
    const from = abs(p.staging, rel);
    const to = abs(p.dir, rel);
    try {
      await mkdir(path.dirname(to), { recursive: true });
      await rename(from, to);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; // moved before the crash
    }
    hooks.afterStep?.(++step);
  }
  for (const rel of journal.removals) {
    await rm(abs(p.dir, rel), { force: true });
    await pruneEmptyParents(p.dir, rel);
    hooks.afterStep?.(++step);
  }
  await writeSyncState(p.state, journal.state);
  hooks.afterStep?.(++step);
  await rm(p.journal, { force: true });
  await rm(p.staging, { recursive: true, force: true });
}

/** Finishes a commit a crash interrupted; returns whether there was one. */
export async function recoverJournal(p: SyncPaths): Promise<boolean> {
  const journal = await readJson<Journal>(p.journal);
  if (!journal || journal.version !== 1 || !Array.isArray(journal.moves) || !journal.state) {
    // No journal, or one cut off before it was complete: the commit had not started.
    await rm(p.journal, { force: true });
    return false;
  }
  await applyJournal(p, journal);
  return true;
}

/** Removes the store's record files the state no longer names (older generations, a crashed attempt's). */
export async function pruneStore(storeDir: string, state: SyncState): Promise<void> {
  const keep = new Set<string>();
  for (const s of Object.values(state.streams)) for (const part of s.partitions) keep.add(part.file);
  for (const rel of await listFiles(storeDir)) {
    if (keep.has(rel)) continue;
    await rm(abs(storeDir, rel), { force: true });
    await pruneEmptyParents(storeDir, rel);
  }
}
