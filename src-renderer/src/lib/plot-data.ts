// Turns preview rows into plot series: one series per `seriesBy` value, x/y read as numbers.
// A y field holding words (e.g. sync quality "poor"/"fair"/"good") is plotted on an ordinal scale.
// Time axes are in seconds: milliseconds are divided, timestamps start at zero.
import type { ColumnDescriptor } from '../../../src-shared/model';
import { readField } from './cells';

/** How an x column becomes the plot's axis. */
export interface XAxis { label: string; divide: number }

/** Seconds for time-like columns (a "… (ms)" label or a duration in ms, or a timestamp); the column as it is otherwise. */
export function axisFor(column: ColumnDescriptor | undefined, key: string): XAxis {
  const label = column?.label ?? key;
  if (column?.kind === 'duration-ms' || /\(ms\)\s*$/i.test(label)) return { label: `${label.replace(/\s*\(ms\)\s*$/i, '')} (s)`, divide: 1000 };
  if (column?.kind === 'datetime') return { label: 'Time (s)', divide: 1 };
  return { label, divide: 1 };
}

/** Round tick values spanning [min, max]. */
export function niceTicks(min: number, max: number, count = 4): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min === max) return [min];
  const span = max - min;
  const step0 = span / count;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((st) => st >= step0) ?? step0;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** The point of a series (sorted by x) nearest to x, by binary search. */
export function nearestPoint(points: Array<[number, number]>, x: number): [number, number] | null {
  if (points.length === 0) return null;
  let lo = 0;
  let hi = points.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid][0] < x) lo = mid + 1;
    else hi = mid;
  }
  const prev = points[lo - 1];
  return prev && Math.abs(prev[0] - x) <= Math.abs(points[lo][0] - x) ? prev : points[lo];
}

export interface Series { name: string; points: Array<[number, number]> }

/** Common quality words, worst first; other words fall back to alphabetical order. */
const ORDINAL_WORDS = ['bad', 'poor', 'low', 'fair', 'medium', 'ok', 'good', 'high', 'excellent'];

function toNumber(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    if (Number.isFinite(n)) return n;
    if (/^\d{4}-\d{2}-\d{2}/.test(v)) {
      const t = Date.parse(v);
      if (!Number.isNaN(t)) return t / 1000; // timestamps as seconds
    }
  }
  return null;
}

/** Ordered categories when the field's values are words rather than numbers; null otherwise. */
export function categoriesOf(rows: Array<Record<string, unknown>>, y: string): string[] | null {
  const words = new Set<string>();
  let numeric = 0;
  for (const row of rows) {
    const v = readField(row, y);
    if (v === null || v === undefined || v === '') continue;
    if (toNumber(v) !== null) numeric += 1;
    else words.add(String(v));
  }
  if (words.size === 0 || numeric > words.size || words.size > 12) return null;
  const list = [...words];
  const known = list.every((w) => ORDINAL_WORDS.includes(w.toLowerCase()));
  return known ? list.sort((a, b) => ORDINAL_WORDS.indexOf(a.toLowerCase()) - ORDINAL_WORDS.indexOf(b.toLowerCase())) : list.sort();
}

export function buildSeries(rows: Array<Record<string, unknown>>, x: string, y: string, seriesBy: string, maxSeries = 12, divideX = 1): { series: Series[]; categories: string[] | null } {
  const categories = categoriesOf(rows, y);
  const yOf = (v: unknown): number | null => {
    if (!categories) return toNumber(v);
    const i = categories.indexOf(String(v));
    return i < 0 ? null : i;
  };
  const bySeries = new Map<string, Array<[number, number]>>();
  for (const row of rows) {
    const xv = toNumber(readField(row, x));
    const yv = yOf(readField(row, y));
    if (xv === null || yv === null) continue;
    const name = String(readField(row, seriesBy) ?? '—');
    let pts = bySeries.get(name);
    if (!pts) {
      if (bySeries.size >= maxSeries) continue;
      bySeries.set(name, (pts = []));
    }
    pts.push([xv / divideX, yv]);
  }
  const series: Series[] = [];
  for (const [name, points] of bySeries) {
    points.sort((a, b) => a[0] - b[0]);
    series.push({ name, points });
  }
  // Time axes read better from zero: shift absolute timestamps to seconds since the first point.
  if (series.length > 0) {
    const minX = Math.min(...series.map((s) => s.points[0]?.[0] ?? Infinity));
    if (minX > 1e8) for (const s of series) s.points = s.points.map(([px, py]) => [px - minX, py]);
  }
  return { series, categories };
}
