// The folders the app keeps up to date (<dataDir>/sync-folders.json, 0600): where each is, when
// it was added, how often to sync it while the app runs. Everything else about a folder is read
// from the folder itself (its state file), so a sync by `studydl` from cron shows in the app too.
// Shared by every process on the data folder: each change is a read-modify-write under the file's
// lock, and a damaged file is set aside (named in a notice) rather than blocking anyone.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { StudyError } from '../../../src-shared/errors';
import type { Notice } from '../../../src-shared/model';
import { setAsideCorruptFile } from '../state/corrupt-backup';
import { withFileLock } from '../state/file-lock';
import { writePrivateFileSync } from '../state/private-files';

export const SYNC_REGISTRY_FILE = 'sync-folders.json';

export interface SyncFolderEntry {
  id: string;
  /** Absolute path of the folder. */
  path: string;
  createdAt: string;
  /** Sync it every this many minutes while the app runs. */
  intervalMinutes?: number;
}

interface RegistryFile {
  version: 1;
  folders: SyncFolderEntry[];
}

export interface SyncRegistry {
  list(): SyncFolderEntry[];
  get(id: string): SyncFolderEntry;
  /** The entry of a folder (added when new). */
  add(dir: string, now: string): Promise<SyncFolderEntry>;
  remove(id: string): Promise<void>;
  setInterval(id: string, minutes: number | null): Promise<SyncFolderEntry>;
  /** Sets a damaged file aside now (start-up), not at the next change, so its notice can be shown. */
  flush(): Promise<void>;
  notices(): Notice[];
}

function isEntry(v: unknown): v is SyncFolderEntry {
  const e = v as SyncFolderEntry;
  return !!e && typeof e === 'object' && typeof e.id === 'string' && typeof e.path === 'string' && path.isAbsolute(e.path) && typeof e.createdAt === 'string' && (e.intervalMinutes === undefined || (Number.isFinite(e.intervalMinutes) && e.intervalMinutes > 0));
}

export function createSyncRegistry(dataDir: string): SyncRegistry {
  const file = path.join(dataDir, SYNC_REGISTRY_FILE);
  const notices: Notice[] = [];
  let damaged = false;

  function read(): SyncFolderEntry[] {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    try {
      const data = JSON.parse(text) as Partial<RegistryFile>;
      const folders = Array.isArray(data.folders) ? data.folders : [];
      const good = folders.filter(isEntry);
      damaged = good.length !== folders.length || !Array.isArray(data.folders);
      return good;
    } catch {
      damaged = true;
      return [];
    }
  }

  async function update<T>(change: (folders: SyncFolderEntry[]) => T): Promise<T> {
    return withFileLock(file, () => {
      const folders = read();
      if (damaged) {
        const backup = setAsideCorruptFile(file, Date.now());
        if (backup) notices.push({ level: 'warning', message: `The list of folders kept up to date (${file}) could not be read in full; it was kept as ${backup}.`, fix: 'The folders themselves are untouched: add them again with “Keep up to date”.' });
        damaged = false;
      }
      const result = change(folders);
      writePrivateFileSync(file, JSON.stringify({ version: 1, folders } satisfies RegistryFile, null, 1) + '\n');
      return result;
    });
  }

  const missing = (id: string) => new StudyError({ code: 'NOT_FOUND', message: 'That folder is not in the list of folders kept up to date.', fix: `Refresh the downloads panel (id ${id.slice(0, 64)}).` });

  return {
    list: () => read(),
    get(id) {
      const e = read().find((x) => x.id === id);
      if (!e) throw missing(id);
      return e;
    },
    add: (dir, now) =>
      update((folders) => {
        const abs = path.resolve(dir);
        const found = folders.find((f) => f.path === abs);
        if (found) return found;
        const entry: SyncFolderEntry = { id: `fold_${randomBytes(6).toString('hex')}`, path: abs, createdAt: now };
        folders.push(entry);
        return entry;
      }),
    remove: (id) =>
      update((folders) => {
        const i = folders.findIndex((f) => f.id === id);
        if (i < 0) throw missing(id);
        folders.splice(i, 1);
      }),
    setInterval: (id, minutes) =>
      update((folders) => {
        const e = folders.find((f) => f.id === id);
        if (!e) throw missing(id);
        if (minutes === null) delete e.intervalMinutes;
        else e.intervalMinutes = minutes;
        return { ...e };
      }),
    async flush() {
      read();
      if (damaged) await update(() => undefined);
    },
    notices: () => [...notices],
  };
}
