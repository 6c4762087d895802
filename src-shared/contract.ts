// The single source of the renderer ↔ core API.
// The preload, the IPC registration, the WebSocket bridge and the renderer's `api`
// are all built from `methods` and `events` by a loop: no channel name is written twice.
// Every method takes at most one argument object, validated at runtime by its schema.
import { z } from 'zod';
import { StudyError, type ErrorInfo } from './errors';
import type {
  SyncFolderSummary, SyncPlan,
  AppInfo, CodeMapFile, ConnectionStatus, DeviceSignInStart, ItemCounts, JobProgress, JobSnapshot, KeyAccess, KeyValidation, LevelItem, Notice,
  Plan, PreviewPage, ProfileSummary, RateBudget, Settings, SourceDescriptor, TableViewState,
} from './model';

// ---------- argument schemas ----------

const id = z.string().min(1).max(256);
/**
 * A source's id, a level id, a data type id or a split id: a short safe identifier. The core checks
 * it against the active source's descriptor (an unknown one is INVALID_ARGUMENT there).
 */
export const SAFE_ID = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const safeId = z.string().regex(SAFE_ID, 'must be a short identifier (letters, digits, - and _)');
const dataType = safeId;
const isoDate = z.string().max(64).refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO date');

const pathStep = z.strictObject({ level: safeId, id });
/** A path from the root level down (at most 8 levels deep). */
const path = z.array(pathStep).max(8);

/** A target: its level and the path from the root down to it (checked against the source by the core). */
export const targetSchema = z
  .strictObject({ level: safeId, path: path.min(1) })
  .superRefine((t, ctx) => {
    const last = t.path[t.path.length - 1];
    if (last && last.level !== t.level) ctx.addIssue({ code: 'custom', message: `a ${t.level} target needs a path ending in the ${t.level} (its ${t.level}Id)`, path: ['path'] });
  });

const timeZone = z.string().min(1).max(64).refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone');
const columnKey = z.string().min(1).max(256);
const sortSpec = z.strictObject({ key: columnKey, dir: z.enum(['asc', 'desc']) });
const filterMap = z.record(z.string().max(256), z.string().max(256));
const tableView = z.strictObject({
  filters: filterMap.optional(),
  search: z.string().max(256).optional(),
  sort: sortSpec.optional(),
  columns: z.array(columnKey).min(1).max(500).optional(),
  timeZone: timeZone.optional(),
});
const tableViewState = z.strictObject({
  columns: z.array(columnKey).max(500).optional(),
  sort: sortSpec.nullable().optional(),
  filters: filterMap.optional(),
  showFilters: z.boolean().optional(),
  widths: z.record(columnKey, z.number().int().min(20).max(4000)).optional(),
});

const environment = z.enum(['production', 'development', 'custom']);
const httpUrl = z.string().max(2048).url().refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL');

const profileInput = z.strictObject({
  name: z.string().trim().min(1).max(80),
  source: safeId,
  environment: environment.optional(),
  baseUrl: httpUrl.optional(),
  organizationId: z.string().max(128).optional(),
  portal: z.enum(['private', 'public']).optional(),
  // Empty only for a connection that needs no credential (BrainSTEM's public portal).
  apiKey: z.string().max(512),
})
  .refine((p) => p.environment !== 'custom' || !!p.baseUrl, 'a custom environment needs baseUrl')
  .refine((p) => p.apiKey.length > 0 || p.portal === 'public', { message: 'apiKey: a credential is needed (except on a public portal)', path: ['apiKey'] });

/** Where a sign-in's profile goes: its name, source and server (the private portal). */
const signInTarget = {
  name: z.string().trim().min(1).max(80),
  source: safeId,
  baseUrl: httpUrl.optional(),
};

export const exportRequestSchema = z.strictObject({
  target: targetSchema,
  types: z.array(dataType).min(1).max(20),
  format: z.enum(['csv', 'json', 'ndjson']),
  zip: z.boolean(),
  split: safeId,
  anonymize: z.enum(['keep', 'pseudonymize', 'aggregate']),
  writeCodeMap: z.boolean().optional(),
  since: isoDate.optional(),
  until: isoDate.optional(),
  includeRecordings: z.boolean(),
  recordingIds: z.array(id).max(10_000).optional(),
  bom: z.boolean(),
  formulaProtection: z.boolean(),
  destination: z.string().min(1).max(4096).optional(),
  view: tableView.optional(),
  mediaOnly: z.boolean().optional(),
}).refine((r) => !r.view || r.types.length === 1, 'a table view exports exactly one data type')
  .refine((r) => !r.mediaOnly || (!!r.recordingIds?.length && r.includeRecordings), 'a media-only export names its recordings');

const planRequest = z.strictObject({
  target: targetSchema,
  types: z.array(dataType).min(1).max(20),
  since: isoDate.optional(),
  until: isoDate.optional(),
  includeRecordings: z.boolean(),
  recordingIds: z.array(id).max(10_000).optional(),
});

const previewQuery = z.strictObject({
  target: targetSchema,
  type: dataType,
  offset: z.number().int().min(0).max(100_000_000),
  limit: z.number().int().min(1).max(1000),
  sort: z.strictObject({ key: z.string().min(1).max(256), dir: z.enum(['asc', 'desc']) }).optional(),
  filters: filterMap.optional(),
  search: z.string().max(256).optional(),
  timeZone: timeZone.optional(),
});

const settingsPatch = z.strictObject({
  downloadFolder: z.string().min(1).max(4096).optional(),
  defaultFormat: z.enum(['csv', 'json', 'ndjson']).optional(),
  bom: z.boolean().optional(),
  split: safeId.optional(),
  anonymize: z.enum(['keep', 'pseudonymize', 'aggregate']).optional(),
  zip: z.boolean().optional(),
  concurrency: z.number().int().min(1).max(16).optional(),
  mediaConcurrency: z.number().int().min(1).max(8).optional(),
  keyLimit: z.number().int().min(1).max(1_000_000).optional(),
  keyWindowSec: z.number().int().min(1).max(86_400).optional(),
  endpointLimit: z.number().int().min(1).max(1_000_000).optional(),
  endpointWindowSec: z.number().int().min(1).max(86_400).optional(),
  formulaProtection: z.boolean().optional(),
  theme: z.enum(['system', 'light', 'dark']).optional(),
});

const none = z.undefined();
const byId = z.strictObject({ id });
const byJob = z.strictObject({ jobId: id });
const byFolder = z.strictObject({ folderId: id });
const syncFolderRun = z.strictObject({ folderId: id, full: z.boolean().optional(), verify: z.boolean().optional() });

// ---------- method table ----------

/** A method spec: the runtime argument schema plus the result type (phantom). */
export interface MethodSpec<A extends z.ZodType, R> { args: A; readonly __result?: R }
function method<R>() {
  return <A extends z.ZodType>(args: A): MethodSpec<A, R> => ({ args });
}

export const methods = {
  // app and connection
  getAppInfo: method<AppInfo>()(none),
  getConnectionStatus: method<ConnectionStatus>()(none),
  checkConnection: method<ConnectionStatus>()(none),
  getRateBudget: method<RateBudget>()(none),
  describeSource: method<SourceDescriptor>()(none),
  /** Every source the app can connect to (the connection dialog offers them, with their connection fields and sign-in methods). */
  listSources: method<SourceDescriptor[]>()(none),

  // profiles (the key goes in, never comes out)
  listProfiles: method<ProfileSummary[]>()(none),
  validateProfile: method<KeyValidation>()(profileInput),
  addProfile: method<{ validation: KeyValidation; profile?: ProfileSummary }>()(profileInput),
  removeProfile: method<ProfileSummary[]>()(byId),
  activateProfile: method<ProfileSummary[]>()(byId),
  /**
   * Sign-in through the browser (BrainSTEM's device flow): returns the code to show and the page to
   * open while the core polls. The credential it ends with goes to the keychain, never here.
   */
  startDeviceSignIn: method<DeviceSignInStart>()(z.strictObject(signInTarget)),
  /** Waits for a started browser sign-in: the saved profile once approved; a typed error when denied, expired or cancelled. */
  finishDeviceSignIn: method<{ validation: KeyValidation; profile?: ProfileSummary }>()(z.strictObject({ flowId: id })),
  cancelDeviceSignIn: method<void>()(z.strictObject({ flowId: id })),
  /** Email and password, used once: only the rotating refresh token is kept (keychain), never the password. */
  signInWithPassword: method<{ validation: KeyValidation; profile?: ProfileSummary }>()(
    z.strictObject({ ...signInTarget, email: z.string().trim().min(3).max(320), password: z.string().min(1).max(1024) }),
  ),

  // listing
  /** The items of a level under a path from the root (to its parent, or to a further ancestor the source lists it under). */
  listLevel: method<{ items: LevelItem[]; warnings: string[] }>()(z.strictObject({ level: safeId, parentPath: path, refresh: z.boolean().optional() })),
  /** Records per data type of one item (levels whose descriptor says `counts`). */
  getItemCounts: method<ItemCounts>()(z.strictObject({ path: path.min(1) })),
  getPreview: method<PreviewPage>()(previewQuery),

  // plan, export, jobs
  planExport: method<Plan>()(planRequest),
  startExport: method<JobSnapshot>()(exportRequestSchema),
  listJobs: method<JobSnapshot[]>()(none),
  pauseJob: method<JobSnapshot>()(byJob),
  resumeJob: method<JobSnapshot>()(byJob),
  cancelJob: method<JobSnapshot>()(byJob),
  retryJob: method<JobSnapshot>()(byJob),
  removeJob: method<JobSnapshot[]>()(byJob),

  // folders kept up to date (a sync runs as a job: pause, resume, cancel and progress as above)
  listSyncFolders: method<SyncFolderSummary[]>()(none),
  /** What a sync of the folder would cost, from its last state (no request is made). */
  planSync: method<SyncPlan>()(syncFolderRun),
  /** Sync a folder the app keeps up to date now (the running job when one is queued or running). */
  startSync: method<JobSnapshot>()(syncFolderRun),
  /** "Keep up to date" on a finished folder export: the folder becomes one kept up to date (its first sync rewrites it). */
  keepExportUpToDate: method<JobSnapshot>()(byJob),
  /** A new folder kept up to date for a selection, in the download folder (or the request's destination inside it). */
  createSyncFolder: method<JobSnapshot>()(exportRequestSchema),
  /** Sync every this many minutes while the app runs (null: only when asked). */
  setSyncInterval: method<SyncFolderSummary>()(z.strictObject({ folderId: id, minutes: z.number().int().min(5).max(7 * 24 * 60).nullable() })),
  /** Forget a folder (its files stay where they are). */
  forgetSyncFolder: method<SyncFolderSummary[]>()(byFolder),
  showSyncFolder: method<void>()(byFolder),

  // what the credential may read under an item (by its path); the study's pseudonym map (kept
  // apart from exports: one per source and root item, whatever step of its path is given)
  getKeyAccess: method<KeyAccess>()(z.strictObject({ path: path.min(1) })),
  getCodeMap: method<CodeMapFile>()(z.strictObject({ path: path.min(1) })),

  // settings, and table layouts remembered per data type
  getSettings: method<Settings>()(none),
  updateSettings: method<Settings>()(settingsPatch),
  getViewState: method<Record<string, TableViewState>>()(none),
  setViewState: method<void>()(z.strictObject({ key: z.string().min(1).max(200), value: tableViewState.nullable() })),

  // shell actions, by job id only: never a path from the renderer
  showInFolder: method<void>()(byJob),
  openOutput: method<void>()(byJob),
  copyOutputPath: method<void>()(byJob),
  startDrag: method<void>()(byJob),
  chooseDownloadFolder: method<Settings | null>()(none),
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type MethodArg<K extends MethodName> = z.input<Methods[K]['args']>;
export type MethodResult<K extends MethodName> = Methods[K] extends MethodSpec<z.ZodType, infer R> ? R : never;
export const methodNames = Object.keys(methods) as MethodName[];
/** Methods the preload sends without waiting for an answer (drag-out must start synchronously). */
export const fireAndForgetMethods: ReadonlySet<MethodName> = new Set<MethodName>(['startDrag']);

// ---------- events (core → renderer) ----------

export interface EventPayloads {
  jobProgress: JobProgress;
  jobState: JobSnapshot;
  connectionStatus: ConnectionStatus;
  rateBudget: RateBudget;
  notice: Notice;
  /** The folders kept up to date, whenever one is synced, added, changed or forgotten. */
  syncFolders: SyncFolderSummary[];
}
export type EventName = keyof EventPayloads;
export const eventNames: EventName[] = ['jobProgress', 'jobState', 'connectionStatus', 'rateBudget', 'notice', 'syncFolders'];
/** Events that may fire before the renderer subscribes; the preload/bridge replays the latest of these. */
export const bufferedEvents: EventName[] = ['connectionStatus', 'rateBudget', 'notice', 'jobState', 'syncFolders'];

// ---------- wire format ----------

export const channelFor = (name: MethodName) => `api:${name}`;
export const eventChannelFor = (name: EventName) => `event:${name}`;

/** Every call answers with an envelope, so typed errors survive IPC and WebSocket alike. */
export type CallResult<R> = { ok: true; value: R } | { ok: false; error: ErrorInfo };

/** The object the renderer talks to (window.api in Electron, the WS client in browser mode). */
export type Api = {
  // An argument that may be undefined (none, or an optional object) may be left out.
  [K in MethodName]: undefined extends MethodArg<K> ? (arg?: MethodArg<K>) => Promise<MethodResult<K>> : (arg: MethodArg<K>) => Promise<MethodResult<K>>;
} & {
  on<E extends EventName>(event: E, cb: (payload: EventPayloads[E]) => void): () => void;
};

/** What the core implements: the same methods, taking validated arguments. */
export type CoreApi = { [K in MethodName]: (arg: z.output<Methods[K]['args']>) => Promise<MethodResult<K>> };

/** Validates a call's argument; throws a StudyError-shaped INVALID_ARGUMENT on failure. */
export function parseArgs<K extends MethodName>(name: K, arg: unknown): z.output<Methods[K]['args']> {
  const spec = Object.hasOwn(methods, name) ? methods[name] : undefined;
  if (!spec) throw new StudyError({ code: 'INVALID_ARGUMENT', message: `Unknown method ${String(name)}.` });
  const r = spec.args.safeParse(arg);
  if (!r.success) {
    const detail = r.error.issues.map((i) => `${i.path.join('.') || 'argument'}: ${i.message}`).join('; ');
    throw new StudyError({ code: 'INVALID_ARGUMENT', message: `Invalid arguments for ${String(name)}: ${detail}` });
  }
  return r.data as z.output<Methods[K]['args']>;
}
