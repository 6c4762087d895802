// The persistent export queue: start, pause, resume, cancel, retry, remove.
// One job runs at a time (they share one API key's budget); the rest wait in order.
// Checkpoints live in each job's staging dir (see export/run), so pausing, a crash or a
// restart loses nothing: the next attempt skips every page and byte already on disk.
import path from 'node:path';
import { StudyError, toErrorInfo } from '../../../src-shared/errors';
import { exportRequestSchema } from '../../../src-shared/contract';
import type { ExportRequest, JobProgress, JobSnapshot, JobState, Settings } from '../../../src-shared/model';
import { silentLogger, systemClock, type Clock, type Logger } from '../ports';
import type { HyperStudyClient } from '../sources/hyperstudy/client-types';
import type { MediaGet } from '../export/media/media-http';
import { asDiskError } from '../export/run/disk-errors';
import { createProgressTracker, type ProgressSink } from '../export/run/progress';
import { discardExport, runExport, type ExportResult, type RunExportOptions } from '../export/run/run-export';
import { createJobStore, processAlive, type StoredJob } from './job-store';
import { jobTitle, newJobId, type TitleNames } from './job-title';
import type { InternalPlan } from '../plan/planner';
import { estimateSeconds } from '../plan/estimate';

export interface JobManagerOptions {
  dataDir: string;
  getClient: () => Promise<{ client: HyperStudyClient; sourceUrl: string }>;
  getSettings: () => Settings;
  clock?: Clock;
  logger?: Logger;
  appVersion: string;
  /** GET for signed media URLs (tests inject; default node:http). */
  mediaGet?: MediaGet;
  /** Replaces the export runner (tests of the queue itself). */
  runner?: (opts: RunExportOptions) => Promise<ExportResult>;
  /** Progress coalescing interval, ms (default 100 → about 10 events a second). */
  progressIntervalMs?: number;
  /** Only read the queue (e.g. `studydl jobs` while another process runs an export): nothing is written. */
  readOnly?: boolean;
  /** Where the studies' participant code maps live, for pseudonyms that hold across exports (see code-book). */
  codeMaps?: { dir: string; source: string };
}

/** What the caller already knows about a new job (nothing here is persisted). */
export interface StartExtras {
  /** The plan just shown to the user for this very request: the first attempt uses it instead of planning again. */
  plan?: InternalPlan;
  /** The client that made that plan: the first attempt goes on with it (its request count, its listings). */
  client?: HyperStudyClient;
  /** Names for the title from the start (the experiment's, the room's, the participant's). */
  names?: TitleNames;
}

export type JobEvent = 'progress' | 'state';

export interface JobManager {
  start(req: ExportRequest, extras?: StartExtras): Promise<JobSnapshot>;
  list(): JobSnapshot[];
  get(id: string): JobSnapshot | undefined;
  pause(id: string): Promise<JobSnapshot>;
  resume(id: string): Promise<JobSnapshot>;
  cancel(id: string): Promise<JobSnapshot>;
  retry(id: string): Promise<JobSnapshot>;
  remove(id: string): Promise<JobSnapshot[]>;
  /** Absolute path of a completed job's ZIP or folder; null otherwise. */
  outputPath(id: string): string | null;
  on(event: 'progress', cb: (p: JobProgress) => void): () => void;
  on(event: 'state', cb: (s: JobSnapshot) => void): () => void;
  /** Resolves once the job is no longer queued or running (completed, failed, paused, cancelled, interrupted). */
  settled(id: string): Promise<JobSnapshot>;
  close(): Promise<void>;
}

type StopReason = 'pause' | 'cancel' | 'close';
const ACTIVE: ReadonlySet<JobState> = new Set(['queued', 'running', 'waiting']);

function emptyProgress(jobId: string, state: JobState): JobProgress {
  return {
    jobId, state, phase: 'planning', step: 'Queued', recordsDone: 0, recordsTotal: 0, bytesDone: 0, bytesTotal: 0,
    requestsUsed: 0, requestsPlanned: 0, etaSeconds: null, fraction: 0,
  };
}

export function createJobManager(opts: JobManagerOptions): JobManager {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? silentLogger;
  const runner = opts.runner ?? runExport;
  const store = createJobStore(opts.dataDir, { readOnly: opts.readOnly });
  const jobs = new Map<string, StoredJob>();
  const listeners = { progress: new Set<(p: JobProgress) => void>(), state: new Set<(s: JobSnapshot) => void>() };
  const waiters = new Map<string, Set<(s: JobSnapshot) => void>>();
  let current: { id: string; controller: AbortController; done: Promise<void>; tracker: ProgressSink } | null = null;
  let closed = false;
  let lastPersist = 0;
  /** Plans handed to start(), used once by the job's first attempt. */
  const readyPlans = new Map<string, { plan: InternalPlan; client?: HyperStudyClient }>();
  /** Names given at start() (the title keeps them when the experiment's name arrives). */
  const titleNames = new Map<string, TitleNames>();

  // A job that was running when the process died is resumable from its checkpoints.
  for (const job of store.load()) {
    if (ACTIVE.has(job.snapshot.state) && !processAlive(job.ownerPid)) {
      job.snapshot.state = 'interrupted';
      job.snapshot.resumable = true;
      job.snapshot.progress = { ...job.snapshot.progress, state: 'interrupted', wait: undefined, etaSeconds: null };
      store.save(job);
    }
    jobs.set(job.snapshot.id, job);
  }

  const iso = () => new Date(clock.now()).toISOString();
  const need = (id: string): StoredJob => {
    const j = jobs.get(id);
    if (!j) throw new StudyError({ code: 'NOT_FOUND', message: `There is no download with id ${id}.`, fix: 'List the downloads to see their ids.' });
    return j;
  };
  const snap = (j: StoredJob): JobSnapshot => structuredClone(j.snapshot);

  function setState(job: StoredJob, state: JobState, patch: Partial<JobSnapshot> = {}): void {
    job.snapshot = { ...job.snapshot, ...patch, state, progress: { ...job.snapshot.progress, state } };
    if (state !== 'running') delete job.snapshot.progress.wait;
    store.save(job);
    const s = snap(job);
    for (const cb of listeners.state) safeCall(() => cb(s));
    if (!ACTIVE.has(state)) {
      for (const w of waiters.get(job.snapshot.id) ?? []) w(s);
      waiters.delete(job.snapshot.id);
    }
  }

  function safeCall(f: () => void) {
    try {
      f();
    } catch (e) {
      logger.warn('job listener failed', { error: toErrorInfo(e).message });
    }
  }

  function onProgress(job: StoredJob, p: JobProgress): void {
    job.snapshot.progress = p;
    if (clock.now() - lastPersist > 2000) {
      lastPersist = clock.now();
      store.save(job);
    }
    for (const cb of listeners.progress) safeCall(() => cb(p));
  }

  function pump(): void {
    if (current || closed) return;
    const next = [...jobs.values()]
      .filter((j) => j.snapshot.state === 'queued')
      .sort((a, b) => a.snapshot.createdAt.localeCompare(b.snapshot.createdAt))[0];
    if (!next) return;
    const controller = new AbortController();
    const id = next.snapshot.id;
    let requestsUsedNow = () => next.snapshot.progress.requestsUsed;
    let limitSeconds: ((n: number) => number) | undefined;
    const tracker = createProgressTracker({
      jobId: id,
      state: () => jobs.get(id)?.snapshot.state ?? 'running',
      requestsUsed: () => requestsUsedNow(),
      emit: (p) => onProgress(next, p),
      clock,
      intervalMs: opts.progressIntervalMs,
      initial: next.snapshot.progress,
      limitSeconds: (n) => limitSeconds?.(n) ?? 0,
    });
    next.ownerPid = process.pid;
    setState(next, 'running', { startedAt: next.snapshot.startedAt ?? iso(), resumable: true, error: undefined });
    const done = (async () => {
      try {
        const ready = readyPlans.get(id);
        readyPlans.delete(id);
        const fromCore = await opts.getClient();
        const client = ready?.client ?? fromCore.client;
        const sourceUrl = fromCore.sourceUrl;
        // Requests of earlier attempts plus this one's (the client may be shared across jobs).
        const base = next.snapshot.progress.requestsUsed ?? 0;
        const at = client.requestsMade();
        requestsUsedNow = () => base + client.requestsMade() - at;
        // The key's rate limit sets a floor for what is left (endpoints spread out, so only the key's budget counts).
        limitSeconds = (n) => estimateSeconds({ requestsByEndpoint: { all: n }, budget: { ...client.budget(), endpointLimit: Number.MAX_SAFE_INTEGER } });
        const settings = opts.getSettings();
        const plan = ready?.plan;
        const result = await runner({
          client,
          sourceUrl,
          request: next.snapshot.request,
          workDir: next.workDir,
          destination: next.destination,
          appVersion: opts.appVersion,
          concurrency: settings.concurrency,
          mediaConcurrency: settings.mediaConcurrency,
          clock,
          logger,
          mediaGet: opts.mediaGet,
          signal: controller.signal,
          progress: tracker,
          ...(plan ? { plan } : {}),
          ...(opts.codeMaps ? { codeMaps: opts.codeMaps } : {}),
          onInfo: (info) => {
            if (info.experimentName && !next.snapshot.title.includes(`“${info.experimentName}”`)) {
              next.snapshot.title = jobTitle(next.snapshot.request, { ...titleNames.get(id), experiment: info.experimentName });
            }
          },
        });
        next.outputPath = result.outputPath;
        tracker.phase('done', 'Done');
        setState(next, 'completed', {
          finishedAt: iso(),
          outputName: result.outputName,
          manifest: result.manifest,
          resumable: false,
          progress: { ...tracker.snapshot(), state: 'completed', fraction: 1, etaSeconds: 0 },
        });
      } catch (e) {
        const reason = controller.signal.aborted ? (controller.signal.reason as StopReason) : null;
        if (reason === 'cancel') {
          await discardExport(next.workDir).catch((err: unknown) => logger.warn('could not remove a cancelled export', { error: toErrorInfo(err).message }));
          setState(next, 'cancelled', { finishedAt: iso(), resumable: false });
        } else if (reason === 'pause') {
          setState(next, 'paused', { resumable: true });
        } else if (reason === 'close') {
          setState(next, 'interrupted', { resumable: true });
        } else {
          const info = toErrorInfo(asDiskError(e, next.destination));
          logger.error('export failed', { jobId: id, code: info.code, message: info.message });
          setState(next, 'failed', { finishedAt: iso(), error: info, resumable: true });
        }
      } finally {
        delete next.ownerPid;
        store.save(next);
        current = null;
        queueMicrotask(pump);
      }
    })();
    current = { id, controller, done, tracker };
  }

  async function stopCurrent(id: string, reason: StopReason): Promise<void> {
    if (current?.id !== id) return;
    const { controller, done } = current;
    controller.abort(reason);
    await done;
  }

  return {
    async start(req, extras = {}) {
      const parsed = exportRequestSchema.safeParse(req);
      if (!parsed.success) {
        const detail = parsed.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; ');
        throw new StudyError({ code: 'INVALID_ARGUMENT', message: `The export request is not valid: ${detail}` });
      }
      const request = parsed.data as ExportRequest;
      const settings = opts.getSettings();
      const destination = path.resolve(request.destination ?? settings.downloadFolder);
      const id = newJobId(clock.now());
      const plan = extras.plan;
      const progress = emptyProgress(id, 'queued');
      // A plan made just before counts: its requests belong to this export's total.
      if (plan) Object.assign(progress, { requestsUsed: plan.plan.requestsSpentPlanning, requestsPlanned: plan.plan.requestsNeeded });
      const job: StoredJob = {
        snapshot: {
          id,
          title: jobTitle(request, extras.names),
          request: { ...request, destination },
          state: 'queued',
          createdAt: iso(),
          progress,
          resumable: false,
        },
        workDir: path.join(destination, `.studydl-${id}`),
        destination,
      };
      if (extras.names) titleNames.set(id, extras.names);
      jobs.set(id, job);
      if (plan) readyPlans.set(id, { plan, ...(extras.client ? { client: extras.client } : {}) });
      setState(job, 'queued');
      pump();
      return snap(job);
    },
    list: () => [...jobs.values()].map(snap).sort((a, b) => b.createdAt.localeCompare(a.createdAt)),
    get: (id) => {
      const j = jobs.get(id);
      return j ? snap(j) : undefined;
    },
    async pause(id) {
      const job = need(id);
      if (job.snapshot.state === 'queued') setState(job, 'paused', { resumable: true });
      else if (current?.id === id) await stopCurrent(id, 'pause');
      return snap(job);
    },
    async resume(id) {
      const job = need(id);
      const s = job.snapshot.state;
      if (s === 'paused' || s === 'interrupted' || (s === 'failed' && job.snapshot.resumable)) {
        setState(job, 'queued', { error: undefined });
        pump();
      } else if (s === 'cancelled' || s === 'failed') {
        throw new StudyError({ code: 'INVALID_ARGUMENT', message: 'This download cannot be resumed.', fix: 'Retry it to start again.' });
      }
      return snap(job);
    },
    async cancel(id) {
      const job = need(id);
      if (current?.id === id) await stopCurrent(id, 'cancel');
      else if (!['completed', 'cancelled'].includes(job.snapshot.state)) {
        await discardExport(job.workDir);
        setState(job, 'cancelled', { finishedAt: iso(), resumable: false });
      }
      return snap(job);
    },
    async retry(id) {
      const job = need(id);
      const s = job.snapshot.state;
      if (s === 'failed' || s === 'cancelled' || s === 'interrupted' || s === 'paused') {
        if (s === 'cancelled') job.snapshot.progress = emptyProgress(id, 'queued');
        setState(job, 'queued', { error: undefined, finishedAt: undefined });
        pump();
      }
      return snap(job);
    },
    async remove(id) {
      const job = need(id);
      if (ACTIVE.has(job.snapshot.state)) {
        throw new StudyError({ code: 'INVALID_ARGUMENT', message: 'This download is still running.', fix: 'Cancel or pause it first, then remove it.' });
      }
      if (job.snapshot.state !== 'completed') await discardExport(job.workDir).catch(() => {});
      jobs.delete(id);
      store.delete(id);
      return [...jobs.values()].map(snap).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    },
    outputPath(id) {
      const j = jobs.get(id);
      return j && j.snapshot.state === 'completed' && j.outputPath ? j.outputPath : null;
    },
    on(event: JobEvent, cb: (x: never) => void) {
      const set = listeners[event] as Set<typeof cb>;
      set.add(cb);
      return () => void set.delete(cb);
    },
    settled(id) {
      const job = need(id);
      if (!ACTIVE.has(job.snapshot.state)) return Promise.resolve(snap(job));
      return new Promise((resolve) => {
        let set = waiters.get(id);
        if (!set) waiters.set(id, (set = new Set()));
        set.add(resolve);
      });
    },
    async close() {
      closed = true;
      if (current) await stopCurrent(current.id, 'close');
    },
  } as JobManager;
}
