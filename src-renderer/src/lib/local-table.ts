// Client-side search and sort for the small hierarchy tables (the items of one level).
// Preview tables sort and filter in the core instead; these lists are already complete in memory.
import { readField } from './cells';

export type SortDir = 'asc' | 'desc';
export interface SortState { key: string; dir: SortDir }

function compareValues(a: unknown, b: unknown): number {
  const aEmpty = a === null || a === undefined || a === '';
  const bEmpty = b === null || b === undefined || b === '';
  if (aEmpty || bEmpty) return aEmpty === bEmpty ? 0 : aEmpty ? 1 : -1; // empties last
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  const da = Date.parse(sa);
  const db = Date.parse(sb);
  if (/^\d{4}-\d{2}-\d{2}/.test(sa) && /^\d{4}-\d{2}-\d{2}/.test(sb) && !Number.isNaN(da) && !Number.isNaN(db)) return da - db;
  return sa.localeCompare(sb, 'en', { numeric: true, sensitivity: 'base' });
}

/** Rows whose searched fields contain every word of the query (case-insensitive). */
export function searchRows<T extends object>(rows: T[], query: string, keys: string[]): T[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return rows;
  return rows.filter((row) => {
    const hay = keys.map((k) => {
      const v = readField(row as Record<string, unknown>, k);
      return v === null || v === undefined ? '' : String(v).toLowerCase();
    }).join(' ');
    return words.every((w) => hay.includes(w));
  });
}

/** A stable sort by one column; empties always go last. */
export function sortRows<T extends object>(rows: T[], sort: SortState | null): T[] {
  if (!sort) return rows;
  const sign = sort.dir === 'asc' ? 1 : -1;
  return rows
    .map((row, i) => ({ row, i }))
    .sort((x, y) => {
      const a = readField(x.row as Record<string, unknown>, sort.key);
      const b = readField(y.row as Record<string, unknown>, sort.key);
      const aEmpty = a === null || a === undefined || a === '';
      const bEmpty = b === null || b === undefined || b === '';
      if (aEmpty || bEmpty) return aEmpty === bEmpty ? x.i - y.i : aEmpty ? 1 : -1;
      return sign * compareValues(a, b) || x.i - y.i;
    })
    .map((x) => x.row);
}

/** Header click cycles: none → asc → desc → none. */
export function nextSort(current: SortState | null, key: string): SortState | null {
  if (!current || current.key !== key) return { key, dir: 'asc' };
  if (current.dir === 'asc') return { key, dir: 'desc' };
  return null;
}
