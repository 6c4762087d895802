// The Source port: the only thing export, plan, preview, jobs and profiles know about a source.
// Types only. A source (HyperStudy, BrainSTEM) lives in its own folder under sources/ and is
// reached through sources/registry.ts; see docs/ARCHITECTURE.md for what each member means and how
// to add one.
//
// The shape follows Airbyte's CDK: a source declares its levels and its data types as streams
// (primary key = idField, cursor = timeField, the levels it can be paged at); the engine does the
// rest — planning, paging to disk, resuming, writing files, media, manifests. Everything a source
// says about itself to the renderer is plain data (SourceDescriptor in src-shared/model.ts).
//
// Errors: every promise here rejects with a StudyError (src-shared/errors.ts) whose message and fix
// are in plain words and never contain the credential. The source maps its own failures onto the
// shared codes: a rejected credential → UNAUTHORIZED, a missing permission → FORBIDDEN, an unknown
// id → NOT_FOUND, no route to the host → UNREACHABLE, a host that answers but not like this API
// (a web page, another shape) → NOT_HYPERSTUDY (the code's name predates plug-in sources: it means
// "not this source's API").
import type {
  AuthMethodId, DataTypeId, Environment, ItemCounts, KeyAccess, KeyValidation, LevelId, LevelItem, PathStep, Portal, RateBudget,
  SourceDescriptor, SourceId, Target,
} from '../../../src-shared/model';
import type { FlattenOptions } from '../export/format/flatten';
import type { JointLimiter, LimiterLimits, WaitInfo } from '../net/limiter';
import type { RetryPolicy } from '../net/retry';
import type { Clock, FetchLike, Logger } from '../ports';

// ---------- connections and credentials ----------

/** Where and as whom to connect. Never logged, never sent to the renderer (the secret). */
export interface SourceConnection {
  source: SourceId;
  /** The API base URL (normalized by the source's resolveConnection). */
  baseUrl: string;
  /** The credential (API key, token); '' when the source needs none (a public portal). */
  secret: string;
  /** HyperStudy: the organization whose shared experiments to read. */
  organizationId?: string;
  /** BrainSTEM: which portal. */
  portal?: Portal;
  /**
   * How the secret was obtained, when the source has several ways (BrainSTEM: 'password-refresh'
   * means the secret is a rotating refresh token, not a token sent as it is). Default: sent as it is.
   */
  authMethod?: AuthMethodId;
  /** Default request timeout, ms. */
  timeoutMs?: number;
}

/** What a profile (or a CLI invocation) says about a connection, before the source checks it. */
export interface ConnectionInput {
  environment?: Environment;
  baseUrl?: string;
  organizationId?: string;
  portal?: Portal;
}

/** A profile's connection settings as checked and normalized by its source (no secret). */
export interface ResolvedConnectionSettings {
  baseUrl: string;
  environment: Environment;
  organizationId?: string;
  portal?: Portal;
}

/** How a source spends requests: its page size, limits, retries and concurrency. */
export interface SourcePolicy {
  /** Records per page request: the largest the server accepts. */
  pageSize: number;
  /**
   * The joint key/endpoint limits: 'settings' when the source documents limits and the user may
   * tune them (HyperStudy: 1000/hour per key, 100/minute per endpoint, the app's defaults);
   * otherwise fixed limits (BrainSTEM documents none: limits too high to meet, so only a 429's
   * Retry-After holds requests back).
   */
  limits: 'settings' | LimiterLimits;
  /** Retry policy overrides (backoff on 429/5xx); the transport's defaults otherwise. */
  retry?: Partial<RetryPolicy>;
  /** Requests in flight at once through one connection. */
  maxInFlight?: number;
}

export interface CredentialCheckDeps {
  fetch?: FetchLike;
  clock?: Clock;
}

/** What a host gives a source to open a connection with. */
export interface OpenSourceDeps {
  /** The key's limiter (one per key identity, shared by every profile, window and process on the key). */
  limiter: JointLimiter;
  clock?: Clock;
  fetch?: FetchLike;
  logger?: Logger;
  retry?: Partial<RetryPolicy>;
  maxInFlight?: number;
  /**
   * Receives a new secret that replaces the connection's (BrainSTEM's rotating refresh token: the old
   * one stops working at once). The host persists it where the old one was (the keychain).
   */
  onSecretRotated?: (secret: string) => void | Promise<void>;
  /**
   * State shared by every source the host opens on one connection (browsing, each plan, each export):
   * the same object each time. BrainSTEM keeps its sign-in there, since a refresh rotates the
   * refresh token and a second copy refreshing on its own would be refused.
   */
  shared?: Map<string, unknown>;
}

/** What a sign-in procedure is given: the server, adapters, and a way to stop it. */
export interface SignInOptions extends CredentialCheckDeps {
  baseUrl: string;
  logger?: Logger;
  signal?: AbortSignal;
}

/** The code a browser sign-in shows: where to approve it, and for how long it is valid. */
export interface DeviceSignInCode {
  verificationUri: string;
  /** The same page with the code filled in: the one to open in the system browser. */
  verificationUriComplete: string;
  userCode: string;
  /** Seconds. */
  expiresIn: number;
}

export type DeviceSignInOutcome =
  /** Approved: the credential to keep (it goes to the keychain, never to the renderer). */
  | { kind: 'credential'; secret: string }
  /** The server has no browser sign-in: a credential made on this page is to be pasted instead. */
  | { kind: 'paste-token'; tokensPageUrl: string; reason: string };

/**
 * What a source says without a connection: its descriptor and policy, and the pure rules the
 * engine applies to its records and exports. Both the module and every open Source have them.
 */
export interface SourceRules {
  readonly id: SourceId;
  readonly descriptor: SourceDescriptor;
  readonly policy: SourcePolicy;
  /** A record's context (its split groups, its person), with lookups prepared from the listings. */
  recordContext(listings?: ExportListings): (type: DataTypeId, record: Record<string, unknown>) => RecordContext;
  /**
   * A record as it goes into export files, read from `stream` when known (e.g. without temporary
   * signed links; HyperStudy adds the room to room-only records that do not name it).
   */
  exportRecord(type: DataTypeId, record: Record<string, unknown>, stream?: StreamRef): Record<string, unknown>;
  /** README.txt of an export. */
  readme(input: ReadmeInput): string;
  /** How metadata.json names the target (kept in the source's own words). */
  manifestTarget(target: Target): Record<string, unknown>;
  /** How nested fields become CSV (and preview) columns; the engine's defaults (HyperStudy's) otherwise. */
  readonly flatten?: FlattenOptions;
  /**
   * A table's documented columns (data types, links and media tables), written first and even when
   * the table is empty; undefined: the engine's own list (HyperStudy's documented columns).
   */
  csvColumns?(table: string): readonly string[] | undefined;
}

/**
 * A source as the registry lists it: its rules, how its connections are checked, and how to open
 * one. Nothing here makes a request except validateCredential.
 */
export interface SourceModule extends SourceRules {
  /** Checks and normalizes a profile's connection settings; throws INVALID_ARGUMENT in plain words. */
  resolveConnection(input: ConnectionInput): ResolvedConnectionSettings;
  /** The credential's format problem, or null when it looks right. Makes no request. */
  credentialFormatProblem(secret: string): KeyValidation | null;
  /** Throws KEY_FORMAT (in the source's words) when the credential cannot be right. Makes no request. */
  assertCredential(secret: string): void;
  /** A masked hint safe to store and show ("hst_live_a3f2…"); undefined when there is none. */
  credentialHint(secret: string): string | undefined;
  /** Checks a credential against the server before it is saved (it goes to the connection's origin only). */
  validateCredential(connection: SourceConnection, deps?: CredentialCheckDeps): Promise<KeyValidation>;
  /** Opens a connection: everything below reads through its transport and the given limiter. */
  open(connection: SourceConnection, deps: OpenSourceDeps): Source;
  /** A target saved before targets were generic (old job files), as a generic one; null when it is not one. */
  legacyTarget?(raw: unknown): Target | null;
  /**
   * The CLI's --types when it is left out: 'all' (BrainSTEM: a whole project is a few requests);
   * absent, it must be given (HyperStudy: every request spends a rate-limited budget).
   */
  readonly defaultTypes?: 'all';
  /** Other names the CLI accepts for data types (--types textchat → chat). */
  readonly typeAliases?: Readonly<Record<string, DataTypeId[]>>;
  /** Servers by name (the CLI's --base-url production). */
  readonly namedBaseUrls?: Readonly<Record<string, string>>;
  /**
   * A credential taken from the environment (CLI, automation): used, never stored, and sent only to
   * the base URL in `baseUrlVariable`, else `defaultBaseUrl` (see secrets/environment-key.ts).
   */
  readonly environmentKey?: EnvironmentKeySpec;
  /** Whether a connection with these settings needs a credential at all (false: BrainSTEM's public portal). Default: it does. */
  needsCredential?(settings: ConnectionInput): boolean;
  /**
   * Levels whose items are read by their own id alone: the ancestors in a target's path are
   * context only, and may be '-' when unknown (BrainSTEM: a session belongs to several projects).
   */
  readonly standaloneLevels?: readonly LevelId[];
  /**
   * Signing in through the browser: `onCode` gets the code to show (or the page to open), then the
   * server is polled until the code is approved, denied or expired. Rejects with a StudyError
   * (UNAUTHORIZED when denied or already used, TIMEOUT when expired) or the signal's reason.
   */
  deviceSignIn?(o: SignInOptions & { onCode(code: DeviceSignInCode): void | Promise<void> }): Promise<DeviceSignInOutcome>;
  /**
   * Email and password, used for this one request: resolves with the credential to keep (a rotating
   * refresh token, to be opened with authMethod 'password-refresh'). The password is never kept.
   */
  passwordSignIn?(o: SignInOptions & { email: string; password: string }): Promise<{ secret: string }>;
}

/** Where a source's credential may come from in the environment, and where it may be sent. */
export interface EnvironmentKeySpec {
  /** The credential's variable (HYPERSTUDY_API_KEY). */
  keyVariable: string;
  /** Other names read when keyVariable is unset, in order (BrainSTEM's Python tools say BRAINSTEM_API_TOKEN). */
  keyVariableAliases?: readonly string[];
  /** The server the credential belongs to (HYPERSTUDY_BASE_URL). */
  baseUrlVariable: string;
  defaultBaseUrl: string;
  organizationVariable?: string;
  /**
   * The credential may also go to a server on this machine named on the command line (--base-url
   * http://127.0.0.1:…): a local simulator. Only BrainSTEM's issue asks for this; the token does not
   * leave the machine.
   */
  loopbackBaseUrls?: boolean;
}

// ---------- requests ----------

export interface RequestOptions {
  signal?: AbortSignal;
  /** Called when the limiter makes a request wait, so progress can say why. */
  onWait?: (wait: WaitInfo) => void;
}

// ---------- streams and pages ----------

/** One stream: a data type paged at one item of one of its scopes (plus source parameters). */
export interface StreamRef {
  type: DataTypeId;
  scope: LevelId;
  scopeId: string;
  /** Further parameters the source needs for the requests; part of the stream's identity. */
  params?: Record<string, string>;
}

/** A stream the plan fetches. */
export interface StreamSpec extends StreamRef {
  /** The limiter's endpoint template its requests count against (for the time estimate). */
  endpoint: string;
  /** What else pins the stream down, in words ("room r1"), for plan listings. */
  context?: string;
  /**
   * Built from the ids of another stream's records (BrainSTEM: behaviors batched by
   * filter{session.id.in} over the sessions' ids). The source resolved it while planning, handing
   * back the pages it read on the way (SourceStreamPlan.prefetched), so nothing is read twice.
   */
  dependsOn?: StreamRef;
  /** Its records come inside another stream's responses (BrainSTEM: epochs in the sessions list): no requests of its own. */
  embedded?: true;
}

/** What to fetch for a target and a list of data types. */
export interface SourceStreamPlan {
  streams: StreamSpec[];
  /** Data types that cannot be had at this target, or were widened, in plain words. */
  warnings: string[];
  /** Requests spent on listings to make the plan (HyperStudy: the rooms, for room-only types). */
  listingRequests: number;
  /** The endpoints exportListings will still request, one request each (for the estimate). */
  exportListingEndpoints: string[];
  /** Pages already read while planning, by stream (key: the engine's streamKey). */
  prefetched?: Map<string, Page[]>;
}

/**
 * planStreams' options: the export's time window, which the pages it hands back as prefetched
 * must hold to like every page fetchPage gives.
 */
export type PlanStreamsOptions = RequestOptions & { window?: Pick<PageQuery, 'since' | 'until'> };

/** A page query: the time window (inclusive) and where to start. */
export interface PageQuery {
  /** Records at or after this time. */
  since?: string;
  /** Records at or before this time. */
  until?: string;
  /** Where the page starts: today every source pages by offset (the page store names files by it). */
  offset?: number;
  /** Page size; the policy's pageSize by default. */
  limit?: number;
}

/** One page of a stream, as it is kept on disk. */
export interface Page {
  /** The page's records (those outside the asked time window left out). */
  records: Array<Record<string, unknown>>;
  offset: number;
  /** Records the server returned for this page (paging counts these); absent on pages saved by older versions. */
  returned?: number;
  /** The stream's total when the server says; informative only (paging follows hasMore/nextOffset). */
  total: number | null;
  hasMore: boolean;
  /** The cursor of the next page (an offset); null on the last page. */
  nextOffset: number | null;
  /** Server warnings to pass on to the user. */
  warnings: string[];
  /** Anything else the source keeps with the page (HyperStudy: the response's metadata). */
  metadata: Record<string, unknown>;
}

export interface PagesOptions extends RequestOptions {
  /** A first page already fetched: yielded without a request; paging continues from its nextOffset. */
  firstPage?: Page;
  /** Record ids already seen (shared across calls to resume de-duplication). Mutated. */
  seenIds?: Set<string>;
  /** Page requests in flight for this stream. */
  concurrency?: number;
}

// ---------- what an export writes besides streams ----------

/** A file of the export that is not a data type: written before the streams, not in aggregate exports. */
export type ListingFile =
  /** A JSON object as the API describes it (HyperStudy: experiment.json). */
  | { kind: 'json'; path: string; value: Record<string, unknown> }
  /** A table, always CSV, never split (HyperStudy: rooms.csv, participants.csv). */
  | { kind: 'table'; table: string; records: Array<Record<string, unknown>> };

/** A person the export may name, for pseudonymization (HyperStudy: a participant). */
export interface KnownPerson {
  id: string;
  name?: string;
  email?: string;
}

/** What an export needs besides its streams; saved once in the job's workspace, reused on resume. */
export interface ExportListings {
  /** The target's root item: names the export folder, the job title, README and metadata.json (name as the API gives it). */
  root: { level: LevelId; id: string; name?: string };
  /**
   * The target's own item when it is below the root (HyperStudy: the room or the participant), with
   * its name when it has one: names the export ("…_room-Session-1_…"). Absent for a root target.
   */
  item?: { level: LevelId; id: string; name?: string };
  /** Files written besides the data types, in order. */
  files: ListingFile[];
  /** "the experiment, rooms and participants": what `files` are, for progress. */
  filesLabel: string;
  /** Every person of the target, for pseudonym codes (codes follow their sorted ids). */
  people: KnownPerson[];
  /** Per split id: the group ids known for the target (every one gets a stable folder name). */
  groups: Record<string, string[]>;
  /** Per split id: person id → group id, for records that name only their person. */
  personGroups?: Record<string, Record<string, string>>;
  /** Other id lookups the source's record context needs, by name (BrainSTEM: a procedure's subject). */
  lookups?: Record<string, Record<string, string>>;
  /**
   * Per level: the items that will get no more data (HyperStudy: completed rooms, their
   * participants, an experiment whose rooms have all completed). Incremental sync reads such an
   * item once more after it is first seen settled, then skips it. Absent: every item may change.
   */
  settled?: Record<LevelId, string[]>;
  warnings: string[];
}

/** Which split group (per split id) and which person a record belongs to. */
export interface RecordContext {
  /** Per split id: the group id, or null when the record names none. */
  groups: Record<string, string | null>;
  /** The person the record is about (pseudonymization, aggregate summaries), or null. */
  person: string | null;
}

/** Everything README.txt says: the source writes it, in its own words. */
export interface ReadmeInput {
  appName: string;
  appVersion: string;
  /** The target's root item (HyperStudy: the experiment). */
  root: { id: string; name?: string };
  format: 'csv' | 'json' | 'ndjson';
  split: string;
  types: DataTypeId[];
  bom: boolean;
  formulaProtection: boolean;
  anonymization: 'keep' | 'pseudonymize' | 'aggregate';
  codeMapWritten?: boolean;
  /** Media files were downloaded. */
  recordings: boolean;
  /** Day of the export (YYYY-MM-DD). */
  exportedAt: string;
  formulaCells?: { total: number; protected: boolean; files: Array<{ path: string; cells: number }> };
}

// ---------- media and links ----------

/** Facts about one record's file. */
export interface MediaFile {
  /** The file's id (the record's id); names its resume checkpoint. */
  id: string;
  /** Expected size in bytes; null when unknown. */
  size: number | null;
  /** Hex SHA-256 when the record carries one. */
  sha256: string | null;
}

/** A URL for a file and the API requests it cost (a mint: 1; a signed URL already on the record: 0). */
export interface MediaUrl {
  url: string;
  requests: number;
}

/**
 * Downloadable files (HyperStudy recordings, BrainSTEM hosted images). URLs are fetched by the
 * engine with NO credential: they are signed storage links, or another origin altogether.
 */
export interface SourceMedia {
  /** The data type whose records carry files. */
  readonly type: DataTypeId;
  /** Nouns for messages ("recording", "recordings"). */
  readonly noun: { one: string; many: string };
  /** Folder of the export the files go to ("recordings"). */
  readonly folder: string;
  /** Table listing every file with its local path and status ("recordings_metadata"). */
  readonly table: string;
  /** Which records of the media type have a file; facts about it. Null: the record has none. */
  fileOf(record: Record<string, unknown>): MediaFile | null;
  /** The file's name in the export (made unique by the engine); personCode pseudonymizes it. */
  fileName(record: Record<string, unknown>, personCode?: (personId: string) => string): string;
  /** The endpoint whose request one link costs at download time (a mint, or a fresh listing), for the plan. */
  linkEndpoint(record: Record<string, unknown>): string;
  /**
   * Requests the file's first link costs (a mint: 1; a signed link already on the record: 0). A link
   * that costs none now may cost one later, if it expires first: the plan keeps that as a reserve.
   * Default 1.
   */
  upFrontRequests?(record: Record<string, unknown>): 0 | 1;
  /** A URL for the file: minted (one request), or the record's own signed link (none). */
  url(record: Record<string, unknown>, o?: RequestOptions): Promise<MediaUrl>;
  /** A fresh URL after the storage server refused the last one: a new mint, or the record read again. */
  freshUrl(record: Record<string, unknown>, o?: RequestOptions & { context?: RecordContext }): Promise<MediaUrl>;
}

/** Links that are listed in the export and never fetched (BrainSTEM session download links). */
export interface SourceLinks {
  /** The data type whose records carry the links. */
  readonly type: DataTypeId;
  /** The table the rows go to ("links" → links.csv). */
  readonly table: string;
  /** One row per link of a record. */
  rows(record: Record<string, unknown>): Array<Record<string, unknown>>;
}

// ---------- what the credential may read ----------

/**
 * What the credential may read, as the server has shown it (a source whose refusals say so:
 * HyperStudy's 403s name the key's scopes). Learned once per connection; a data type whose
 * descriptor's requiredScope is among `missingScopes` cannot be read, for that reason.
 */
export interface CredentialAccess {
  /** Learns from any error a call on this connection ended with. */
  learn(e: unknown): void;
  /** What the credential lacks among the permissions these data types need under `path` (probing with the smallest requests where nothing is known yet). */
  check(path: readonly PathStep[], types: readonly DataTypeId[], o?: RequestOptions): Promise<KeyAccess>;
}

// ---------- the open connection ----------

export interface Listing {
  items: LevelItem[];
  warnings: string[];
}

export interface HealthInfo {
  ok: boolean;
  version?: string;
}

/** An open connection to one source: everything the engine reads, through one limiter. */
export interface Source extends SourceRules {
  /** The API base URL (for manifests and messages; never the secret). */
  readonly baseUrl: string;

  /**
   * A view of this connection for one export: what its plan and its listings both read (HyperStudy:
   * an experiment's rooms) is read once.
   */
  forExport(): Source;

  /** Is the server there and is it this API. */
  health(o?: RequestOptions): Promise<HealthInfo>;
  /**
   * The items of `level` under `parentPath` (a path from the root down to the level's parent, or
   * to a further ancestor when the source can list the level there: HyperStudy lists an
   * experiment's participants).
   */
  listLevel(level: LevelId, parentPath: readonly PathStep[], o?: RequestOptions & { search?: string }): Promise<Listing>;
  /** Per-item record counts (levels whose descriptor says `counts`). */
  itemCounts?(path: readonly PathStep[], o?: RequestOptions): Promise<ItemCounts>;

  /** The streams to fetch for `types` at `target`, at the widest scope the target allows. */
  planStreams(target: Target, types: readonly DataTypeId[], o?: PlanStreamsOptions): Promise<SourceStreamPlan>;
  /** The stream a preview of `type` at `target` reads (null: the type cannot be had there). */
  previewStream(target: Target, type: DataTypeId): StreamRef | null;
  /** One page of a stream. */
  fetchPage(stream: StreamRef, query: PageQuery, o?: RequestOptions): Promise<Page>;
  /** All pages from query.offset on, following the cursor, de-duplicated by record id. */
  pages(stream: StreamRef, query: PageQuery, o?: PagesOptions): AsyncIterable<Page>;

  /** What an export of `target` writes besides its streams, and what it needs to place records. */
  exportListings(target: Target, o?: RequestOptions): Promise<ExportListings>;
  /** The source's files, when it has any. */
  readonly media?: SourceMedia;
  /** The source's listed-only links, when it has any. */
  readonly links?: SourceLinks;
  /** What the credential may read, when the source can tell. */
  readonly access?: CredentialAccess;

  /** API requests sent through this connection so far (every attempt). */
  requestsMade(): number;
  /** 429 answers received so far. */
  rateLimitedResponses(): number;
  /** Resolves once no request is on the wire (or after maxMs). */
  whenQuiet(maxMs: number): Promise<void>;
  /** The key's remaining budget. */
  budget(): RateBudget;
}
