// Job state on disk (`<dataDir>/jobs.json`, mode 0600): snapshots and the paths a job needs to
// resume, never the API key. The app, browser mode and any number of `studydl` processes share
// the file, so every change is a read-modify-write under its cross-process lock and only touches
// the entries it means to: nobody's write erases anybody else's job.
//
// A damaged file never stops anyone: reading skips what cannot be used and keeps every job that
// can; the first write (or repair()) under the lock sets the damaged file aside as
// `jobs.json.corrupt-<time>`, writes back the readable jobs, and adds a notice naming both.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Notice } from '../../../src-shared/model';
import type { Logger } from '../ports';
import { setAsideCorruptFile } from '../state/corrupt-backup';
import { withFileLock } from '../state/file-lock';
import { writePrivateFileSync } from '../state/private-files';
import { parseJobsFile, serializeJobsFile, type JobsFileContents, type StoredJob } from './job-file';

export type { StoredJob } from './job-file';

export const JOBS_FILE_NAME = 'jobs.json';

export interface JobStore {
  readonly file: string;
  /** The jobs as the file holds them now (no lock needed: the file is only ever replaced whole). */
  read(): JobsFileContents;
  /**
   * Runs change on the jobs as they are on disk, under the lock, then writes them back.
   * A damaged file is set aside first. Returns change's result.
   */
  update<T>(change: (jobs: Map<string, StoredJob>) => T): Promise<T>;
  /** Sets a damaged file aside now (keeping its readable jobs); a no-op for a sound file. */
  repair(): Promise<void>;
  /** Problems met so far (a damaged file that was set aside). */
  notices(): Notice[];
}

export function createJobStore(dataDir: string, opts: { logger?: Logger; now?: () => number } = {}): JobStore {
  const file = path.join(dataDir, JOBS_FILE_NAME);
  const now = opts.now ?? Date.now;
  const noticeList: Notice[] = [];

  function read(): JobsFileContents {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { jobs: new Map(), skipped: 0, unparseable: false };
      throw e;
    }
    return parseJobsFile(text);
  }

  const damaged = (c: JobsFileContents) => c.unparseable || c.skipped > 0;

  /** Under the lock: moves a damaged file aside and says so. */
  function setAside(contents: JobsFileContents): void {
    const backup = setAsideCorruptFile(file, now());
    if (!backup) return;
    const what = contents.unparseable
      ? 'it was cut off or is not valid JSON'
      : `${contents.skipped} ${contents.skipped === 1 ? 'entry was' : 'entries were'} empty or not a download`;
    const kept = contents.jobs.size;
    noticeList.push({
      level: 'warning',
      message: `The list of downloads (${file}) could not be read in full: ${what}. The file was kept as ${backup}; ${kept} ${kept === 1 ? 'download that could be read is' : 'downloads that could be read are'} still listed.`,
      fix: 'Nothing to do for the downloads still listed. Anything else is in the backup file.',
    });
    opts.logger?.warn('jobs file was damaged and has been set aside', { file, backup, skipped: contents.skipped, unparseable: contents.unparseable, kept });
  }

  async function update<T>(change: (jobs: Map<string, StoredJob>) => T): Promise<T> {
    return withFileLock(
      file,
      () => {
        const contents = read();
        if (damaged(contents)) setAside(contents);
        const result = change(contents.jobs);
        writePrivateFileSync(file, serializeJobsFile(contents.jobs.values()));
        return result;
      },
      { onCompromised: (e) => opts.logger?.warn('jobs file lock was taken over', { error: e.message }) },
    );
  }

  return {
    file,
    read,
    update,
    async repair() {
      if (damaged(read())) await update(() => undefined);
    },
    notices: () => [...noticeList],
  };
}
