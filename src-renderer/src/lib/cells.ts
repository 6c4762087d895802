// Cell helpers: reading a (possibly nested) field, readable headers for unknown keys.
// formatCell (what a cell shows) lives in src-shared/display-format, shared with the core's filters.
export { formatCell } from '../../../src-shared/display-format';

export const isPlainObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** A dotted path into nested objects (details.sr.value), or undefined where it leads nowhere. */
export function readPath(row: Record<string, unknown> | undefined, key: string): unknown {
  let cur: unknown = row;
  for (const part of key.split('.')) {
    if (!isPlainObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/**
 * Reads a field by key: the flat key first (a preview row is already flat), then a dotted path
 * (a listed item keeps nested objects; keys may hold underscores), then a dotted/underscored path.
 */
export function readField(row: Record<string, unknown>, key: string): unknown {
  if (key in row) return row[key];
  if (key.includes('.')) {
    const at = readPath(row, key);
    if (at !== undefined) return at;
  }
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
