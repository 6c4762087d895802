// The HyperStudy client's interface, implemented by ./client.ts (createHyperStudyClient). Only
// this folder uses it: the rest of the core reaches HyperStudy through the Source port
// (../source.ts), which ./adapter.ts implements over this client.
import type { DataTypeId, Experiment, Participant, ParticipantCounts, RateBudget, Room, Scope } from '../../../../src-shared/model';

export interface ConnectionConfig {
  /** e.g. https://api.hyperstudy.io/api/v3 (no trailing slash needed) */
  baseUrl: string;
  apiKey: string;
  organizationId?: string;
  /** Default request timeout, ms (30 s). Recordings listings use a longer one. */
  timeoutMs?: number;
}

export interface PageQuery {
  /** Records at or after this time (inclusive, whatever the server's own reading of startTime). */
  startTime?: string;
  /** Records at or before this time (inclusive). */
  endTime?: string;
  /** Filter by room (sent with the participant scope whenever it is known; some servers need it). */
  roomId?: string;
  /** Defaults to the largest page the server accepts (1000). */
  limit?: number;
  offset?: number;
  /** Extra type-specific parameters (category, componentType, …). */
  extra?: Record<string, string>;
}

/** A page as the port defines it (HyperStudy keeps the response's metadata in `metadata`: variables carry their payload there). */
import type { Page } from '../source';
export type { Page };

export interface HealthInfo {
  ok: boolean;
  version?: string;
  raw: unknown;
}

export interface AccessInfo {
  canView: boolean;
  canExport: boolean;
}

export interface Listing<T> {
  items: T[];
  warnings: string[];
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Called when the limiter makes this request wait, so progress can say why. */
  onWait?: (wait: { seconds: number; scope: 'key' | 'endpoint' | 'server'; reason: string }) => void;
}

/** Extra options for pages() (additive). */
export interface PagesOptions {
  /**
   * A first page already fetched (e.g. by the planner): yielded without a request, and paging
   * continues from its nextOffset. Its records count as seen for de-duplication.
   */
  firstPage?: Page;
  /** Record ids already seen (shared across calls to resume de-duplication). Mutated. */
  seenIds?: Set<string>;
  /**
   * Page requests in flight for this stream (default 4). Beyond the page being awaited, the next
   * pages are prefetched at offsets predicted by the total (never past it); paging still ends on
   * hasMore, and prefetching stops if the total changes mid-stream.
   */
  concurrency?: number;
}

export interface HyperStudyClient {
  readonly baseUrl: string;
  health(opts?: RequestOptions): Promise<HealthInfo>;
  /** Own and shared experiments, merged and de-duplicated by id, each marked with its origin. */
  listExperiments(opts?: RequestOptions & { search?: string }): Promise<Listing<Experiment>>;
  getExperiment(experimentId: string, opts?: RequestOptions): Promise<Record<string, unknown>>;
  /** /data/rooms/experiment/{id}, falling back to deployments' sessions. */
  listRooms(experimentId: string, opts?: RequestOptions): Promise<Listing<Room>>;
  listParticipants(scope: 'experiment' | 'room', scopeId: string, opts?: RequestOptions): Promise<Listing<Participant>>;
  getCounts(participantId: string, roomId: string, opts?: RequestOptions): Promise<ParticipantCounts>;
  checkAccess(experimentId: string, opts?: RequestOptions): Promise<AccessInfo>;
  /** One page of /data/{type}/{scope}/{id}, sorted ascending by timestamp. */
  fetchPage(type: DataTypeId, scope: Scope, scopeId: string, query: PageQuery, opts?: RequestOptions): Promise<Page>;
  /**
   * All pages from query.offset on, following hasMore/nextOffset, de-duplicating by record id
   * across pages (records already yielded are dropped from later pages). Cancel with opts.signal.
   */
  pages(type: DataTypeId, scope: Scope, scopeId: string, query: PageQuery, opts?: RequestOptions & PagesOptions): AsyncIterable<Page>;
  /**
   * A URL for a recording's file: minted through downloadPath (one request), else its signed
   * downloadUrl (no request). Fetch it without the API key. A downloadPath on another origin is refused.
   */
  mintRecordingUrl(recording: Record<string, unknown>, opts?: RequestOptions): Promise<string>;
  /**
   * A fresh URL after the storage server refused the last one (expired): minted again, or, for a
   * recording without downloadPath, its downloadUrl from listing its room (opts.roomId, else the
   * room it names) or, failing that, its participant once more. One request.
   */
  refreshRecordingUrl(recording: Record<string, unknown>, opts?: RequestOptions & { roomId?: string }): Promise<string>;
  /** Requests sent through this client's limiter so far (for manifests and progress). */
  requestsMade(): number;
  /** 429 answers received so far (additive; optional for fakes). */
  rateLimitedResponses?(): number;
  /** Resolves once none of this client's requests is on the wire (or after maxMs); optional for fakes. */
  whenQuiet?(maxMs: number): Promise<void>;
  budget(): RateBudget;
}
