// Paging one list request to its end by the reference's robust rule (§3.1): ask for 100 at a
// time by offset; the page is the last when it is empty, when it is shorter than the page size,
// or when offset + page size reaches the total (meta.total_results ?? count). `next` is never
// followed and never trusted alone. When the total is known, the following pages are fetched a
// few at a time; they are still yielded in order and the same rule ends the stream.
import { abortError } from '../../ports';
import type { BrainstemApi } from './api';
import type { Portal } from './connection';
import { readListPage, type JsonRecord } from './envelope';
import { BRAINSTEM_PAGE_LIMIT } from './policy';
import { listPath, type ListRequest } from './query';

export interface Page {
  records: JsonRecord[];
  /** Related records the server sideloaded with this page, by list key. */
  sideloaded: Record<string, JsonRecord[]>;
  /** Total records of the request, when the server says; null when unknown. */
  total: number | null;
  offset: number;
  /** Where the next page starts, or null when this one was the last. An opaque cursor to the engine. */
  nextOffset: number | null;
}

export interface PageOptions {
  signal?: AbortSignal;
  /** Page size (default and maximum 100). */
  limit?: number;
}

export interface PagesOptions extends PageOptions {
  /** First offset (default 0). */
  offset?: number;
  /** Pages in flight for this request once the total is known (default 1: one after the other). */
  concurrency?: number;
  /** Record ids already yielded (shared across requests of one stream); records seen before are dropped. Mutated. */
  seenIds?: Set<string>;
}

/** One page: the request at `offset`, and where the next one starts (null: this was the last). */
export async function fetchPage(api: BrainstemApi, portal: Portal, req: ListRequest, offset: number, o: PageOptions = {}): Promise<Page> {
  const limit = Math.min(BRAINSTEM_PAGE_LIMIT, Math.max(1, Math.floor(o.limit ?? BRAINSTEM_PAGE_LIMIT)));
  const { body, url } = await api.get(listPath(portal, req, { limit, offset }), req.what, o.signal);
  const page = readListPage(body, req.model, url);
  // A server serving fewer per page than asked says so in meta.per_page: page by what it serves.
  const size = page.perPage !== null && page.perPage < limit ? page.perPage : limit;
  const last = page.records.length === 0 || page.records.length < size || (page.total !== null && offset + size >= page.total);
  return { records: page.records, sideloaded: page.sideloaded, total: page.total, offset, nextOffset: last ? null : offset + size };
}

/** Drops records whose id was seen before (records without a string id are kept: nothing to compare). */
export function dropSeen(records: JsonRecord[], seen: Set<string>): JsonRecord[] {
  const out: JsonRecord[] = [];
  for (const r of records) {
    const id = typeof r.id === 'string' ? r.id : typeof r.id === 'number' ? String(r.id) : null;
    if (id !== null) {
      if (seen.has(id)) continue;
      seen.add(id);
    }
    out.push(r);
  }
  return out;
}

/** Every page of a request from `offset` on, de-duplicated by id. */
export async function* pages(api: BrainstemApi, portal: Portal, req: ListRequest, o: PagesOptions = {}): AsyncGenerator<Page> {
  const seen = o.seenIds ?? new Set<string>();
  const concurrency = Math.max(1, Math.floor(o.concurrency ?? 1));
  let page = await fetchPage(api, portal, req, o.offset ?? 0, o);
  // Prefetched pages by offset, started only below a known total.
  const ahead = new Map<number, Promise<Page>>();
  try {
    for (;;) {
      yield { ...page, records: dropSeen(page.records, seen) };
      if (page.nextOffset === null) return;
      if (o.signal?.aborted) throw o.signal.reason ?? abortError();
      const step = page.nextOffset - page.offset;
      if (page.total !== null) {
        for (let off = page.nextOffset; ahead.size < concurrency && off < page.total; off += step) {
          if (ahead.has(off)) continue;
          const p = fetchPage(api, portal, req, off, o);
          p.catch(() => undefined); // awaited in turn below; until then a failure is not "unhandled"
          ahead.set(off, p);
        }
      }
      const next = ahead.get(page.nextOffset) ?? fetchPage(api, portal, req, page.nextOffset, o);
      ahead.delete(page.nextOffset);
      page = await next;
    }
  } finally {
    ahead.clear(); // pages fetched past the end (the total shrank) are not needed
  }
}
