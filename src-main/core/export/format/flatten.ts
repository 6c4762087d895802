// Turns one nested API record into a flat row for CSV: nested objects joined with "_" (or the
// source's separator: BrainSTEM uses "." for details.sr.value), arrays as JSON text, timestamps as
// ISO 8601, and an onset_sec column next to onset (like the Python SDK).
// Pure and deterministic: the same record always gives the same row with the same key order.

/** A flat cell value. Numbers stay numbers so the CSV writer can tell them from text. */
export type FlatValue = string | number | boolean | null;
export type FlatRow = Record<string, FlatValue>;

export interface FlattenOptions {
  /** Leaf field names whose epoch-millisecond numbers become ISO strings (default: KNOWN_TIMESTAMP_FIELDS). */
  timestampFields?: ReadonlySet<string>;
  /** Add onset_sec = onset / 1000 right after a numeric top-level onset (default true). */
  onsetSeconds?: boolean;
  /** Joins the keys of a nested path into a column name (default "_": response.value → response_value). */
  separator?: string;
  /**
   * Turn epoch-ms numbers in timestamp fields and Firestore {seconds, nanos} objects into ISO 8601
   * (default true). A source whose records carry no such values turns it off, so a nested
   * {"seconds": 5} stays a number.
   */
  convertTimestamps?: boolean;
}

/** Fields that hold absolute times. Names ending in "Timestamp" or "At" count as well. */
export const KNOWN_TIMESTAMP_FIELDS: ReadonlySet<string> = new Set([
  'timestamp',
  'serverTimestamp',
  'clientTimestamp',
  'clientTime',
  'startTime',
  'endTime',
  'createdAt',
  'updatedAt',
  'joinedAt',
  'completedAt',
  'startedAt',
  'endedAt',
  'stateStartTime',
  'experimentStartedAt',
  'pauseTimestamp',
]);

// Epoch-ms numbers below this (1973-03-03) are durations or offsets, not dates.
const MIN_EPOCH_MS = 1e11;
const MAX_EPOCH_MS = 1e13 * 2;

/** Per set of timestamp fields: what isTimestampField said for each name met (names repeat on every record). */
const timestampFieldCache = new WeakMap<ReadonlySet<string>, Map<string, boolean>>();
/** Names remembered per set at most: field names come from the data, which may have many. */
const TIMESTAMP_CACHE_MAX = 4096;

function isTimestampField(name: string, fields: ReadonlySet<string>): boolean {
  let cache = timestampFieldCache.get(fields);
  if (!cache) timestampFieldCache.set(fields, (cache = new Map()));
  let yes = cache.get(name);
  if (yes === undefined) {
    yes = fields.has(name) || /[a-z](Timestamp|At)$/.test(name);
    if (cache.size < TIMESTAMP_CACHE_MAX) cache.set(name, yes);
  }
  return yes;
}

/** Firestore-style timestamp objects: {_seconds, _nanoseconds} or {seconds, nanos}. */
export function firestoreTimestampToIso(v: unknown): string | null {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  // Most objects are neither kind: tell that before listing their keys.
  const underscored = '_seconds' in o;
  if (!underscored && !('seconds' in o)) return null;
  const keys = Object.keys(o);
  let sec: unknown;
  let nanos: unknown;
  if (underscored && keys.every((k) => k === '_seconds' || k === '_nanoseconds')) {
    sec = o._seconds;
    nanos = o._nanoseconds ?? 0;
  } else if ('seconds' in o && keys.every((k) => k === 'seconds' || k === 'nanos' || k === 'nanoseconds')) {
    sec = o.seconds;
    nanos = o.nanos ?? o.nanoseconds ?? 0;
  } else return null;
  if (typeof sec !== 'number' || typeof nanos !== 'number' || !Number.isFinite(sec) || !Number.isFinite(nanos)) return null;
  const ms = sec * 1000 + Math.floor(nanos / 1e6);
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

function epochMsToIso(v: number): string | null {
  if (!Number.isFinite(v) || Math.abs(v) < MIN_EPOCH_MS || Math.abs(v) > MAX_EPOCH_MS) return null;
  return new Date(v).toISOString();
}

/** The cell of a value, or undefined for an object to descend into. */
function leafValue(name: string, v: unknown, fields: ReadonlySet<string> | null): FlatValue | undefined {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') {
    if (fields && isTimestampField(name, fields)) return epochMsToIso(v) ?? v;
    return Number.isFinite(v) ? v : String(v);
  }
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return JSON.stringify(v);
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return (fields && firestoreTimestampToIso(v)) ?? undefined; // undefined: descend
  return String(v);
}

/** An object's value that is flattened into columns (not a leaf), or null: `{}` is a leaf shown as "{}". */
function nonEmptyChild(v: unknown): Record<string, unknown> | null {
  const child = v as Record<string, unknown>;
  for (const k in child) if (Object.hasOwn(child, k)) return child;
  return null;
}

interface Config {
  fields: ReadonlySet<string> | null;
  sep: string;
  onsetSeconds: boolean;
}

const config = (opts: FlattenOptions): Config => ({
  fields: opts.convertTimestamps === false ? null : (opts.timestampFields ?? KNOWN_TIMESTAMP_FIELDS),
  sep: opts.separator ?? '_',
  onsetSeconds: opts.onsetSeconds !== false,
});

/** Thrown (and caught in flattenRecord) when a key holds the separator, so names could collide. */
const MAY_COLLIDE = Symbol('may collide');

/**
 * Nested column names by parent name and key: a record's names are made once, not concatenated
 * (and hashed as new strings) for every record. Bounded: names come from the data.
 */
const nestedNames = new Map<string, Map<string, Map<string, string>>>();
const NESTED_NAMES_MAX = 4096;
let nestedNameCount = 0;

function nestedName(sep: string, prefix: string, k: string): string {
  let bySep = nestedNames.get(sep);
  if (!bySep) nestedNames.set(sep, (bySep = new Map()));
  let byKey = bySep.get(prefix);
  if (!byKey) {
    if (nestedNameCount >= NESTED_NAMES_MAX) return prefix + sep + k;
    bySep.set(prefix, (byKey = new Map()));
  }
  let name = byKey.get(k);
  if (name === undefined) {
    name = prefix + sep + k;
    if (nestedNameCount < NESTED_NAMES_MAX) {
      byKey.set(k, name);
      nestedNameCount++;
    }
  }
  return name;
}

/**
 * The common case: a one-character separator that no key holds. Then every nested path gives its
 * own name (splitting at the separator gives the path back) with the separator in it, no top-level
 * key has one, and no name needs disambiguating.
 */
function flattenInto(row: FlatRow, record: Record<string, unknown>, obj: Record<string, unknown>, prefix: string | null, cfg: Config): void {
  const keys = Object.keys(obj);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    if (k.includes(cfg.sep)) throw MAY_COLLIDE;
    const v = obj[k];
    const leaf = leafValue(k, v, cfg.fields);
    const name = prefix === null ? k : nestedName(cfg.sep, prefix, k);
    if (leaf === undefined) {
      const child = nonEmptyChild(v);
      if (child) flattenInto(row, record, child, name, cfg);
      else row[name] = '{}';
      continue;
    }
    row[name] = leaf;
    if (name === 'onset' && cfg.onsetSeconds && typeof leaf === 'number' && !('onset_sec' in record)) row.onset_sec = leaf / 1000;
  }
}

/**
 * The names flattenInto would give, without the values: an array is a leaf whatever it holds, and
 * a number's cell is only made where its type decides a name (a top-level onset).
 */
const PROTO = '__proto__';

function namesInto(out: string[], record: Record<string, unknown>, obj: Record<string, unknown>, prefix: string | null, cfg: Config): void {
  const keys = Object.keys(obj);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    if (k.includes(cfg.sep)) throw MAY_COLLIDE;
    const v = obj[k];
    const name = prefix === null ? k : nestedName(cfg.sep, prefix, k);
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) && !(cfg.fields && firestoreTimestampToIso(v))) {
      if (nonEmptyChild(v)) namesInto(out, record, v as Record<string, unknown>, name, cfg);
      else if (name !== PROTO) out.push(name);
      continue;
    }
    // (flattenInto's row[name] = cell gives an object no "__proto__" key: neither does this.)
    if (name !== PROTO) out.push(name);
    if (name === 'onset' && cfg.onsetSeconds && typeof leafValue(k, v, cfg.fields) === 'number' && !('onset_sec' in record)) out.push('onset_sec');
  }
}

interface Leaf {
  path: string[];
  value: FlatValue;
}

/** fields: the timestamp fields, or null when timestamps are not converted. */
function collectLeaves(obj: Record<string, unknown>, prefix: string[], fields: ReadonlySet<string> | null, out: Leaf[]): void {
  for (const [k, v] of Object.entries(obj)) {
    const path = [...prefix, k];
    const leaf = leafValue(k, v, fields);
    if (leaf !== undefined) {
      out.push({ path, value: leaf });
      continue;
    }
    const child = v as Record<string, unknown>;
    if (Object.keys(child).length === 0) out.push({ path, value: '{}' });
    else collectLeaves(child, path, fields, out);
  }
}

/** Any record, keys with the separator included: nested names are checked against every other name. */
function flattenWithCollisions(record: Record<string, unknown>, cfg: Config): FlatRow {
  const { sep } = cfg;
  const leaves: Leaf[] = [];
  collectLeaves(record, [], cfg.fields, leaves);
  const taken = new Set(leaves.filter((l) => l.path.length === 1).map((l) => l.path[0]));
  const row: FlatRow = {};
  for (const leaf of leaves) {
    let name = leaf.path[0];
    if (leaf.path.length > 1) {
      name = leaf.path.join(sep);
      if (taken.has(name)) {
        const alt = leaf.path.join(sep + sep);
        name = alt;
        for (let n = 2; taken.has(name); n++) name = `${alt}_${n}`;
      }
      taken.add(name);
    }
    row[name] = leaf.value;
    if (name === 'onset' && cfg.onsetSeconds && typeof leaf.value === 'number' && !('onset_sec' in record)) {
      row.onset_sec = leaf.value / 1000;
    }
  }
  return row;
}

/**
 * Flattens one record. Nested objects become `parent_child` columns (with the default separator);
 * when that name is already a real top-level key (a literal `response_value` next to nested
 * `response.value`), the nested one is named `response__value` (the separator doubled), then
 * `response__value_2`, … Literal keys always keep their names.
 * Arrays become JSON text; Firestore timestamp objects and epoch-ms numbers in timestamp fields
 * become ISO 8601; ISO strings are kept as they are; null/undefined become null (an empty cell).
 */
export function flattenRecord(record: Record<string, unknown>, opts: FlattenOptions = {}): FlatRow {
  const cfg = config(opts);
  if (cfg.sep.length === 1) {
    const row: FlatRow = {};
    try {
      flattenInto(row, record, record, null, cfg);
      return row;
    } catch (e) {
      if (e !== MAY_COLLIDE) throw e;
    }
  }
  return flattenWithCollisions(record, cfg);
}

const ARRAY_INDEX = /^(?:0|[1-9]\d*)$/;
/** (A character test first: every name of every record asks, and almost none starts with a digit.) */
const isArrayIndex = (name: string) => {
  const c = name.charCodeAt(0);
  return c >= 48 && c <= 57 && ARRAY_INDEX.test(name) && Number(name) < 2 ** 32 - 1;
};

/**
 * Calls `add` with the column names of flattenRecord(record, opts), in the same order (a name may
 * come twice only where flattenRecord assigns it twice), without making the row: the column pass
 * of a CSV export needs names only.
 */
export function flattenedNames(record: Record<string, unknown>, opts: FlattenOptions, add: (name: string) => void): void {
  const cfg = config(opts);
  if (cfg.sep.length === 1) {
    const names: string[] = [];
    try {
      namesInto(names, record, record, null, cfg);
      // An object lists integer-like keys ("7") first: then the row's own order is the one to give.
      if (names.some(isArrayIndex)) throw MAY_COLLIDE;
    } catch (e) {
      if (e !== MAY_COLLIDE) throw e;
      names.length = 0;
      for (const n of Object.keys(flattenWithCollisions(record, cfg))) names.push(n);
    }
    for (let i = 0; i < names.length; i++) add(names[i]);
    return;
  }
  for (const n of Object.keys(flattenWithCollisions(record, cfg))) add(n);
}
