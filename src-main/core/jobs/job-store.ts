// Job state on disk through `conf` (`<dataDir>/jobs.json`): snapshots and the paths a job
// needs to resume, never the API key. Each job is written under its own key (read-modify-write
// of the file), so two processes sharing the dir (the app and `studydl`) do not erase each
// other's jobs. Written on every state change and, for progress, at most every couple of seconds.
import Conf from 'conf';
import type { JobSnapshot } from '../../../src-shared/model';

export interface StoredJob {
  snapshot: JobSnapshot;
  /** The job's staging dir (checkpoints: pages, .part media, plan). */
  workDir: string;
  destination: string;
  /** Absolute path of the finished ZIP or folder (completed jobs only). */
  outputPath?: string;
  /** The process running it, while it runs (to tell a crash from a job running elsewhere). */
  ownerPid?: number;
}

interface JobsFile extends Record<string, unknown> {
  jobs: Record<string, StoredJob>;
}

export interface JobStore {
  load(): StoredJob[];
  save(job: StoredJob): void;
  delete(id: string): void;
}

export function createJobStore(dataDir: string, opts: { readOnly?: boolean } = {}): JobStore {
  const conf = new Conf<JobsFile>({ cwd: dataDir, configName: 'jobs', defaults: { jobs: {} }, clearInvalidConfig: false });
  return {
    load: () => Object.values(conf.get('jobs') ?? {}).map((j) => structuredClone(j)),
    save(job) {
      if (opts.readOnly) return;
      conf.set(`jobs.${job.snapshot.id}`, JSON.parse(JSON.stringify(job)) as StoredJob);
    },
    delete(id) {
      if (opts.readOnly) return;
      conf.delete(`jobs.${id}` as 'jobs');
    },
  };
}

/** True when a process with this pid exists (on this machine). */
export function processAlive(pid: number | undefined): boolean {
  if (!pid || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
