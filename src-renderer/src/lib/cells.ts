// Formats a value for a cell according to the descriptor's column kind.
import type { ColumnKind } from '../../../src-shared/model';
import { formatBytes, formatCount, formatDateTime, formatDurationMs } from './format';

export function formatCell(value: unknown, kind: ColumnKind): string {
  if (value === null || value === undefined || value === '') return '';
  switch (kind) {
    case 'number':
      return typeof value === 'number' ? formatCount(value) : String(value);
    case 'datetime':
      return typeof value === 'string' || typeof value === 'number' ? formatDateTime(String(value)) : String(value);
    case 'duration-ms':
      return typeof value === 'number' ? formatDurationMs(value) : String(value);
    case 'bytes':
      return typeof value === 'number' ? formatBytes(value) : String(value);
    case 'json':
      return typeof value === 'string' ? value : JSON.stringify(value);
    default:
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

/** Reads a field by key, trying the flat key first, then a dotted/underscored path into nested objects. */
export function readField(row: Record<string, unknown>, key: string): unknown {
  if (key in row) return row[key];
  const parts = key.split(/[._]/);
  let cur: unknown = row;
  for (const p of parts) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

/** Turns a raw column key into a readable header when the descriptor has no label for it. */
export function humanizeKey(key: string): string {
  const spaced = key.replace(/[_.]+/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').trim();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}
