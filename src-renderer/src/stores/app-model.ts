// Builds every store and wires the core's events into them, once, outside React.
// Components read stores through hooks and call these actions; nothing else talks to `api`.
import type { Api } from '../../../src-shared/contract';
import type { ErrorInfo } from '../../../src-shared/errors';
import type { Experiment, ExportRequest, KeyValidation, NewProfile, Participant, Plan, Room, Settings } from '../../../src-shared/model';
import { toTarget, type UiExportRequest, type UiTarget as Target } from '../lib/ui-target';
import { toUiError } from '../lib/errors';
import { createAppStore } from './app-store';
import { createHierarchyStore, participantKey, roomKey, type ListStatus } from './hierarchy-store';
import { applyProgress, createJobsStore, createProgressStore, removeJobLocal, replaceJobs, upsertJob } from './jobs-store';
import { createNavStore, resetNav } from './nav-store';
import { createUiStore } from './ui-store';

export function createAppModel(api: Api) {
  const app = createAppStore();
  const hierarchy = createHierarchyStore();
  const jobs = createJobsStore();
  const progress = createProgressStore();
  const nav = createNavStore();
  const ui = createUiStore();
  let noticeSeq = 0;
  const unsubscribers: Array<() => void> = [];

  // ---------- events ----------
  unsubscribers.push(
    api.on('connectionStatus', (c) => {
      const prev = app.getState().connection;
      app.setState({ connection: c });
      // Coming back online: reload what failed while offline.
      if (prev && prev.state !== 'online' && c.state === 'online' && hierarchy.getState().experimentsStatus.status === 'error') {
        void loadExperiments();
      }
    }),
    api.on('rateBudget', (b) => app.setState({ budget: b })),
    api.on('notice', (n) => {
      const id = ++noticeSeq;
      app.setState((s) => ({ notices: [...s.notices.slice(-4), { ...n, id }] }));
    }),
    api.on('jobState', (j) => upsertJob(jobs, progress, j)),
    api.on('jobProgress', (p) => applyProgress(progress, jobs, p)),
  );

  // ---------- start-up ----------
  async function boot(): Promise<void> {
    try {
      const [appInfo, descriptor, profiles, settings, connection, jobList] = await Promise.all([
        api.getAppInfo(), api.describeSource(), api.listProfiles(), api.getSettings(), api.getConnectionStatus(), api.listJobs(),
      ]);
      app.setState({ appInfo, descriptor, profiles, settings, connection, ready: true, bootError: null });
      replaceJobs(jobs, progress, jobList);
      api.getRateBudget().then((budget) => app.setState({ budget }), () => undefined);
      if (profiles.some((p) => p.active)) void loadExperiments();
      else ui.setState({ connectionsOpen: true });
    } catch (e) {
      app.setState({ bootError: toUiError(e), ready: false });
    }
  }

  // ---------- hierarchy ----------
  const loading = (): ListStatus => ({ status: 'loading', warnings: [] });
  const failed = (error: ErrorInfo): ListStatus => ({ status: 'error', error, warnings: [] });

  async function loadExperiments(refresh = false): Promise<void> {
    hierarchy.setState({ experimentsStatus: loading() });
    try {
      const { items, warnings } = await api.listLevel({ level: 'experiment', parentPath: [], ...(refresh ? { refresh } : {}) });
      const experiments = items as unknown as Experiment[];
      const experimentsById = Object.fromEntries(experiments.map((e) => [e.id, e]));
      hierarchy.setState({ experimentsById, experimentIds: experiments.map((e) => e.id), experimentsStatus: { status: 'ready', warnings } });
    } catch (e) {
      hierarchy.setState({ experimentsStatus: failed(toUiError(e)) });
    }
  }

  async function loadRooms(experimentId: string, refresh = false): Promise<void> {
    hierarchy.setState((s) => ({ roomsStatus: { ...s.roomsStatus, [experimentId]: loading() } }));
    try {
      const { items, warnings } = await api.listLevel({ level: 'room', parentPath: [{ level: 'experiment', id: experimentId }], ...(refresh ? { refresh } : {}) });
      const rooms = items as unknown as Room[];
      hierarchy.setState((s) => {
        const roomsById = { ...s.roomsById };
        for (const r of rooms) roomsById[roomKey(experimentId, r.id)] = { ...r, experimentId };
        return {
          roomsById,
          roomIdsByExperiment: { ...s.roomIdsByExperiment, [experimentId]: rooms.map((r) => r.id) },
          roomsStatus: { ...s.roomsStatus, [experimentId]: { status: 'ready', warnings } },
        };
      });
    } catch (e) {
      hierarchy.setState((s) => ({ roomsStatus: { ...s.roomsStatus, [experimentId]: failed(toUiError(e)) } }));
    }
  }

  async function loadParticipants(experimentId: string, roomId: string, refresh = false): Promise<void> {
    hierarchy.setState((s) => ({ participantsStatus: { ...s.participantsStatus, [roomId]: loading() } }));
    try {
      const parentPath = [{ level: 'experiment', id: experimentId }, { level: 'room', id: roomId }];
      const { items, warnings } = await api.listLevel({ level: 'participant', parentPath, ...(refresh ? { refresh } : {}) });
      const participants = items as unknown as Participant[];
      hierarchy.setState((s) => {
        const participantsByKey = { ...s.participantsByKey };
        for (const p of participants) participantsByKey[participantKey(roomId, p.id)] = { ...p, roomId, experimentId };
        return {
          participantsByKey,
          participantIdsByRoom: { ...s.participantIdsByRoom, [roomId]: participants.map((p) => p.id) },
          participantsStatus: { ...s.participantsStatus, [roomId]: { status: 'ready', warnings } },
        };
      });
    } catch (e) {
      hierarchy.setState((s) => ({ participantsStatus: { ...s.participantsStatus, [roomId]: failed(toUiError(e)) } }));
    }
  }

  /** Counts cost one request each, so they are fetched only for rows on screen, once. */
  async function loadCounts(experimentId: string, roomId: string, participantId: string): Promise<void> {
    const key = participantKey(roomId, participantId);
    if (hierarchy.getState().countsByParticipant[key]) return;
    hierarchy.setState((s) => ({ countsByParticipant: { ...s.countsByParticipant, [key]: 'loading' } }));
    try {
      const counts = await api.getItemCounts({ path: [{ level: 'experiment', id: experimentId }, { level: 'room', id: roomId }, { level: 'participant', id: participantId }] });
      hierarchy.setState((s) => ({ countsByParticipant: { ...s.countsByParticipant, [key]: counts } }));
    } catch {
      hierarchy.setState((s) => ({ countsByParticipant: { ...s.countsByParticipant, [key]: 'error' } }));
    }
  }

  // ---------- profiles and settings ----------
  async function refreshConnection(): Promise<void> {
    try {
      app.setState({ connection: await api.checkConnection() });
    } catch (e) {
      const err = toUiError(e);
      app.setState({ connection: { state: 'offline', message: err.message, fix: err.fix, checkedAt: new Date().toISOString() } });
    }
  }

  function clearHierarchy(): void {
    hierarchy.setState(createHierarchyStore().getState(), true);
    resetNav(nav);
  }

  async function validateProfile(p: NewProfile): Promise<KeyValidation> {
    return api.validateProfile(p);
  }

  async function addProfile(p: NewProfile): Promise<KeyValidation> {
    const res = await api.addProfile(p);
    if (res.profile) {
      const profiles = await api.listProfiles();
      app.setState({ profiles });
      if (res.profile.active || profiles.find((x) => x.id === res.profile!.id)?.active) {
        clearHierarchy();
        void refreshConnection();
        void loadExperiments();
      }
    }
    return res.validation;
  }

  async function activateProfile(id: string): Promise<void> {
    const profiles = await api.activateProfile({ id });
    app.setState({ profiles });
    clearHierarchy();
    void refreshConnection();
    void loadExperiments();
  }

  async function removeProfile(id: string): Promise<void> {
    const wasActive = app.getState().profiles.find((p) => p.id === id)?.active;
    const profiles = await api.removeProfile({ id });
    app.setState({ profiles });
    if (wasActive) {
      clearHierarchy();
      void refreshConnection();
      if (profiles.some((p) => p.active)) void loadExperiments();
    }
  }

  async function updateSettings(patch: Partial<Settings>): Promise<void> {
    app.setState({ settings: await api.updateSettings(patch) });
  }

  async function chooseDownloadFolder(): Promise<void> {
    const s = await api.chooseDownloadFolder();
    if (s) app.setState({ settings: s });
  }

  // ---------- export and jobs ----------
  async function planExport(req: { target: Target; types: ExportRequest['types']; since?: string; until?: string; includeRecordings: boolean; recordingIds?: string[] }): Promise<Plan> {
    const plan = await api.planExport({ ...req, target: toTarget(req.target) });
    app.setState({ budget: plan.budget });
    return plan;
  }

  async function startExport(req: UiExportRequest): Promise<string> {
    const job = await api.startExport({ ...req, target: toTarget(req.target) });
    upsertJob(jobs, progress, job);
    ui.setState({ exportDialog: null, progressJobId: job.id });
    return job.id;
  }

  async function jobAction(action: 'pauseJob' | 'resumeJob' | 'cancelJob' | 'retryJob', jobId: string): Promise<void> {
    const job = await api[action]({ jobId });
    upsertJob(jobs, progress, job);
  }

  async function removeJob(jobId: string): Promise<void> {
    const list = await api.removeJob({ jobId });
    removeJobLocal(jobs, progress, jobId);
    replaceJobs(jobs, progress, list);
  }

  async function reloadJobs(): Promise<void> {
    replaceJobs(jobs, progress, await api.listJobs());
  }

  function dismissNotice(id: number): void {
    app.setState((s) => ({ notices: s.notices.filter((n) => n.id !== id) }));
  }

  function dispose(): void {
    for (const u of unsubscribers) u();
  }

  return {
    api, app, hierarchy, jobs, progress, nav, ui,
    boot, dispose,
    loadExperiments, loadRooms, loadParticipants, loadCounts,
    refreshConnection, validateProfile, addProfile, activateProfile, removeProfile, updateSettings, chooseDownloadFolder,
    planExport, startExport, jobAction, removeJob, reloadJobs, dismissNotice,
  };
}

export type AppModel = ReturnType<typeof createAppModel>;
