// Cell helpers: reading a (possibly nested) field, readable headers for unknown keys.
// formatCell (what a cell shows) lives in src-shared/display-format, shared with the core's filters.
export { formatCell } from '../../../src-shared/display-format';

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
