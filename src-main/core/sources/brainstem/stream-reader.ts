// Reading the port's streams (StreamRef → pages) through the BrainSTEM client. A stream is one of:
// - a request: one filtered list (the sessions of a project; the acquisitions of one session);
//   batched streams (acquisitions of many sessions) carry their batch's parent ids in params.ids,
//   so a job file names every request it will make and a resumed job makes the same ones;
// - epochs: no endpoint of their own; they are taken out of the sessions list read with
//   include[]=epochs.*, and paged here by offset over that list;
// - a dependent stream without its ids (a preview of a project's acquisitions): the parent
//   records are read first, then every batch, and the whole is paged by offset;
// - an empty batch (a project without sessions has no acquisitions): one empty page, no request.
// Within one export view (forExport) whole lists are read once and shared (ListMemo): the plan, the
// listings and the engine's pages then spend each request once.
import type { Page, PageQuery, PagesOptions, RequestOptions, StreamRef } from '../source';
import type { BrainstemClient } from './client';
import { brainstemDataType, type BrainstemStreamId } from './descriptors';
import type { JsonRecord } from './envelope';
import type { Page as ClientPage } from './pager';
import { dropSeen } from './pager';
import { BRAINSTEM_MAX_IN_FLIGHT, BRAINSTEM_PAGE_LIMIT } from './policy';
import { listPath, type ListRequest } from './query';
import { idsOf, splitEpochs, type BrainstemScope, type StreamPlan } from './streams';

/** The param of a batched stream holding its parent ids (comma-separated; '' for an empty batch). */
export const IDS_PARAM = 'ids';

export type ResolvedStream =
  | { kind: 'request'; req: ListRequest }
  | { kind: 'epochs'; sessions: ListRequest }
  | { kind: 'dependent'; plan: StreamPlan; parent: StreamRef }
  | { kind: 'empty' };

/** Whole lists read once per export view, by request. */
export interface ListMemo {
  get(key: string): Promise<ClientPage[]> | undefined;
  set(key: string, pages: Promise<ClientPage[]>): void;
  delete(key: string): void;
}

export function createListMemo(): ListMemo {
  return new Map<string, Promise<ClientPage[]>>();
}

export interface StreamReader {
  resolve(ref: StreamRef): ResolvedStream;
  /** Every page of one list request (shared within an export view). */
  readAll(req: ListRequest, o?: RequestOptions): Promise<ClientPage[]>;
  /** The pages of a request when this export view has read it already (no request). */
  peek(req: ListRequest): Promise<ClientPage[]> | undefined;
  fetchPage(ref: StreamRef, query: PageQuery, o?: RequestOptions): Promise<Page>;
  pages(ref: StreamRef, query: PageQuery, o?: PagesOptions): AsyncIterable<Page>;
  /** Every record of a stream, de-duplicated, in order. */
  allRecords(ref: StreamRef, query?: PageQuery, o?: RequestOptions): Promise<JsonRecord[]>;
}

const scopeOf = (ref: StreamRef): BrainstemScope => ({ level: ref.scope as 'project' | 'session' | 'subject', ids: [ref.scopeId] });

/** The stream's plan as the client makes it (dependencies resolved from the scope). */
export function planOf(client: BrainstemClient, ref: StreamRef): StreamPlan {
  const plans = client.planStreams(scopeOf(ref), [ref.type as BrainstemStreamId]);
  return plans.find((p) => p.type === ref.type)!;
}

/** A request that carried include[]=epochs.* gives sessions with their epochs back to ids. */
export function sessionsOf(req: ListRequest, p: ClientPage): JsonRecord[] {
  return req.include?.includes('epochs') ? splitEpochs(p.records, p.sideloaded).sessions : p.records;
}

/** The records of a whole list as the stream gives them, de-duplicated. */
export function listRecords(req: ListRequest, pages: readonly ClientPage[]): JsonRecord[] {
  const seen = new Set<string>();
  return pages.flatMap((p) => dropSeen(sessionsOf(req, p), seen));
}

const toTime = (v: unknown): number | null => (typeof v === 'string' && v ? Date.parse(v) : null);

/** Records inside the query's time window (types with a time field; records with no time stay). */
export function inWindow(type: string, records: JsonRecord[], q: PageQuery): JsonRecord[] {
  if (!q.since && !q.until) return records;
  const field = brainstemDataType(type as BrainstemStreamId).timeField;
  if (!field) return records;
  const since = q.since ? Date.parse(q.since) : -Infinity;
  const until = q.until ? Date.parse(q.until) : Infinity;
  return records.filter((r) => {
    const t = toTime(r[field]);
    return t === null || Number.isNaN(t) || (t >= since && t <= until);
  });
}

function page(records: JsonRecord[], offset: number, total: number | null, nextOffset: number | null, returned = records.length): Page {
  return { records, offset, returned, total, hasMore: nextOffset !== null, nextOffset, warnings: [], metadata: {} };
}

export function createStreamReader(client: BrainstemClient, memo?: ListMemo): StreamReader {
  const keyOf = (req: ListRequest) => listPath(client.portal, req);

  function readAll(req: ListRequest, o: RequestOptions = {}): Promise<ClientPage[]> {
    const key = keyOf(req);
    const known = memo?.get(key);
    if (known) return known;
    const p = (async () => {
      const out: ClientPage[] = [];
      for await (const pg of client.pages(req, { signal: o.signal, concurrency: BRAINSTEM_MAX_IN_FLIGHT })) out.push(pg);
      return out;
    })();
    if (memo) {
      memo.set(key, p);
      p.catch(() => memo.delete(key)); // a failed or cancelled read is read again next time
    }
    return p;
  }

  function resolve(ref: StreamRef): ResolvedStream {
    const plan = planOf(client, ref);
    if (plan.embeddedIn) {
      const sessions = client.planStreams(scopeOf(ref), ['epochs']).find((p) => p.type === 'sessions')!;
      return { kind: 'epochs', sessions: client.requestsFor(sessions)[0] };
    }
    if (plan.dependsOn) {
      const raw = ref.params?.[IDS_PARAM];
      if (raw === undefined) return { kind: 'dependent', plan, parent: { type: plan.dependsOn, scope: ref.scope, scopeId: ref.scopeId } };
      const ids = raw.split(',').filter(Boolean);
      if (ids.length === 0) return { kind: 'empty' };
      const reqs = client.requestsFor(plan, ids);
      // Planning made batches that fit one request line; the same ids give the same one request.
      if (reqs.length !== 1) throw new Error(`a batch of ${ids.length} ids became ${reqs.length} requests`);
      return { kind: 'request', req: reqs[0] };
    }
    return { kind: 'request', req: client.requestsFor(plan)[0] };
  }

  /** The records of a derived stream (epochs, or a dependent one without ids), batch by batch, de-duplicated. */
  async function* derived(ref: StreamRef, r: ResolvedStream, seen: Set<string>, o: RequestOptions): AsyncGenerator<JsonRecord[]> {
    if (r.kind === 'epochs') {
      for (const p of await readAll(r.sessions, o)) yield dropSeen(splitEpochs(p.records, p.sideloaded).epochs, seen);
      return;
    }
    if (r.kind !== 'dependent') return;
    const parents = await allRecords(r.parent, {}, o);
    for (const req of client.requestsFor(r.plan, idsOf(parents))) {
      for (const p of await readAll(req, o)) yield dropSeen(p.records, seen);
    }
  }

  async function allRecords(ref: StreamRef, q: PageQuery = {}, o: RequestOptions = {}): Promise<JsonRecord[]> {
    const r = resolve(ref);
    const seen = new Set<string>();
    const out: JsonRecord[] = [];
    if (r.kind === 'request') {
      for (const p of await readAll(r.req, o)) out.push(...dropSeen(sessionsOf(r.req, p), seen));
    } else {
      for await (const batch of derived(ref, r, seen, o)) out.push(...batch);
    }
    return inWindow(ref.type, out, q);
  }

  async function fetchPage(ref: StreamRef, q: PageQuery, o: RequestOptions = {}): Promise<Page> {
    const offset = q.offset ?? 0;
    const limit = Math.min(BRAINSTEM_PAGE_LIMIT, Math.max(1, q.limit ?? BRAINSTEM_PAGE_LIMIT));
    const r = resolve(ref);
    if (r.kind === 'empty') return page([], offset, 0, null);
    if (r.kind === 'request') {
      const p = await client.fetchPage(r.req, offset, { signal: o.signal, limit });
      return page(inWindow(ref.type, sessionsOf(r.req, p), q), p.offset, p.total, p.nextOffset, p.records.length);
    }
    // Derived: the whole list, paged here by offset (the same slices pages() hands out).
    const all = await allRecords(ref, q, o);
    const next = offset + limit < all.length ? offset + limit : null;
    return page(all.slice(offset, offset + limit), offset, all.length, next);
  }

  async function* pages(ref: StreamRef, q: PageQuery, o: PagesOptions = {}): AsyncGenerator<Page> {
    const seen = o.seenIds ?? new Set<string>();
    const limit = Math.min(BRAINSTEM_PAGE_LIMIT, Math.max(1, q.limit ?? BRAINSTEM_PAGE_LIMIT));
    if (o.firstPage) {
      // A page read before (the planner's): handed out as it is, then on along its cursor.
      yield { ...o.firstPage, records: dropSeen(o.firstPage.records, seen) };
      for (let next = o.firstPage.hasMore ? o.firstPage.nextOffset : null; next !== null; ) {
        const p = await fetchPage(ref, { ...q, offset: next, limit }, o);
        yield { ...p, records: dropSeen(p.records, seen) };
        next = p.hasMore ? p.nextOffset : null;
      }
      return;
    }
    const r = resolve(ref);
    if (r.kind === 'empty') {
      yield page([], q.offset ?? 0, 0, null);
      return;
    }
    if (r.kind === 'request') {
      for await (const p of client.pages(r.req, { offset: q.offset, limit, signal: o.signal, concurrency: o.concurrency, seenIds: seen })) {
        yield page(inWindow(ref.type, sessionsOf(r.req, p), q), p.offset, p.total, p.nextOffset);
      }
      return;
    }
    // Derived: batches as they arrive, cut into pages of `limit` at the offsets fetchPage uses.
    // A full chunk is held back until it is known whether anything follows it (the last page says so).
    const start = q.offset ?? 0;
    let buffer: JsonRecord[] = [];
    let held: JsonRecord[] | null = null;
    let offset = 0;
    for await (const batch of derived(ref, r, seen, o)) {
      buffer.push(...inWindow(ref.type, batch, q));
      while (buffer.length > limit || (held === null && buffer.length === limit)) {
        if (held !== null) {
          if (offset >= start) yield page(held, offset, null, offset + limit);
          offset += limit;
        }
        held = buffer.slice(0, limit);
        buffer = buffer.slice(limit);
      }
    }
    if (held !== null && buffer.length) {
      if (offset >= start) yield page(held, offset, null, offset + limit);
      offset += limit;
      held = null;
    }
    const last = held ?? buffer;
    yield page(last, offset, offset + last.length, null);
  }

  return {
    resolve,
    readAll,
    peek: (req) => memo?.get(keyOf(req)),
    fetchPage,
    pages,
    allRecords,
  };
}
