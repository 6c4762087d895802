// Public types of the BrainSTEM simulator. Tests, benchmarks and the demo depend on these names.
import type { FaultConfig, JsonRecord, ScaleName } from '../types';

export type { FaultConfig, FaultRule, JsonRecord, ScaleName } from '../types';

export type Portal = 'private' | 'public';

/** Response shapes a robust client must survive (reference §3.1, §3.3). Defaults are the documented ones. */
export interface BrainstemShapes {
  /**
   * 'keyed' (documented): {"<plural>": [...], "meta": {...}}.
   * 'results': DRF paging {"count", "next", "previous", "results": [...]} (a removed 2025 doc section).
   */
  paging: 'keyed' | 'results';
  /** 'keyed' paging without the meta object. */
  omitMeta: boolean;
  /** 'keyed' paging with a DRF-style "count" beside meta. */
  addCount: boolean;
  /** include[]=rel.* puts related objects under top-level keys (DREST's default) instead of embedding them. */
  sideloading: boolean;
}

export interface BrainstemCounters {
  /** Requests under /api (auth routes included). */
  requests: number;
  /** By route template, e.g. "/private/stem/session/", "/public/stem/project/{id}/", "/auth/token/refresh/". */
  byEndpoint: Record<string, number>;
  /** By HTTP status, API and images together. */
  byStatus: Record<string, number>;
  unauthorized: number;
  forbidden: number;
  notFound: number;
  /** 301s for a missing trailing slash. */
  redirects: number;
  rateLimited: number;
  /** Injected faults by kind. */
  faults: Record<string, number>;
  bytesApi: number;
  /** Requests that carried an Authorization header, by portal ("private", "public") or "auth". */
  withAuthorization: Record<string, number>;
  imageRequests: number;
  bytesImages: number;
  /** Image requests that carried an Authorization header: a credential sent to another origin. */
  imageRequestsWithAuthorization: number;
  auth: {
    passwordLogins: number;
    refreshes: number;
    refreshesRejected: number;
    legacyTokens: number;
    deviceStarts: number;
    devicePolls: number;
  };
}

/** One request as the simulator saw it (never the credential itself). */
export interface RequestLogEntry {
  method: string;
  /** Path with query. */
  path: string;
  status: number;
  authorization: 'none' | 'bearer' | 'other';
  origin: 'api' | 'images';
}

export interface BrainstemOptions {
  port?: number;
  /** Port of the separate image origin (default: random). */
  imagesPort?: number;
  scale?: ScaleName;
  seed?: number;
  /** Clock for token expiry, device codes and storms (ms since epoch). */
  now?: () => number;
  faults?: Partial<FaultConfig>;
  shapes?: Partial<BrainstemShapes>;
}

export interface SimUser {
  id: number;
  email: string;
  name: string;
  /** Projects the user is a member of (what the private portal shows them). */
  projectIds: string[];
}

export interface ProjectInfo {
  id: string;
  name: string;
  isPublic: boolean;
  /** Session ids in the order the API lists them by default. */
  sessionIds: string[];
  subjectIds: string[];
}

export interface ImageInfo {
  name: string;
  url: string;
  bytes: Buffer;
  sha256: string;
  width: number;
  height: number;
}

/** Models that can receive appended records, and the model of the parent id they need. */
export const APPENDABLE = {
  session: 'project',
  subject: 'project',
  dataacquisition: 'session',
  behavior: 'session',
  manipulation: 'session',
  epoch: 'session',
  procedure: 'subject',
  subjectlog: 'subject',
  procedurelog: 'procedure',
} as const;
export type AppendableModel = keyof typeof APPENDABLE;

/** Read-only view of the data, for tests to compute expectations without the query engine. */
export interface BrainstemDataset {
  readonly scale: ScaleName;
  readonly seed: number;
  readonly users: SimUser[];
  projects(): ProjectInfo[];
  /** Every record of a model as the private portal serves it to the first user (relations as ids). */
  rows(model: string): JsonRecord[];
  row(model: string, id: string): JsonRecord | undefined;
  /** Record counts by list key (epochs included). */
  summary(): Record<string, number>;
  images(): ImageInfo[];
}

export interface DeviceControl {
  /** Approves a pending code (user code, device code or session id) for a user (default: the first). */
  approve(code: string, userEmail?: string): void;
  deny(code: string): void;
  /** Codes started and not yet collected, denied or expired. */
  pending(): Array<{ userCode: string; deviceCode: string; sessionId: string; expiresAtMs: number }>;
}

export interface TokenControl {
  /** A new personal access token for a user (default: the first). */
  issue(userEmail?: string): string;
  /** Makes a token stale: it then gets 401 token_not_valid everywhere. */
  revoke(token: string): void;
}

export interface BrainstemSimulator {
  origin: string;
  /** http://127.0.0.1:PORT/api */
  baseUrl: string;
  /** The separate origin serving dataacquisition images, e.g. http://127.0.0.1:PORT2 */
  imagesOrigin: string;
  port: number;
  controlUrl: string;
  /** Personal access token of the first user (member of every project). */
  token: string;
  /** Personal access token of the second user (member of the public project and one private one). */
  otherToken: string;
  /** Email and password for POST /api/auth/token/ and /api/token/. */
  credentials: { email: string; password: string };
  dataset: BrainstemDataset;
  setFaults(p: Partial<FaultConfig>): void;
  resetFaults(): void;
  faults(): FaultConfig;
  setShapes(p: Partial<BrainstemShapes>): void;
  resetShapes(): void;
  shapes(): BrainstemShapes;
  counters(): BrainstemCounters;
  resetCounters(): void;
  /** The last requests (at most 2,000), oldest first. */
  requestLog(): RequestLogEntry[];
  /** Appends n generated records under a parent (see APPENDABLE) and returns their ids. */
  append(model: AppendableModel, parentId: string, n: number): string[];
  device: DeviceControl;
  tokens: TokenControl;
  close(): Promise<void>;
}
