// The folders kept up to date as the app shows them: from the app's list (where each is, its
// interval), each folder's own state (what it holds, its last sync) and the jobs (one running, a
// last attempt that failed).
import type { JobSnapshot, SourceDescriptor, SyncFolderSummary, SyncOutcome } from '../../../src-shared/model';
import { toErrorInfo } from '../../../src-shared/errors';
import { jobTitle } from '../jobs/job-title';
import { syncPaths } from './folder';
import type { SyncFolderEntry } from './registry';
import { readPendingSync } from './run-sync';
import { readSyncState, type SyncState } from './state';

export interface FolderView {
  entry: SyncFolderEntry;
  state: SyncState | null;
  summary: SyncFolderSummary;
}

/** A folder's sync job in these states is its one sync (a second is not started beside it). */
export const UNFINISHED = new Set(['queued', 'running', 'waiting', 'paused']);

/** The jobs of a folder, newest first. */
export function jobsOf(jobs: JobSnapshot[], entry: SyncFolderEntry): JobSnapshot[] {
  return jobs.filter((j) => j.sync && (j.sync.folderId === entry.id || j.sync.dir === entry.path)).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export async function describeFolder(entry: SyncFolderEntry, jobs: JobSnapshot[], descriptorOf: (source: string) => SourceDescriptor | null): Promise<FolderView> {
  const p = syncPaths(entry.path);
  let state: SyncState | null = null;
  let problem: string | undefined;
  try {
    state = await readSyncState(p.state);
  } catch (e) {
    problem = toErrorInfo(e).message;
  }
  const pending = state ? null : await readPendingSync(entry.path).catch(() => null);
  const selection = state?.selection ?? pending?.selection;
  const source = state?.source ?? pending?.source ?? 'hyperstudy';
  const mine = jobsOf(jobs, entry);
  const running = mine.find((j) => UNFINISHED.has(j.state));
  const lastState = state?.syncs[state.syncs.length - 1];
  let lastSync: SyncOutcome | undefined = lastState
    ? { at: lastState.at, kind: lastState.kind, state: 'completed', requests: lastState.requests, newRecords: lastState.newRecords, peopleWithNewData: lastState.peopleWithNewData }
    : undefined;
  // A later attempt that failed says so (the folder itself still holds the last good sync).
  const failed = mine.find((j) => j.state === 'failed' && j.sync?.outcome?.state === 'failed');
  if (failed?.sync?.outcome && (!lastSync || failed.sync.outcome.at > lastSync.at)) lastSync = failed.sync.outcome;
  if (!state && !pending && !problem && !running) problem = 'The folder has not been synced yet, or was moved.';
  const d = descriptorOf(source);
  const root = selection?.target.path[0];
  const title = selection && d ? jobTitle({ ...selection, zip: false }, d, root && state?.root.name ? { [root.level]: state.root.name } : {}, 'sync') : entry.path;
  const next = entry.intervalMinutes && lastSync ? new Date(Date.parse(lastSync.at) + entry.intervalMinutes * 60_000).toISOString() : undefined;
  const summary: SyncFolderSummary = {
    id: entry.id,
    path: entry.path,
    title,
    source,
    target: selection?.target ?? { level: 'experiment', path: [] },
    types: selection?.types ?? [],
    ...(state?.root.name ? { rootName: state.root.name } : {}),
    createdAt: state?.createdAt ?? entry.createdAt,
    ...(lastSync ? { lastSync } : {}),
    ...(entry.intervalMinutes ? { intervalMinutes: entry.intervalMinutes } : {}),
    ...(next ? { nextSyncAt: next } : {}),
    ...(running ? { jobId: running.id } : {}),
    ...(problem ? { problem } : {}),
  };
  return { entry, state, summary };
}
