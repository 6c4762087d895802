// The persistent export queue: start, pause, resume, cancel, retry, remove.
// One job runs at a time (they share one API key's budget); the rest wait in order.
// Checkpoints live in each job's staging dir (see export/run), so pausing, a crash or a
// restart loses nothing: the next attempt skips every page and byte already on disk.
//
// Several processes share the queue's file (the app, browser mode, `studydl`). Each job queued
// or running here carries this manager as its owner (pid, host, heartbeat): other processes show
// it as running here and leave it alone; only a job whose owner died becomes interrupted (and
// resumable). A process writes its own jobs as they change; touching any other job (resume,
// cancel, remove, marking a dead owner's job interrupted) is a check-and-change under the lock.
import path from 'node:path';
import { StudyError, toErrorInfo } from '../../../src-shared/errors';
import { exportRequestSchema } from '../../../src-shared/contract';
import type { ExportRequest, JobProgress, JobSnapshot, JobState, Notice, Settings, SourceId } from '../../../src-shared/model';
import { silentLogger, systemClock, type Clock, type Logger } from '../ports';
import { IN_FLIGHT_GRACE_MS } from '../net/http';
import { DEFAULT_SOURCE_ID, isSourceId, sourceDescriptor } from '../sources/registry';
import type { Source } from '../sources/source';
import type { MediaGet } from '../export/media/media-http';
import { asDiskError } from '../export/run/disk-errors';
import { createProgressTracker, type ProgressSink } from '../export/run/progress';
import { discardExport, runExport, type ExportResult, type RunExportOptions } from '../export/run/run-export';
import { emptyProgress } from './job-file';
import { HEARTBEAT_MS, newOwner, ownerAlive, type JobOwner } from './job-owner';
import { createJobStore, type StoredJob } from './job-store';
import { jobTitle, newJobId, type TitleNames } from './job-title';
import type { InternalPlan } from '../plan/planner';
import { estimateSeconds } from '../plan/estimate';
import { SYNC_DIR_NAME } from '../sync/folder';
import { runSync, type RunSyncOptions, type SyncResult } from '../sync/run-sync';
import type { JobSync } from '../../../src-shared/model';

export interface JobManagerOptions {
  dataDir: string;
  /** The open source a job runs against (the active profile's), and its base URL for the manifest. */
  getSource: () => Promise<{ source: Source; sourceUrl: string }>;
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
  /** Only list the queue (`studydl jobs`): no job state is written (a damaged file is still set aside). */
  readOnly?: boolean;
  /** Heartbeat period while this process owns a queued or running job, ms (default HEARTBEAT_MS). */
  heartbeatMs?: number;
  /** Where the studies' participant code maps live, for pseudonyms that hold across exports (see code-book). */
  codeMaps?: { dir: string };
  /** Replaces the sync runner (tests of the queue itself). */
  syncRunner?: (opts: RunSyncOptions) => Promise<SyncResult>;
  /** Where pseudonymized sync folders keep their raw records (the app's data folder). */
  syncStoresDir?: string;
}

export type JobEvent = 'progress' | 'state';

/** Who starts a job: the source it reads and the profile it was started with (both saved with the job). */
export interface JobOrigin {
  source: SourceId;
  profileId?: string;
}

/** What the caller knows about a new job: its origin (saved), and what only its first attempt uses. */
export interface StartExtras extends Partial<JobOrigin> {
  /** The plan just shown to the user for this very request: the first attempt uses it instead of planning again. */
  plan?: InternalPlan;
  /** The connection that made that plan: the first attempt goes on with it (its request count, its listings). */
  planSource?: Source;
  /** Names for the title from the start, by level (HyperStudy: the experiment's, the room's, the participant's). */
  names?: TitleNames;
  /** A sync of a folder kept up to date instead of an export (the request is the folder's selection). */
  sync?: Omit<JobSync, 'plan' | 'outcome'>;
}

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
  /** Problems met with the jobs file (a damaged file that was set aside), for the host to show. */
  notices(): Notice[];
  /** Resolves once every change made so far is on disk. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

type StopReason = 'pause' | 'cancel' | 'close' | 'taken';
const ACTIVE: ReadonlySet<JobState> = new Set(['queued', 'running', 'waiting']);

function runningElsewhere(o: JobOwner): StudyError {
  return new StudyError({
    code: 'INVALID_ARGUMENT',
    message: `This download is running in another Study Downloader window or studydl process (pid ${o.pid} on ${o.host}).`,
    fix: 'Pause or cancel it there, or wait for it to finish.',
  });
}

function notFound(id: string): StudyError {
  return new StudyError({ code: 'NOT_FOUND', message: `There is no download with id ${id}.`, fix: 'List the downloads to see their ids.' });
}

/** Marks a job as stopped by a crash (or a process that went away): resumable from its checkpoints. */
function interrupt(job: StoredJob): void {
  const progress = { ...job.snapshot.progress, state: 'interrupted' as const, etaSeconds: null };
  delete progress.wait;
  job.snapshot = { ...job.snapshot, state: 'interrupted', resumable: true, progress };
  delete job.owner;
}

export function createJobManager(opts: JobManagerOptions): JobManager {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? silentLogger;
  const runner = opts.runner ?? runExport;
  const me = newOwner();
  const store = createJobStore(opts.dataDir, { logger });
  const jobs = new Map<string, StoredJob>();
  const listeners = { progress: new Set<(p: JobProgress) => void>(), state: new Set<(s: JobSnapshot) => void>() };
  const waiters = new Map<string, Set<(s: JobSnapshot) => void>>();
  let current: { id: string; controller: AbortController; done: Promise<void>; tracker: ProgressSink } | null = null;
  let closed = false;
  let lastPersist = 0;
  /** My jobs with changes not yet on disk: id → change counter. */
  const dirty = new Map<string, number>();
  let changeCounter = 0;
  let writing: Promise<void> | null = null;
  let writeAgain = false;
  /** Lock-holding work started in the background (take-overs, repair), awaited by flush(). */
  const background = new Set<Promise<unknown>>();
  const takingOver = new Set<string>();
  /** Plans handed to start(), used once by the job's first attempt. */
  const readyPlans = new Map<string, { plan: InternalPlan; source?: Source }>();
  /** Names given at start() (the title keeps them when the experiment's name arrives). */
  const titleNames = new Map<string, TitleNames>();

  const mine = (j: StoredJob | undefined): boolean => !!j && j.owner?.token === me.token;
  const iso = () => new Date(clock.now()).toISOString();

  function inBackground(p: Promise<unknown>, what: string): void {
    const tracked = p.catch((e: unknown) => logger.warn(what, { error: toErrorInfo(e).message }));
    background.add(tracked);
    void tracked.finally(() => background.delete(tracked));
  }

  // ---------- the view of the file ----------

  /** Reads the file and takes every job that is not this manager's own; a dead owner's job becomes interrupted. */
  function refresh(): void {
    let disk: Map<string, StoredJob>;
    try {
      disk = store.read().jobs;
    } catch (e) {
      logger.warn('could not read the downloads list', { error: toErrorInfo(e).message });
      return;
    }
    const ours = (id: string) => mine(jobs.get(id)) || dirty.has(id) || current?.id === id;
    for (const [id, d] of disk) if (!ours(id)) jobs.set(id, d);
    for (const id of [...jobs.keys()]) if (!disk.has(id) && !ours(id)) jobs.delete(id);
    for (const job of jobs.values()) {
      if (ACTIVE.has(job.snapshot.state) && !mine(job) && !ownerAlive(job.owner, me)) takeOver(job);
    }
  }

  /** A dead owner's queued or running job: interrupted here at once, and on disk unless someone changed it meanwhile. */
  function takeOver(job: StoredJob): void {
    const id = job.snapshot.id;
    const deadToken = job.owner?.token;
    interrupt(job);
    if (opts.readOnly || takingOver.has(id)) return;
    takingOver.add(id);
    inBackground(
      store
        .update((disk) => {
          const d = disk.get(id);
          if (!d || !ACTIVE.has(d.snapshot.state) || d.owner?.token !== deadToken) return;
          interrupt(d);
          disk.set(id, d);
        })
        .finally(() => takingOver.delete(id)),
      'could not mark an interrupted download',
    );
  }

  const need = (id: string): StoredJob => {
    const j = jobs.get(id);
    if (!j) throw notFound(id);
    return j;
  };
  const snap = (j: StoredJob): JobSnapshot => {
    const s = structuredClone(j.snapshot);
    if (j.owner && !mine(j) && ACTIVE.has(s.state)) s.runningElsewhere = { pid: j.owner.pid, host: j.owner.host };
    return s;
  };

  // ---------- writing this manager's own jobs ----------

  function persist(job: StoredJob): void {
    if (opts.readOnly) return;
    dirty.set(job.snapshot.id, ++changeCounter);
    scheduleWrite();
  }

  function scheduleWrite(): void {
    if (writing) {
      writeAgain = true;
      return;
    }
    writing = (async () => {
      do {
        writeAgain = false;
        await Promise.resolve(); // changes made in the same tick go in one write
        const batch = new Map(dirty);
        if (!batch.size) break;
        let lost: Map<string, StoredJob | undefined>;
        try {
          lost = await store.update((disk) => writeMine(disk, batch));
        } catch (e) {
          logger.warn('could not save the downloads list', { error: toErrorInfo(e).message });
          break; // still dirty: the next change or heartbeat tries again
        }
        for (const [id, n] of batch) if (dirty.get(id) === n) dirty.delete(id);
        for (const [id, d] of lost) adopt(id, d);
      } while (writeAgain);
    })().finally(() => {
      writing = null;
      if (writeAgain) scheduleWrite(); // a change made after the loop's last look
    });
  }

  /**
   * Under the lock: writes each of my changed jobs, unless the file shows another owner took it
   * over meanwhile (then that owner's version wins). Returns the jobs lost that way.
   */
  function writeMine(disk: Map<string, StoredJob>, batch: Map<string, number>): Map<string, StoredJob | undefined> {
    const lost = new Map<string, StoredJob | undefined>();
    for (const id of batch.keys()) {
      const local = jobs.get(id);
      if (!local) continue;
      const d = disk.get(id);
      if (d && d.owner?.token !== me.token) {
        lost.set(id, d);
        continue;
      }
      if (mine(local)) local.owner!.heartbeatAt = Date.now();
      disk.set(id, structuredClone(local));
    }
    return lost;
  }

  /** Another process owns (or finished) a job I was writing: its version is the truth. */
  function adopt(id: string, d: StoredJob | undefined): void {
    if (!d) return;
    logger.warn('a download was taken over by another process', { jobId: id, pid: d.owner?.pid });
    jobs.set(id, d);
    if (current?.id === id) current.controller.abort('taken' satisfies StopReason);
    announce(d);
  }

  /**
   * Check-and-change of one job under the lock, for changes to jobs this manager may not own:
   * refused while another live process owns it; a dead owner's job is interrupted first.
   */
  async function claim(id: string, change: (job: StoredJob) => 'delete' | void): Promise<StoredJob | null> {
    const outcome = await store.update((disk) => {
      const local = jobs.get(id);
      const base = local && (mine(local) || dirty.has(id)) ? local : disk.get(id);
      if (!base) return { gone: true as const };
      if (base.owner && !mine(base) && ownerAlive(base.owner, me)) return { elsewhere: base, owner: base.owner };
      const next = structuredClone(base);
      if (ACTIVE.has(next.snapshot.state) && !mine(next)) interrupt(next);
      const verdict = change(next);
      if (verdict === 'delete') disk.delete(id);
      else disk.set(id, next);
      return { job: next, deleted: verdict === 'delete' };
    });
    if ('gone' in outcome) {
      jobs.delete(id);
      throw notFound(id);
    }
    if ('elsewhere' in outcome && outcome.elsewhere) {
      jobs.set(id, outcome.elsewhere);
      throw runningElsewhere(outcome.owner);
    }
    dirty.delete(id);
    if (outcome.deleted) {
      jobs.delete(id);
      return null;
    }
    jobs.set(id, outcome.job);
    announce(outcome.job);
    return outcome.job;
  }

  // ---------- state changes ----------

  function announce(job: StoredJob): void {
    const s = snap(job);
    for (const cb of listeners.state) safeCall(() => cb(s));
    if (!ACTIVE.has(s.state)) {
      for (const w of waiters.get(s.id) ?? []) w(s);
      waiters.delete(s.id);
    }
  }

  function setState(job: StoredJob, state: JobState, patch: Partial<JobSnapshot> = {}): void {
    job.snapshot = { ...job.snapshot, ...patch, state, progress: { ...(patch.progress ?? job.snapshot.progress), state } };
    if (state !== 'running') delete job.snapshot.progress.wait;
    if (!ACTIVE.has(state)) delete job.owner;
    persist(job);
    announce(job);
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
      persist(job);
    }
    for (const cb of listeners.progress) safeCall(() => cb(p));
  }

  // While this process owns queued or running jobs, their heartbeat says so to the others.
  const heartbeat = setInterval(() => {
    for (const job of jobs.values()) if (mine(job) && ACTIVE.has(job.snapshot.state)) persist(job);
  }, opts.heartbeatMs ?? HEARTBEAT_MS);
  heartbeat.unref?.();

  /** A sync job's run: the folder's sync through the same source, progress and stop signal as an export. */
  async function runSyncJob(
    job: StoredJob,
    sync: JobSync,
    run: Pick<RunSyncOptions, 'source' | 'sourceUrl' | 'signal' | 'progress' | 'requestsUsed' | 'concurrency' | 'mediaConcurrency'>,
  ): Promise<ExportResult> {
    const r = await (opts.syncRunner ?? runSync)({
      ...run,
      dir: sync.dir,
      ...(sync.create ? { create: { selection: job.snapshot.request, ...(job.snapshot.profileId ? { profileId: job.snapshot.profileId } : {}) } } : {}),
      ...(sync.full ? { full: true } : {}),
      ...(sync.verify ? { verify: true } : {}),
      appVersion: opts.appVersion,
      clock,
      logger,
      ...(opts.mediaGet ? { mediaGet: opts.mediaGet } : {}),
      ...(opts.codeMaps ? { codeMaps: opts.codeMaps } : {}),
      ...(opts.syncStoresDir ? { storesDir: opts.syncStoresDir } : {}),
      onPlan: (plan) => {
        job.snapshot.sync = { ...job.snapshot.sync!, plan };
        persist(job);
        announce(job);
      },
    });
    const rec = r.record;
    job.snapshot.sync = { ...job.snapshot.sync!, create: false, outcome: { at: rec.at, kind: rec.kind, state: 'completed', requests: rec.requests, newRecords: rec.newRecords, peopleWithNewData: rec.peopleWithNewData, ...(r.state.root.name ? { rootName: r.state.root.name } : {}) } };
    if (r.state.root.name && !job.snapshot.title.includes(`“${r.state.root.name}”`)) {
      const root = job.snapshot.request.target.path[0]?.level ?? '';
      job.snapshot.title = jobTitle(job.snapshot.request, run.source.descriptor, { ...titleNames.get(job.snapshot.id), [root]: r.state.root.name }, 'sync');
    }
    return { outputPath: r.outputPath, outputName: r.outputName, manifest: r.manifest };
  }

  function pump(): void {
    if (current || closed) return;
    const next = [...jobs.values()]
      .filter((j) => j.snapshot.state === 'queued' && mine(j))
      .sort((a, b) => a.snapshot.createdAt.localeCompare(b.snapshot.createdAt))[0];
    if (!next) return;
    const controller = new AbortController();
    const id = next.snapshot.id;
    // Requests of every attempt: the earlier ones (saved with the job) plus this one's.
    const before = next.snapshot.progress.requestsUsed ?? 0;
    let requestsUsedNow = () => before;
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
      // (A job of a source this version does not know fails below, in words; its steps use ids.)
      ...(isSourceId(next.snapshot.source ?? DEFAULT_SOURCE_ID) ? { dataTypes: sourceDescriptor(next.snapshot.source ?? DEFAULT_SOURCE_ID).dataTypes } : {}),
    });
    const progressNow = (): JobProgress => ({ ...next.snapshot.progress, requestsUsed: requestsUsedNow() });
    setState(next, 'running', { startedAt: next.snapshot.startedAt ?? iso(), resumable: true, error: undefined });
    let quiet = async () => {};
    const done = (async () => {
      try {
        const ready = readyPlans.get(id);
        readyPlans.delete(id);
        const fromCore = await opts.getSource();
        const source = ready?.source ?? fromCore.source;
        const sourceUrl = fromCore.sourceUrl;
        const wanted = next.snapshot.source ?? DEFAULT_SOURCE_ID;
        if (source.id !== wanted) {
          throw new StudyError({
            code: 'INVALID_ARGUMENT',
            message: `This download reads ${sourceDescriptor(wanted).label}, but the active connection is to ${source.descriptor.label}.`,
            fix: `Switch to a ${sourceDescriptor(wanted).label} connection, then resume it.`,
          });
        }
        // On a stop, requests already sent may still answer (see IN_FLIGHT_GRACE_MS): count them too.
        quiet = () => source.whenQuiet(IN_FLIGHT_GRACE_MS + 500);
        // The source may be shared with other jobs and with browsing: count this attempt's part only.
        const at = source.requestsMade();
        requestsUsedNow = () => before + source.requestsMade() - at;
        // The key's rate limit sets a floor for what is left (endpoints spread out, so only the key's
        // budget counts). Only an estimate: a source that cannot tell its budget sets no floor.
        limitSeconds = (n) => {
          const budget = (source as Partial<Pick<Source, 'budget'>>).budget?.();
          return budget ? estimateSeconds({ requestsByEndpoint: { all: n }, budget: { ...budget, endpointLimit: Number.MAX_SAFE_INTEGER } }) : 0;
        };
        const settings = opts.getSettings();
        const plan = ready?.plan;
        const sync = next.snapshot.sync;
        const result = sync
          ? await runSyncJob(next, sync, { source, sourceUrl, signal: controller.signal, progress: tracker, requestsUsed: () => requestsUsedNow(), concurrency: settings.concurrency, mediaConcurrency: settings.mediaConcurrency })
          : await runner({
          source,
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
          requestsUsed: () => requestsUsedNow(),
          ...(plan ? { plan } : {}),
          ...(opts.codeMaps ? { codeMaps: opts.codeMaps } : {}),
          onInfo: (info) => {
            if (info.rootName && !next.snapshot.title.includes(`“${info.rootName}”`)) {
              const root = next.snapshot.request.target.path[0]?.level ?? '';
              next.snapshot.title = jobTitle(next.snapshot.request, source.descriptor, { ...titleNames.get(id), [root]: info.rootName });
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
        if (reason) await quiet();
        if (reason === 'taken') {
          // Another process resumed it (it thought we were gone): its run is the one that counts.
        } else if (reason === 'cancel') {
          await discardExport(next.workDir).catch((err: unknown) => logger.warn('could not remove a cancelled export', { error: toErrorInfo(err).message }));
          setState(next, 'cancelled', { finishedAt: iso(), resumable: false, progress: progressNow() });
        } else if (reason === 'pause') {
          setState(next, 'paused', { resumable: true, progress: progressNow() });
        } else if (reason === 'close') {
          setState(next, 'interrupted', { resumable: true, progress: progressNow() });
        } else {
          const info = toErrorInfo(asDiskError(e, next.destination));
          logger.error(next.snapshot.sync ? 'sync failed' : 'export failed', { jobId: id, code: info.code, message: info.message });
          if (next.snapshot.sync) {
            next.snapshot.sync = { ...next.snapshot.sync, outcome: { at: next.snapshot.startedAt ?? iso(), kind: next.snapshot.sync.plan?.kind ?? 'incremental', state: 'failed', requests: requestsUsedNow(), newRecords: {}, peopleWithNewData: 0, error: info } };
          }
          setState(next, 'failed', { finishedAt: iso(), error: info, resumable: true, progress: progressNow() });
        }
      } finally {
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

  /** Queued again, in this process's queue. */
  const requeue = (j: StoredJob, patch: Partial<JobSnapshot> = {}) => {
    j.snapshot = { ...j.snapshot, ...patch, state: 'queued', progress: { ...j.snapshot.progress, state: 'queued' } };
    delete j.snapshot.error;
    j.owner = { ...me, heartbeatAt: Date.now() };
  };

  // ---------- start-up ----------

  refresh();
  inBackground(store.repair(), 'could not set the damaged downloads list aside');

  return {
    async start(req, extras = {}) {
      const parsed = exportRequestSchema.safeParse(req);
      if (!parsed.success) {
        const detail = parsed.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; ');
        throw new StudyError({ code: 'INVALID_ARGUMENT', message: `The export request is not valid: ${detail}` });
      }
      const sync = extras.sync ? { ...extras.sync, dir: path.resolve(extras.sync.dir) } : undefined;
      const request = (sync ? { ...parsed.data, zip: false, destination: sync.dir } : parsed.data) as ExportRequest;
      const sourceId = extras.source ?? DEFAULT_SOURCE_ID;
      const settings = opts.getSettings();
      // A sync works inside its folder (its staging and checkpoints under .studydl-sync/).
      const destination = sync ? path.dirname(sync.dir) : path.resolve(request.destination ?? settings.downloadFolder);
      const id = newJobId(clock.now());
      const plan = extras.plan;
      const progress = emptyProgress(id, 'queued');
      // A plan made just before counts: its requests belong to this export's total.
      if (plan) Object.assign(progress, { requestsUsed: plan.plan.requestsSpentPlanning, requestsPlanned: plan.plan.requestsNeeded });
      const job: StoredJob = {
        snapshot: {
          id,
          source: sourceId,
          ...(extras.profileId ? { profileId: extras.profileId } : {}),
          title: jobTitle(request, sourceDescriptor(sourceId), extras.names, sync ? 'sync' : 'export'),
          request: { ...request, destination: sync ? sync.dir : destination },
          state: 'queued',
          createdAt: iso(),
          progress,
          resumable: false,
          ...(sync ? { sync } : {}),
        },
        workDir: sync ? path.join(sync.dir, SYNC_DIR_NAME, 'work') : path.join(destination, `.studydl-${id}`),
        destination,
        owner: { ...me, heartbeatAt: Date.now() },
      };
      if (extras.names) titleNames.set(id, extras.names);
      jobs.set(id, job);
      if (plan) readyPlans.set(id, { plan, ...(extras.planSource ? { source: extras.planSource } : {}) });
      setState(job, 'queued');
      pump();
      return snap(job);
    },
    list: () => {
      refresh();
      return [...jobs.values()].map(snap).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    },
    get: (id) => {
      refresh();
      const j = jobs.get(id);
      return j ? snap(j) : undefined;
    },
    async pause(id) {
      if (current?.id === id) {
        await stopCurrent(id, 'pause');
        return snap(need(id));
      }
      need(id);
      const job = await claim(id, (j) => {
        if (j.snapshot.state === 'queued') {
          j.snapshot = { ...j.snapshot, state: 'paused', resumable: true, progress: { ...j.snapshot.progress, state: 'paused' } };
          delete j.owner;
        }
      });
      return snap(job!);
    },
    async resume(id) {
      if (current?.id === id) return snap(need(id));
      need(id);
      const job = await claim(id, (j) => {
        const s = j.snapshot.state;
        if (s === 'paused' || s === 'interrupted' || (s === 'failed' && j.snapshot.resumable)) requeue(j);
        else if (s === 'cancelled' || s === 'failed') {
          throw new StudyError({ code: 'INVALID_ARGUMENT', message: 'This download cannot be resumed.', fix: 'Retry it to start again.' });
        }
      });
      pump();
      return snap(job!);
    },
    async cancel(id) {
      if (current?.id === id) {
        await stopCurrent(id, 'cancel');
        return snap(need(id));
      }
      need(id);
      let discard = false;
      const job = await claim(id, (j) => {
        if (['completed', 'cancelled'].includes(j.snapshot.state)) return;
        discard = true;
        j.snapshot = { ...j.snapshot, state: 'cancelled', finishedAt: iso(), resumable: false, progress: { ...j.snapshot.progress, state: 'cancelled' } };
        delete j.owner;
      });
      // Cancelled on disk first, so nobody resumes it while its workspace goes.
      if (discard) await discardExport(job!.workDir);
      return snap(job!);
    },
    async retry(id) {
      if (current?.id === id) return snap(need(id));
      need(id);
      const job = await claim(id, (j) => {
        const s = j.snapshot.state;
        if (s === 'failed' || s === 'cancelled' || s === 'interrupted' || s === 'paused') {
          if (s === 'cancelled') j.snapshot.progress = emptyProgress(id, 'queued');
          requeue(j, { finishedAt: undefined });
        }
      });
      pump();
      return snap(job!);
    },
    async remove(id) {
      const local = need(id);
      if (current?.id === id || (mine(local) && ACTIVE.has(local.snapshot.state))) {
        throw new StudyError({ code: 'INVALID_ARGUMENT', message: 'This download is still running.', fix: 'Cancel or pause it first, then remove it.' });
      }
      let workDir: string | null = null;
      await claim(id, (j) => {
        if (ACTIVE.has(j.snapshot.state) && mine(j)) {
          throw new StudyError({ code: 'INVALID_ARGUMENT', message: 'This download is still running.', fix: 'Cancel or pause it first, then remove it.' });
        }
        if (j.snapshot.state !== 'completed') workDir = j.workDir;
        return 'delete';
      });
      if (workDir) await discardExport(workDir).catch(() => {});
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
    notices: () => store.notices(),
    flush,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      if (current) await stopCurrent(current.id, 'close');
      // Jobs still waiting in this queue go with it: interrupted, resumable anywhere.
      for (const job of jobs.values()) if (mine(job) && ACTIVE.has(job.snapshot.state)) setState(job, 'interrupted', { resumable: true });
      await flush();
    },
  } as JobManager;

  async function flush(): Promise<void> {
    // A few rounds: a write can finish with more changes queued behind it.
    for (let round = 0; round < 5; round++) {
      if (dirty.size && !opts.readOnly && !writing) scheduleWrite();
      const pending = [...background, ...(writing ? [writing] : [])];
      if (!pending.length) return;
      await Promise.all(pending);
    }
    if (dirty.size) logger.warn('some download states could not be saved', { jobs: dirty.size });
  }
}
