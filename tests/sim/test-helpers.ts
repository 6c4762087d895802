// Small HTTP helpers for the simulator's own contract tests.
import type { Simulator } from './types';

export interface GetOptions {
  key?: string | null;
  org?: string;
  headers?: Record<string, string>;
}

export async function get(sim: Simulator, pathAndQuery: string, opts: GetOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
  const key = opts.key === undefined ? sim.apiKey : opts.key;
  if (key !== null) headers['X-API-Key'] = key;
  if (opts.org) headers['X-Organization-Id'] = opts.org;
  return fetch(sim.baseUrl + pathAndQuery, { headers });
}

export async function getJson(sim: Simulator, pathAndQuery: string, opts: GetOptions = {}): Promise<{ status: number; body: any; res: Response }> {
  const res = await get(sim, pathAndQuery, opts);
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text), res };
}

/** Follows hasMore/nextOffset like a client and returns every record. */
export async function pageAll(sim: Simulator, path: string, limit: number, opts: GetOptions = {}): Promise<{ records: any[]; requests: number }> {
  const records: any[] = [];
  let offset = 0;
  let requests = 0;
  for (;;) {
    const sep = path.includes('?') ? '&' : '?';
    const { status, body } = await getJson(sim, `${path}${sep}limit=${limit}&offset=${offset}`, opts);
    requests++;
    if (status !== 200) throw new Error(`HTTP ${status}: ${JSON.stringify(body)}`);
    records.push(...body.data);
    if (!body.metadata.pagination.hasMore) return { records, requests };
    offset = body.metadata.pagination.nextOffset;
  }
}

/** A settable fake clock for rate limits and signed URL expiry. */
export function fakeClock(start = Date.UTC(2026, 0, 1)): { now: () => number; advance: (ms: number) => void; set: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms), set: (ms) => (t = ms) };
}
