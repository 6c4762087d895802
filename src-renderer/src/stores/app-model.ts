// Builds every store and wires the core's events into them, once, outside React.
// Components read stores through hooks and call these actions; nothing else talks to `api`.
import type { Api } from '../../../src-shared/contract';
import type { ErrorInfo } from '../../../src-shared/errors';
import type {
  CodeMapFile, ConnectionStatus, DeviceSignInStart, ExportRequest, KeyValidation, LevelId, NewProfile, PathStep, Plan, ProfileSummary, Settings, SourceDescriptor, Target,
} from '../../../src-shared/model';
import { NOT_THIS_API_CODE } from '../lib/contract-names';
import { toUiError } from '../lib/errors';
import { childLevelsOf, itemLabel, levelOf } from '../lib/levels';
import { createAppStore } from './app-store';
import { createHierarchyStore, itemKey, listKey, nameIndexKey, type ListStatus } from './hierarchy-store';
import { applyProgress, createJobsStore, createProgressStore, removeJobLocal, replaceJobs, upsertJob } from './jobs-store';
import { createNavStore, resetNav, setLevels } from './nav-store';
import { createTableViewSaver, createTableViewsStore } from './table-views';
import { createUiStore } from './ui-store';

/** Errors that mean "the server cannot be used right now", which the status banner already says. */
export const CONNECTION_CODES = new Set<string>(['UNREACHABLE', 'TIMEOUT', NOT_THIS_API_CODE, 'UNAUTHORIZED', 'NO_PROFILE', 'KEY_FORMAT']);

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
  function applyConnection(c: ConnectionStatus): void {
    const prev = app.getState().connection;
    app.setState({ connection: c });
    if (prev && prev.state !== 'online' && c.state === 'online') recoverAfterOutage();
  }

  function recoverAfterOutage(): void {
    for (const list of Object.values(hierarchy.getState().lists)) {
      if (list.status.status === 'error') void loadList(list.level, list.parentPath);
    }
    // Counts that failed are asked for again when their rows show.
    hierarchy.setState((s) => ({ counts: Object.fromEntries(Object.entries(s.counts).filter(([, v]) => v !== 'error')) }));
    // Previews, plots and the export dialog watch this and retry what failed.
    app.setState((s) => ({ reconnects: s.reconnects + 1 }));
  }

  // ---------- start-up ----------
  /** The active source as the core describes it; the places follow its levels. */
  function applyDescriptor(descriptor: SourceDescriptor): void {
    const prev = app.getState().descriptor;
    app.setState({ descriptor });
    if (!prev || JSON.stringify(prev.levels) !== JSON.stringify(descriptor.levels)) setLevels(nav, descriptor.levels);
  }

  async function boot(): Promise<void> {
    try {
      const [appInfo, descriptor, sources, profiles, settings, connection, jobList, views] = await Promise.all([
        api.getAppInfo(), api.describeSource(), api.listSources(), api.listProfiles(), api.getSettings(), api.getConnectionStatus(), api.listJobs(),
        api.getViewState().catch(() => ({})),
      ]);
      applyDescriptor(descriptor);
      tableViews.setState(views, true);
      app.setState({ appInfo, sources, profiles, settings, connection, ready: true, bootError: null });
      replaceJobs(jobs, progress, jobList);
      api.getRateBudget().then((budget) => app.setState({ budget }), () => undefined);
      if (profiles.some((p) => p.active)) void loadTop();
      else ui.setState({ connectionsOpen: true });
    } catch (e) {
      app.setState({ bootError: toUiError(e), ready: false });
    }
  }

  // ---------- hierarchy ----------
  const loading = (): ListStatus => ({ status: 'loading', warnings: [] });
  const failed = (error: ErrorInfo): ListStatus => ({ status: 'error', error, warnings: [] });

  /** The items of `level` under `parentPath` (one listing), normalized; `refresh` asks the core for fresh ones. */
  async function loadList(level: LevelId, parentPath: readonly PathStep[], refresh = false): Promise<void> {
    const key = listKey(level, parentPath);
    const parent = parentPath.map((s) => ({ level: s.level, id: s.id }));
    hierarchy.setState((s) => ({ lists: { ...s.lists, [key]: { level, parentPath: parent, ids: s.lists[key]?.ids ?? [], status: loading() } } }));
    try {
      const { items, warnings } = await api.listLevel({ level, parentPath: parent, ...(refresh ? { refresh } : {}) });
      const levelDescriptor = levelOf(app.getState().descriptor?.levels ?? [], level);
      const namesKey = nameIndexKey(parentPath.length ? parentPath[0] : undefined, level);
      hierarchy.setState((s) => {
        const byPath = { ...s.items };
        const names = { ...s.names[namesKey] };
        for (const item of items) {
          byPath[itemKey([...parent, { level, id: item.id }])] = item;
          names[item.id] = itemLabel(item, levelDescriptor, item.id);
        }
        return {
          items: byPath,
          names: { ...s.names, [namesKey]: names },
          lists: { ...s.lists, [key]: { level, parentPath: parent, ids: items.map((i) => i.id), status: { status: 'ready', warnings } } },
        };
      });
    } catch (e) {
      hierarchy.setState((s) => ({ lists: { ...s.lists, [key]: { level, parentPath: parent, ids: s.lists[key]?.ids ?? [], status: failed(toUiError(e)) } } }));
    }
  }

  /** Loads a listing unless it was loaded (or is loading) already. */
  function ensureList(level: LevelId, parentPath: readonly PathStep[]): void {
    if (!hierarchy.getState().lists[listKey(level, parentPath)]) void loadList(level, parentPath);
  }

  /** The top list (the first root level's items). */
  function loadTop(refresh = false): Promise<void> {
    const root = childLevelsOf(app.getState().descriptor?.levels ?? [], null)[0];
    return root ? loadList(root, [], refresh) : Promise.resolve();
  }

  /** Every listing a path goes through, so each of its steps has a name. */
  function ensurePath(path: readonly PathStep[]): void {
    path.forEach((step, i) => ensureList(step.level, path.slice(0, i)));
  }

  /**
   * Names for ids that data shows (a column naming items of `level`), once per root item: the
   * root's own children are one listing; people (a split's person level) are listed under the
   * root, as every source that has them lists them there. Deeper levels use what is loaded.
   */
  function ensureNames(path: readonly PathStep[], level: LevelId): void {
    const descriptor = app.getState().descriptor;
    const root = path[0];
    if (!descriptor || !root) return;
    const l = levelOf(descriptor.levels, level);
    if (!l || l.parent === null) return;
    const person = descriptor.splits.some((s) => s.person && s.level === level);
    if (l.parent === root.level || person) ensureList(level, [root]);
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

  /** The pseudonym code map of the root item of `path` (the study), to save apart from the data. */
  function getCodeMap(path: readonly PathStep[]): Promise<CodeMapFile> {
    return api.getCodeMap({ path: path.slice(0, 1) });
  }

  /** Counts cost one request each, so they are fetched only for rows on screen, once (levels that declare `counts`). */
  async function loadCounts(path: readonly PathStep[]): Promise<void> {
    const key = itemKey(path);
    if (hierarchy.getState().counts[key]) return;
    hierarchy.setState((s) => ({ counts: { ...s.counts, [key]: 'loading' } }));
    try {
      const counts = await api.getItemCounts({ path: path.map((s) => ({ level: s.level, id: s.id })) });
      hierarchy.setState((s) => ({ counts: { ...s.counts, [key]: counts } }));
    } catch {
      hierarchy.setState((s) => ({ counts: { ...s.counts, [key]: 'error' } }));
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

  /** Another connection is in use: its source's descriptor, a fresh hierarchy from the top, its status. */
  async function afterProfileSwitch(): Promise<void> {
    try {
      applyDescriptor(await api.describeSource());
    } catch (e) {
      app.setState({ bootError: toUiError(e) });
      return;
    }
    clearHierarchy();
    void refreshConnection();
    if (app.getState().profiles.some((p) => p.active)) void loadTop();
  }

  async function validateProfile(p: NewProfile): Promise<KeyValidation> {
    return api.validateProfile(p);
  }

  async function addProfile(p: NewProfile): Promise<KeyValidation> {
    const res = await api.addProfile(p);
    if (res.profile) {
      const profiles = await api.listProfiles();
      app.setState({ profiles });
      if (res.profile.active || profiles.find((x) => x.id === res.profile!.id)?.active) await afterProfileSwitch();
    }
    return res.validation;
  }

  /** A sign-in that ended in a saved profile (it is the active one now): the app moves to it. */
  async function afterSignIn(res: { validation: KeyValidation; profile?: ProfileSummary }): Promise<KeyValidation> {
    if (res.profile) {
      app.setState({ profiles: await api.listProfiles() });
      await afterProfileSwitch();
    }
    return res.validation;
  }

  /** Sign-in through the browser: the code to show and the page to open (the core waits for the approval). */
  function startDeviceSignIn(t: { name: string; source: string; baseUrl?: string }): Promise<DeviceSignInStart> {
    return api.startDeviceSignIn(t);
  }

  /** Waits for a started browser sign-in; its profile is saved by the core and used from then on. */
  async function finishDeviceSignIn(flowId: string): Promise<KeyValidation> {
    return afterSignIn(await api.finishDeviceSignIn({ flowId }));
  }

  function cancelDeviceSignIn(flowId: string): Promise<void> {
    return api.cancelDeviceSignIn({ flowId });
  }

  /** Email and password, used once by the core: only the refresh token it gets is kept. */
  async function signInWithPassword(t: { name: string; source: string; baseUrl?: string; email: string; password: string }): Promise<KeyValidation> {
    return afterSignIn(await api.signInWithPassword(t));
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
    await afterProfileSwitch();
  }

  async function removeProfile(id: string): Promise<void> {
    const wasActive = app.getState().profiles.find((p) => p.id === id)?.active;
    const profiles = await api.removeProfile({ id });
    app.setState({ profiles });
    if (wasActive) await afterProfileSwitch();
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
    loadList, ensureList, loadTop, ensurePath, ensureNames, loadCounts, loadKeyAccess, getCodeMap,
    refreshConnection, validateProfile, addProfile, reenterKey, activateProfile, removeProfile, updateSettings, chooseDownloadFolder,
    startDeviceSignIn, finishDeviceSignIn, cancelDeviceSignIn, signInWithPassword,
    planExport, startExport, jobAction, removeJob, reloadJobs, dismissNotice,
  };
}

export type AppModel = ReturnType<typeof createAppModel>;
