// Public types of the HyperStudy API v3 simulator. Tests, benchmarks and the demo depend on these names.

export type ScaleName = 'tiny' | 'small' | 'large';

/** How appended records arrive: late (inside the range already recorded), after it, or half each (default). */
export interface AppendOptions {
  where?: 'mixed' | 'inside' | 'after';
  /** Fields added to every appended record. */
  extra?: Record<string, unknown>;
}

/** Data types served under /data/{type}/{scope}/{id} that are record streams. */
export type StreamType =
  | 'events'
  | 'recordings'
  | 'chat'
  | 'videochat'
  | 'ratings/continuous'
  | 'ratings/sparse'
  | 'sync'
  | 'components'
  | 'eyetracking';

export type DataScope = 'experiment' | 'room' | 'participant';

/** Kinds of faults a rule can inject on the next matching requests. */
export type FaultKind =
  | 'error' // 5xx JSON error envelope (status from the rule, default 500)
  | 'html' // proxy-style HTML error page (status from the rule, default 502)
  | 'rate429' // 429 RATE_LIMIT_EXCEEDED with Retry-After
  | 'reset' // connection destroyed mid-body
  | 'truncate' // body cut in half but the response ends cleanly (invalid JSON / short CSV)
  | 'slow' // response delayed by delayMs (default FaultConfig.slowMs or 35 s)
  | 'wrongLength' // media: Content-Length off by lengthDelta (default +1024)
  | 'expire'; // media: 403 as for an expired signed URL

export interface FaultRule {
  /** Regular expression (source) tested against the request path (with query) and the endpoint template. */
  match: string;
  kind: FaultKind;
  /** How many matching requests get the fault (default 1). */
  count?: number;
  status?: number;
  /** For rate429: seconds, or an HTTP date string if retryAfterAsDate. */
  retryAfterSec?: number;
  retryAfterAsDate?: boolean;
  /** For reset: bytes of the body sent before the reset (default: half the body). */
  afterBytes?: number;
  /** For slow. */
  delayMs?: number;
  /** For wrongLength. */
  lengthDelta?: number;
}

export interface StormConfig {
  /** Answer the next `count` API requests with 429. */
  count?: number;
  /** ...or every API request until this time (ms since epoch, per the simulator clock). */
  untilMs?: number;
  retryAfterSec: number;
  /** Send Retry-After as an HTTP date instead of seconds. */
  retryAfterAsDate?: boolean;
}

export interface FaultConfig {
  /** Seed for the random faults (reproducible runs). */
  seed: number;
  latencyMs: number;
  jitterMs: number;
  /** Probability of a random 5xx JSON error on an API request (status from errorStatuses). */
  errorRate: number;
  errorStatuses: number[];
  /** Probability that a response (API or media) is cut by a connection reset mid-body. */
  resetRate: number;
  /** Probability that an API response body is truncated (ends cleanly, invalid JSON). */
  truncateRate: number;
  /** Probability of a proxy-style 502 HTML page on an API request. */
  htmlRate: number;
  /** Delay for responses slower than client timeouts; 0 = off. */
  slowMs: number;
  /** Regular expression on the endpoint template/path; null = every API route. Only used when slowMs > 0. */
  slowPattern: string | null;
  storm: StormConfig | null;
  /** Every minted signed URL is treated as expired. */
  expireSignedUrls: boolean;
  /** A signed URL expires once this many bytes were served through it (mid-file cut, then 403). */
  expireAfterBytes: number | null;
  /** Media responses claim Content-Length + this delta (0 = correct). */
  mediaLengthDelta: number;
  /** Added as metadata._warnings to every success envelope. */
  warnings: string[];
  /** Exact, counted faults for the next matching requests. */
  rules: FaultRule[];
}

export interface ShapeConfig {
  // Tolerance shapes: answers a robust client must survive.
  /** /health body: {"status":"healthy",…} (default) or {"status":"success",…}. */
  health: 'healthy' | 'success';
  /** Single-item endpoints: documented shape (experiment as a list, deployment and mint as a dict), or force one form. */
  singleItem: 'documented' | 'list' | 'object';
  /** Drop metadata.pagination from every envelope. */
  omitPagination: boolean;
  /** /experiments/shared answers a bare JSON array. */
  sharedBareArray: boolean;
  /** /experiments, /deployments and sessions answer bare JSON arrays. */
  listingsBareArray: boolean;
  /** Errors as {"error": "message"} instead of the error envelope. */
  bareErrors: boolean;
  /** Report pagination.total off by this much (the platform once had a wrong total); hasMore stays right. */
  totalOffBy: number;
  /** Leave out pagination.nextOffset even when hasMore (clients fall back to their own offset + returned). */
  omitNextOffset: boolean;

  // Where the documentation and other sources disagree: the documented answer is the default.
  /**
   * The field that names a record's room. 'documented': events carry sessionId = the room id and no
   * roomId, components carry neither (their participant tells the room), the other types roomId.
   * 'roomId': every record carries roomId (the SDK fixtures' events). 'none': no record names its room.
   */
  roomField: 'documented' | 'roomId' | 'none';
  /** Recordings link their file by a signed, expiring downloadUrl on the storage origin (docs) or by a downloadPath mint route (SDK ≥ 0.3.1). */
  recordingLinks: 'downloadUrl' | 'downloadPath';
  /** Code of the 401 error: UNAUTHORIZED (docs) or AUTHENTICATION_ERROR (SDK fixture). */
  authErrorCode: 'UNAUTHORIZED' | 'AUTHENTICATION_ERROR';
  /** /health answers without a key (docs: every request needs one). */
  healthWithoutKey: boolean;
  /** The participant scope refuses a request without roomId (SDK); by default roomId is a filter. */
  participantNeedsRoomId: boolean;
  /** Sparse ratings as documented (componentId, scaleMin, scaleMax, labels) or in the SDK fixture's shape (scale{}, sparseRatingData, no roomId). */
  sparseRatings: 'documented' | 'sdk';
  /** Continuous ratings' value normalized to 0–1 beside rawValue (docs) or on the rating scale. */
  continuousValue: 'normalized' | 'scale';
  /** syncQuality as a number 0–1 (docs) or a label good/fair/poor. */
  syncQuality: 'number' | 'label';
  /** Chat messageType 'text' (docs) or 'direct'/'broadcast'. */
  chatMessageType: 'text' | 'audience';
  /** startTime/endTime mean after/before (exclusive, docs) or include the bounds. */
  timeRange: 'exclusive' | 'inclusive';
  /** onset counts from the experiment's start, as metadata.processing.experimentStartedAt says at every scope (docs), or from each room's start. */
  onsetFrom: 'experiment' | 'room';
  /** Questionnaire answers under category post_experiment (docs) or half of them under questionnaire (SDK). */
  questionnaireCategory: 'post_experiment' | 'mixed';
  /** Component records also carry id and roomId (not in the documented fields). */
  componentExtras: boolean;
  /** pagination also echoes limit and offset (SDK fixtures); the docs show total, returned, hasMore, nextOffset. */
  paginationEcho: boolean;
  /** format=ndjson is accepted (docs show json and csv). */
  ndjson: boolean;
  /** format=csv (and ndjson) answers carry X-Total-Count, X-Has-More and X-Next-Offset. */
  csvPagingHeaders: boolean;
  /** sort/order work on every data type (docs show them for events, chat, videochat, sync and ratings). */
  sortEverywhere: boolean;
}

export interface SimCounters {
  /** Requests under /api/v3. */
  requests: number;
  /** By endpoint template (see /tmp/endpoint-key.md), e.g. "/data/events/experiment/{id}". */
  byEndpoint: Record<string, number>;
  /** By HTTP status, API and media together. */
  byStatus: Record<string, number>;
  /** 429s sent, total and by cause. */
  rateLimited: number;
  rateLimitedBy: { key: number; endpoint: number; storm: number; rule: number };
  /** Injected faults by kind. */
  faults: Record<string, number>;
  bytesApi: number;
  bytesMedia: number;
  mediaRequests: number;
  mints: number;
}

export interface SimOptions {
  port?: number;
  /** Port of the storage origin that serves signed media URLs (default: random). */
  storagePort?: number;
  host?: '127.0.0.1';
  scale?: ScaleName;
  seed?: number;
  keyLimit?: number;
  keyWindowSec?: number;
  endpointLimit?: number;
  endpointWindowSec?: number;
  faults?: Partial<FaultConfig>;
  shapes?: Partial<ShapeConfig>;
  /** Clock for rate limiting, metadata timestamps and signed URL expiry. */
  now?: () => number;
  signedUrlTtlSec?: number;
  /** Multiplies recording sizes (benchmarks). */
  mediaScale?: number;
}

export type JsonRecord = Record<string, unknown>;

export interface ExperimentInfo {
  id: string;
  name: string;
  shared: boolean;
  roomIds: string[];
  deploymentIds: string[];
  participantIds: string[];
  startedAt: string;
}

export interface RoomInfo {
  id: string;
  experimentId: string;
  deploymentId: string;
  participantIds: string[];
  startTime: string;
  endTime: string | null;
  status: string;
}

export interface ParticipantInfo {
  id: string;
  name: string;
  roomId: string;
  experimentId: string;
}

export interface RecordingInfo {
  recordingId: string;
  roomId: string;
  experimentId: string;
  participantId: string;
  format: string;
  /** Bytes served by the storage route (after mediaScale). */
  size: number;
  /** SHA-256 (hex) of the bytes; computed on first access and cached. */
  readonly sha256: string;
  /** Path below the API base, e.g. /data/recordings/download/{roomId}/{recordingId}. */
  downloadPath: string;
}

/** Read-only view of the simulator's data, for tests to compute expectations. */
export interface DatasetAccessor {
  readonly scale: ScaleName;
  readonly seed: number;
  experiments(opts?: { includeShared?: boolean }): ExperimentInfo[];
  rooms(experimentId?: string): RoomInfo[];
  participants(opts?: { experimentId?: string; roomId?: string }): ParticipantInfo[];
  /** Records of a stream type at a scope (default query: sorted by timestamp ascending). */
  count(type: StreamType, scope: DataScope, id: string, roomId?: string): number;
  records(type: StreamType, scope: DataScope, id: string, roomId?: string): IterableIterator<JsonRecord>;
  recordings(experimentId?: string): RecordingInfo[];
  /** The records of GET /data/variables/room/{roomId}. */
  variables(roomId: string): JsonRecord[];
  /** Media bytes [start, end) of a recording. */
  mediaBytes(roomId: string, recordingId: string, start?: number, end?: number): Buffer;
  /** The API JSON item for a listing type, as served. */
  experimentItem(id: string): JsonRecord | undefined;
  roomItem(id: string): JsonRecord | undefined;
  participantItem(id: string): JsonRecord | undefined;
}

export interface Simulator {
  origin: string;
  /** The separate origin (another port) that serves signed media URLs; it never needs the API key. */
  storageOrigin: string;
  baseUrl: string;
  apiKey: string;
  limitedKey: string;
  orgId: string;
  port: number;
  controlUrl: string;
  setFaults(p: Partial<FaultConfig>): void;
  resetFaults(): void;
  faults(): FaultConfig;
  setShapes(p: Partial<ShapeConfig>): void;
  resetShapes(): void;
  shapes(): ShapeConfig;
  counters(): SimCounters;
  resetCounters(): void;
  resetRateLimits(): void;
  dataset: DatasetAccessor;
  /**
   * Appends n records of a type to a room: by default half late (timestamps inside the range
   * already recorded) and half after the last one; `where` picks one kind; `extra` fields go on
   * every appended record (a field that appears later).
   */
  appendRecords(type: StreamType, experimentId: string, roomId: string, n: number, opts?: AppendOptions): void;
  /** A new room (session) at the end of an experiment, active unless said otherwise, with new participants. */
  addRoom(experimentId: string, opts?: { participants?: number; active?: boolean }): { roomId: string; participantIds: string[] };
  /** A room ends ('completed') or runs again ('active'). */
  setRoomStatus(roomId: string, status: 'active' | 'completed'): void;
  close(): Promise<void>;
}
