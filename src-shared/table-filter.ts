// Column filters as researchers type them, matching what the table shows:
//   text            substring of the shown text or the raw value ("8,353" and "8353" both find 8353)
//   >100000  <=5    comparisons on numbers (bytes and durations as shown: "1.5 MB", "1:30")
//   10..20          inclusive ranges ("10 to 20" too)
//   >2026-11-30     times: a date means the whole day, "2026-11-30 14:05" that minute, in the
//                   viewer's time zone unless the text names an offset ("…Z", "+01:00");
//                   what a cell shows ("30 Nov 2026, 14:03:22") works as well.
// Pure; shared by the core (which filters) and the renderer (which explains the filter).
import { formatCell } from './display-format';
import type { ColumnKind } from './model';

interface Bound { at: number; inclusive: boolean }
interface RangeTest { lo?: Bound; hi?: Bound }

export interface CompiledFilter {
  /** What the user typed, trimmed and lower-cased (the text test). */
  text: string;
  /** The number test, when the input reads as a number comparison or range. */
  numeric?: RangeTest;
  /** The time test (epoch ms), when the input reads as a time comparison or range. */
  time?: RangeTest;
  /** True when the input is only text (no operator, no range). */
  plain: boolean;
  /** The number a plain input reads as ("8,353" → 8353), for exact matches on number cells. */
  exact?: number;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

// ---------- numbers, bytes, durations ----------

const NUMBER = /^[+-]?(?:\d{1,3}(?:[,_ ]\d{3})+|\d+)(?:\.\d+)?$|^[+-]?\.\d+$/;
const BYTE_UNITS: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12 };

/** "8,353" → 8353, "1.5 MB" → 1500000 (bytes), "1:30" → 90000 (duration-ms); null if not a number. */
export function parseNumber(text: string, kind?: ColumnKind): number | null {
  const s = text.trim();
  if (NUMBER.test(s)) return Number(s.replace(/[,_ ]/g, ''));
  if (kind === 'bytes') {
    const m = /^([\d.,]+)\s*([kmgt]?b)$/i.exec(s);
    if (m && NUMBER.test(m[1])) return Number(m[1].replace(/,/g, '')) * BYTE_UNITS[m[2].toLowerCase()];
  }
  if (kind === 'duration-ms') {
    const m = /^(?:(\d+):)?(\d{1,2}):(\d{2})(?:\.(\d{1,3}))?$/.exec(s);
    if (m) return ((Number(m[1] ?? 0) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + Number((m[4] ?? '0').padEnd(3, '0'));
  }
  return null;
}

// ---------- times ----------

const partsFormats = new Map<string, Intl.DateTimeFormat>();
function partsFormat(timeZone?: string): Intl.DateTimeFormat {
  const key = timeZone ?? '';
  let f = partsFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
      ...(timeZone ? { timeZone } : {}),
    });
    partsFormats.set(key, f);
  }
  return f;
}

/** The zone's offset from UTC at instant `t`, ms (positive east of Greenwich). */
function zoneOffset(t: number, timeZone?: string): number {
  const p: Record<string, number> = {};
  for (const part of partsFormat(timeZone).formatToParts(t)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour % 24, p.minute, p.second);
  return wall - (t - (((t % 1000) + 1000) % 1000));
}

/** The instant a wall-clock time has in a zone (the later one when clocks go back). */
export function wallTimeToEpoch(y: number, month: number, d: number, h: number, mi: number, s: number, ms: number, timeZone?: string): number {
  const guess = Date.UTC(y, month - 1, d, h, mi, s, ms);
  let t = guess - zoneOffset(guess, timeZone);
  const second = guess - zoneOffset(t, timeZone);
  if (second !== t) t = second;
  return t;
}

/** A time as typed: the interval it names ([start, end) in epoch ms), by its precision. */
export function parseTime(text: string, timeZone?: string): { start: number; end: number } | null {
  const s = text.trim();
  let y: number, mo: number, d: number;
  let rest: string;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})(.*)$/.exec(s);
  const shown = /^(\d{1,2})\s+([A-Za-z]{3})[a-z]*\.?\s+(\d{4}),?(.*)$/.exec(s);
  if (iso) {
    [y, mo, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
    rest = iso[4];
  } else if (shown) {
    const m = MONTHS.indexOf(shown[2].toLowerCase());
    if (m < 0) return null;
    [y, mo, d] = [Number(shown[3]), m + 1, Number(shown[1])];
    rest = shown[4];
  } else {
    return null;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return null;
  const t = /^(?:[T ]\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?\s*(Z|[+-]\d{2}:?\d{2}|[A-Za-z]{1,5}(?:[+-]\d{1,2})?)?$/.exec(rest);
  if (!t) return null;
  const [h, mi, sec, frac, zone] = [t[1], t[2], t[3], t[4], t[5]];
  const ms = frac ? Number(frac.padEnd(3, '0')) : 0;
  // The interval's length follows the precision typed: a day, a minute, a second or a millisecond.
  const span = h === undefined ? 86_400_000 : sec === undefined ? 60_000 : frac === undefined ? 1000 : 10 ** (3 - frac.length);
  const wall = [y, mo, d, Number(h ?? 0), Number(mi ?? 0), Number(sec ?? 0), ms] as const;
  let start: number;
  const offset = zone && /^(Z|[+-]\d{2}:?\d{2})$/.test(zone) ? zone : null;
  if (offset) {
    const sign = offset === 'Z' ? 0 : offset.startsWith('-') ? -1 : 1;
    const digits = offset.replace(/[^\d]/g, '');
    const minutes = sign ? sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) : 0;
    start = Date.UTC(wall[0], wall[1] - 1, wall[2], wall[3], wall[4], wall[5], wall[6]) - minutes * 60_000;
  } else {
    // A zone abbreviation (as cells show it) means the viewer's zone.
    start = wallTimeToEpoch(...wall, timeZone);
  }
  if (h === undefined) {
    // A whole day ends at the next midnight, which is not always 24 h later.
    const next = new Date(Date.UTC(y, mo - 1, d + 1));
    const end = offset ? start + span : wallTimeToEpoch(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), 0, 0, 0, 0, timeZone);
    return { start, end };
  }
  return { start, end: start + span };
}

// ---------- compiling and matching ----------

const OPERATOR = /^(>=|<=|≥|≤|>|<|=)\s*(.+)$/;
const RANGE = /^(.+?)\s*(?:\.\.|…| to )\s*(.+)$/;

/** Turns what the user typed into the tests a cell of `kind` is checked against. */
export function compileFilter(input: string, kind: ColumnKind, timeZone?: string): CompiledFilter | null {
  const raw = input.trim();
  if (!raw) return null;
  const out: CompiledFilter = { text: raw.toLowerCase(), plain: true };
  const op = OPERATOR.exec(raw);
  const range = op ? null : RANGE.exec(raw);
  const num = (s: string) => parseNumber(s, kind);
  const time = (s: string) => parseTime(s, timeZone);
  if (op) {
    const sym = op[1].replace('≥', '>=').replace('≤', '<=');
    const n = num(op[2]);
    const tm = time(op[2]);
    if (n !== null) out.numeric = rangeFor(sym, n, n, true);
    if (tm) out.time = rangeFor(sym, tm.start, tm.end, false);
    out.plain = n === null && !tm;
  } else if (range) {
    const [a, b] = [range[1], range[2]];
    const na = num(a);
    const nb = num(b);
    if (na !== null && nb !== null) out.numeric = { lo: { at: Math.min(na, nb), inclusive: true }, hi: { at: Math.max(na, nb), inclusive: true } };
    const ta = time(a);
    const tb = time(b);
    if (ta && tb) out.time = { lo: { at: Math.min(ta.start, tb.start), inclusive: true }, hi: { at: Math.max(ta.end, tb.end), inclusive: false } };
    out.plain = !out.numeric && !out.time;
  } else {
    const n = num(raw);
    if (n !== null) out.exact = n;
    const tm = time(raw);
    if (tm && kind === 'datetime') {
      out.time = { lo: { at: tm.start, inclusive: true }, hi: { at: tm.end, inclusive: false } };
    }
  }
  return out;
}

/**
 * A comparison as a range. Numbers are points (`closedEnd` true: "=5" is exactly 5); times are
 * intervals [start, end): ">2026-11-30" is after that whole day, "<=2026-11-30" up to its end.
 */
function rangeFor(sym: string, start: number, end: number, point: boolean): RangeTest {
  switch (sym) {
    case '>':
      return { lo: { at: point ? start : end, inclusive: !point } };
    case '>=':
      return { lo: { at: start, inclusive: true } };
    case '<':
      return { hi: { at: start, inclusive: false } };
    case '<=':
      return { hi: { at: point ? start : end, inclusive: point } };
    default:
      return { lo: { at: start, inclusive: true }, hi: { at: point ? start : end, inclusive: point } };
  }
}

function inRange(v: number, r: RangeTest): boolean {
  if (r.lo && (r.lo.inclusive ? v < r.lo.at : v <= r.lo.at)) return false;
  if (r.hi && (r.hi.inclusive ? v > r.hi.at : v >= r.hi.at)) return false;
  return true;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/;

/** The instant a cell value stands for, when it is a time. */
function timeOf(value: unknown, kind: ColumnKind): number | null {
  if (typeof value === 'string' && (kind === 'datetime' || ISO_TIME.test(value))) {
    const t = Date.parse(value);
    return Number.isNaN(t) ? null : t;
  }
  if (typeof value === 'number' && kind === 'datetime') return value;
  return null;
}

/** Does a cell pass the filter? Compares numbers as numbers, times as times, and text as shown. */
export function cellMatches(value: unknown, kind: ColumnKind, f: CompiledFilter, timeZone?: string): boolean {
  const empty = value === null || value === undefined || value === '';
  if (f.time) {
    const t = empty ? null : timeOf(value, kind);
    if (t !== null) return inRange(t, f.time);
  }
  if (f.numeric) {
    const n = typeof value === 'number' ? value : typeof value === 'string' && !empty ? parseNumber(value, kind) : null;
    if (n !== null && Number.isFinite(n)) return inRange(n, f.numeric);
  }
  if (!f.plain) return false;
  if (empty) return false;
  if (f.exact !== undefined && typeof value === 'number' && value === f.exact) return true;
  const raw = typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (raw.toLowerCase().includes(f.text)) return true;
  return formatCell(value, kind, timeZone).toLowerCase().includes(f.text);
}

/** How a filter was understood, in plain words, for the input's hint ("" when it is plain text). */
export function describeFilter(f: CompiledFilter | null, kind: ColumnKind): string {
  if (!f || f.plain) return '';
  const r = f.numeric ?? f.time;
  if (!r) return '';
  const show = (at: number) => (f.numeric ? formatCell(at, kind === 'datetime' ? 'number' : kind) : formatCell(at, 'datetime'));
  const lo = r.lo ? `${r.lo.inclusive ? '≥' : '>'} ${show(r.lo.at)}` : '';
  const hi = r.hi ? `${r.hi.inclusive ? '≤' : '<'} ${show(r.hi.at)}` : '';
  return [lo, hi].filter(Boolean).join(' and ');
}

/** The column kind a value suggests when no descriptor names it. */
export function guessKind(value: unknown): ColumnKind {
  if (typeof value === 'number') return 'number';
  if (value && typeof value === 'object') return 'json';
  if (typeof value === 'string' && ISO_TIME.test(value)) return 'datetime';
  return 'text';
}
