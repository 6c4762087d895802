// Related records come back as ids ("session": "<uuid>", "projects": ["<uuid>", …]) or, when a
// server embeds them, as objects ({"id": "<uuid>", "name": …}). JSON keeps whatever the API gave;
// CSV columns and grouping always see ids.
import { brainstemDataType, type BrainstemStreamId } from './descriptors';
import type { JsonRecord } from './envelope';

/** The id of a related value: the string (or number) itself, or an embedded object's id. */
export function relatedId(v: unknown): string | null {
  if (typeof v === 'string') return v || null;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (v && typeof v === 'object' && !Array.isArray(v)) return relatedId((v as JsonRecord).id);
  return null;
}

/** The ids of a relation field, whether it holds one value or a list. */
export function relatedIds(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(relatedId).filter((x): x is string => x !== null);
  const one = relatedId(v);
  return one === null ? [] : [one];
}

function idsOnly(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => (x && typeof x === 'object' ? relatedId(x) : x));
  if (v && typeof v === 'object') return relatedId(v);
  return v;
}

/** The record with every relation field of its type reduced to ids (for CSV rows). Other fields are untouched. */
export function withRelationIds(type: BrainstemStreamId, record: JsonRecord): JsonRecord {
  const out: JsonRecord = { ...record };
  for (const field of brainstemDataType(type).relations) if (field in out) out[field] = idsOnly(out[field]);
  return out;
}

/** The id of the group a record belongs to (its session, subject, procedure or project), or null. */
export function groupOf(type: BrainstemStreamId, record: JsonRecord): { level: string; id: string } | null {
  const g = brainstemDataType(type).groupField;
  if (!g) return null;
  const id = relatedId(record[g.field]);
  return id === null ? null : { level: g.level, id };
}
