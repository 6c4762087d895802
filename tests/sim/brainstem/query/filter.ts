// Evaluates dynamic-rest filters on rows with Django lookup semantics: a path through relations
// matches when any related record matches (a join), several filters AND together, and a negated
// filter excludes every record the plain one would match.
import type { Row, Store } from '../data/store';
import { drf } from '../errors';
import { modelSpec, isRelation, type FieldType } from '../models';
import { isTruthy, type FilterSpec } from './parse';

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** Checks a filter path against the model and returns the field type at its end (DREST's messages). */
export function checkFilterPath(model: string, path: string[]): { type: FieldType; name: string } {
  let spec = modelSpec(model);
  for (let i = 0; i < path.length; i++) {
    const name = path[i] === 'pk' ? 'id' : path[i];
    const f = spec.fields[name];
    if (!f) throw drf.invalid(`Invalid filter field: ${path[i]}`);
    if (i === path.length - 1) return isRelation(f) ? { type: 'uuid', name } : { type: f.type, name };
    if (!isRelation(f)) throw drf.invalid(`Invalid nested filter field: ${path[i]}`);
    spec = modelSpec(f.target!);
  }
  throw drf.invalid('Invalid filter field: ');
}

function reach(store: Store, model: string, row: Row, path: string[]): { values: unknown[]; emptyRelation: boolean } {
  const name = path[0] === 'pk' ? 'id' : path[0];
  const f = modelSpec(model).fields[name];
  if (path.length === 1) {
    if (!isRelation(f)) return { values: [row[name]], emptyRelation: false };
    const ids = store.relatedIds(model, row, name);
    return { values: ids, emptyRelation: ids.length === 0 };
  }
  const out: unknown[] = [];
  let empty = true;
  for (const id of store.relatedIds(model, row, name)) {
    const related = store.get(f.target!, id);
    if (!related) continue;
    const r = reach(store, f.target!, related, path.slice(1));
    out.push(...r.values);
    if (!r.emptyRelation) empty = false;
  }
  return { values: out, emptyRelation: out.length === 0 && empty };
}

type Coerced = string | number | boolean | null;

/** Converts a query value to the field's type, with Django's validation messages. */
function coerce(type: FieldType, name: string, raw: string): Coerced {
  switch (type) {
    case 'uuid':
      if (!UUID.test(raw)) throw drf.invalid(`“${raw}” is not a valid UUID.`);
      return raw.toLowerCase().replace(/-/g, '').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
    case 'number': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw drf.invalid(`Field '${name}' expected a number but got '${raw}'.`);
      return n;
    }
    case 'bool':
      return isTruthy(raw);
    case 'datetime':
    case 'date': {
      const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(raw) ? `${raw}T00:00:00Z` : raw);
      if (Number.isNaN(ms)) throw drf.invalid(`“${raw}” value has an invalid format. It must be in YYYY-MM-DD HH:MM[:ss[.uuuuuu]][TZ] format.`);
      return ms;
    }
    default:
      return raw;
  }
}

/** A stored value in the comparable form coerce() produces. */
function comparable(type: FieldType, v: unknown): Coerced {
  if (v === null || v === undefined) return null;
  if (type === 'datetime' || type === 'date') return Date.parse(type === 'date' ? `${v}T00:00:00Z` : (v as string));
  if (typeof v === 'object') return JSON.stringify(v);
  return v as Coerced;
}

const lower = (v: unknown) => String(v).toLowerCase();

function datePart(op: string, ms: number): number {
  const d = new Date(ms);
  if (op === 'year') return d.getUTCFullYear();
  if (op === 'month') return d.getUTCMonth() + 1;
  if (op === 'day') return d.getUTCDate();
  return d.getUTCDay() + 1; // week_day: 1 = Sunday … 7 = Saturday
}

export type Predicate = (row: Row) => boolean;

/** `rel.id` compares the related ids themselves: the same answer without visiting each related row. */
function shortcut(model: string, path: string[]): string[] {
  if (path.length < 2 || (path[path.length - 1] !== 'id' && path[path.length - 1] !== 'pk')) return path;
  let spec = modelSpec(model);
  for (const seg of path.slice(0, -2)) spec = modelSpec(spec.fields[seg].target!);
  return isRelation(spec.fields[path[path.length - 2]]) ? path.slice(0, -1) : path;
}

export function compileFilter(store: Store, model: string, f: FilterSpec): Predicate {
  const leaf = checkFilterPath(model, f.path);
  const path = shortcut(model, f.path);
  const op = f.op;
  if (op === 'any' || op === 'all') throw drf.invalid(`The simulator does not implement the "${op}" filter operator.`);
  // A list field (tags) compares element by element.
  const type: FieldType = leaf.type === 'strings' ? 'string' : leaf.type;
  const test = op === 'isnull' ? () => false : valueTest(type, leaf.name, op, f.values);
  const matches = (row: Row): boolean => {
    const r = reach(store, model, row, path);
    const values = leaf.type === 'strings' ? r.values.flatMap((v) => (Array.isArray(v) ? v : [v])) : r.values;
    if (op === 'isnull') {
      const wantNull = isTruthy(f.values[0] ?? '');
      const isNull = r.emptyRelation || values.length === 0 || values.every((v) => v === null);
      return wantNull === isNull;
    }
    return values.some(test);
  };
  return f.negate ? (row) => !matches(row) : matches;
}

function valueTest(type: FieldType, name: string, op: string | null, raw: string[]): (v: unknown) => boolean {
  const text = raw[0] ?? '';
  switch (op) {
    case null: {
      const want = coerce(type, name, text);
      return (v) => comparable(type, v) === want;
    }
    case 'iexact':
      return (v) => v !== null && lower(v) === text.toLowerCase();
    case 'contains':
      return (v) => v !== null && String(v).includes(text);
    case 'icontains':
      return (v) => v !== null && lower(v).includes(text.toLowerCase());
    case 'startswith':
      return (v) => v !== null && String(v).startsWith(text);
    case 'istartswith':
      return (v) => v !== null && lower(v).startsWith(text.toLowerCase());
    case 'endswith':
      return (v) => v !== null && String(v).endsWith(text);
    case 'iendswith':
      return (v) => v !== null && lower(v).endsWith(text.toLowerCase());
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const want = coerce(type, name, text);
      return (v) => {
        const c = comparable(type, v);
        if (c === null || want === null) return false;
        return op === 'gt' ? c > want : op === 'gte' ? c >= want : op === 'lt' ? c < want : c <= want;
      };
    }
    case 'in': {
      const wanted = new Set(raw.map((r) => coerce(type, name, r)));
      return (v) => wanted.has(comparable(type, v));
    }
    case 'range': {
      if (raw.length < 2) throw drf.invalid(`Filter "range" on ${name} needs two values.`);
      const [a, b] = raw.map((r) => coerce(type, name, r));
      return (v) => {
        const c = comparable(type, v);
        return c !== null && a !== null && b !== null && c >= a && c <= b;
      };
    }
    case 'year':
    case 'month':
    case 'day':
    case 'week_day': {
      const want = coerce('number', `${name}__${op}`, text);
      if (type !== 'datetime' && type !== 'date') throw drf.invalid(`Unsupported lookup '${op}' for ${name}.`);
      return (v) => v !== null && datePart(op, comparable(type, v) as number) === want;
    }
    case 'regex': {
      let re: RegExp;
      try {
        re = new RegExp(text);
      } catch {
        throw drf.invalid(`invalid regular expression: ${text}`);
      }
      return (v) => v !== null && re.test(String(v));
    }
    default:
      throw drf.invalid(`Invalid filter operator: ${op}`);
  }
}
