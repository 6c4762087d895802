// List requests as dynamic-rest spells them: filter{field}=v (repeat filter{field.in}=… for each
// value; a comma-separated value would stay one value), include[]=rel.* to load a relation's
// records, limit/offset paging. And batching: a filter over many ids is split so that no request
// line grows past what a server behind nginx accepts.
import type { Portal } from './connection';
import { MODELS, type ModelName } from './models';
import { MAX_REQUEST_LINE } from './policy';

export interface ListRequest {
  model: Exclude<ModelName, 'epoch'>;
  /** [field path, value] pairs: ["projects.id", p] → filter{projects.id}=p; repeated for an "in" list. */
  filters: ReadonlyArray<readonly [string, string]>;
  /** Relations whose records to load with each page (include[]=epochs.*). */
  include?: readonly string[];
  /** What the request reads, for a 403/404 message: "sessions of project 1a2b…". */
  what: string;
}

/** The path below /api, with its query: /private/stem/session/?filter%7Bprojects.id%7D=…&limit=100&offset=0 */
export function listPath(portal: Portal, req: ListRequest, paging?: { limit: number; offset: number }): string {
  const model = MODELS[req.model];
  const q = new URLSearchParams();
  for (const [field, value] of req.filters) q.append(`filter{${field}}`, value);
  for (const rel of req.include ?? []) q.append('include[]', `${rel}.*`);
  if (paging) {
    q.append('limit', String(paging.limit));
    q.append('offset', String(paging.offset));
  }
  const query = q.toString();
  return `/${portal}/${model.app}/${model.name}/${query ? `?${query}` : ''}`;
}

/** Bytes of the request line a server sees for this request: "GET /api/private/…?… HTTP/1.1". */
export function requestLineBytes(apiPath: string, pathAndQuery: string): number {
  return Buffer.byteLength(`GET ${apiPath}${pathAndQuery} HTTP/1.1`, 'utf8');
}

/** The largest offset a page may carry, for the request-line budget (10^9 records is far past any project). */
const WORST_PAGING = { limit: 100, offset: 999_999_999 };

/**
 * Splits `ids` into requests filtered by `field` (an "in" filter), as few as the request-line
 * budget allows, in the given order. `apiPath` is the path of the API root on its host ("/api").
 */
export function batchedRequests(
  portal: Portal,
  base: Omit<ListRequest, 'filters' | 'what'> & { filters?: ListRequest['filters'] },
  field: string,
  ids: readonly string[],
  what: (n: number) => string,
  apiPath: string,
  maxLine: number = MAX_REQUEST_LINE,
): ListRequest[] {
  const out: ListRequest[] = [];
  const fixed = base.filters ?? [];
  let batch: string[] = [];
  const build = (b: string[]): ListRequest => ({ ...base, filters: [...fixed, ...b.map((id) => [`${field}.in`, id] as const)], what: what(b.length) });
  const fits = (b: string[]) => requestLineBytes(apiPath, listPath(portal, build(b), WORST_PAGING)) <= maxLine;
  for (const id of ids) {
    const next = [...batch, id];
    if (batch.length > 0 && !fits(next)) {
      out.push(build(batch));
      batch = [id];
    } else batch = next;
  }
  if (batch.length) {
    if (!fits(batch)) throw new Error(`one id does not fit in a request line of ${maxLine} bytes`);
    out.push(build(batch));
  }
  return out;
}
