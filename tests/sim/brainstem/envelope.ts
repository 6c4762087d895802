// List and detail envelopes (reference §3.1) and the switchable shapes: the documented
// {"<plural>": [...], "meta": {...}}, with meta left out or a "count" beside it, or DRF paging
// {"count", "next", "previous", "results"}. Sideloaded buckets come before the primary key.
import type { Paging } from './query/parse';
import type { BrainstemShapes, JsonRecord } from './types';

export function defaultShapes(): BrainstemShapes {
  return { paging: 'keyed', omitMeta: false, addCount: false, sideloading: false };
}

/** DREST's pagination metadata, computed for limit/offset paging. */
export function meta(total: number, paging: Paging): JsonRecord {
  return {
    page: Math.floor(paging.offset / paging.limit) + 1,
    per_page: paging.limit,
    total_results: total,
    total_pages: Math.max(1, Math.ceil(total / paging.limit)),
  };
}

/** DRF's replace_query_param / remove_query_param: keys sorted, form-encoded, absolute URL. */
function withParams(url: URL, set: Record<string, string | null>): string {
  const q = new URLSearchParams(url.search);
  for (const [k, v] of Object.entries(set)) {
    if (v === null) q.delete(k);
    else q.set(k, v);
  }
  const sorted = new URLSearchParams([...q].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const s = sorted.toString();
  return `${url.origin}${url.pathname}${s ? `?${s}` : ''}`;
}

export function pageLinks(url: URL, total: number, paging: Paging): { next: string | null; previous: string | null } {
  const { limit, offset } = paging;
  if (paging.byPage) {
    const page = offset / limit + 1;
    return {
      next: offset + limit < total ? withParams(url, { page: String(page + 1) }) : null,
      previous: page > 1 ? withParams(url, { page: page - 1 === 1 ? null : String(page - 1) }) : null,
    };
  }
  return {
    next: offset + limit < total ? withParams(url, { limit: String(limit), offset: String(offset + limit) }) : null,
    previous: offset <= 0 ? null : offset - limit <= 0 ? withParams(url, { limit: String(limit), offset: null }) : withParams(url, { limit: String(limit), offset: String(offset - limit) }),
  };
}

export interface ListParts {
  listKey: string;
  records: JsonRecord[];
  sideloaded: JsonRecord;
  total: number;
  paging: Paging;
  url: URL;
}

export function listBody(p: ListParts, shapes: BrainstemShapes): JsonRecord {
  if (shapes.paging === 'results') {
    const { next, previous } = pageLinks(p.url, p.total, p.paging);
    return { count: p.total, next, previous, results: p.records, ...p.sideloaded };
  }
  const body: JsonRecord = { ...p.sideloaded, [p.listKey]: p.records };
  if (shapes.addCount) body.count = p.total;
  if (!shapes.omitMeta) body.meta = meta(p.total, p.paging);
  return body;
}

export function detailBody(detailKey: string, record: JsonRecord, sideloaded: JsonRecord): JsonRecord {
  return { ...sideloaded, [detailKey]: record };
}
