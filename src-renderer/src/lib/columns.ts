// Grid columns from the source descriptor's column lists (no source knowledge in components).
import type { ColumnDescriptor, ColumnKind } from '../../../src-shared/model';
import { defaultWidth, type GridColumn } from '../components/Grid';
import { humanizeKey } from './cells';

export function columnsFromDescriptor(cols: ColumnDescriptor[], visible?: Set<string>): GridColumn[] {
  return cols
    .filter((c) => (visible ? visible.has(c.key) : c.defaultVisible))
    .map((c) => ({ key: c.key, label: c.label, kind: c.kind, width: c.width ?? defaultWidth(c.kind) }));
}

/** For keys the descriptor does not know (extra fields in the data): a readable label and a guessed kind. */
export function guessColumn(key: string, sample: unknown): ColumnDescriptor {
  let kind: ColumnKind = 'text';
  if (typeof sample === 'number') kind = 'number';
  else if (sample && typeof sample === 'object') kind = 'json';
  else if (typeof sample === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(sample)) kind = 'datetime';
  return { key, label: humanizeKey(key), kind, defaultVisible: false };
}

/** Known columns first (descriptor order), then the extra keys the data actually has. */
export function mergeColumns(known: ColumnDescriptor[], seen: string[], sampleRow?: Record<string, unknown>): ColumnDescriptor[] {
  const byKey = new Set(known.map((c) => c.key));
  const extras = seen.filter((k) => !byKey.has(k) && !k.startsWith('__')).map((k) => guessColumn(k, sampleRow?.[k]));
  return [...known, ...extras];
}
