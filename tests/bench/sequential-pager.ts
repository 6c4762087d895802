// The peer of the paging benchmark: what the official Python SDK does (its `fetch_all_pages`),
// written from the API reference with plain fetch and none of our code. One request at a time,
// pages of 1000, the next offset from `pagination.nextOffset` (else offset + limit) while
// `hasMore`, no retries: any non-2xx answer ends the run with an error.
import type { WorkStream } from './workload';

export interface PagerResult {
  wallSec: number;
  requests: number;
  records: number;
}

interface Envelope {
  status?: string;
  data?: unknown;
  metadata?: { pagination?: { hasMore?: boolean; nextOffset?: number } };
}

export async function pageSequentially(opts: { baseUrl: string; apiKey: string; orgId: string; streams: WorkStream[] }): Promise<PagerResult> {
  const headers = { 'X-API-Key': opts.apiKey, Accept: 'application/json', 'X-Organization-Id': opts.orgId };
  const limit = 1000;
  let requests = 0;
  let records = 0;
  const started = performance.now();
  for (const s of opts.streams) {
    let offset = 0;
    for (;;) {
      const url = `${opts.baseUrl}${s.path}?limit=${limit}&offset=${offset}`;
      const res = await fetch(url, { headers });
      requests++;
      const body = (await res.json()) as Envelope | unknown[];
      if (!res.ok) throw new Error(`sequential pager: ${res.status} from ${s.path} (no retries, like the SDK)`);
      const env: Envelope = Array.isArray(body) ? { data: body } : body;
      if (env.status === 'error') throw new Error(`sequential pager: error envelope from ${s.path}`);
      records += Array.isArray(env.data) ? env.data.length : 1;
      const p = env.metadata?.pagination;
      if (!p?.hasMore) break;
      offset = p.nextOffset ?? offset + limit;
    }
  }
  return { wallSec: (performance.now() - started) / 1000, requests, records };
}
