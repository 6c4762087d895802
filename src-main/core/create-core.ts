// createCore: the contract's implementation over the active profile's source (through the Source
// port), the planner, jobs, secrets, settings and profiles modules. Every host (the Electron shell, browser mode, tests) builds one with its
// own adapters and talks to it only through `api` (validated arguments) and `on` (events).
// Node only: never imports electron; Electron-only abilities arrive as ShellActions.
import { realpathSync } from 'node:fs';
import path from 'node:path';
import type { CoreApi, EventName, EventPayloads } from '../../src-shared/contract';
import { StudyError, toErrorInfo, type ErrorInfo } from '../../src-shared/errors';
import { createEventHub } from '../../src-shared/event-hub';
import type { AppInfo, ConnectionStatus, ExportRequest, LevelItem, Notice, PathStep, Portal, RateBudget, Settings, SourceDescriptor, SourceId } from '../../src-shared/model';
import { pathKey } from '../../src-shared/target';
import { codeMapCsv, openStudyCodeBook } from './export/anonymize/code-book';
import { asciiLabel } from './export/naming';
import type { TitleNames } from './jobs/job-title';
import { createReachability, type Reachability } from './net/reachability';
import type { InternalPlan, PlanRequest } from './plan/planner';
import { createViewStateStore, type ViewStateStore } from './settings/view-state-store';
import { createJobManager, type JobManager } from './jobs/job-manager';
import { keyIdentity, limiterLogPath } from './net/key-identity';
import { createJointLimiter, type JointLimiter, type LimiterLimits } from './net/limiter';
import { createPlan } from './plan/planner';
import { silentLogger, systemClock, type Clock, type FetchLike, type Logger } from './ports';
import { createPreviewService } from './preview/preview-service';
import { createProfileManager, type ProfileManager } from './profiles';
import { createSignIns } from './profiles/sign-ins';
import type { EnvironmentKeyEntry } from './secrets/environment-key';
import { createOutputRegistry, isInside, type OutputRegistry } from './registry/output-registry';
import { selectSecretStore, type SafeStorageLike, type SecretStore } from './secrets';
import { createSafeStorageStore } from './secrets/safe-storage-store';
import { createSettingsStore, type ConfLike, type SettingsConfOptions, type SettingsStore } from './settings';
import { ensurePrivateDir } from './state/private-files';
import { checkAnonymization, checkListing, checkPath, checkSplit, checkTarget, checkTypes } from './sources/check-ids';
import { DEFAULT_SOURCE_ID, SOURCES, isSourceId, sourceModule } from './sources/registry';
import { createSyncService, type SyncService } from './sync/sync-service';
import type { Source, SourceConnection, SourceModule } from './sources/source';

/** What only the desktop shell can do; absent in browser mode (those methods answer UNSUPPORTED). */
export interface ShellActions {
  showInFolder(path: string): void | Promise<void>;
  openPath(path: string): Promise<void>;
  copyText(text: string): void | Promise<void>;
  startDrag(path: string): void;
  /** A native folder picker starting at `current`; null when cancelled. */
  chooseFolder(current: string): Promise<string | null>;
  notify(title: string, body: string): void;
  /**
   * Opens an https link in the system browser when the shell's allowlist (or `alsoHosts`, the
   * link's own API host) allows it; true when it did. A browser sign-in's approval page.
   */
  openExternal?(url: string, alsoHosts: readonly string[]): boolean;
}

export interface CoreDeps {
  mode: 'electron' | 'browser';
  /** Settings, profiles and the limiter logs. */
  configDir: string;
  /**
   * Folder whose `ratelimit/` holds the keys' shared limiter logs (default: configDir). Every
   * process given the same folder spends one budget per key; the CLI and browser mode use
   * STUDYDL_HOME / ~/.config/study-downloader.
   */
  rateLimitDir?: string;
  /** Job state, checkpoints and history. */
  dataDir: string;
  appVersion: string;
  /** Settings backing: electron-store in the shell (`makeConf`), a ready Conf, or conf in configDir by default. */
  settings?: { conf?: ConfLike; makeConf?: (options: SettingsConfOptions) => ConfLike; defaults?: Partial<Settings> };
  /** A chosen key store (tests: a memory store). Otherwise the candidates are probed in order. */
  secretStore?: SecretStore;
  secretCandidates?: SecretStore[];
  /** Electron's safeStorage (shell only): adds the encrypted-file fallback after the candidates. */
  safeStorage?: SafeStorageLike;
  fetch?: FetchLike;
  clock?: Clock;
  logger?: Logger;
  /** The environment's key (HYPERSTUDY_API_KEY): the key of an in-memory "environment" profile only (never a stored profile's), never saved. */
  envKey?: string;
  /** Its base URL variable (HYPERSTUDY_BASE_URL): that profile's server (the source's default when absent). */
  envBaseUrl?: string;
  /** The other sources' environment credentials (BRAINSTEM_TOKEN with BRAINSTEM_URL), by source: the same rule. */
  envKeys?: Record<SourceId, EnvironmentKeyEntry>;
  /** `npm run demo`: an in-memory "Demo" profile for the simulator. */
  demo?: { baseUrl: string; apiKey: string; organizationId?: string };
  /** More in-memory demo profiles, of other sources (`npm run demo`'s BrainSTEM simulator). */
  moreDemos?: Array<{ source: SourceId; baseUrl: string; apiKey: string; portal?: Portal }>;
  shell?: ShellActions;
  /** Offline re-check backoff, ms (default 1 s doubling to 15 s). */
  recheck?: { minMs?: number; maxMs?: number };
  /** How often the rate budget is re-announced while it changes, ms (default 1000). */
  budgetIntervalMs?: number;
  /** How often the interval of folders kept up to date is looked at, ms (default 30 s). */
  syncCheckMs?: number;
}

export interface Core {
  api: CoreApi;
  on<E extends EventName>(event: E, cb: (payload: EventPayloads[E]) => void): () => void;
  /** Job id → finished output inside the download folder (shell actions, browser downloads). */
  outputs: OutputRegistry;
  /** Resolves when stores are open (the api awaits it by itself). */
  ready: Promise<void>;
  close(): Promise<void>;
}

interface Session {
  profileId: string;
  connection: SourceConnection;
  limiter: JointLimiter;
  /** State every source opened on this connection shares (OpenSourceDeps.shared). */
  shared: Map<string, unknown>;
  source: Source;
  generation: number;
}

/** A plan shown in the export dialog stays good for Start this long (then Start plans again). */
const PLAN_FRESH_MS = 3 * 60_000;

const unsupported = (what: string) =>
  new StudyError({
    code: 'UNSUPPORTED',
    message: `${what} works in the desktop app only.`,
    fix: 'In the browser, use the download link of the finished export instead.',
  });

const noProfile = () => {
  const label = sourceModule(DEFAULT_SOURCE_ID).descriptor.label;
  return new StudyError({
    code: 'NO_PROFILE',
    message: `No connection to ${label} is set up yet.`,
    fix: `Add a connection with your ${label} API key (Settings → Connections).`,
  });
};

const LIMIT_KEYS = ['keyLimit', 'keyWindowSec', 'endpointLimit', 'endpointWindowSec'] as const;

function limitsOf(s: Settings): LimiterLimits {
  return { keyLimit: s.keyLimit, keyWindowMs: s.keyWindowSec * 1000, endpointLimit: s.endpointLimit, endpointWindowMs: s.endpointWindowSec * 1000 };
}

/** A source's limits: the settings' (documented, tunable) or its own fixed ones. */
function sourceLimits(m: SourceModule, s: Settings): LimiterLimits {
  return m.policy.limits === 'settings' ? limitsOf(s) : m.policy.limits;
}

function idleBudget(s: Settings): RateBudget {
  return {
    keyLimit: s.keyLimit,
    keyWindowSec: s.keyWindowSec,
    keyRemaining: s.keyLimit,
    keyResetSec: 0,
    endpointLimit: s.endpointLimit,
    endpointWindowSec: s.endpointWindowSec,
    summary: `${s.keyLimit} of ${s.keyLimit} requests left`,
  };
}

/** Connection state implied by a failed call (null: the failure says nothing about the connection). */
function stateForError(info: ErrorInfo): ConnectionStatus['state'] | null {
  switch (info.code) {
    case 'UNAUTHORIZED':
    case 'KEY_FORMAT':
      return 'unauthorized';
    case 'UNREACHABLE':
    case 'TIMEOUT':
      return 'offline';
    case 'NOT_HYPERSTUDY':
      return 'not-hyperstudy';
    case 'NO_PROFILE':
      return 'no-profile';
    default:
      return null;
  }
}

/** The real path of `p`, resolving symlinks in the part that exists (the rest may not be created yet). */
function realExisting(p: string): string {
  const abs = path.resolve(p);
  let head = abs;
  const tail: string[] = [];
  for (;;) {
    try {
      return path.join(realpathSync(head), ...tail.reverse());
    } catch {
      const up = path.dirname(head);
      if (up === head) return abs;
      tail.push(path.basename(head));
      head = up;
    }
  }
}

export function createCore(deps: CoreDeps): Core {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? silentLogger;
  const doFetch = deps.fetch ?? fetch;
  const hub = createEventHub();
  const emit = <E extends EventName>(event: E, payload: EventPayloads[E]) => hub.emit(event, payload);
  const nowIso = () => new Date(clock.now()).toISOString();

  let settings!: SettingsStore;
  let profiles!: ProfileManager;
  let jobs!: JobManager;
  let syncs!: SyncService;
  let viewState!: ViewStateStore;
  /** The last plan made for the dialog, reused by Start for the same request while fresh. */
  let lastPlan: { key: string; generation: number; at: number; plan: InternalPlan; source: Source } | null = null;
  const codeMapDir = path.join(deps.configDir, 'code-maps');
  let session: Session | null = null;
  let sessionPromise: Promise<Session> | null = null;
  let generation = 0;
  let closed = false;
  let status: ConnectionStatus = { state: 'checking', message: 'Checking the connection…', checkedAt: nowIso() };
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const listingCache = new Map<string, unknown>();
  /**
   * One limiter per key (identity: hash of base URL and key), whichever profile uses it: a
   * profile switch mid-export keeps spending the one budget, and the export keeps its limiter.
   * Limiters of sources whose limits are the settings' follow the settings.
   */
  const limiters = new Map<string, { limiter: JointLimiter; module: SourceModule }>();

  const schedule = (fn: () => void, ms: number) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    t.unref?.();
    timers.add(t);
    return t;
  };

  // ---------- start-up ----------

  const ready = (async () => {
    // The config folder holds the profiles, settings, jobs and rate-limit logs: the user's only.
    ensurePrivateDir(deps.configDir);
    settings = createSettingsStore({
      ...(deps.settings?.conf ? { conf: deps.settings.conf } : { dir: deps.configDir, ...(deps.settings?.makeConf ? { makeConf: deps.settings.makeConf } : {}) }),
      ...(deps.settings?.defaults ? { defaults: deps.settings.defaults } : {}),
      logger,
    });
    let secrets: SecretStore;
    const notices: Notice[] = [...settings.notices()];
    if (deps.secretStore) {
      secrets = deps.secretStore;
    } else {
      const candidates = [...(deps.secretCandidates ?? [])];
      if (deps.safeStorage) candidates.push(createSafeStorageStore({ safeStorage: deps.safeStorage, file: path.join(deps.configDir, 'secrets.bin.json') }));
      const chosen = await selectSecretStore(candidates, { logger });
      secrets = chosen.store;
      if (chosen.notice) notices.push(chosen.notice);
    }
    profiles = createProfileManager({
      dir: deps.configDir,
      secrets,
      validateKey: (conn) => sourceModule(conn.source).validateCredential(conn, { fetch: doFetch, clock }),
      ...(deps.envKey ? { envKey: deps.envKey } : {}),
      ...(deps.envBaseUrl ? { envBaseUrl: deps.envBaseUrl } : {}),
      ...(deps.envKeys ? { envKeys: deps.envKeys } : {}),
      logger,
      now: () => clock.now(),
    });
    if (deps.demo) await profiles.addDemoProfile(deps.demo.baseUrl, deps.demo.apiKey, deps.demo.organizationId);
    for (const d of deps.moreDemos ?? []) await profiles.addDemoProfile(d.baseUrl, d.apiKey, undefined, { source: d.source, ...(d.portal ? { portal: d.portal } : {}) });
    await profiles.ready; // notices() is complete only once the profiles file was read
    notices.push(...profiles.notices());
    viewState = createViewStateStore(deps.configDir, logger);
    jobs = createJobManager({
      dataDir: deps.dataDir,
      codeMaps: { dir: codeMapDir },
      // Each export gets its own connection on the session's limiter, so its request count is its
      // own (browsing meanwhile is not counted as the export's).
      getSource: async () => {
        const s = await getSession();
        return { source: ownSource(s), sourceUrl: s.connection.baseUrl };
      },
      getSettings: () => settings.get(),
      clock,
      logger,
      appVersion: deps.appVersion,
      // Pseudonymized folders kept up to date keep their raw records here, never in the folder.
      syncStoresDir: path.join(deps.dataDir, 'sync-stores'),
    });
    syncs = createSyncService({
      dataDir: deps.dataDir,
      jobs,
      clock,
      logger,
      activeModule,
      descriptorOf: (id) => (isSourceId(id) ? sourceModule(id).descriptor : null),
      checkDestination,
      downloadFolder: () => settings.get().downloadFolder,
      knownNames: (target) => knownNames(target.path),
      checkRequest: (module, req) => {
        checkTarget(module.descriptor, req.target);
        checkTypes(module.descriptor, req.types);
        checkSplit(module.descriptor, req.split);
        checkAnonymization(module.descriptor, req.anonymize);
      },
      budget: () => (session ? session.source.budget() : null),
      ...(deps.shell ? { notify: (t: string, b: string) => deps.shell!.notify(t, b), showInFolder: (p: string) => deps.shell!.showInFolder(p) } : {}),
      emitFolders: (f) => emit('syncFolders', f),
      ...(deps.syncCheckMs ? { checkEveryMs: deps.syncCheckMs } : {}),
    });
    await jobs.flush(); // a damaged jobs file is set aside (and named in a notice) before anything else
    notices.push(...jobs.notices());
    await syncs.flush().catch((e: unknown) => logger.warn('could not check the list of folders kept up to date', { error: String(e) })); // the list of folders kept up to date, likewise
    notices.push(...syncs.notices());
    jobs.on('progress', (p) => emit('jobProgress', p));
    jobs.on('state', (s) => {
      emit('jobState', s);
      if (s.sync) syncs.onJobState(s);
      else if (s.state === 'completed') deps.shell?.notify('Export finished', `${s.title} is ready.`);
      else if (s.state === 'failed') deps.shell?.notify('Export failed', s.error?.message ?? s.title);
    });
    settings.onChange((s) => {
      for (const l of limiters.values()) if (l.module.policy.limits === 'settings') l.limiter.setLimits(limitsOf(s));
    });
    for (const n of notices) emit('notice', n);
  })();
  ready.catch((e) => logger.error('core start-up failed', { error: toErrorInfo(e).message }));

  // ---------- the session: limiter + source of the active profile ----------

  function dropSession(): void {
    const old = session;
    session = null;
    sessionPromise = null;
    generation++;
    listingCache.clear();
    preview.clear();
    lastPlan = null;
    // A running export keeps the source it started with; its limiter is the key's, which stays.
    old?.limiter.flush();
  }

  function limiterFor(module: SourceModule, connection: SourceConnection): JointLimiter {
    const id = keyIdentity(connection.baseUrl, connection.secret);
    let entry = limiters.get(id);
    if (!entry) {
      const limiter = createJointLimiter({
        ...sourceLimits(module, settings.get()),
        clock,
        logger,
        persistPath: limiterLogPath(deps.rateLimitDir ?? deps.configDir, connection.baseUrl, connection.secret),
      });
      entry = { limiter, module };
      limiters.set(id, entry);
    }
    return entry.limiter;
  }

  async function openSession(): Promise<Session> {
    // A check started just before close() must not open a connection (and its limiter log) after it.
    if (closed) throw new StudyError({ code: 'CANCELLED', message: 'The app is closing.' });
    const active = await profiles.active();
    if (closed) throw new StudyError({ code: 'CANCELLED', message: 'The app is closing.' });
    if (!active) throw noProfile();
    const module = sourceModule(active.connection.source);
    const limiter = limiterFor(module, active.connection);
    const shared = new Map<string, unknown>();
    const source = openSource(module, active.connection, limiter, active.profile.id, shared);
    return { profileId: active.profile.id, connection: active.connection, limiter, shared, source, generation };
  }

  function openSource(module: SourceModule, connection: SourceConnection, limiter: JointLimiter, profileId: string, shared: Map<string, unknown>): Source {
    // A rotated credential (BrainSTEM's refresh token) replaces the stored one at once: the old one no longer works.
    const onSecretRotated = (secret: string) => profiles.replaceSecret(profileId, secret);
    return module.open(connection, {
      limiter, clock, fetch: reach.fetch, logger, onSecretRotated, shared,
      ...(module.policy.retry ? { retry: module.policy.retry } : {}),
      ...(module.policy.maxInFlight ? { maxInFlight: module.policy.maxInFlight } : {}),
    });
  }

  /** A connection of its own (its own request count) on the session's connection settings and limiter. */
  function ownSource(s: Session): Source {
    return openSource(sourceModule(s.connection.source), s.connection, s.limiter, s.profileId, s.shared);
  }

  /** The active profile and its source (no key needed, no request); the default source when there is none. */
  async function activeModule(): Promise<{ module: SourceModule; profileId?: string }> {
    if (session) return { module: sourceModule(session.source.id), profileId: session.profileId };
    const active = (await profiles.list()).find((p) => p.active);
    return { module: sourceModule(active?.source ?? DEFAULT_SOURCE_ID), ...(active ? { profileId: active.id } : {}) };
  }

  function getSession(): Promise<Session> {
    if (session) return Promise.resolve(session);
    if (!sessionPromise) {
      const gen = generation;
      const p = openSession().then(
        (s) => {
          if (gen !== generation) return getSession(); // the profile changed meanwhile (the key's limiter stays)
          session = s;
          return s;
        },
        (e) => {
          if (sessionPromise === p) sessionPromise = null;
          throw e;
        },
      );
      sessionPromise = p;
    }
    return sessionPromise;
  }

  // ---------- connection status and rate budget ----------
  // The status tells the truth quickly: the first attempt that cannot reach the server makes it
  // "offline" at once (the request keeps retrying meanwhile), the first answer makes it "online"
  // again, and while offline a keyless probe (outside the rate limit, so no budget is spent)
  // looks again after 1, 2, 4, 8, 15, 15 … seconds; Retry looks at once.

  let recheckDelay = 0;
  let recheckTimer: ReturnType<typeof setTimeout> | null = null;

  const onSessionUrl = (url: string) => !!session && url.startsWith(session.connection.baseUrl.replace(/\/+$/, ''));
  const reach: Reachability = createReachability(doFetch, {
    onFailure(error, url) {
      if (!onSessionUrl(url) || status.state === 'offline') return;
      setStatus({ state: 'offline', profileId: session!.profileId, message: error.message, ...(error.fix ? { fix: error.fix } : {}) });
    },
    onAnswer(url) {
      if (onSessionUrl(url) && status.state === 'offline') setStatus(onlineStatus(session!));
    },
  }, clock);

  const onlineStatus = (s: Session): Omit<ConnectionStatus, 'checkedAt'> => ({ state: 'online', profileId: s.profileId, message: `Connected to ${new URL(s.connection.baseUrl).host}.` });

  function setStatus(next: Omit<ConnectionStatus, 'checkedAt' | 'nextCheckAt'>): ConnectionStatus {
    if (next.state === 'offline') {
      // Keep the schedule already running: a second failure says nothing new about when to look.
      if (!recheckTimer) planRecheck();
      status = { ...next, checkedAt: nowIso(), nextCheckAt: new Date(recheckAt).toISOString() };
    } else {
      recheckDelay = 0;
      if (recheckTimer) clearTimeout(recheckTimer);
      recheckTimer = null;
      status = { ...next, checkedAt: nowIso() };
    }
    emit('connectionStatus', status);
    return status;
  }

  let recheckAt = 0;
  function planRecheck(): void {
    if (closed) return;
    const min = deps.recheck?.minMs ?? 1_000;
    const max = deps.recheck?.maxMs ?? 15_000;
    recheckDelay = recheckDelay ? Math.min(max, recheckDelay * 2) : min;
    recheckAt = clock.now() + recheckDelay;
    recheckTimer = schedule(() => {
      recheckTimer = null;
      void recheck();
    }, recheckDelay);
  }

  /** While offline: the keyless probe first; only once it answers, the full check with the key. */
  async function recheck(): Promise<void> {
    const s = session;
    if (!s) {
      await checkConnection().catch(() => undefined);
      return;
    }
    const problem = await reach.probe(s.connection.baseUrl);
    if (closed || status.state !== 'offline') return;
    if (problem) {
      setStatus({ state: 'offline', profileId: s.profileId, message: problem.message, ...(problem.fix ? { fix: problem.fix } : {}) });
      return;
    }
    await checkConnection({ probed: true }).catch(() => undefined);
  }

  function statusFromError(e: unknown, profileId?: string): Omit<ConnectionStatus, 'checkedAt'> | null {
    const info = toErrorInfo(e);
    const state = stateForError(info);
    if (!state) return null;
    return { state, ...(profileId ? { profileId } : {}), message: info.message, ...(info.fix ? { fix: info.fix } : {}) };
  }

  async function checkConnection(opts: { probed?: boolean } = {}): Promise<ConnectionStatus> {
    await ready;
    let s: Session;
    try {
      s = await getSession();
    } catch (e) {
      return setStatus(statusFromError(e) ?? { state: 'no-profile', message: toErrorInfo(e).message });
    }
    // A quick keyless look first while the server may be down (not checked yet, or offline): an
    // unreachable server is reported in seconds, not after retries. While it answers, the keyed
    // check alone is sent, so every request the server sees comes out of the key's budget; its
    // first failed attempt still says "offline" at once (see reach).
    const problem = opts.probed || status.state === 'online' ? null : await reach.probe(s.connection.baseUrl);
    if (problem) {
      // Retry pressed while offline: look again soon rather than after the grown backoff.
      if (recheckTimer) {
        clearTimeout(recheckTimer);
        recheckTimer = null;
        recheckDelay = 0;
      }
      return setStatus({ state: 'offline', profileId: s.profileId, message: problem.message, ...(problem.fix ? { fix: problem.fix } : {}) });
    }
    try {
      const health = await s.source.health();
      if (!health.ok) return setStatus({ state: 'offline', profileId: s.profileId, message: `${s.source.descriptor.label} says it is not healthy right now.`, fix: 'Wait a few minutes; the app keeps checking.' });
      return setStatus(onlineStatus(s));
    } catch (e) {
      const next = statusFromError(e, s.profileId);
      // Offline already (said at the first failed attempt): those words stand, one message.
      if (next?.state === 'offline' && status.state === 'offline') return status;
      if (next) return setStatus(next);
      const info = toErrorInfo(e);
      return setStatus({ state: 'offline', profileId: s.profileId, message: info.message, ...(info.fix ? { fix: info.fix } : {}) });
    }
  }

  /** Runs a call that talks to the source; its outcome updates the connection status. */
  async function online<T>(fn: (s: Session) => Promise<T>): Promise<T> {
    await ready;
    const s = await getSession();
    try {
      const value = await fn(s);
      if (status.state !== 'online' && s === session) setStatus(onlineStatus(s));
      return value;
    } catch (e) {
      s.source.access?.learn(e);
      const next = statusFromError(e, s.profileId);
      // While offline the first failure's words stand (one message, not one per retried call).
      if (next && (next.state !== status.state || (next.state !== 'offline' && next.message !== status.message))) setStatus(next);
      throw e;
    } finally {
      announceBudget();
    }
  }

  let lastBudget = '';
  function currentBudget(): RateBudget {
    return session ? session.source.budget() : idleBudget(settings.get());
  }
  function announceBudget(): void {
    if (!settings) return;
    const b = currentBudget();
    const key = JSON.stringify(b);
    if (key === lastBudget) return;
    lastBudget = key;
    emit('rateBudget', b);
  }
  const budgetTimer = setInterval(() => {
    if (settings && session) announceBudget();
  }, deps.budgetIntervalMs ?? 1_000);
  budgetTimer.unref?.();

  async function afterProfileChange<T>(value: T): Promise<T> {
    dropSession();
    void checkConnection().catch(() => undefined);
    announceBudget();
    return value;
  }

  // ---------- listings (cached per session until refresh) ----------

  async function cached<T>(key: string, refresh: boolean | undefined, load: () => Promise<T>): Promise<T> {
    const gen = generation;
    if (!refresh && listingCache.has(key)) return listingCache.get(key) as T;
    const value = await load();
    if (gen === generation) listingCache.set(key, value);
    return value;
  }

  const preview = createPreviewService({
    getSource: async () => {
      await ready;
      return (await getSession()).source;
    },
    sourceGeneration: () => generation,
    pageConcurrency: () => settings?.get().concurrency ?? 4,
    logger,
  });

  // ---------- plans and names for new jobs ----------

  const planRequestOf = (r: ExportRequest): PlanRequest => ({
    target: r.target, types: r.types, since: r.since, until: r.until, includeRecordings: r.includeRecordings, recordingIds: r.recordingIds,
  });
  const planKey = (r: PlanRequest) =>
    JSON.stringify([r.target.level, pathKey(r.target.path), [...r.types].sort(), r.since ?? null, r.until ?? null, !!r.includeRecordings, r.recordingIds ?? null]);

  /**
   * Names of the items along a path from the listings already loaded (no request), by level: each
   * step's item as listed under its parent or under a further ancestor (HyperStudy lists an
   * experiment's participants too). An item whose label is only its id has no name.
   */
  function knownNames(itemPath: readonly PathStep[]): TitleNames {
    const names: TitleNames = {};
    itemPath.forEach((step, i) => {
      for (let j = i; j >= 0 && names[step.level] === undefined; j--) {
        const listing = listingCache.get(`level:${step.level}:${pathKey(itemPath.slice(0, j))}`) as { items: LevelItem[] } | undefined;
        const item = listing?.items.find((x) => x.id === step.id);
        if (item && item.label && item.label !== item.id) names[step.level] = item.label;
      }
    });
    return names;
  }

  // ---------- sign-ins (browser device flow, email/password) ----------

  const signIns = createSignIns({ profiles: () => profiles, fetch: doFetch, clock, logger });

  // ---------- outputs and shell actions ----------

  const outputs = createOutputRegistry({
    lookup: async (jobId) => {
      await ready;
      const snap = jobs.get(jobId);
      if (!snap) return null;
      return { state: snap.state, outputPath: jobs.outputPath(jobId) };
    },
    downloadFolder: async (jobId) => {
      await ready;
      return jobs.get(jobId)?.request.destination ?? settings.get().downloadFolder;
    },
  });

  function needShell(what: string): ShellActions {
    if (!deps.shell) throw unsupported(what);
    return deps.shell;
  }

  function checkDestination(destination: string | undefined): void {
    if (!destination) return;
    const folder = realExisting(settings.get().downloadFolder);
    if (!isInside(folder, realExisting(destination))) {
      throw new StudyError({
        code: 'INVALID_ARGUMENT',
        message: 'Exports can only be saved inside your download folder.',
        fix: 'Change the download folder in Settings, then export again.',
      });
    }
  }

  // ---------- the contract ----------

  const api: CoreApi = {
    async getAppInfo() {
      const shell = !!deps.shell;
      const info: AppInfo = {
        name: 'Study Downloader',
        version: deps.appVersion,
        mode: deps.mode,
        demo: !!deps.demo || !!deps.moreDemos?.length,
        platform: process.platform,
        capabilities: { showInFolder: shell, openPath: shell, startDrag: shell, chooseFolder: shell, notifications: shell, downloadLink: deps.mode === 'browser' },
      };
      return info;
    },
    async getConnectionStatus() {
      await ready;
      return status;
    },
    checkConnection: () => checkConnection(),
    async getRateBudget() {
      await ready;
      return currentBudget();
    },
    async describeSource(): Promise<SourceDescriptor> {
      await ready;
      return (await activeModule()).module.descriptor;
    },
    async listSources(): Promise<SourceDescriptor[]> {
      return SOURCES.map((s) => s.descriptor);
    },

    async listProfiles() {
      await ready;
      return profiles.list();
    },
    async validateProfile(p) {
      await ready;
      return profiles.validate(p);
    },
    async addProfile(p) {
      await ready;
      const result = await profiles.add(p);
      return result.profile ? afterProfileChange(result) : result;
    },
    async removeProfile({ id }) {
      await ready;
      return afterProfileChange(await profiles.remove(id));
    },
    async activateProfile({ id }) {
      await ready;
      return afterProfileChange(await profiles.activate(id));
    },
    async startDeviceSignIn(t) {
      await ready;
      const started = await signIns.startDevice(t);
      // The desktop app opens the approval page itself (the shell allows only https pages it
      // knows, or on the API's own host); browser mode and the CLI show the link and the code.
      if (started.kind !== 'code' || !deps.shell?.openExternal) return started;
      let apiHost: string[] = [];
      try {
        apiHost = t.baseUrl ? [new URL(t.baseUrl).hostname] : [];
      } catch {
        // the source rejected a bad address already; nothing more to allow
      }
      return { ...started, browserOpened: deps.shell.openExternal(started.verificationUriComplete, apiHost) };
    },
    async finishDeviceSignIn({ flowId }) {
      await ready;
      const result = await signIns.finishDevice(flowId);
      return result.profile ? afterProfileChange(result) : result;
    },
    async cancelDeviceSignIn({ flowId }) {
      await ready;
      signIns.cancelDevice(flowId);
    },
    async signInWithPassword(t) {
      await ready;
      const result = await signIns.password(t);
      return result.profile ? afterProfileChange(result) : result;
    },

    listLevel: ({ level, parentPath, refresh }) =>
      online((s) => {
        checkListing(s.source.descriptor, level, parentPath);
        return cached(`level:${level}:${pathKey(parentPath)}`, refresh, async () => {
          const l = await s.source.listLevel(level, parentPath);
          return { items: l.items, warnings: l.warnings };
        });
      }),
    getItemCounts: ({ path: itemPath }) =>
      online(async (s) => {
        const d = s.source.descriptor;
        checkPath(d, itemPath);
        const level = d.levels.find((l) => l.id === itemPath[itemPath.length - 1].level);
        if (!level?.counts || !s.source.itemCounts) {
          throw new StudyError({ code: 'INVALID_ARGUMENT', message: `${d.label} has no record counts per ${level?.singular ?? 'item'}.`, fix: 'Open the item to see its data instead.' });
        }
        return s.source.itemCounts(itemPath);
      }),
    getPreview: (q) =>
      online((s) => {
        checkTarget(s.source.descriptor, q.target);
        checkTypes(s.source.descriptor, [q.type]);
        return preview.getPage(q);
      }),

    planExport: (req) =>
      online(async (s) => {
        checkTarget(s.source.descriptor, req.target);
        checkTypes(s.source.descriptor, req.types);
        // Its own connection: the requests it spent are exactly the plan's, and the export that
        // uses the plan goes on with the same one (its count, and what it already listed).
        const source = ownSource(s).forExport();
        const internal = await createPlan(source, req, { latencySec: reach.latencySec() ?? undefined, concurrency: settings.get().concurrency });
        lastPlan = { key: planKey(req), generation, at: clock.now(), plan: internal, source };
        return internal.plan;
      }),
    async startExport(req) {
      await ready;
      checkDestination(req.destination);
      const { module, profileId } = await activeModule();
      checkTarget(module.descriptor, req.target);
      checkTypes(module.descriptor, req.types);
      checkSplit(module.descriptor, req.split);
      // The plan the dialog just showed is this export's plan: Start does not plan again
      // (and spend its first pages twice) unless it has gone stale.
      const fresh = lastPlan && lastPlan.key === planKey(planRequestOf(req)) && lastPlan.generation === generation && clock.now() - lastPlan.at < PLAN_FRESH_MS;
      const reuse = fresh ? { plan: lastPlan!.plan, planSource: lastPlan!.source } : {};
      lastPlan = null;
      checkAnonymization(module.descriptor, req.anonymize);
      return jobs.start(req, { source: module.id, ...(profileId ? { profileId } : {}), ...reuse, names: knownNames(req.target.path) });
    },
    async listJobs() {
      await ready;
      return jobs.list();
    },
    async pauseJob({ jobId }) {
      await ready;
      return jobs.pause(jobId);
    },
    async resumeJob({ jobId }) {
      await ready;
      return jobs.resume(jobId);
    },
    async cancelJob({ jobId }) {
      await ready;
      return jobs.cancel(jobId);
    },
    async retryJob({ jobId }) {
      await ready;
      return jobs.retry(jobId);
    },
    async removeJob({ jobId }) {
      await ready;
      return jobs.remove(jobId);
    },

    async listSyncFolders() {
      await ready;
      return syncs.list();
    },
    async planSync(arg) {
      await ready;
      return syncs.plan(arg);
    },
    async startSync(arg) {
      await ready;
      return syncs.start(arg);
    },
    async keepExportUpToDate(arg) {
      await ready;
      return syncs.keepExportUpToDate(arg);
    },
    async createSyncFolder(arg) {
      await ready;
      return syncs.createFolder(arg);
    },
    async setSyncInterval(arg) {
      await ready;
      return syncs.setInterval(arg);
    },
    async forgetSyncFolder(arg) {
      await ready;
      return syncs.forget(arg);
    },
    async showSyncFolder(arg) {
      await ready;
      return syncs.show(arg);
    },

    getKeyAccess: ({ path: itemPath }) =>
      online(async (s) => {
        const d = s.source.descriptor;
        checkPath(d, itemPath);
        // A source that cannot tell what its credential may read says nothing is known.
        return s.source.access ? s.source.access.check(itemPath, d.dataTypes.map((t) => t.id)) : { known: false, missingScopes: [] };
      }),
    async getCodeMap({ path: itemPath }) {
      await ready;
      const { module } = await activeModule();
      checkPath(module.descriptor, itemPath);
      // One map per source and root item (the study), whatever level the caller stands at.
      const root = itemPath[0];
      const book = await openStudyCodeBook({ dir: codeMapDir, source: module.id, studyId: root.id });
      const entries = book.entries();
      const name = knownNames([root])[root.level];
      const stem = (name && asciiLabel(name, 48)) || asciiLabel(root.id, 48) || 'study';
      return { fileName: `${stem}_code-map.csv`, csv: codeMapCsv(entries), participants: entries.length };
    },

    async getSettings() {
      await ready;
      return settings.get();
    },
    async updateSettings(patch) {
      await ready;
      // In the desktop app the folder is chosen with the native dialog, never a path typed by the page.
      if (deps.shell && patch.downloadFolder !== undefined && path.resolve(patch.downloadFolder) !== path.resolve(settings.get().downloadFolder)) {
        throw new StudyError({ code: 'INVALID_ARGUMENT', message: 'The download folder is changed with the folder picker.', fix: 'Use “Choose folder…” in Settings.' });
      }
      const next = settings.update(patch);
      if (LIMIT_KEYS.some((k) => patch[k] !== undefined)) announceBudget();
      return next;
    },
    async getViewState() {
      await ready;
      return viewState.all();
    },
    async setViewState({ key, value }) {
      await ready;
      viewState.set(key, value);
    },

    async showInFolder({ jobId }) {
      const shell = needShell('Showing the file in its folder');
      await shell.showInFolder((await outputs.resolve(jobId)).path);
    },
    async openOutput({ jobId }) {
      const shell = needShell('Opening the export');
      await shell.openPath((await outputs.resolve(jobId)).path);
    },
    async copyOutputPath({ jobId }) {
      const shell = needShell('Copying the path');
      await shell.copyText((await outputs.resolve(jobId)).path);
    },
    async startDrag({ jobId }) {
      const shell = needShell('Dragging the export out');
      shell.startDrag((await outputs.resolve(jobId)).path);
    },
    async chooseDownloadFolder() {
      const shell = needShell('Choosing a folder with a dialog');
      await ready;
      const chosen = await shell.chooseFolder(settings.get().downloadFolder);
      if (!chosen) return null;
      return settings.update({ downloadFolder: chosen });
    },
  };

  // First look at the connection, once the stores are open.
  ready.then(() => {
    announceBudget();
    return checkConnection();
  }).catch(() => undefined);

  return {
    api,
    on: (event, cb) => hub.subscribe(event, cb),
    outputs,
    ready,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(budgetTimer);
      syncs?.stop();
      signIns.close();
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await ready.catch(() => undefined);
      preview.clear();
      await jobs?.close();
      for (const l of limiters.values()) await l.limiter.close().catch(() => undefined);
      limiters.clear();
      session = null;
    },
  };
}
