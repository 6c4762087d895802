// Jobs (snapshots) and their live progress, kept apart so progress ticks re-render only the bars.
import { createStore } from 'zustand/vanilla';
import type { JobProgress, JobSnapshot } from '../../../src-shared/model';

export interface JobsState {
  jobsById: Record<string, JobSnapshot>;
  /** Newest first. */
  jobIds: string[];
}
export type ProgressState = Record<string, JobProgress>;

export const createJobsStore = () => createStore<JobsState>()(() => ({ jobsById: {}, jobIds: [] }));
export const createProgressStore = () => createStore<ProgressState>()(() => ({}));

export type JobsStore = ReturnType<typeof createJobsStore>;
export type ProgressStore = ReturnType<typeof createProgressStore>;

export const ACTIVE_STATES = new Set(['queued', 'running', 'paused', 'waiting']);

function orderIds(byId: Record<string, JobSnapshot>): string[] {
  return Object.values(byId)
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? 1 : -1))
    .map((j) => j.id);
}

export function upsertJob(jobs: JobsStore, progress: ProgressStore, job: JobSnapshot): void {
  jobs.setState((s) => {
    const jobsById = { ...s.jobsById, [job.id]: job };
    return { jobsById, jobIds: s.jobsById[job.id] ? s.jobIds : orderIds(jobsById) };
  });
  // A state change carries the latest progress too; keep the bar in step with it.
  progress.setState((p) => ({ ...p, [job.id]: { ...job.progress, state: job.state } }));
}

export function replaceJobs(jobs: JobsStore, progress: ProgressStore, list: JobSnapshot[]): void {
  const jobsById: Record<string, JobSnapshot> = {};
  const prog: ProgressState = {};
  for (const j of list) {
    jobsById[j.id] = j;
    prog[j.id] = { ...j.progress, state: j.state };
  }
  jobs.setState({ jobsById, jobIds: orderIds(jobsById) });
  progress.setState(prog, true);
}

export function removeJobLocal(jobs: JobsStore, progress: ProgressStore, jobId: string): void {
  jobs.setState((s) => {
    const jobsById = { ...s.jobsById };
    delete jobsById[jobId];
    return { jobsById, jobIds: s.jobIds.filter((id) => id !== jobId) };
  });
  progress.setState((p) => {
    const next = { ...p };
    delete next[jobId];
    return next;
  }, true);
}

export function applyProgress(progress: ProgressStore, jobs: JobsStore, p: JobProgress): void {
  progress.setState((s) => ({ ...s, [p.jobId]: p }));
  const job = jobs.getState().jobsById[p.jobId];
  if (job && job.state !== p.state && !isTerminal(job.state)) {
    jobs.setState((s) => ({ jobsById: { ...s.jobsById, [p.jobId]: { ...job, state: p.state } } }));
  }
}

export function isTerminal(state: string): boolean {
  return state === 'completed' || state === 'failed' || state === 'cancelled';
}
