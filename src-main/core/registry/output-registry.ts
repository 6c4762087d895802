// Maps a job id to its output on disk, for the shell actions (show in folder, open, copy path,
// drag-out) and browser mode's download link. The renderer only ever names a job id; the path
// comes from the job manager, and is handed out only when the job has completed and the real
// path (symlinks resolved) lies inside the real download folder.
import { lstat, realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, sep } from 'node:path';
import { StudyError } from '../../../src-shared/errors';
import type { JobState } from '../../../src-shared/model';

export interface ResolvedOutput {
  /** Real absolute path (symlinks resolved). */
  path: string;
  kind: 'file' | 'folder';
  /** Bytes (files only; 0 for folders). */
  size: number;
}

export interface OutputRegistryDeps {
  /** The job's state and its output path as the job manager recorded it; null for an unknown job. */
  lookup(jobId: string): Promise<{ state: JobState; outputPath: string | null } | null> | { state: JobState; outputPath: string | null } | null;
  /** The folder exports are written to (settings), or the folder of this job's destination. */
  downloadFolder(jobId: string): string | Promise<string>;
}

export interface OutputRegistry {
  /** The finished output of a job; throws NOT_FOUND (unknown job / missing file) or INVALID_ARGUMENT (not finished / outside the folder). */
  resolve(jobId: string): Promise<ResolvedOutput>;
}

/** True when `child` is `parent` itself or inside it (both already real, absolute paths). */
export function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!!rel && !rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel));
}

export function createOutputRegistry(deps: OutputRegistryDeps): OutputRegistry {
  return {
    async resolve(jobId) {
      const job = await deps.lookup(jobId);
      if (!job) throw new StudyError({ code: 'NOT_FOUND', message: 'That download is not in the list any more.', fix: 'Refresh the downloads panel.' });
      if (job.state !== 'completed' || !job.outputPath) {
        throw new StudyError({ code: 'INVALID_ARGUMENT', message: 'This download has not finished, so there is no file to show yet.', fix: 'Wait until it completes, or retry it.' });
      }
      const folder = await deps.downloadFolder(jobId);
      let realFolder: string;
      let realOutput: string;
      try {
        realFolder = await realpath(folder);
        await lstat(job.outputPath);
        realOutput = await realpath(job.outputPath);
      } catch {
        throw new StudyError({ code: 'NOT_FOUND', message: 'The exported file is no longer where it was saved (it may have been moved or deleted).', fix: 'Export it again, or look for it in your download folder.' });
      }
      if (realOutput === realFolder || !isInside(realFolder, realOutput)) {
        throw new StudyError({ code: 'INVALID_ARGUMENT', message: 'The exported file is outside the download folder, so the app will not open or drag it.', fix: 'Open it from your file manager, or export again into the download folder.' });
      }
      const s = await stat(realOutput);
      return { path: realOutput, kind: s.isDirectory() ? 'folder' : 'file', size: s.isDirectory() ? 0 : s.size };
    },
  };
}
