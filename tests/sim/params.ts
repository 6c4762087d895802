// Query parameter parsing with INVALID_PARAMETER errors that name the parameter, value and expectation.
import { errors, type ApiError } from './envelope';

export const MAX_LIMIT = 1000;

export function parseLimit(q: URLSearchParams, dflt: number): number | ApiError {
  const raw = q.get('limit');
  if (raw === null || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) return errors.invalid('limit', raw, `an integer between 1 and ${MAX_LIMIT}`);
  return Math.min(n, MAX_LIMIT); // larger pages are clamped, not refused
}

export function parseOffset(q: URLSearchParams): number | ApiError {
  const raw = q.get('offset');
  if (raw === null || raw === '') return 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) return errors.invalid('offset', raw, 'a non-negative integer');
  return n;
}

export function parseOrder(q: URLSearchParams): 'asc' | 'desc' | ApiError {
  const raw = q.get('order') ?? 'asc';
  if (raw !== 'asc' && raw !== 'desc') return errors.invalid('order', raw, "'asc' or 'desc'");
  return raw;
}

export function parseChoice<T extends string>(q: URLSearchParams, name: string, allowed: readonly T[], dflt: T): T | ApiError {
  const raw = q.get(name);
  if (raw === null || raw === '') return dflt;
  if (!(allowed as readonly string[]).includes(raw)) return errors.invalid(name, raw, `one of ${allowed.join(', ')}`);
  return raw as T;
}

export function parseTime(q: URLSearchParams, name: string): number | null | ApiError {
  const raw = q.get(name);
  if (raw === null || raw === '') return null;
  const ms = Date.parse(raw);
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || Number.isNaN(ms)) return errors.invalid(name, raw, 'an ISO 8601 date-time, e.g. 2024-06-15T10:00:00Z');
  return ms;
}

export function isError(v: unknown): v is ApiError {
  return typeof v === 'object' && v !== null && 'code' in v && 'status' in v;
}
