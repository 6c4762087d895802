// Which data types a level offers, and which of them the key cannot read: from the descriptor
// alone (no source names here).
import type { DataTypeDescriptor, KeyAccess, LevelId, SourceDescriptor } from '../../../src-shared/model';

/**
 * The data types offered at a level: those the source can read at it (its scopes, or the level's
 * own list), and at a root level also those kept only further down (gathered part by part from
 * the levels below, which the core fetches through them).
 */
export function typesAt(descriptor: SourceDescriptor | null, level: LevelId): DataTypeDescriptor[] {
  if (!descriptor) return [];
  const l = descriptor.levels.find((x) => x.id === level);
  if (!l) return [];
  const root = l.parent === null;
  return descriptor.dataTypes.filter((d) => d.scopes.includes(level) || l.dataTypes.includes(d.id) || (root && d.scopes.length > 0));
}

/** The scope a type needs that the key lacks, or null when the key can read it (or nobody knows yet). */
export function missingScopeOf(dt: DataTypeDescriptor, access: KeyAccess | null): string | null {
  return dt.requiredScope && access?.missingScopes.includes(dt.requiredScope) ? dt.requiredScope : null;
}
