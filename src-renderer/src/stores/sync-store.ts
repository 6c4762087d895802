// Folders kept up to date, as the renderer sees them: the list with each folder's last result
// (kept current by the core's syncFolders event), each folder's next plan (from its state, no
// request), and the actions (Sync now, Keep up to date, interval, forget). One per app model,
// made on first use, so the app model itself needs no change.
// When a sync the renderer saw running ends, browser mode says so itself (the desktop shell's
// core shows an OS notification): the web Notification API if the user allowed it, else a toast.
import { createStore } from 'zustand/vanilla';
import type { ExportRequest, JobSnapshot, PathStep, SyncFolderSummary, SyncPlan } from '../../../src-shared/model';
import { syncEndMessage } from '../../../src-shared/sync-messages';
import type { AppModel } from './app-model';
import { isTerminal, upsertJob } from './jobs-store';

export interface SyncState {
  folders: SyncFolderSummary[];
  loaded: boolean;
  /** The next sync's plan per folder (null while unknown or not possible yet). */
  plans: Record<string, SyncPlan | null>;
}

/** Interval choices (minutes; null: only when asked). */
export const INTERVALS: Array<{ minutes: number | null; label: string }> = [
  { minutes: null, label: 'Only when asked' },
  { minutes: 15, label: 'Every 15 minutes' },
  { minutes: 60, label: 'Every hour' },
  { minutes: 6 * 60, label: 'Every 6 hours' },
  { minutes: 24 * 60, label: 'Every day' },
];

/** The folder that keeps a whole study (its root item) up to date, the most recently synced first. */
export function folderForStudy(folders: SyncFolderSummary[], source: string | undefined, root: PathStep): SyncFolderSummary | undefined {
  return folders
    .filter((f) => f.source === source && f.target.path.length === 1 && f.target.path[0].level === root.level && f.target.path[0].id === root.id)
    .sort((a, b) => (b.lastSync?.at ?? '').localeCompare(a.lastSync?.at ?? ''))[0];
}

/** Where a finished folder export is on disk (its destination and name). */
export function exportFolderOf(job: JobSnapshot): string | null {
  if (!job.outputName || !job.request.destination) return null;
  return /^([/\\]|[A-Za-z]:)/.test(job.outputName) ? job.outputName : `${job.request.destination.replace(/[/\\]+$/, '')}/${job.outputName}`;
}

/** A finished export that can become a folder kept up to date: a folder of whole data types. */
export function canKeepUpToDate(job: JobSnapshot): boolean {
  const r = job.request;
  return job.state === 'completed' && !job.sync && !r.zip && !r.view && !r.mediaOnly && !r.since && !r.until && !!job.outputName;
}

function createSyncModel(model: AppModel) {
  const { api, app, jobs, progress, ui } = model;
  const store = createStore<SyncState>()(() => ({ folders: [], loaded: false, plans: {} }));
  /** Sync jobs seen before they ended (a replayed old result is not announced again). */
  const seenRunning = new Set<string>();
  let toastSeq = 1_000_000;

  function setFolders(folders: SyncFolderSummary[]): void {
    store.setState({ folders, loaded: true });
    for (const f of folders) {
      if (f.jobId || f.problem || !f.lastSync) continue;
      api.planSync({ folderId: f.id }).then(
        (plan) => store.setState((s) => ({ plans: { ...s.plans, [f.id]: plan } })),
        () => store.setState((s) => ({ plans: { ...s.plans, [f.id]: null } })),
      );
    }
  }

  function toast(message: string, level: 'info' | 'error' = 'info'): void {
    const id = ++toastSeq;
    app.setState((s) => ({ notices: [...s.notices.slice(-4), { level, message, id }] }));
  }

  function announce(job: JobSnapshot): void {
    if (!job.sync) return;
    if (!isTerminal(job.state)) {
      seenRunning.add(job.id);
      return;
    }
    if (!seenRunning.delete(job.id)) return;
    if (app.getState().appInfo?.capabilities.notifications) return; // the desktop shell shows it
    const note = syncEndMessage(job);
    if (!note) return;
    const N = (globalThis as { Notification?: { permission: string; new (title: string, o: { body: string }): unknown } }).Notification;
    if (N && N.permission === 'granted') new N(note.title, { body: note.body });
    else toast(`${note.title}: ${note.body}`, job.state === 'failed' ? 'error' : 'info');
  }

  /** Asked from a click (browsers allow the prompt only then); a refusal leaves the toasts. */
  function askToNotify(): void {
    const N = (globalThis as { Notification?: { permission: string; requestPermission(): Promise<string> } }).Notification;
    if (!app.getState().appInfo?.capabilities.notifications && N && N.permission === 'default') void N.requestPermission().catch(() => undefined);
  }

  api.on('syncFolders', setFolders);
  api.on('jobState', announce);

  /** A sync job just started: shown in the downloads panel at once. */
  function started(job: JobSnapshot, openProgress: boolean): JobSnapshot {
    upsertJob(jobs, progress, job);
    announce(job);
    if (openProgress) ui.setState({ progressJobId: job.id });
    return job;
  }

  return {
    store,
    async refresh(): Promise<void> {
      setFolders(await api.listSyncFolders());
    },
    async syncNow(folderId: string): Promise<JobSnapshot> {
      return started(await api.startSync({ folderId }), false);
    },
    async keepExportUpToDate(jobId: string): Promise<JobSnapshot> {
      askToNotify();
      return started(await api.keepExportUpToDate({ jobId }), true);
    },
    async createFolder(req: ExportRequest): Promise<JobSnapshot> {
      askToNotify();
      return started(await api.createSyncFolder(req), true);
    },
    async setInterval(folderId: string, minutes: number | null): Promise<void> {
      if (minutes) askToNotify();
      const f = await api.setSyncInterval({ folderId, minutes });
      store.setState((s) => ({ folders: s.folders.map((x) => (x.id === f.id ? f : x)) }));
    },
    async forget(folderId: string): Promise<void> {
      setFolders(await api.forgetSyncFolder({ folderId }));
    },
    show: (folderId: string) => api.showSyncFolder({ folderId }),
  };
}

export type SyncModel = ReturnType<typeof createSyncModel>;

const models = new WeakMap<AppModel, SyncModel>();

/** The sync model of an app model (made, and its list loaded, on first use). */
export function syncModelOf(model: AppModel): SyncModel {
  let m = models.get(model);
  if (!m) {
    m = createSyncModel(model);
    models.set(model, m);
    m.refresh().catch(() => undefined);
  }
  return m;
}
