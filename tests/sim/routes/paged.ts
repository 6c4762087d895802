// Turns one page of records into the response: envelope (json), text/csv or application/x-ndjson.
import { pagination, successEnvelope, type SuccessParts } from '../envelope';
import { toCsv, toNdjson } from '../csv';
import { json, type ApiRequest, type ApiResult, type SimContext } from '../context';
import type { JsonRecord } from '../types';

export interface PageSpec {
  records: JsonRecord[];
  total: number;
  offset: number;
  limit: number;
  format: 'json' | 'csv' | 'ndjson';
  parts: Omit<SuccessParts, 'timestampMs' | 'processingTimeMs' | 'pagination' | 'warnings'>;
}

export function pagedResult(ctx: SimContext, req: ApiRequest, p: PageSpec): ApiResult {
  const pg = pagination(p.total, p.offset, p.limit, p.records.length);
  if (p.format !== 'json') {
    // No envelope. The docs say nothing of paging for CSV; csvPagingHeaders puts it in headers.
    const headers: Record<string, string> = {};
    if (ctx.shapes.csvPagingHeaders) {
      headers['X-Total-Count'] = String(pg.total);
      headers['X-Has-More'] = String(pg.hasMore);
      if (pg.nextOffset !== undefined) headers['X-Next-Offset'] = String(pg.nextOffset);
    }
    return p.format === 'csv'
      ? { kind: 'text', status: 200, contentType: 'text/csv; charset=utf-8', body: toCsv(p.records), headers }
      : { kind: 'text', status: 200, contentType: 'application/x-ndjson; charset=utf-8', body: toNdjson(p.records), headers };
  }
  return json(
    successEnvelope(
      p.records,
      { ...p.parts, pagination: pg, timestampMs: ctx.now(), processingTimeMs: Math.round(performance.now() - req.startedAt), warnings: ctx.faults.warnings },
      ctx.shapes,
    ),
  );
}
