// Builds every store and wires the core's events into them, once, outside React.
// Components read stores through hooks and call these actions; nothing else talks to `api`.
import type { Api } from '../../../src-shared/contract';
import type { ErrorInfo } from '../../../src-shared/errors';
import type { CodeMapFile, Experiment, ExportRequest, KeyValidation, NewProfile, Participant, PathStep, Plan, Room, Settings, Target } from '../../../src-shared/model';
import { toUiError } from '../lib/errors';
import { createAppStore } from './app-store';
import { createHierarchyStore, participantKey, roomKey, type ListStatus } from './hierarchy-store';
import { applyProgress, createJobsStore, createProgressStore, removeJobLocal, replaceJobs, upsertJob } from './jobs-store';
import { createNavStore, resetNav, setLevels } from './nav-store';
import { createTableViewSaver, createTableViewsStore } from './table-views';
import { createUiStore } from './ui-store';

/** Errors that mean "the server cannot be used right now", which the status banner already says. */
export const CONNECTION_CODES = new Set(['UNREACHABLE', 'TIMEOUT', 'NOT_HYPERSTUDY', 'UNAUTHORIZED', 'NO_PROFILE', 'KEY_FORMAT']);

export function createAppModel(api: Api) {
  const app = createAppStore();
  const hierarchy = createHierarchyStore();
  const jobs = createJobsStore();
  const progress = createProgressStore();
  const nav = createNavStore();
  const ui = createUiStore();
  const tableViews = createTableViewsStore();
  const tableViewSaver = createTableViewSaver(tableViews, (key, value) => api.setViewState({ key, value }));
  let noticeSeq = 0;
  const unsubscribers: Array<() => void> = [];
  // A table layout changed just before the page goes away is saved at once.
  const g = globalThis as { addEventListener?: (t: string, cb: () => void) => void; removeEventListener?: (t: string, cb: () => void) => void };
  if (g.addEventListener && g.removeEventListener) {
    const flush = () => tableViewSaver.flush();
    g.addEventListener('pagehide', flush);
    unsubscribers.push(() => g.removeEventListener!('pagehide', flush));
  }

  // ---------- events ----------
  unsubscribers.push(
    api.on('connectionStatus', (c) => applyConnection(c)),
    // The link to the app's own server (browser mode): note when it dropped; when it is back,
    // what failed meanwhile loads again.
    app.subscribe((s, prev) => {
      if (s.transportLost && !prev.transportLost) app.setState({ transportLostAt: Date.now() });
      if (!s.transportLost && prev.transportLost) {
        app.setState({ transportLostAt: null });
        recoverAfterOutage();
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

  // ---------- connection ----------
  /** A new status; when the server answers again, everything that failed meanwhile loads again by itself. */
  function applyConnection(c: import('../../../src-shared/model').ConnectionStatus): void {
    const prev = app.getState().connection;
    app.setState({ connection: c });
    if (prev && prev.state !== 'online' && c.state === 'online') recoverAfterOutage();
  }

  function recoverAfterOutage(): void {
    const h = hierarchy.getState();
    if (h.experimentsStatus.status === 'error') void loadExperiments();
    for (const [experimentId, st] of Object.entries(h.roomsStatus)) if (st.status === 'error') void loadRooms(experimentId);
    for (const [roomId, st] of Object.entries(h.participantsStatus)) {
      const experimentId = h.roomIdsByExperiment && Object.entries(h.roomIdsByExperiment).find(([, ids]) => ids.includes(roomId))?.[0];
      if (st.status === 'error' && experimentId) void loadParticipants(experimentId, roomId);
    }
    // Counts that failed are asked for again when their rows show.
    hierarchy.setState((s) => ({ countsByParticipant: Object.fromEntries(Object.entries(s.countsByParticipant).filter(([, v]) => v !== 'error')) }));
    // Previews, plots and the export dialog watch this and retry what failed.
    app.setState((s) => ({ reconnects: s.reconnects + 1 }));
  }

  // ---------- start-up ----------
  async function boot(): Promise<void> {
    try {
      const [appInfo, descriptor, profiles, settings, connection, jobList, views] = await Promise.all([
        api.getAppInfo(), api.describeSource(), api.listProfiles(), api.getSettings(), api.getConnectionStatus(), api.listJobs(),
        api.getViewState().catch(() => ({})),
      ]);
      setLevels(nav, descriptor.levels.map((l) => l.id));
      tableViews.setState(views, true);
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

  /** Every participant of a study, once (one listing), for names where data shows ids. */
  async function loadStudyParticipants(experimentId: string): Promise<void> {
    if (hierarchy.getState().studyParticipants[experimentId]) return;
    hierarchy.setState((s) => ({ studyParticipants: { ...s.studyParticipants, [experimentId]: {} } }));
    try {
      const { items } = await api.listLevel({ level: 'participant', parentPath: [{ level: 'experiment', id: experimentId }] });
      const participants = items as unknown as Participant[];
      hierarchy.setState((s) => ({ studyParticipants: { ...s.studyParticipants, [experimentId]: Object.fromEntries(participants.map((p) => [p.id, p])) } }));
    } catch {
      hierarchy.setState((s) => {
        const next = { ...s.studyParticipants };
        delete next[experimentId];
        return { studyParticipants: next };
      });
    }
  }

  /** What the active key may read under a place (asked once per connection; the core learns it from the server). */
  async function loadKeyAccess(path: readonly PathStep[]): Promise<void> {
    if (app.getState().keyAccess || !path.length) return;
    try {
      app.setState({ keyAccess: await api.getKeyAccess({ path: [...path] }) });
    } catch {
      // Unknown for now: tabs stay unmarked and say what is missing when opened.
    }
  }

  /** The study's participant code map (the study: the root item of `path`), to save apart from the data. */
  function getCodeMap(path: readonly PathStep[]): Promise<CodeMapFile> {
    return api.getCodeMap({ path: path.slice(0, 1) });
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
      applyConnection(await api.checkConnection());
    } catch (e) {
      const err = toUiError(e);
      app.setState({ connection: { state: 'offline', message: err.message, fix: err.fix, checkedAt: new Date().toISOString() } });
    }
  }

  function clearHierarchy(): void {
    hierarchy.setState(createHierarchyStore().getState(), true);
    app.setState({ keyAccess: null });
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

  /** The active connection's key again (it was lost, e.g. kept in memory only): same place, same data. */
  async function reenterKey(p: NewProfile): Promise<KeyValidation> {
    const res = await api.addProfile(p);
    if (res.profile) {
      app.setState({ profiles: await api.listProfiles(), keyAccess: null });
      await refreshConnection();
      recoverAfterOutage();
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
    const plan = await api.planExport(req);
    app.setState({ budget: plan.budget });
    // A plan that met a 403 for a type taught the core the key's scopes: ask again.
    if (plan.warnings.some((w) => /lacks|scope/i.test(w))) {
      app.setState({ keyAccess: null });
      void loadKeyAccess(req.target.path);
    }
    return plan;
  }

  async function startExport(req: ExportRequest): Promise<string> {
    const job = await api.startExport(req);
    upsertJob(jobs, progress, job);
    ui.setState({ exportDialog: null, recordingDialog: null, progressJobId: job.id });
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
    api, app, hierarchy, jobs, progress, nav, ui, tableViews,
    updateTableView: tableViewSaver.update,
    boot, dispose,
    loadExperiments, loadRooms, loadParticipants, loadCounts, loadStudyParticipants, loadKeyAccess, getCodeMap,
    refreshConnection, validateProfile, addProfile, reenterKey, activateProfile, removeProfile, updateSettings, chooseDownloadFolder,
    planExport, startExport, jobAction, removeJob, reloadJobs, dismissNotice,
  };
}

export type AppModel = ReturnType<typeof createAppModel>;
