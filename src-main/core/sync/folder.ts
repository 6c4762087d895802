// Where a sync folder keeps what it needs besides the files a folder export writes, all in one
// hidden folder inside it (never the credential):
//
//   DIR/.studydl-sync/
//     state.json      the selection, the cursors per stream, the items seen, the files written
//     journal.json    only while a sync puts its files in place (a crash there is finished next time)
//     pending.json    only until the first sync has finished: its selection, to go on with
//     lock/           held by the process syncing the folder (a second one is refused in words)
//     work/           this attempt's fetched pages and new record files (removed when it ends)
//     staging/        the new files, written whole, then renamed into DIR
//     store/          the raw records per stream, in server order (the folder's memory)
//
// A pseudonymized or aggregate folder keeps its raw records (names, ids) out of the folder the
// user shares: its store lives in the app's data folder, like the study's code map.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { StudyError } from '../../../src-shared/errors';
import { ensurePrivateDir } from '../state/private-files';

export const SYNC_DIR_NAME = '.studydl-sync';

export interface SyncPaths {
  dir: string;
  meta: string;
  state: string;
  journal: string;
  /** The selection of a first sync that has not finished yet (so `studydl sync DIR` can go on with it). */
  pending: string;
  lock: string;
  work: string;
  staging: string;
  /** The store inside the folder (keep mode); anonymized folders name theirs in the state. */
  localStore: string;
}

export function syncPaths(dir: string): SyncPaths {
  const meta = path.join(dir, SYNC_DIR_NAME);
  return {
    dir,
    meta,
    state: path.join(meta, 'state.json'),
    journal: path.join(meta, 'journal.json'),
    pending: path.join(meta, 'pending.json'),
    lock: path.join(meta, 'lock'),
    work: path.join(meta, 'work'),
    staging: path.join(meta, 'staging'),
    localStore: path.join(meta, 'store'),
  };
}

/** The store of an anonymized folder, in the app's data folder: <storesDir>/<folder id>. */
export function externalStoreDir(storesDir: string, folderId: string): string {
  return path.join(storesDir, folderId.replace(/[^A-Za-z0-9_-]/g, '_'));
}

/** Whether DIR holds anything besides the sync folder's own hidden folder. */
export async function hasOtherFiles(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).some((n) => n !== SYNC_DIR_NAME);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

/** A lock on the folder held while a sync runs; released by the returned function. */
export type ReleaseLock = () => Promise<void>;

/**
 * Takes the folder's lock for the length of a sync. A holder that died (kill -9) leaves a lock
 * that goes stale within seconds; one that is alive keeps it fresh, and then a second sync is
 * refused in plain words rather than allowed to mix its files with the first one's.
 */
export async function lockSyncFolder(p: SyncPaths): Promise<ReleaseLock> {
  ensurePrivateDir(p.meta);
  try {
    const release = await lockfile.lock(p.meta, {
      lockfilePath: p.lock,
      realpath: false,
      stale: 5_000,
      update: 1_000,
      // A little longer than the stale time, so a killed holder's lock is taken over.
      retries: { retries: 40, factor: 1.2, minTimeout: 50, maxTimeout: 250 },
    });
    return () => release().catch(() => undefined);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new StudyError({
        code: 'INVALID_ARGUMENT',
        message: `Another Study Downloader window or studydl process is bringing ${p.dir} up to date right now.`,
        fix: 'Wait for it to finish, then sync again if you still need to.',
      });
    }
    throw e;
  }
}
