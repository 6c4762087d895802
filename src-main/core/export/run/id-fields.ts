// The record id field per data type (for de-duplication across page boundaries).
import type { DataTypeId } from '../../../../src-shared/model';
import { dataTypeDescriptor } from '../../sources/hyperstudy/descriptors';

export function descriptorIdField(type: DataTypeId): string {
  try {
    return dataTypeDescriptor(type).idField;
  } catch {
    return 'id';
  }
}
