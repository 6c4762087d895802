// The record id field (primary key) per data type, for de-duplication across page boundaries.
import type { DataTypeId, SourceDescriptor } from '../../../../src-shared/model';

export function descriptorIdField(d: SourceDescriptor, type: DataTypeId): string {
  return d.dataTypes.find((x) => x.id === type)?.idField ?? 'id';
}
