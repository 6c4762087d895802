// The documented success and error envelopes (reference §3), plus the shape variants tests can
// switch on (bare arrays, missing pagination, non-envelope errors).
import type { JsonRecord, ShapeConfig } from './types';

export const API_VERSION = '3.0.0';

export interface Pagination {
  total: number;
  returned: number;
  hasMore: boolean;
  limit: number;
  offset: number;
  nextOffset?: number;
}

export function pagination(total: number, offset: number, limit: number, returned: number): Pagination {
  const hasMore = offset + returned < total;
  const p: Pagination = { total, returned, hasMore, limit, offset };
  if (hasMore) p.nextOffset = offset + returned;
  return p;
}

export interface SuccessParts {
  dataType: string;
  scope: string;
  scopeId: string;
  timestampMs: number;
  query?: JsonRecord;
  pagination?: Pagination;
  processingTimeMs: number;
  experimentStartedAt?: string | null;
  /** Extra metadata keys (variables payload, ratingType…). */
  extra?: JsonRecord;
  warnings?: string[];
}

export function successEnvelope(data: unknown, parts: SuccessParts, shapes: ShapeConfig): JsonRecord {
  const metadata: JsonRecord = {
    dataType: parts.dataType,
    scope: parts.scope,
    scopeId: parts.scopeId,
    timestamp: new Date(parts.timestampMs).toISOString(),
  };
  if (parts.query) metadata.query = parts.query;
  if (parts.pagination && !shapes.omitPagination) {
    // The docs show total, returned, hasMore and nextOffset; the SDK fixtures also echo limit and
    // offset. Shape variants a robust pager must survive: a wrong total (hasMore stays right), no nextOffset.
    const { total, returned, hasMore, limit, offset, nextOffset } = parts.pagination;
    const p: JsonRecord = { total: Math.max(0, total + shapes.totalOffBy), returned, hasMore };
    if (shapes.paginationEcho) Object.assign(p, { limit, offset });
    if (nextOffset !== undefined && !shapes.omitNextOffset) p.nextOffset = nextOffset;
    metadata.pagination = p;
  }
  metadata.processing = {
    processingTimeMs: parts.processingTimeMs,
    enriched: true,
    version: API_VERSION,
    experimentStartedAt: parts.experimentStartedAt ?? null,
  };
  if (parts.extra) Object.assign(metadata, parts.extra);
  if (parts.warnings && parts.warnings.length > 0) metadata._warnings = parts.warnings;
  return { status: 'success', metadata, data };
}

export interface ApiError {
  status: number;
  code: string;
  message: string;
  details?: JsonRecord;
  headers?: Record<string, string>;
}

export function errorBody(e: ApiError, shapes: ShapeConfig): JsonRecord {
  if (shapes.bareErrors) return { error: e.message };
  const error: JsonRecord = { code: e.code, message: e.message };
  if (e.details) error.details = e.details;
  return { status: 'error', error };
}

export const errors = {
  unauthorized: (code: 'UNAUTHORIZED' | 'AUTHENTICATION_ERROR' = 'UNAUTHORIZED'): ApiError => ({ status: 401, code, message: 'Invalid or expired API key' }),
  forbidden: (required: string[], provided: string[]): ApiError => ({
    status: 403,
    code: 'FORBIDDEN',
    message: `Insufficient scopes. Required: ${required.join(', ')}`,
    details: { required, provided },
  }),
  denied: (message: string): ApiError => ({ status: 403, code: 'FORBIDDEN', message }),
  notFound: (message: string): ApiError => ({ status: 404, code: 'NOT_FOUND', message }),
  invalid: (parameter: string, value: unknown, expected: string, message?: string): ApiError => ({
    status: 400,
    code: 'INVALID_PARAMETER',
    message: message ?? `Invalid value for parameter '${parameter}': expected ${expected}`,
    details: { parameter, value: value ?? null, expected },
  }),
  rateLimited: (retryAfterSec: number, details: JsonRecord, retryAfterHeader?: string): ApiError => ({
    status: 429,
    code: 'RATE_LIMIT_EXCEEDED',
    message: `Rate limit exceeded. Retry after ${retryAfterSec} seconds.`,
    details: { ...details, retryAfter: retryAfterSec },
    headers: { 'Retry-After': retryAfterHeader ?? String(retryAfterSec) },
  }),
  server: (status: number): ApiError => {
    if (status === 504) return { status, code: 'GATEWAY_TIMEOUT', message: 'upstream timeout' };
    if (status === 503) return { status, code: 'SERVICE_UNAVAILABLE', message: 'Service temporarily unavailable' };
    if (status === 502) return { status, code: 'BAD_GATEWAY', message: 'Bad gateway' };
    return { status, code: 'INTERNAL_SERVER_ERROR', message: 'An unexpected error occurred' };
  },
};

export function htmlErrorPage(status: number): string {
  const title = status === 502 ? '502 Bad Gateway' : status === 503 ? '503 Service Temporarily Unavailable' : status === 504 ? '504 Gateway Time-out' : `${status} Error`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}
