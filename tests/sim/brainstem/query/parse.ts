// Parses dynamic-rest query parameters (reference §3.2–§3.3): filter{field[.op]} (repeatable,
// negated with a leading "-"), sort[], include[]/exclude[] into a field tree, limit/offset (or
// DREST's page/per_page), sideloading and format. Mirrors DREST's parsing rules and messages.
import { drf } from '../errors';
import { modelSpec, isRelation } from '../models';

/** DREST's VALID_FILTER_OPERATORS; "eq" means exact. */
export const FILTER_OPERATORS = new Set(['in', 'any', 'all', 'icontains', 'contains', 'startswith', 'istartswith', 'endswith', 'iendswith', 'year', 'month', 'day', 'week_day', 'regex', 'range', 'gt', 'lt', 'gte', 'lte', 'isnull', 'eq', 'iexact']);

export interface FilterSpec {
  /** The key as sent, without filter{ }. */
  key: string;
  negate: boolean;
  path: string[];
  /** null = exact. */
  op: string | null;
  /** One value, except for "in" (all) and "range" (two). */
  values: string[];
}

/** include[]/exclude[] as DREST's nested field map: true = include, false = exclude, object = expand. */
export interface FieldTree {
  [field: string]: boolean | FieldTree;
}

export interface Paging {
  limit: number;
  offset: number;
  /** DREST's page/per_page were used instead of limit/offset. */
  byPage: boolean;
}

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

/** dynamic-rest's is_truthy. */
export const isTruthy = (s: string): boolean => !['0', 'false', ''].includes(s.toLowerCase());

export function parseFilters(query: URLSearchParams): FilterSpec[] {
  const grouped = new Map<string, string[]>();
  for (const [name, value] of query) {
    if (!name.startsWith('filter{') || name === 'filter{}') continue;
    let inner: string;
    if (name.endsWith('}')) inner = name.slice(7, -1);
    else if (name.endsWith('}[]')) inner = name.slice(7, -3);
    else throw drf.parse(`"${name}" is not a well-formed filter key.`);
    const list = grouped.get(inner);
    if (list) list.push(value);
    else grouped.set(inner, [value]);
  }
  return [...grouped].map(([key, values]) => {
    const negate = key.startsWith('-');
    const parts = (negate ? key.slice(1) : key).split('.');
    let op: string | null = null;
    if (parts.length > 1 && FILTER_OPERATORS.has(parts[parts.length - 1])) op = parts.pop()!;
    if (op === 'eq') op = null;
    const kept = op === 'in' ? values : op === 'range' ? values.slice(0, 2) : values.slice(0, 1);
    return { key, negate, path: parts, op, values: kept };
  });
}

export function parseFieldTree(query: URLSearchParams): FieldTree {
  const tree: FieldTree = {};
  for (const [param, include] of [
    ['include[]', true],
    ['exclude[]', false],
  ] as const) {
    for (const field of query.getAll(param)) {
      const segments = field.split('.');
      let current = tree;
      segments.forEach((segment, i) => {
        const last = i === segments.length - 1;
        if (!segment) {
          if (!last) throw drf.parse(`"${field}" is not a valid field.`);
          return;
        }
        if (last) current[segment] = include;
        else {
          const next = current[segment];
          if (typeof next !== 'object') current[segment] = {};
          current = current[segment] as FieldTree;
        }
      });
    }
  }
  return tree;
}

/** Rejects include/exclude names the model does not have, as DREST does, recursing into expanded relations. */
export function validateFieldTree(model: string, tree: FieldTree): void {
  const spec = modelSpec(model);
  for (const [name, value] of Object.entries(tree)) {
    if (name === '*') continue;
    const f = spec.fields[name];
    if (!f) throw drf.parse(`"${name}" is not a valid field name for "${spec.detailKey}".`);
    if (typeof value === 'object' && isRelation(f)) validateFieldTree(f.target!, value);
  }
}

/** DRF's _positive_int: a bad or non-positive value falls back to the default, never an error. */
function positiveInt(raw: string | null, strict: boolean): number | null {
  if (raw === null || !/^[+-]?\d+$/.test(raw.trim())) return null;
  const n = Number(raw);
  if (n < 0 || (strict && n === 0)) return null;
  return n;
}

export function parsePaging(query: URLSearchParams, total: () => number): Paging {
  const byPage = !query.has('limit') && !query.has('offset') && (query.has('page') || query.has('per_page'));
  if (!byPage) {
    const limit = Math.min(positiveInt(query.get('limit'), true) ?? DEFAULT_LIMIT, MAX_LIMIT);
    return { limit, offset: positiveInt(query.get('offset'), false) ?? 0, byPage: false };
  }
  const limit = Math.min(positiveInt(query.get('per_page'), true) ?? DEFAULT_LIMIT, MAX_LIMIT);
  const pages = Math.max(1, Math.ceil(total() / limit));
  const raw = query.get('page') ?? '1';
  const page = raw === 'last' ? pages : /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(page >= 1 && page <= pages)) throw drf.notFound('Invalid page.');
  return { limit, offset: (page - 1) * limit, byPage: true };
}

/** ?sideloading=true|false overrides the simulator's default (DREST's SIDELOADING feature). */
export function parseSideloading(query: URLSearchParams): boolean | null {
  const v = query.get('sideloading');
  return v === null ? null : isTruthy(v);
}
