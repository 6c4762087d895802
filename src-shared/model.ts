// Plain data shapes shared by the core, the transports and the renderer.
// Nothing here may carry the API key.

// ---------- Sources, levels, data types (descriptors drive the renderer) ----------
// Ids are plain strings: each source declares its own (HyperStudy: experiment/room/participant and
// events, chat, …; BrainSTEM: project/session/… and sessions, behaviors, …). The core checks every id
// it is given against the active source's descriptor.

/** A source's id, e.g. "hyperstudy". */
export type SourceId = string;
/** A level of a source's hierarchy, e.g. "experiment", "room", "participant". */
export type LevelId = string;
/** A level at which a stream can be paged. */
export type Scope = LevelId;
/** A data type (stream) of a source, e.g. "events". */
export type DataTypeId = string;

export type ColumnKind = 'text' | 'number' | 'datetime' | 'duration-ms' | 'bytes' | 'badge' | 'json';

export interface ColumnDescriptor {
  /** Field path in the (flattened) record, e.g. "response_value". */
  key: string;
  label: string;
  kind: ColumnKind;
  /** Shown by default; others are available in the column chooser. */
  defaultVisible: boolean;
  width?: number;
}

/** A data type as a stream (Airbyte's shape): its columns, primary key, cursor and scopes. */
export interface DataTypeDescriptor {
  id: DataTypeId;
  label: string; // "Continuous ratings"
  /** Levels at which the stream can be paged (one request chain per item of that level). */
  scopes: Scope[];
  /** The permission (API key scope) needed to read it, e.g. "read:ratings"; null when none is documented. */
  requiredScope: string | null;
  columns: ColumnDescriptor[];
  /** Primary key: the field holding the record id (de-duplication). */
  idField: string;
  /** Cursor: the field holding the record's time (sorting, time ranges); null when there is none. */
  timeField: string | null;
  /**
   * The API sends records oldest first by timeField, at every scope (HyperStudy's documented
   * default sort). Incremental sync then keeps such a stream per group (room) and merges the groups
   * back by time; without it a stream is kept whole, in the server's order, and read from its end.
   */
  sortedByTime?: boolean;
  /** Records have files to download (HyperStudy recordings, BrainSTEM images). */
  media: boolean;
  /** What one of those files is called in words ("recording", "image"); "file" when absent. */
  mediaNoun?: string;
  /** Records carry links that are listed in the export but never fetched (BrainSTEM download links). */
  links?: boolean;
  /** Suggested plot, if any. */
  plot?: { kind: 'line'; x: string; y: string[]; seriesBy: string };
}

/** A column of a compact terminal listing (`studydl ls`): the first of `keys` that has a value. */
export interface TerminalColumn {
  label: string;
  keys: string[];
  kind?: ColumnKind;
  align?: 'left' | 'right';
}

export interface LevelDescriptor {
  id: LevelId;
  label: string; // "Experiments"
  singular: string; // "experiment"
  /** The level an item of this one is listed under; null at the root. */
  parent: LevelId | null;
  /** The field that labels an item (its name), else its id is shown. */
  labelField: string;
  /** Levels listed below an item of this one. */
  children: LevelId[];
  /** Data types offered for an item of this level. */
  dataTypes: DataTypeId[];
  /** Per-item record counts by data type are available (getItemCounts). */
  counts?: boolean;
  columns: ColumnDescriptor[];
  /** The compact columns of a terminal listing (default: id and label). */
  terminalColumns?: TerminalColumn[];
}

/** One way to split an export's files into folders, by the items of a level. */
export interface SplitDescriptor {
  /** The split mode's id in an ExportRequest, e.g. "room". */
  id: string;
  /** "One file per room". */
  label: string;
  /** The level whose items get a folder each. */
  level: LevelId;
  /** Top folder of the split layout, e.g. "rooms". */
  folder: string;
  /** Folder for records that belong to no item, e.g. "_no_room". */
  noneFolder: string;
  /** The items are people: folder names follow their (pseudonymized) ids. */
  person: boolean;
  /** Target levels at which the split is offered. */
  offeredAt: LevelId[];
}

export type AuthMethodId = 'api-key' | 'token' | 'device-flow' | 'password-refresh' | 'none';

export interface AuthMethodDescriptor {
  id: AuthMethodId;
  label: string;
  /** What to enter and where to find it, in plain words. */
  hint: string;
  /** The secret's shape, e.g. "hst_live_… or hst_test_…". */
  format?: string;
}

/** A connection setting a profile of this source carries (besides the credential). */
export interface ConnectionFieldDescriptor {
  key: 'environment' | 'baseUrl' | 'organizationId' | 'portal';
  label: string;
  kind: 'choice' | 'url' | 'text';
  choices?: Array<{ value: string; label: string }>;
  optional: boolean;
  hint?: string;
}

export interface SourceDescriptor {
  id: SourceId;
  label: string;
  /** The hierarchy, as a tree through `parent`. */
  levels: LevelDescriptor[];
  dataTypes: DataTypeDescriptor[];
  /** Split modes besides "none". */
  splits: SplitDescriptor[];
  anonymization: AnonymizeMode[];
  authMethods: AuthMethodDescriptor[];
  connectionFields: ConnectionFieldDescriptor[];
  /** Records per page request (the largest the server accepts). */
  pageSize: number;
}

/** One step of a path down the hierarchy: an item of a level. */
export interface PathStep {
  level: LevelId;
  id: string;
}

/**
 * Where in the hierarchy an export or preview applies: an item of `level`, named by its path from
 * the root level down (HyperStudy participant: experiment, room, participant); the last step is
 * the item itself.
 */
export interface Target {
  level: LevelId;
  path: PathStep[];
}

/** An item of a level listing: its id and label, plus the fields the level's columns draw. */
export interface LevelItem {
  id: string;
  label: string;
  [field: string]: unknown;
}

/** Records per data type of one item (a level that declares `counts`). */
export interface ItemCounts {
  path: PathStep[];
  counts: Partial<Record<DataTypeId, number>>;
}

// ---------- HyperStudy's items ----------
// The shapes of HyperStudy's level items (listLevel returns them as LevelItems). The renderer
// still reads them by these names until it draws every table from the descriptor.

export interface Experiment {
  id: string;
  name: string;
  description?: string;
  /** Where the listing came from: the user's own list, the shared list, or both. */
  origin: 'own' | 'shared';
  status?: string;
  roomCount?: number;
  participantCount?: number;
  ownerEmail?: string;
  createdAt?: string;
  updatedAt?: string;
}

export interface Room {
  id: string;
  experimentId: string;
  deploymentId?: string;
  deploymentName?: string;
  name?: string;
  status?: string;
  participantCount?: number;
  startTime?: string;
  endTime?: string;
  durationMs?: number;
}

export interface Participant {
  id: string;
  roomId?: string;
  experimentId?: string;
  name?: string;
  role?: string;
  status?: string;
  completionCode?: string;
  joinedAt?: string;
  completedAt?: string;
}

export interface ParticipantCounts {
  participantId: string;
  roomId: string;
  /** Counts by DataTypeId (translated from the server's keys, e.g. textchat → chat). */
  counts: Partial<Record<DataTypeId, number>>;
}

// ---------- Preview ----------

export interface PreviewQuery {
  target: Target;
  type: DataTypeId;
  offset: number;
  limit: number;
  sort?: { key: string; dir: 'asc' | 'desc' };
  /** Per-column case-insensitive substring filters, by column key. */
  filters?: Record<string, string>;
  /** Free-text search across all columns. */
  search?: string;
  /** The viewer's IANA time zone: filters on times ("> 2026-11-30 14:00") are read in it. */
  timeZone?: string;
}

/** What a table shows, as an export can repeat it: its filters, search, sort and visible columns. */
export interface TableView {
  /** Per-column filters as typed ("> 100000", "2026-11-30", "chat"), by column key. */
  filters?: Record<string, string>;
  search?: string;
  sort?: { key: string; dir: 'asc' | 'desc' };
  /** The visible columns, in order; the export writes only these. */
  columns?: string[];
  timeZone?: string;
}

/** A table's remembered layout for one data type (kept by the core across restarts). */
export interface TableViewState {
  /** Visible columns, in order. */
  columns?: string[];
  sort?: { key: string; dir: 'asc' | 'desc' } | null;
  filters?: Record<string, string>;
  showFilters?: boolean;
  /** Column widths in px, by key. */
  widths?: Record<string, number>;
}

export interface PreviewPage {
  /** Flattened rows (CSV-like); `__raw` holds the original record for the JSON row view. */
  rows: Array<Record<string, unknown>>;
  /** Rows after filtering. */
  totalRows: number;
  /** Rows known for this type at this target before filtering. */
  unfilteredRows: number;
  /** All columns seen, in stable order (known schema first). */
  columns: string[];
  /** False while the core is still fetching the stream; the renderer polls/refetches. */
  complete: boolean;
  warnings: string[];
}

// ---------- Plan, export, jobs ----------

export type ExportFormat = 'csv' | 'json' | 'ndjson';
/** 'none', or the id of a split the source declares (HyperStudy: room, participant). */
export type SplitMode = string;
export type AnonymizeMode = 'keep' | 'pseudonymize' | 'aggregate';

export interface ExportRequest {
  target: Target;
  types: DataTypeId[];
  format: ExportFormat;
  zip: boolean;
  split: SplitMode;
  anonymize: AnonymizeMode;
  /**
   * Ignored: the code map never goes into an export. It is kept per study in the app's data
   * folder (getCodeMap, `studydl export --code-map FILE`). Accepted so older callers still validate.
   */
  writeCodeMap?: boolean;
  since?: string; // ISO
  until?: string; // ISO
  includeRecordings: boolean;
  /** Restrict recordings to these ids (per-file download). */
  recordingIds?: string[];
  bom: boolean;
  formulaProtection: boolean;
  /** Destination folder; defaults to the settings' download folder. Resolved by the core, never a raw renderer path in Electron. */
  destination?: string;
  /** Export only what a table shows (one data type): its filtered rows and visible columns. */
  view?: TableView;
  /** Only the recording files themselves (with recordingIds): one file is saved as itself, no ZIP, no tables. */
  mediaOnly?: boolean;
}

export interface PlannedStream {
  type: DataTypeId;
  /** The level the stream is paged at, and the item. */
  scope: Scope;
  scopeId: string;
  /** Further request parameters the source needs (HyperStudy: a participant's roomId). Part of the stream's identity. */
  params?: Record<string, string>;
  /** What else pins the stream down, in words ("room r1"), for plan listings. */
  context?: string;
  total: number;
  requests: number;
}

export interface Plan {
  target: Target;
  streams: PlannedStream[];
  /** Listing requests (HyperStudy: experiment, rooms, participants) on top of the data streams. */
  listingRequests: number;
  /** Media link requests, one per recording: its mint, or a fresh listing should its signed URL expire. */
  mediaRequests: number;
  /**
   * How many of mediaRequests are only spent if a file's own signed link expires before its
   * download (a reserve: planned, often not used, so an export can end with fewer used than planned).
   */
  mediaReserve: number;
  requestsNeeded: number;
  /** Requests already spent making this plan (first pages). */
  requestsSpentPlanning: number;
  records: number;
  mediaFiles: number;
  mediaBytes: number;
  /** Lower bound from the rate limits and the current budget. */
  estimatedSeconds: number;
  budget: RateBudget;
  warnings: string[];
}

export type JobState = 'queued' | 'running' | 'paused' | 'waiting' | 'completed' | 'failed' | 'cancelled' | 'interrupted';

export type JobPhase = 'planning' | 'fetching' | 'media' | 'writing' | 'zipping' | 'finalizing' | 'done';

export interface JobProgress {
  jobId: string;
  state: JobState;
  phase: JobPhase;
  /** Human step, e.g. "Fetching events 12,000 / 48,000". */
  step: string;
  recordsDone: number;
  recordsTotal: number;
  bytesDone: number;
  bytesTotal: number;
  requestsUsed: number;
  requestsPlanned: number;
  /** Present while waiting on a rate limit. */
  wait?: { seconds: number; scope: 'key' | 'endpoint' | 'server'; reason: string };
  etaSeconds: number | null;
  /** 0..1 */
  fraction: number;
}

/** Text cells in the export's CSV files that a spreadsheet would run as formulas (= + - @ first). */
export interface FormulaCellsSummary {
  total: number;
  /** True when they were written with a leading ' (formula protection on); false: exactly as recorded. */
  protected: boolean;
  /** Per CSV file holding any, sorted by path. */
  files: Array<{ path: string; cells: number }>;
}

export interface ManifestSummary {
  files: number;
  records: number;
  bytes: number;
  requestsUsed: number;
  anonymization: AnonymizeMode;
  warnings: string[];
  /** Present when any CSV cell looks like a formula. */
  formulaCells?: FormulaCellsSummary;
}

export interface JobSnapshot {
  id: string;
  /** The source the job reads (jobs saved before sources were plug-ins have none: HyperStudy). */
  source?: SourceId;
  /** The connection profile that started it. */
  profileId?: string;
  title: string; // "Experiment “Emotion Study” — events, chat (CSV, ZIP)"
  request: ExportRequest;
  state: JobState;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  progress: JobProgress;
  /** Final output (ZIP file or folder), only once completed. */
  outputName?: string;
  error?: import('./errors').ErrorInfo;
  manifest?: ManifestSummary;
  /** Resumable after a crash or restart. */
  resumable: boolean;
  /** Queued or running in another process (app window, browser mode, studydl), which owns it. */
  runningElsewhere?: { pid: number; host: string };
  /** A sync of a folder kept up to date (not an export): the folder, how, and once known its plan and outcome. */
  sync?: JobSync;
}

/** What a sync job does (JobSnapshot.sync). */
export interface JobSync {
  /** The folder kept up to date. */
  dir: string;
  /** The folder becomes one with this job (its selection is the job's request). */
  create?: boolean;
  full?: boolean;
  verify?: boolean;
  /** The registered folder's id (the app's list), when it has one. */
  folderId?: string;
  /** Started by the app's interval, not by the user. */
  automatic?: boolean;
  plan?: SyncPlan;
  outcome?: SyncOutcome;
}

// ---------- Incremental sync (a folder kept up to date) ----------

/** How a sync reads one stream: what the planner chose, and why. */
export interface SyncStreamPlan {
  type: DataTypeId;
  scope: Scope;
  scopeId: string;
  /**
   * 'whole': every page; 'cursor': from its cursor on; 'groups': only its live and new groups
   * (rooms), each from its cursor or whole; 'scope': from its cursor at the target, all groups at
   * once; 'skip': settled, nothing to read.
   */
  mode: 'whole' | 'cursor' | 'groups' | 'scope' | 'skip';
  /** Requests it is expected to take (at least; late data found on the way adds a repair). */
  requests: number;
  /** With groups: how many are read whole (new), from their cursor (live), or skipped (settled). */
  groups?: { whole: number; fromCursor: number; skipped: number };
  why: string;
}

/** What a sync is about to do, shown before it runs ("12 requests, about 40 s"). */
export interface SyncPlan {
  kind: 'first' | 'incremental' | 'full' | 'verify';
  streams: SyncStreamPlan[];
  listingRequests: number;
  /** Requests in all (listings and streams): a lower bound. */
  requests: number;
  estimatedSeconds: number;
  /** "12 requests, about 40 s" */
  summary: string;
  /** Made from the folder's last state alone, without a request (new rooms are not known yet). */
  fromState: boolean;
  warnings: string[];
}

/** The outcome of a folder's last sync. */
export interface SyncOutcome {
  at: string;
  kind: SyncPlan['kind'];
  state: 'completed' | 'failed';
  requests: number;
  /** Records added per data type. */
  newRecords: Partial<Record<DataTypeId, number>>;
  /** People (participants) with new data. */
  peopleWithNewData: number;
  /** The study's name (HyperStudy: the experiment's), for messages. */
  rootName?: string;
  error?: import('./errors').ErrorInfo;
}

/** A folder kept up to date, as the downloads panel lists it. */
export interface SyncFolderSummary {
  id: string;
  /** The folder on disk (shown; the app acts on folders by id only). */
  path: string;
  title: string;
  source: SourceId;
  target: Target;
  types: DataTypeId[];
  rootName?: string;
  createdAt: string;
  lastSync?: SyncOutcome;
  /** Synced again every this many minutes while the app runs; absent: only when asked. */
  intervalMinutes?: number;
  nextSyncAt?: string;
  /** The sync job running or queued for it. */
  jobId?: string;
  /** Why it cannot be synced now (folder gone, state damaged), in plain words. */
  problem?: string;
}

// ---------- Rate budget, connection, profiles, settings ----------

export interface RateBudget {
  keyLimit: number;
  keyWindowSec: number;
  keyRemaining: number;
  /** Seconds until one more key slot frees, if none free now. */
  keyResetSec: number;
  /** Seconds until the oldest logged key request ages out of the window (the window length when the log is empty). */
  keyNextFreeSec?: number;
  endpointLimit: number;
  endpointWindowSec: number;
  /** Blocked scopes (Retry-After). */
  blockedUntil?: string;
  /** "412 of 1000 requests left this hour" */
  summary: string;
}

export type ConnectionState = 'online' | 'offline' | 'unauthorized' | 'forbidden' | 'not-hyperstudy' | 'no-profile' | 'checking';

export interface ConnectionStatus {
  state: ConnectionState;
  profileId?: string;
  message: string;
  fix?: string;
  checkedAt: string;
  /** While offline: when the core looks again by itself (ISO). */
  nextCheckAt?: string;
}

/**
 * What the active credential may read, as far as the server has told us. A data type whose
 * descriptor's requiredScope is listed here cannot be read with it: that permission is why.
 */
export interface KeyAccess {
  /** False until the server has shown the key's scopes (or every probe passed); false for a source that cannot tell. */
  known: boolean;
  /** Permissions (HyperStudy: API key scopes) the data types need that this credential lacks, e.g. ["read:chat"]. */
  missingScopes: string[];
}

/** A study's participant code map, for the user to keep apart from shared data. */
export interface CodeMapFile {
  /** A suggested file name, e.g. "Emotion-Study_code-map.csv". */
  fileName: string;
  /** `participantId,code` CSV. */
  csv: string;
  participants: number;
}

export type Environment = 'production' | 'development' | 'custom';

export type KeyStorageKind = 'os-keychain' | 'encrypted-file' | 'session-only' | 'environment';

export interface KeyStorageStatus {
  kind: KeyStorageKind;
  /** "Stored in the macOS Keychain", "Kept in memory only: you will need to enter it again next time" */
  description: string;
  persistent: boolean;
  warning?: string;
}

export interface ProfileSummary {
  id: string;
  name: string;
  source: SourceId;
  environment: Environment;
  baseUrl: string;
  organizationId?: string;
  portal?: Portal;
  active: boolean;
  hasKey: boolean;
  /** Masked, e.g. "hst_live_a3f2…". Never the key. */
  keyHint?: string;
  keyStorage: KeyStorageStatus;
  demo?: boolean;
  /** How the connection signs in, when its source has several ways (BrainSTEM: token, device-flow, password-refresh, none). */
  authMethod?: AuthMethodId;
}

export type Portal = 'private' | 'public';

/**
 * A browser sign-in that was started (startDeviceSignIn): the code to show and the page to open
 * while the core waits for the approval, or, for a server without browser sign-in, where to create
 * a token to paste instead.
 */
export type DeviceSignInStart =
  | {
    kind: 'code'; flowId: string; verificationUri: string; verificationUriComplete: string; userCode: string; expiresIn: number;
    /** The desktop app opened the page in the system browser (an https page its allowlist knows); otherwise show the link. */
    browserOpened?: boolean;
  }
  | { kind: 'paste-token'; tokensPageUrl: string; message: string };

export interface NewProfile {
  name: string;
  /** Which source the connection is to; its own connection fields follow (checked by that source). */
  source: SourceId;
  /** HyperStudy: production, development or custom (with baseUrl). */
  environment?: Environment;
  baseUrl?: string; // required when environment is custom
  /** HyperStudy: the organization whose shared experiments to read. */
  organizationId?: string;
  /** BrainSTEM: the private (signed-in) or public portal. */
  portal?: Portal;
  /** The credential (API key, token). */
  apiKey: string;
}

export type KeyValidationOutcome = 'accepted' | 'wrong-format' | 'rejected' | 'missing-scopes' | 'unreachable' | 'not-hyperstudy' | 'error';

export interface KeyValidation {
  outcome: KeyValidationOutcome;
  message: string;
  fix?: string;
  missingScopes?: string[];
}

export type Theme = 'system' | 'light' | 'dark';

export interface Settings {
  downloadFolder: string;
  defaultFormat: ExportFormat;
  bom: boolean;
  split: SplitMode;
  anonymize: AnonymizeMode;
  zip: boolean;
  concurrency: number; // page requests in flight
  mediaConcurrency: number;
  keyLimit: number;
  keyWindowSec: number;
  endpointLimit: number;
  endpointWindowSec: number;
  formulaProtection: boolean;
  theme: Theme;
}

export interface AppInfo {
  name: string;
  version: string;
  mode: 'electron' | 'browser';
  demo: boolean;
  platform: string;
  /** Shell actions available in this mode. */
  capabilities: { showInFolder: boolean; openPath: boolean; startDrag: boolean; chooseFolder: boolean; notifications: boolean; downloadLink: boolean };
}

export interface Notice {
  level: 'info' | 'warning' | 'error';
  message: string;
  fix?: string;
}
