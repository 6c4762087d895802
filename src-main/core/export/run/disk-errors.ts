// File-system failures a researcher can act on (full disk, no permission, read-only disk)
// become one DISK StudyError in plain words. Anything else is passed through untouched.
import { StudyError, isStudyError } from '../../../../src-shared/errors';

const DISK_CODES = new Set(['ENOSPC', 'EDQUOT', 'EACCES', 'EPERM', 'EROFS', 'EIO', 'EMFILE', 'ENFILE', 'ENOTDIR', 'EISDIR']);

export function isDiskFailure(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && DISK_CODES.has(code);
}

/** Converts a Node file-system error into a DISK StudyError; returns other errors unchanged. */
export function asDiskError(e: unknown, folder?: string): unknown {
  if (isStudyError(e) || !isDiskFailure(e)) return e;
  const code = (e as { code: string }).code;
  const where = folder ? ` (${folder})` : '';
  const keep = 'What was already downloaded is kept, so the retry continues where it stopped.';
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new StudyError(
        { code: 'DISK', message: `The disk is full: the export could not be written${where}.`, fix: `Free some space or choose another download folder, then retry. ${keep}`, details: { errno: code } },
        { cause: e },
      );
    case 'EACCES':
    case 'EPERM':
      return new StudyError(
        { code: 'DISK', message: `Study Downloader is not allowed to write to the download folder${where}.`, fix: `Choose a folder you can write to, or change its permissions, then retry. ${keep}`, details: { errno: code } },
        { cause: e },
      );
    case 'EROFS':
      return new StudyError(
        { code: 'DISK', message: `The download folder is on a read-only disk${where}.`, fix: `Choose a folder on a writable disk, then retry. ${keep}`, details: { errno: code } },
        { cause: e },
      );
    case 'EMFILE':
    case 'ENFILE':
      return new StudyError(
        { code: 'DISK', message: 'Too many files are open at once to continue the export.', fix: `Close other programs and retry. ${keep}`, details: { errno: code } },
        { cause: e },
      );
    default:
      return new StudyError(
        { code: 'DISK', message: `The export could not be written to disk${where} (${code}).`, fix: `Check the download folder and the disk, then retry. ${keep}`, details: { errno: code } },
        { cause: e },
      );
  }
}

/**
 * Runs a whole export or sync: a cancel rethrows the signal's reason (not what the abort broke
 * on the way), and a file-system failure becomes the DISK error naming `folder`.
 */
export async function withDiskErrors<T>(work: () => Promise<T>, signal: AbortSignal | undefined, folder: string): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (signal?.aborted) throw signal.reason ?? e;
    throw asDiskError(e, folder);
  }
}
