// The BrainSTEM client: one connection (site, portal, sign-in) and everything read through it —
// level listings, planned streams paged to their end, single records, hosted images. It is what
// a Source port adapter wraps; nothing else in the core imports it yet.
import type { JointLimiter } from '../../net/limiter';
import type { RetryPolicy } from '../../net/retry';
import { silentLogger, systemClock, type Clock, type FetchLike, type Logger } from '../../ports';
import type { MediaOutcome } from '../../export/media/download-all';
import { createBrainstemApi } from './api';
import { createAuthSession, type BrainstemAuth, type RefreshChains } from './auth/session';
import { createSecretRedactor } from './auth/secret-redactor';
import { brainstemUrlProblem, brainstemUrls, DEFAULT_BRAINSTEM_URL, type BrainstemUrls, type Portal } from './connection';
import type { BrainstemLevelId } from './descriptors';
import { readDetail, type JsonRecord } from './envelope';
import { listLevel, type LevelItem } from './levels';
import { downloadImages, imageJobs, type DownloadImagesOptions } from './media';
import type { ModelName } from './models';
import { MODELS } from './models';
import { fetchPage, pages, type Page, type PageOptions, type PagesOptions } from './pager';
import { createBrainstemLimiter } from './policy';
import type { ListRequest } from './query';
import { planReadable, readStreams, type ReadableType, type ReadStreamsOptions, type StreamBatch } from './read-streams';
import { checkIds, requestsFor, type BrainstemScope, type StreamPlan } from './streams';
import { createBrainstemTransport } from './transport';

export interface BrainstemClientOptions {
  /** BrainSTEM's site or API address (default https://www.brainstem.org/). */
  baseUrl?: string;
  portal: Portal;
  /** Ignored on the public portal, which is always read without a credential. */
  auth: BrainstemAuth;
  clock?: Clock;
  fetch?: FetchLike;
  logger?: Logger;
  retry?: Partial<RetryPolicy>;
  /** Requests in flight at once (default 4). */
  maxInFlight?: number;
  /** Per request, ms (default 30 s). */
  timeoutMs?: number;
  /** Default: one with no limits, whose only job is to hold everything back during a 429's Retry-After. */
  limiter?: JointLimiter;
  /** Sign-ins shared by the clients of one connection (see OpenSourceDeps.shared). */
  signIns?: RefreshChains;
}

export interface BrainstemClient {
  readonly urls: BrainstemUrls;
  readonly portal: Portal;
  /** The projects of the portal (parentId null), or the sessions/subjects/collections/cohorts of a project. */
  listLevel(level: BrainstemLevelId, parentId: string | null, o?: { signal?: AbortSignal }): Promise<LevelItem[]>;
  /** The streams to read for `types` at `scope`, dependencies first (see streams.ts). */
  planStreams(scope: BrainstemScope, types: readonly ReadableType[]): StreamPlan[];
  /** The list requests of a planned stream; a batched one needs its dependency's record ids. */
  requestsFor(plan: StreamPlan, parentIds?: readonly string[]): ListRequest[];
  /** One page of a list request; nextOffset is the cursor (null: last page). */
  fetchPage(req: ListRequest, offset: number, o?: PageOptions): Promise<Page>;
  /** Every page of a list request, de-duplicated by id. */
  pages(req: ListRequest, o?: PagesOptions): AsyncIterable<Page>;
  /** Every record of `types` at `scope`, page by page, de-duplicated; "links" gives one row per session download link. */
  readStreams(scope: BrainstemScope, types: readonly ReadableType[], o?: ReadStreamsOptions): AsyncIterable<StreamBatch>;
  /** One record by id (detail route). */
  getRecord(model: Exclude<ModelName, 'epoch'>, id: string, o?: { signal?: AbortSignal }): Promise<JsonRecord>;
  /** images/<id>.<ext> for each data acquisition with an image. */
  imageJobs: typeof imageJobs;
  /** Downloads images with no credential (another origin), re-reading a record when its link is refused. */
  downloadImages(o: Omit<DownloadImagesOptions, 'reread'>): Promise<MediaOutcome[]>;
  /** API requests sent (every attempt, sign-in refreshes included). */
  requestsMade(): number;
  /** 429 answers received. */
  rateLimitedResponses(): number;
  /** Resolves once no request is on the wire (or after maxMs). */
  whenQuiet(maxMs: number): Promise<void>;
  /** Access-token refreshes sent (a signed-in session). */
  refreshes(): number;
  close(): Promise<void>;
}

export function createBrainstemClient(o: BrainstemClientOptions): BrainstemClient {
  const baseUrl = o.baseUrl ?? DEFAULT_BRAINSTEM_URL;
  const problem = brainstemUrlProblem(baseUrl);
  if (problem) throw problem;
  const urls = brainstemUrls(baseUrl);
  const apiPath = new URL(urls.api).pathname.replace(/\/+$/, '');
  const clock = o.clock ?? systemClock;
  const redactor = createSecretRedactor();
  const logger = redactor.logger(o.logger ?? silentLogger);
  const ownLimiter = !o.limiter;
  const limiter = o.limiter ?? createBrainstemLimiter(clock);
  const common = { api: urls.api, limiter, clock, fetch: o.fetch, logger, retry: o.retry, timeoutMs: o.timeoutMs };
  const authKind = o.portal === 'public' ? 'none' : o.auth.kind;
  const authTransport = createBrainstemTransport({ ...common, errors: { site: urls.site, portal: o.portal, auth: 'refresh' } });
  const session = createAuthSession({ auth: o.auth, portal: o.portal, clock, authTransport, redactor, logger, tokensPage: urls.tokensPage, ...(o.signIns ? { chains: o.signIns } : {}) });
  const transport = createBrainstemTransport({ ...common, maxInFlight: o.maxInFlight, credential: session.credential, errors: { site: urls.site, portal: o.portal, auth: authKind } });
  const api = createBrainstemApi({ transport, session, redactor });
  const ctx = { api, portal: o.portal, apiPath };

  async function getRecord(model: Exclude<ModelName, 'epoch'>, id: string, ro: { signal?: AbortSignal } = {}): Promise<JsonRecord> {
    checkIds([id], model);
    const m = MODELS[model];
    const { body, url } = await api.get(`/${o.portal}/${m.app}/${m.name}/${encodeURIComponent(id)}/`, `${model} ${id}`, ro.signal);
    return readDetail(body, model, url);
  }

  return {
    urls,
    portal: o.portal,
    listLevel: (level, parentId, lo) => listLevel(api, o.portal, level, parentId, lo),
    planStreams: planReadable,
    requestsFor: (plan, parentIds) => requestsFor(plan, o.portal, apiPath, parentIds),
    fetchPage: (req, offset, po) => fetchPage(api, o.portal, req, offset, po),
    pages: (req, po) => pages(api, o.portal, req, po),
    readStreams: (scope, types, ro) => readStreams(ctx, scope, types, ro),
    getRecord,
    imageJobs,
    downloadImages: (d) => downloadImages({ ...d, clock: d.clock ?? clock, reread: (id, signal) => getRecord('dataacquisition', id, { signal }) }),
    requestsMade: () => transport.requestsMade() + authTransport.requestsMade(),
    rateLimitedResponses: () => transport.rateLimitedResponses() + authTransport.rateLimitedResponses(),
    whenQuiet: async (maxMs) => {
      await Promise.all([transport.whenQuiet(maxMs), authTransport.whenQuiet(maxMs)]);
    },
    refreshes: () => session.refreshes(),
    close: async () => {
      if (ownLimiter) await limiter.close();
    },
  };
}
