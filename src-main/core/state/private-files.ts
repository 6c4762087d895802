// The app's own state files (settings, profiles, jobs, limiter logs, their locks) are readable by
// the user only: directories 0700, files 0600, whatever the umask. Files are replaced atomically
// (write a temp file beside it, then rename) so a reader never sees half a file.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates dir (and parents) as 0700, and tightens dir itself if it already existed more open. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  try {
    chmodSync(dir, PRIVATE_DIR_MODE);
  } catch {
    /* not ours to change (e.g. a read-only mount): the files in it are still 0600 */
  }
}

/** Replaces file with text atomically, mode 0600, creating its folder (0700) if needed. */
export function writePrivateFileSync(file: string, text: string): void {
  ensurePrivateDir(path.dirname(file));
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, text, { mode: PRIVATE_FILE_MODE });
    chmodSync(tmp, PRIVATE_FILE_MODE); // the mode above is filtered by the umask only on creation
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
