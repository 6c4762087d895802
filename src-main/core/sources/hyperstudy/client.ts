// The HyperStudy API v3 client: listings, data pages and recording mints, over the joint
// limiter and the retrying transport. It knows the URL shapes and the envelope; everything
// it returns is normalized to the shared model shapes.
import { StudyError } from '../../../../src-shared/errors';
import type { DataTypeId, Experiment, Participant, Room, Scope } from '../../../../src-shared/model';
import { endpointKey } from '../../net/endpoint-key';
import { createApiTransport, type ApiCall, type ApiTransportOptions } from '../../net/http';
import type { DemandHint } from '../../net/limiter';
import { abortError, silentLogger, systemClock } from '../../ports';
import type { AccessInfo, ConnectionConfig, HealthInfo, HyperStudyClient, Listing, Page, PageQuery, PagesOptions, RequestOptions } from './client-types';
import { dataTypeDescriptor, MAX_PAGE_LIMIT, sortFieldFor } from './descriptors';
import { readEnvelope, readHealth, readSingle, type JsonObject } from './envelope';
import { toCounts, toExperiment, toParticipant, toRoom } from './normalize';
import { createRecordingLinks } from './recording-links';
import { widenTimeWindow, withinTimeWindow } from './time-window';

export { MAX_PAGE_LIMIT } from './descriptors';
export const RECORDINGS_TIMEOUT_MS = 300_000;
/** The SDK's experiments page; we ask for more and follow the server's paging either way. */
const EXPERIMENTS_FALLBACK_LIMIT = 50;
const DEFAULT_PAGE_CONCURRENCY = 4;

/** The transport's options, with the full connection (base URL, key, organization). */
export interface HyperStudyClientOptions extends ApiTransportOptions {
  connection: ConnectionConfig;
}

const enc = encodeURIComponent;

export function createHyperStudyClient(opts: HyperStudyClientOptions): HyperStudyClient {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? silentLogger;
  const transport = createApiTransport({
    connection: opts.connection,
    limiter: opts.limiter,
    clock,
    fetch: opts.fetch,
    logger,
    retry: opts.retry,
    maxInFlight: opts.maxInFlight,
  });
  const baseUrl = transport.baseUrl;

  async function get(path: string, query: ApiCall['query'], o: RequestOptions | undefined, what: string, timeoutMs?: number) {
    const res = await transport.request({ path, query, signal: o?.signal, onWait: o?.onWait, what, timeoutMs });
    return { body: res.body, url: res.url };
  }

  /** Every item of a paged listing, following hasMore/nextOffset; stops on a page that makes no progress. */
  async function listAll(path: string, query: Record<string, string | number | undefined>, o: RequestOptions | undefined, what: string, limit: number) {
    const records: JsonObject[] = [];
    const warnings: string[] = [];
    let offset = 0;
    for (let guard = 0; guard < 100_000; guard++) {
      const { body, url } = await get(path, { ...query, limit, offset }, o, what);
      const env = readEnvelope(body, url);
      records.push(...env.records);
      warnings.push(...env.warnings);
      const p = env.pagination;
      // Without pagination, a full page may have more behind it; a short one is the last.
      const more = p ? p.hasMore : env.records.length >= limit;
      const returned = p ? p.returned : env.records.length;
      if (!more || returned === 0) break;
      // Without nextOffset (it is optional), the next page starts after this one.
      const next = p?.nextOffset ?? offset + returned;
      if (next <= offset) break;
      offset = next;
    }
    return { records, warnings: [...new Set(warnings)] };
  }

  async function health(o?: RequestOptions): Promise<HealthInfo> {
    const { body, url } = await get('/health', undefined, o, 'health check');
    return { ...readHealth(body, url), raw: body };
  }

  async function listExperiments(o?: RequestOptions & { search?: string }): Promise<Listing<Experiment>> {
    const query = { search: o?.search };
    let own: { records: JsonObject[]; warnings: string[] };
    try {
      own = await listAll('/experiments', query, o, 'experiments list', MAX_PAGE_LIMIT);
    } catch (e) {
      // A server that refuses large pages gets the SDK's page size.
      if (!(e instanceof StudyError && e.code === 'INVALID_PARAMETER')) throw e;
      own = await listAll('/experiments', query, o, 'experiments list', EXPERIMENTS_FALLBACK_LIMIT);
    }
    const warnings = [...own.warnings];
    let shared: JsonObject[] = [];
    try {
      const s = await listAll('/experiments/shared', query, o, 'shared experiments list', MAX_PAGE_LIMIT);
      shared = s.records;
      warnings.push(...s.warnings);
    } catch (e) {
      if (!(e instanceof StudyError) || !['NOT_FOUND', 'FORBIDDEN', 'INVALID_PARAMETER'].includes(e.code)) throw e;
      warnings.push(`Experiments shared from other organizations could not be listed: ${e.message}`);
    }
    const byId = new Map<string, Experiment>();
    for (const r of own.records) {
      const x = toExperiment(r, 'own');
      if (x && !byId.has(x.id)) byId.set(x.id, x);
    }
    for (const r of shared) {
      const x = toExperiment(r, 'shared');
      if (x && !byId.has(x.id)) byId.set(x.id, x);
    }
    return { items: [...byId.values()], warnings: [...new Set(warnings)] };
  }

  async function getExperiment(experimentId: string, o?: RequestOptions): Promise<Record<string, unknown>> {
    const { body, url } = await get(`/experiments/${enc(experimentId)}`, undefined, o, `experiment ${experimentId}`);
    return readSingle(body, url).item;
  }

  async function roomsFromDeployments(experimentId: string, o: RequestOptions | undefined): Promise<Listing<Room>> {
    const deps = await listAll('/deployments', { experimentId }, o, `deployments of experiment ${experimentId}`, MAX_PAGE_LIMIT);
    const mine = deps.records.filter((d) => d.experimentId === undefined || d.experimentId === experimentId);
    const items: Room[] = [];
    const warnings = [...deps.warnings];
    for (const d of mine) {
      const depId = typeof d.id === 'string' ? d.id : typeof d.deploymentId === 'string' ? d.deploymentId : null;
      if (!depId) continue;
      const s = await listAll(`/deployments/${enc(depId)}/sessions`, {}, o, `sessions of deployment ${depId}`, MAX_PAGE_LIMIT);
      warnings.push(...s.warnings);
      for (const r of s.records) {
        const room = toRoom({ deploymentId: depId, deploymentName: d.name, ...r }, experimentId);
        if (room) items.push(room);
      }
    }
    return { items, warnings };
  }

  async function listRooms(experimentId: string, o?: RequestOptions): Promise<Listing<Room>> {
    try {
      const r = await listAll(`/data/rooms/experiment/${enc(experimentId)}`, {}, o, `experiment ${experimentId}`, MAX_PAGE_LIMIT);
      return { items: dedupeById(r.records.map((x) => toRoom(x, experimentId))), warnings: r.warnings };
    } catch (e) {
      if (!(e instanceof StudyError && e.code === 'NOT_FOUND')) throw e;
      logger.info('rooms listing not found; falling back to deployment sessions', { experimentId });
      const fallback = await roomsFromDeployments(experimentId, o);
      if (fallback.items.length === 0) await getExperiment(experimentId, o); // a 404 here means the experiment itself is unknown
      return {
        items: dedupeById(fallback.items),
        warnings: [...new Set([...fallback.warnings, 'Rooms were listed from the experiment’s deployments (the rooms listing is not available on this server).'])],
      };
    }
  }

  async function listParticipants(scope: 'experiment' | 'room', scopeId: string, o?: RequestOptions): Promise<Listing<Participant>> {
    const r = await listAll(`/data/participants/${scope}/${enc(scopeId)}`, {}, o, `${scope} ${scopeId}`, MAX_PAGE_LIMIT);
    const defaults = scope === 'experiment' ? { experimentId: scopeId } : { roomId: scopeId };
    return { items: dedupeById(r.records.map((x) => toParticipant(x, defaults))), warnings: r.warnings };
  }

  async function getCounts(participantId: string, roomId: string, o?: RequestOptions) {
    const { body, url } = await get(`/data/counts/participant/${enc(participantId)}`, { roomId }, o, `participant ${participantId} in room ${roomId}`);
    const env = readEnvelope(body, url);
    return toCounts(env.records[0], participantId, roomId);
  }

  async function checkAccess(experimentId: string, o?: RequestOptions): Promise<AccessInfo> {
    const { body, url } = await get(`/data/check-access/experiment/${enc(experimentId)}`, undefined, o, `experiment ${experimentId}`);
    const { item } = readSingle(body, url);
    return { canView: item.canView === true, canExport: item.canExport === true };
  }

  function dataPath(type: DataTypeId, scope: Scope, scopeId: string): string {
    const d = dataTypeDescriptor(type);
    if (!d.scopes.includes(scope)) {
      throw new StudyError({
        code: 'INVALID_ARGUMENT',
        message: `${d.label} cannot be fetched per ${scope}; only per ${d.scopes.join(' or ')}.`,
        fix: `Choose a ${d.scopes.join(' or ')} for ${d.label.toLowerCase()}.`,
      });
    }
    return `/data/${d.endpoint}/${scope}/${enc(scopeId)}`;
  }

  async function fetchPage(type: DataTypeId, scope: Scope, scopeId: string, query: PageQuery, o?: RequestOptions): Promise<Page> {
    // roomId filters the participant scope (docs); it is sent whenever it is known.
    const path = dataPath(type, scope, scopeId);
    const limit = Math.max(1, Math.min(MAX_PAGE_LIMIT, query.limit ?? MAX_PAGE_LIMIT));
    const offset = Math.max(0, query.offset ?? 0);
    const d = dataTypeDescriptor(type);
    const sort = sortFieldFor(type);
    // startTime/endTime are exclusive on the documented server and inclusive on others: ask for a
    // millisecond more on each side and keep [since, until] here, the same under both.
    const window = widenTimeWindow(query.startTime, query.endTime);
    const q = {
      ...(query.extra ?? {}),
      limit,
      offset,
      ...(sort ? { sort, order: 'asc' } : {}),
      startTime: window.startTime,
      endTime: window.endTime,
      roomId: query.roomId,
    };
    const timeoutMs = type === 'recordings' ? Math.max(RECORDINGS_TIMEOUT_MS, opts.connection.timeoutMs ?? 0) : undefined;
    const { body, url } = await get(path, q, o, `${d.label.toLowerCase()} for ${scope} ${scopeId}`, timeoutMs);
    const env = readEnvelope(body, url);
    const p = env.pagination;
    const returned = p ? p.returned : env.records.length;
    // Without pagination, a full page may have more behind it (how many, nobody said); a short one is the last.
    const full = !p && returned >= limit;
    const hasMore = p ? p.hasMore : full;
    const records = d.timeField ? env.records.filter((r) => withinTimeWindow(r[d.timeField!], query.startTime, query.endTime)) : env.records;
    return {
      records,
      offset,
      returned,
      total: p ? p.total : full ? null : offset + returned,
      hasMore,
      // Without nextOffset (it is optional), the next page starts after the records this one returned.
      nextOffset: hasMore ? (p?.nextOffset ?? offset + returned) : null,
      warnings: env.warnings,
      metadata: env.metadata,
    };
  }

  function pages(type: DataTypeId, scope: Scope, scopeId: string, query: PageQuery, o: RequestOptions & PagesOptions = {}): AsyncIterable<Page> {
    return {
      [Symbol.asyncIterator]: () => pageIterator(type, scope, scopeId, query, o),
    };
  }

  async function* pageIterator(type: DataTypeId, scope: Scope, scopeId: string, query: PageQuery, o: RequestOptions & PagesOptions): AsyncGenerator<Page> {
    const d = dataTypeDescriptor(type);
    const seen = o.seenIds ?? new Set<string>();
    const idOf = (r: JsonObject): string | null => {
      const v = r[d.idField] ?? r.id;
      return typeof v === 'string' || typeof v === 'number' ? String(v) : null;
    };
    const dedupe = (p: Page): Page => {
      const records = p.records.filter((r) => {
        const id = idOf(r);
        if (id === null) return true;
        if (seen.has(id)) return false;
        seen.add(id);
        return true;
      });
      return { ...p, records };
    };
    const limit = Math.max(1, Math.min(MAX_PAGE_LIMIT, query.limit ?? MAX_PAGE_LIMIT));
    const concurrency = Math.max(1, Math.floor(o.concurrency ?? DEFAULT_PAGE_CONCURRENCY));
    const inflight = new Map<number, { ac: AbortController; promise: Promise<Page> }>();
    const outer = o.signal;
    // The pages still to request, announced to the limiter so it can share the key's slots well.
    // (From the second page on: a stream's first page, like a listing, is someone waiting to see it.)
    let demand: DemandHint | null = null;
    let launchedTo = 0; // the offset after the furthest page requested
    const launch = (offset: number) => {
      const ac = new AbortController();
      const signal = outer ? AbortSignal.any([outer, ac.signal]) : ac.signal;
      const promise = fetchPage(type, scope, scopeId, { ...query, limit, offset }, { signal, onWait: o.onWait });
      promise.catch(() => {}); // awaited later (or discarded)
      inflight.set(offset, { ac, promise });
      launchedTo = Math.max(launchedTo, offset + limit);
    };
    const discard = (keep: (offset: number) => boolean) => {
      for (const [off, f] of inflight) {
        if (!keep(off)) {
          f.ac.abort();
          inflight.delete(off);
        }
      }
    };

    try {
      if (outer?.aborted) throw outer.reason ?? abortError();
      let page: Page;
      if (o.firstPage) {
        page = o.firstPage;
      } else {
        launch(query.offset ?? 0);
        page = await inflight.get(query.offset ?? 0)!.promise;
        inflight.clear();
      }
      const firstTotal = page.total;
      let sequential = concurrency === 1;
      for (;;) {
        const raw = page;
        yield dedupe(raw);
        if (!raw.hasMore) return;
        const returned = raw.returned ?? raw.records.length;
        const cursor = raw.nextOffset ?? raw.offset + returned;
        if (cursor <= raw.offset || returned === 0) return; // no progress: stop rather than loop
        // Data changed under us (total moved): stop speculating; dedupe absorbs shifted records.
        if (raw.total !== firstTotal) sequential = true;
        discard((off) => off === cursor || (!sequential && off > cursor && (off - cursor) % limit === 0));
        if (!inflight.has(cursor)) launch(cursor);
        if (!sequential) {
          // Prefetch the next pages the total predicts (never past it: paging still ends on hasMore).
          const end = raw.total ?? 0;
          for (let off = cursor + limit; inflight.size < concurrency && off < end; off += limit) if (!inflight.has(off)) launch(off);
        }
        if (raw.total !== null) (demand ??= opts.limiter.expect(endpointKey(dataPath(type, scope, scopeId)))).set(Math.ceil(Math.max(0, raw.total - Math.max(launchedTo, cursor + limit)) / limit));
        const f = inflight.get(cursor)!;
        page = await f.promise;
        inflight.delete(cursor);
      }
    } finally {
      demand?.end();
      discard(() => false);
    }
  }

  const links = createRecordingLinks({
    baseUrl,
    get: (path, o, what) => get(path, undefined, o, what),
    fetchPage,
  });

  return {
    baseUrl,
    health,
    listExperiments,
    getExperiment,
    listRooms,
    listParticipants,
    getCounts,
    checkAccess,
    fetchPage,
    pages,
    mintRecordingUrl: links.mintRecordingUrl,
    refreshRecordingUrl: links.refreshRecordingUrl,
    requestsMade: () => transport.requestsMade(),
    rateLimitedResponses: () => transport.rateLimitedResponses(),
    whenQuiet: (maxMs: number) => transport.whenQuiet(maxMs),
    budget: () => opts.limiter.budget(),
  };
}

function dedupeById<T extends { id: string }>(items: Array<T | null>): T[] {
  const m = new Map<string, T>();
  for (const x of items) if (x && !m.has(x.id)) m.set(x.id, x);
  return [...m.values()];
}
