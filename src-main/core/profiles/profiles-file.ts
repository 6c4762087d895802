// profiles.json: connection profiles WITHOUT keys (keys live in the SecretStore).
// Written atomically with mode 0600; a file that cannot be read is moved aside, not fatal.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { StudyError } from '../../../src-shared/errors';
import type { Notice, ProfileSummary } from '../../../src-shared/model';
import { corruptBackupPath } from '../state/corrupt-backup';

/** A profile as saved on disk: the shared summary's fields that persist, plus times. Never the key. */
export interface StoredProfile extends Pick<ProfileSummary, 'id' | 'name' | 'source' | 'environment' | 'baseUrl' | 'organizationId' | 'portal' | 'keyHint' | 'authMethod'> {
  createdAt: string;
  updatedAt: string;
}

export interface ProfilesData {
  version: 1;
  activeId: string | null;
  profiles: StoredProfile[];
}

export const PROFILES_FILE_NAME = 'profiles.json';

const empty = (): ProfilesData => ({ version: 1, activeId: null, profiles: [] });

export async function readProfiles(file: string, now: () => number, notices: Notice[]): Promise<ProfilesData> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return empty();
    throw new StudyError({
      code: 'DISK',
      message: `Your connection profiles file ${file} cannot be read (${code ?? (e as Error).message}).`,
      fix: 'Check that this file is a file and that your user may read it (or move it away to start with no connections), then start the app again.',
      details: { errno: code ?? null },
    }, { cause: e });
  }
  try {
    const data = JSON.parse(text) as ProfilesData;
    if (!data || !Array.isArray(data.profiles)) throw new Error('no profiles list');
    const profiles = data.profiles.filter(isStoredProfile);
    const activeId = profiles.some((p) => p.id === data.activeId) ? data.activeId : (profiles[0]?.id ?? null);
    return { version: 1, activeId, profiles };
  } catch {
    const backup = corruptBackupPath(file, now());
    try {
      await rename(file, backup);
    } catch (e) {
      // Another reader already set it aside.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return empty();
      throw e;
    }
    notices.push({
      level: 'warning',
      message: `Your connection profiles file could not be read, so it was set aside as ${backup}.`,
      fix: 'Add your connection again (your keys in the keychain are untouched).',
    });
    return empty();
  }
}

export async function writeProfiles(file: string, data: ProfilesData): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, JSON.stringify(data, null, 2) + '\n', { mode: 0o600 });
    await rename(tmp, file);
    await chmod(file, 0o600);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

function isStoredProfile(p: unknown): p is StoredProfile {
  const o = p as StoredProfile;
  return !!o && typeof o.id === 'string' && typeof o.name === 'string' && typeof o.baseUrl === 'string' && typeof o.environment === 'string';
}
