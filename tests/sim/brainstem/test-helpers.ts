// Small HTTP helpers for the BrainSTEM simulator's own contract tests.
import type { BrainstemSimulator } from './types';

export interface CallOptions {
  /** Bearer token; default the first user's PAT; null sends no Authorization header. */
  token?: string | null;
  method?: string;
  headers?: Record<string, string>;
  /** JSON body (POST). */
  json?: unknown;
  redirect?: 'manual' | 'follow' | 'error';
}

export interface Reply {
  status: number;
  /** Parsed JSON, or undefined when the body is not JSON. */
  body: any;
  text: string;
  res: Response;
}

export async function call(sim: BrainstemSimulator, pathAndQuery: string, opts: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
  const token = opts.token === undefined ? sim.token : opts.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  if (opts.json !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(sim.baseUrl + pathAndQuery, {
    method: opts.method ?? (opts.json !== undefined ? 'POST' : 'GET'),
    headers,
    body: opts.json !== undefined ? JSON.stringify(opts.json) : undefined,
    redirect: opts.redirect ?? 'manual',
  });
  const text = await res.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body, text, res };
}

export const post = (sim: BrainstemSimulator, path: string, json: unknown, opts: CallOptions = {}) => call(sim, path, { token: null, ...opts, json });

/**
 * The reference's robust pager (§3.1): records under the model's list key (or "results"), total from
 * meta.total_results or count when present, stop on a short or empty page or when offset + limit
 * reaches the total. Never follows `next`.
 */
export async function pageAll(sim: BrainstemSimulator, path: string, listKey: string, limit = 100, opts: CallOptions = {}): Promise<{ records: any[]; requests: number }> {
  const records: any[] = [];
  let offset = 0;
  let requests = 0;
  for (;;) {
    const sep = path.includes('?') ? '&' : '?';
    const r = await call(sim, `${path}${sep}limit=${limit}&offset=${offset}`, opts);
    requests++;
    if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${r.text.slice(0, 200)}`);
    const page: any[] = r.body[listKey] ?? r.body.results;
    records.push(...page);
    const total: number | undefined = r.body.meta?.total_results ?? r.body.count;
    if (page.length < limit || page.length === 0 || (total !== undefined && offset + limit >= total)) return { records, requests };
    offset += limit;
  }
}

export { fakeClock } from '../test-helpers';
