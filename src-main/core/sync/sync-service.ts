// The app's side of folders kept up to date: the contract's sync methods (over the job manager:
// a sync is a job like an export), the list of folders, the interval while the app runs, and a
// notification when new data came in. createCore builds one and hands it what it needs.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { StudyError } from '../../../src-shared/errors';
import type { ExportRequest, JobSnapshot, Notice, RateBudget, SourceDescriptor, SyncFolderSummary, SyncPlan } from '../../../src-shared/model';
import { exportName } from '../export/naming';
import { freeOutputName } from '../export/run/finalize';
import type { JobManager } from '../jobs/job-manager';
import type { TitleNames } from '../jobs/job-title';
import type { Clock, Logger } from '../ports';
import type { SourceModule } from '../sources/source';
import { estimateSync } from './estimate';
import { syncEndMessage } from '../../../src-shared/sync-messages';
import { UNFINISHED, describeFolder, jobsOf } from './folders';
import { createSyncRegistry, type SyncFolderEntry } from './registry';
import { readPendingSync } from './run-sync';
import { createSyncScheduler, type SyncScheduler } from './scheduler';
import { readSyncState, type SyncSelection } from './state';
import { syncPaths } from './folder';

export interface SyncServiceDeps {
  dataDir: string;
  jobs: JobManager;
  clock: Clock;
  logger: Logger;
  /** The active profile's source (its module) and profile id. */
  activeModule: () => Promise<{ module: SourceModule; profileId?: string }>;
  descriptorOf: (source: string) => SourceDescriptor | null;
  /** Checks a destination is inside the download folder (throws otherwise). */
  checkDestination: (destination: string | undefined) => void;
  downloadFolder: () => string;
  /** Names of the items along a path the app already knows (titles, folder names). */
  knownNames: (target: ExportRequest['target']) => TitleNames;
  /** Checks a request against a source (target, types, split, anonymization). */
  checkRequest: (module: SourceModule, req: ExportRequest) => void;
  budget: () => RateBudget | null;
  notify?: (title: string, body: string) => void;
  showInFolder?: (p: string) => void | Promise<void>;
  emitFolders: (folders: SyncFolderSummary[]) => void;
  /** How often the interval is looked at, ms (the scheduler's default when absent). */
  checkEveryMs?: number;
}

type FolderRun = { folderId: string; full?: boolean; verify?: boolean };

export interface SyncService {
  list(): Promise<SyncFolderSummary[]>;
  plan(arg: FolderRun): Promise<SyncPlan>;
  /** A sync of a listed folder now (the one already queued or running, if any). */
  start(arg: FolderRun, automatic?: boolean): Promise<JobSnapshot>;
  /** "Keep up to date" on a finished folder export. */
  keepExportUpToDate(arg: { jobId: string }): Promise<JobSnapshot>;
  /** A new folder kept up to date for a selection. */
  createFolder(req: ExportRequest): Promise<JobSnapshot>;
  setInterval(arg: { folderId: string; minutes: number | null }): Promise<SyncFolderSummary>;
  forget(arg: { folderId: string }): Promise<SyncFolderSummary[]>;
  show(arg: { folderId: string }): Promise<void>;
  /** Called with every job state change (sync outcomes, notifications). */
  onJobState(s: JobSnapshot): void;
  scheduler: SyncScheduler;
  /** Start-up: a damaged list of folders is set aside now (see notices). */
  flush(): Promise<void>;
  /** What the user must hear about the list of folders (a damaged file set aside). */
  notices(): Notice[];
  stop(): void;
}

interface StartOptions {
  create?: ExportRequest;
  full?: boolean;
  verify?: boolean;
  automatic?: boolean;
}

const unusable = (message: string, fix: string) => new StudyError({ code: 'INVALID_ARGUMENT', message, fix });

/** A folder kept up to date holds whole data types, written as a folder export writes them. */
function refuseNonFolder(req: ExportRequest): void {
  if (req.zip || req.view || req.mediaOnly || req.since || req.until) {
    throw unusable('Only an export to a folder of whole data types can be kept up to date (not a ZIP, a table view, a time window or single files).', 'Export the data to a folder, then choose “Keep up to date” on it.');
  }
}

export function createSyncService(deps: SyncServiceDeps): SyncService {
  const registry = createSyncRegistry(deps.dataDir);
  const iso = () => new Date(deps.clock.now()).toISOString();

  async function list(): Promise<SyncFolderSummary[]> {
    const jobs = deps.jobs.list();
    const views = await Promise.all(registry.list().map((e) => describeFolder(e, jobs, deps.descriptorOf)));
    return views.map((v) => v.summary).sort((a, b) => a.title.localeCompare(b.title));
  }
  const announce = () => {
    void list().then(deps.emitFolders, (e: unknown) => deps.logger.warn('could not list the folders kept up to date', { error: String(e) }));
  };

  async function selectionOf(entry: SyncFolderEntry): Promise<{ selection: SyncSelection; source: string; pending: boolean }> {
    const state = await readSyncState(syncPaths(entry.path).state);
    if (state) return { selection: state.selection, source: state.source, pending: false };
    const pending = await readPendingSync(entry.path);
    if (pending) return { selection: pending.selection, source: pending.source, pending: true };
    throw new StudyError({ code: 'NOT_FOUND', message: `${entry.path} is no longer a folder kept up to date (it was moved, or its sync state removed).`, fix: 'Forget it in the downloads panel, and keep the data up to date again from its study.' });
  }

  // A folder's sync being started (its job not queued yet): a second request meanwhile gets the same job.
  const starting = new Map<string, Promise<JobSnapshot>>();
  function startFor(entry: SyncFolderEntry, opts: StartOptions): Promise<JobSnapshot> {
    const busy = starting.get(entry.id);
    if (busy) return busy;
    const p = startNew(entry, opts).finally(() => starting.delete(entry.id));
    starting.set(entry.id, p);
    return p;
  }

  async function startNew(entry: SyncFolderEntry, opts: StartOptions): Promise<JobSnapshot> {
    // One sync of a folder at a time: the one queued, running or paused is the answer (a paused
    // one the user asks for again goes on).
    const running = jobsOf(deps.jobs.list(), entry).find((j) => UNFINISHED.has(j.state));
    if (running) return running.state === 'paused' && !opts.automatic ? deps.jobs.resume(running.id) : running;
    const { module, profileId } = await deps.activeModule();
    let request: ExportRequest;
    let create = !!opts.create;
    if (opts.create) request = opts.create;
    else {
      const s = await selectionOf(entry);
      if (s.source !== module.id) throw unusable(`This folder is kept up to date from ${deps.descriptorOf(s.source)?.label ?? s.source}; the active connection is to ${module.descriptor.label}.`, 'Switch to that connection, then sync it.');
      request = { ...s.selection, zip: false };
      create = s.pending;
    }
    const job = await deps.jobs.start(request, {
      source: module.id,
      ...(profileId ? { profileId } : {}),
      names: deps.knownNames(request.target),
      sync: { dir: entry.path, folderId: entry.id, ...(create ? { create: true } : {}), ...(opts.full ? { full: true } : {}), ...(opts.verify ? { verify: true } : {}), ...(opts.automatic ? { automatic: true } : {}) },
    });
    announce();
    return job;
  }

  const start = (arg: FolderRun, automatic = false) =>
    startFor(registry.get(arg.folderId), { ...(arg.full ? { full: true } : {}), ...(arg.verify ? { verify: true } : {}), automatic });

  /** The folder of a finished folder export becomes one kept up to date; its first sync rewrites its files (an export keeps no raw records to go on from). */
  async function keepExportUpToDate({ jobId }: { jobId: string }): Promise<JobSnapshot> {
    const job = deps.jobs.get(jobId);
    const out = deps.jobs.outputPath(jobId);
    if (!job || job.state !== 'completed' || !out) throw unusable('Only a finished export can be kept up to date.', 'Wait for it to finish, then try again.');
    if (job.sync) return startFor(await registry.add(out, iso()), {});
    refuseNonFolder(job.request);
    if (!(await stat(out).then((s) => s.isDirectory(), () => false))) throw unusable('That export’s folder is gone.', 'Export again to a folder.');
    deps.checkDestination(out);
    const entry = await registry.add(out, iso());
    return startFor(entry, { create: { ...job.request, zip: false, destination: out }, full: true });
  }

  /** A new folder, named like an export's ("… kept-up-to-date …"), in the download folder or the request's destination. */
  async function createFolder(req: ExportRequest): Promise<JobSnapshot> {
    const { module } = await deps.activeModule();
    refuseNonFolder(req);
    deps.checkRequest(module, req);
    const parent = path.resolve(req.destination ?? deps.downloadFolder());
    deps.checkDestination(parent);
    const root = req.target.path[0];
    const item = req.target.path.length > 1 ? req.target.path[req.target.path.length - 1] : undefined;
    const names = deps.knownNames(req.target);
    const levelWord = module.descriptor.levels.find((l) => l.id === req.target.level)?.singular ?? req.target.level;
    const base = exportName({
      study: { ...(names[root.level] ? { name: names[root.level] } : {}), id: root.id },
      level: levelWord,
      ...(item ? { item: { ...(names[item.level] ? { label: names[item.level] } : {}), id: item.id } } : {}),
      detail: 'kept-up-to-date',
      date: new Date(deps.clock.now()),
    });
    const dir = path.join(parent, await freeOutputName(parent, base, ''));
    const entry = await registry.add(dir, iso());
    return startFor(entry, { create: { ...req, zip: false, destination: dir } });
  }

  const scheduler = createSyncScheduler({
    clock: deps.clock,
    ...(deps.checkEveryMs ? { everyMs: deps.checkEveryMs } : {}),
    logger: deps.logger,
    budget: deps.budget,
    start: async (id) => void (await start({ folderId: id }, true)),
    folders: async () => {
      const entries = registry.list().filter((e) => e.intervalMinutes);
      if (!entries.length) return [];
      // Only folders of the active connection's source (the others wait for it).
      const active = await deps.activeModule().then((a) => a.module.id, () => null);
      if (!active) return [];
      const jobs = deps.jobs.list();
      const out = [];
      for (const entry of entries) {
        const view = await describeFolder(entry, jobs, deps.descriptorOf);
        if (view.summary.source !== active) continue;
        const d = view.state ? deps.descriptorOf(view.state.source) : null;
        out.push({
          id: entry.id,
          intervalMinutes: entry.intervalMinutes,
          lastAt: view.summary.lastSync?.at ?? null,
          running: !!view.summary.jobId,
          estimate: () => (view.state && d ? estimateSync({ descriptor: d, state: view.state, now: deps.clock.now(), pageSize: d.pageSize }).requests : null),
        });
      }
      return out;
    },
  });

  return {
    list,
    keepExportUpToDate,
    createFolder,
    async plan({ folderId, full, verify }) {
      const entry = registry.get(folderId);
      const state = await readSyncState(syncPaths(entry.path).state);
      if (!state) throw new StudyError({ code: 'NOT_FOUND', message: 'This folder has not finished its first sync yet.', fix: 'Sync it first; its plan then shows what the next sync costs.' });
      const d = deps.descriptorOf(state.source);
      if (!d) throw new StudyError({ code: 'INVALID_ARGUMENT', message: `This version of Study Downloader does not know the source “${state.source}”.` });
      const budget = deps.budget();
      return estimateSync({ descriptor: d, state, now: deps.clock.now(), pageSize: d.pageSize, ...(budget ? { budget } : {}), ...(full ? { full } : {}), ...(verify ? { verify } : {}) });
    },
    start,
    async setInterval({ folderId, minutes }) {
      await registry.setInterval(folderId, minutes);
      announce();
      return (await list()).find((f) => f.id === folderId)!;
    },
    async forget({ folderId }) {
      await registry.remove(folderId);
      announce();
      return list();
    },
    async show({ folderId }) {
      if (!deps.showInFolder) throw new StudyError({ code: 'UNSUPPORTED', message: 'Showing a folder works in the desktop app only.', fix: 'Open the folder from your file manager.' });
      await deps.showInFolder(registry.get(folderId).path);
    },
    onJobState(s) {
      if (!s.sync) return;
      if (s.state === 'completed' || s.state === 'failed' || s.state === 'cancelled') announce();
      const note = deps.notify ? syncEndMessage(s) : null;
      if (note) deps.notify!(note.title, note.body);
    },
    scheduler,
    flush: () => registry.flush(),
    notices: () => registry.notices(),
    stop: () => scheduler.stop(),
  };
}
