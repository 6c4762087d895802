// Table columns from the source descriptor's column lists and the keys the data has (no source knowledge in components).
import type { ColumnDescriptor, ColumnKind } from '../../../src-shared/model';
import { formatCell, humanizeKey, isPlainObject, readField, readPath } from './cells';

/** For keys the descriptor does not know (extra fields in the data): a readable label and a guessed kind. */
export function guessColumn(key: string, sample: unknown): ColumnDescriptor {
  let kind: ColumnKind = 'text';
  if (typeof sample === 'number') kind = 'number';
  else if (sample && typeof sample === 'object') kind = 'json';
  else if (typeof sample === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(sample)) kind = 'datetime';
  return { key, label: humanizeKey(key), kind, defaultVisible: false };
}

/** A nested field opened into this many dotted columns at most; a wider one stays one JSON column. */
export const MAX_NESTED_COLUMNS = 24;

/** A column for one dotted path of a nested field, named by its path, shown where its field was. */
function nestedColumn(parent: ColumnDescriptor, key: string, sample: unknown): ColumnDescriptor {
  return { ...guessColumn(key, sample), label: key, defaultVisible: parent.defaultVisible };
}

/**
 * Known columns first (descriptor order), then the extra keys the data actually has. A known
 * nested field the data arrives flattened as dotted keys (details → details.framerate.value, …),
 * mixed schema versions included, is shown as those dotted columns in its place.
 */
export function mergeColumns(known: ColumnDescriptor[], seen: string[], sampleRow?: Record<string, unknown>): ColumnDescriptor[] {
  const seenKeys = new Set(seen);
  const out: ColumnDescriptor[] = [];
  const placed = new Set<string>();
  for (const c of known) {
    const dotted = seenKeys.has(c.key) ? [] : seen.filter((k) => k.startsWith(`${c.key}.`));
    if (dotted.length > 0 && dotted.length <= MAX_NESTED_COLUMNS) {
      for (const k of dotted) {
        out.push(nestedColumn(c, k, sampleRow?.[k]));
        placed.add(k);
      }
    } else {
      out.push(c);
    }
    placed.add(c.key);
  }
  const extras = seen.filter((k) => !placed.has(k) && !k.startsWith('__')).map((k) => guessColumn(k, sampleRow?.[k]));
  return [...out, ...extras];
}

/** The dotted paths to the leaves of a nested value (arrays and empty objects are leaves). */
function leafPaths(value: Record<string, unknown>, prefix: string, into: Set<string>): void {
  for (const [k, v] of Object.entries(value)) {
    const path = `${prefix}.${k}`;
    if (isPlainObject(v) && Object.keys(v).length > 0) leafPaths(v, path, into);
    else into.add(path);
  }
}

/**
 * Columns for rows that keep nested fields as objects (the items of a level listing): a JSON
 * column whose values are objects is shown as one column per dotted path found in the rows, as
 * the preview and the CSV export show them.
 */
export function expandNestedColumns(columns: ColumnDescriptor[], rows: ReadonlyArray<Record<string, unknown> | undefined>, sampleRows = 500): ColumnDescriptor[] {
  const sample = rows.slice(0, sampleRows);
  return columns.flatMap((c) => {
    if (c.kind !== 'json') return [c];
    const paths = new Set<string>();
    for (const row of sample) {
      const v = row?.[c.key];
      if (isPlainObject(v)) leafPaths(v, c.key, paths);
    }
    if (paths.size === 0 || paths.size > MAX_NESTED_COLUMNS) return [c];
    const first = (k: string) => sample.map((r) => readPath(r, k)).find((v) => v !== undefined && v !== null);
    return [...paths].map((k) => nestedColumn(c, k, first(k)));
  });
}

/**
 * A dotted column's cell: where one schema version has a scalar and another an object at the same
 * path (details.sr: 250 beside {value, unit}), the object is shown by its own deeper columns and
 * this cell stays empty, as in the flat preview and the CSV export.
 */
export function formatLeaf(row: Record<string, unknown>, key: string, kind: ColumnKind): string {
  const v = readField(row, key);
  return isPlainObject(v) ? '' : formatCell(v, kind);
}
