// A state file that cannot be read (bad JSON, truncated, wrong shape) is never overwritten:
// it is renamed to `<file>.corrupt-<time>` first, so whatever it held can still be recovered
// by hand. Settings, profiles and jobs all name and move their damaged files this way.
import { renameSync } from 'node:fs';

/** `<file>.corrupt-2026-01-01T10-00-00-000Z` (no characters that some file systems refuse). */
export function corruptBackupPath(file: string, now: number): string {
  return `${file}.corrupt-${new Date(now).toISOString().replace(/[:.]/g, '-')}`;
}

/**
 * Moves a damaged file aside; returns the backup path, or null when the file is already gone
 * (another process set it aside first).
 */
export function setAsideCorruptFile(file: string, now: number): string | null {
  const backup = corruptBackupPath(file, now);
  try {
    renameSync(file, backup);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  return backup;
}
