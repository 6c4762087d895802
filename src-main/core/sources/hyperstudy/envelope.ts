// Tolerant reading of HyperStudy response bodies (reference §3 and §13): the documented
// envelope, `data` as a list or a single object, a missing `pagination`, bare arrays,
// `_warnings`, and both health shapes. Anything that is none of these is not the API.
import { notHyperStudyError } from '../../net/http-errors';

export type JsonObject = Record<string, unknown>;

export interface Envelope {
  records: JsonObject[];
  metadata: JsonObject;
  warnings: string[];
  pagination: { total: number | null; hasMore: boolean; nextOffset: number | null; limit: number | null; returned: number } | null;
}

const isObject = (v: unknown): v is JsonObject => !!v && typeof v === 'object' && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : null);

function toRecords(data: unknown): JsonObject[] {
  if (Array.isArray(data)) return data.filter(isObject);
  if (isObject(data)) return [data];
  return [];
}

function warningsOf(...sources: unknown[]): string[] {
  const out: string[] = [];
  for (const s of sources) {
    if (!isObject(s)) continue;
    for (const k of ['_warnings', 'warnings']) {
      const w = s[k];
      if (Array.isArray(w)) for (const x of w) out.push(typeof x === 'string' ? x : JSON.stringify(x));
      else if (typeof w === 'string') out.push(w);
    }
  }
  return [...new Set(out)];
}

/** Reads a listing or data body. `url` only names the host in a NOT_HYPERSTUDY error. */
export function readEnvelope(body: unknown, url: string): Envelope {
  if (Array.isArray(body)) return { records: toRecords(body), metadata: {}, warnings: [], pagination: null };
  if (!isObject(body)) throw notHyperStudyError(url, 'shape');
  const looksLikeApi = 'data' in body || body.status === 'success' || isObject(body.metadata);
  if (!looksLikeApi) throw notHyperStudyError(url, 'shape');
  const metadata = isObject(body.metadata) ? body.metadata : {};
  const records = toRecords(body.data);
  const p = isObject(metadata.pagination) ? metadata.pagination : isObject(body.pagination) ? body.pagination : null;
  let pagination: Envelope['pagination'] = null;
  if (p) {
    const returned = num(p.returned) ?? records.length;
    const hasMore = p.hasMore === true || p.hasMore === 'true';
    // The docs' pagination has no offset: without nextOffset, only the caller knows where the
    // next page starts (its own offset + returned).
    const offset = num(p.offset);
    pagination = {
      total: num(p.total),
      hasMore,
      nextOffset: num(p.nextOffset) ?? (hasMore && offset !== null ? offset + returned : null),
      limit: num(p.limit),
      returned,
    };
  }
  return { records, metadata, warnings: warningsOf(metadata, body), pagination };
}

/** The single object of a single-item endpoint (`data` as a one-element list or a dict). */
export function readSingle(body: unknown, url: string): { item: JsonObject; warnings: string[] } {
  const env = readEnvelope(body, url);
  const item = env.records[0];
  if (!item) throw notHyperStudyError(url, 'shape');
  return { item, warnings: env.warnings };
}

/** Both documented health bodies ({status:"healthy"} and {status:"success"}), bare or enveloped. */
export function readHealth(body: unknown, url: string): { ok: boolean; version?: string } {
  if (!isObject(body)) throw notHyperStudyError(url, 'shape');
  const inner = isObject(body.data) ? body.data : null;
  const statuses = [body.status, inner?.status].filter((s): s is string => typeof s === 'string').map((s) => s.toLowerCase());
  if (!statuses.length) throw notHyperStudyError(url, 'shape');
  const ok = statuses.some((s) => s === 'healthy' || s === 'success' || s === 'ok');
  const version = [body.version, inner?.version].find((v) => typeof v === 'string') as string | undefined;
  return { ok, ...(version ? { version } : {}) };
}

export { isObject, num };
