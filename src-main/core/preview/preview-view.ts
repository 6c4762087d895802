// The pure half of the preview: filter, search and sort a cached table into a list of row
// indices, then cut one window out of it. Runs in the core so only the visible window
// crosses IPC or the WebSocket. Column filters understand numbers, ranges and times, and
// match the text cells show (src-shared/table-filter).
import type { ColumnKind, DataTypeDescriptor } from '../../../src-shared/model';
import { cellMatches, compileFilter, guessKind, type CompiledFilter } from '../../../src-shared/table-filter';
import type { FlatRow } from '../export/format/flatten';

export interface ViewSpec {
  sort?: { key: string; dir: 'asc' | 'desc' };
  filters?: Record<string, string>;
  search?: string;
  /** The viewer's IANA time zone: times in filters and shown times are read in it. */
  timeZone?: string;
}

/** A column's kind: from the descriptor when it names the column, else guessed from a value. */
export type KindOf = (key: string, sample: unknown) => ColumnKind;
export const guessKindOf: KindOf = (_key, sample) => guessKind(sample);

/** Column kinds of a data type: the descriptor's where it names the column, else guessed from the data. */
export function kindsFor(type: Pick<DataTypeDescriptor, 'columns'> | undefined): KindOf {
  const known = new Map((type?.columns ?? []).map((c) => [c.key, c.kind]));
  return (key, sample) => known.get(key) ?? guessKind(sample);
}

/** A stable string for a view spec (cache key). */
export function viewKey(spec: ViewSpec): string {
  const filters = Object.entries(spec.filters ?? {})
    .filter(([, v]) => v.trim() !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([spec.sort?.key ?? null, spec.sort?.dir ?? null, filters, (spec.search ?? '').trim().toLowerCase(), filters.length ? (spec.timeZone ?? '') : '']);
}

const cellText = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** Compares two cells: empty last, numbers numerically, everything else as text. */
export function compareCells(a: unknown, b: unknown): number {
  const ae = a === null || a === undefined || a === '';
  const be = b === null || b === undefined || b === '';
  if (ae || be) return ae === be ? 0 : ae ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const sa = cellText(a);
  const sb = cellText(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** The filters of a view, compiled once per column (the kind comes from the first row that has the column). */
export function compileFilters(rows: readonly FlatRow[], spec: ViewSpec, kindOf: KindOf = guessKindOf): Array<[string, ColumnKind, CompiledFilter]> {
  const out: Array<[string, ColumnKind, CompiledFilter]> = [];
  for (const [key, text] of Object.entries(spec.filters ?? {})) {
    const sample = rows.find((r) => r[key] !== undefined && r[key] !== null && r[key] !== '')?.[key];
    const kind = kindOf(key, sample);
    const f = compileFilter(text, kind, spec.timeZone);
    if (f) out.push([key, kind, f]);
  }
  return out;
}

/** Does one row pass every column filter? */
export function rowPasses(row: FlatRow, filters: Array<[string, ColumnKind, CompiledFilter]>, timeZone?: string): boolean {
  for (const [k, kind, f] of filters) if (!cellMatches(row[k], kind, f, timeZone)) return false;
  return true;
}

/**
 * Indices of the rows that pass the column filters and the free-text search (any column,
 * case-insensitive), in sort order (stable: ties keep arrival order).
 */
export function buildView(rows: readonly FlatRow[], spec: ViewSpec, haystack: (i: number) => string, kindOf: KindOf = guessKindOf): number[] {
  const filters = compileFilters(rows, spec, kindOf);
  const search = (spec.search ?? '').trim().toLowerCase();
  const out: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    if (!rowPasses(rows[i], filters, spec.timeZone)) continue;
    if (search && !haystack(i).includes(search)) continue;
    out.push(i);
  }
  return spec.sort ? sortIndices(rows, out, spec.sort) : out;
}

/** Sorts row indices by one column: stable (ties keep arrival order), empty cells last either way. */
export function sortIndices(rows: readonly FlatRow[], indices: number[], sort: NonNullable<ViewSpec['sort']>): number[] {
  const sign = sort.dir === 'desc' ? -1 : 1;
  const empty = (v: unknown) => v === null || v === undefined || v === '';
  return indices.sort((x, y) => {
    const c = compareCells(rows[x][sort.key], rows[y][sort.key]);
    if (empty(rows[x][sort.key]) || empty(rows[y][sort.key])) return c || x - y;
    return sign * c || x - y;
  });
}

/** Lower-cased text of every cell of a row, for the free-text search. */
export function rowHaystack(row: FlatRow): string {
  let s = '';
  for (const v of Object.values(row)) s += cellText(v).toLowerCase() + '\u0000';
  return s;
}
