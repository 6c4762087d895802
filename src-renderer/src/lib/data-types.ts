// Which data types a level offers, and which of them the key cannot read: from the descriptor
// alone (no source names here).
import type { DataTypeDescriptor, KeyAccess, SourceDescriptor } from '../../../src-shared/model';

/**
 * The data types at a level: those the source keeps at that level, and at the top level also
 * those kept only further down (gathered from every room, as variables are), which the core
 * fetches part by part.
 */
export function typesAt(descriptor: SourceDescriptor | null, level: string): DataTypeDescriptor[] {
  if (!descriptor) return [];
  const top = descriptor.levels[0]?.id;
  return descriptor.dataTypes.filter((d) => (d.scopes as readonly string[]).includes(level) || (level === top && d.scopes.length > 0));
}

/** The scope a type needs that the key lacks, or null when the key can read it (or nobody knows yet). */
export function missingScopeOf(dt: DataTypeDescriptor, access: KeyAccess | null): string | null {
  return dt.requiredScope && access?.missingScopes.includes(dt.requiredScope) ? dt.requiredScope : null;
}
