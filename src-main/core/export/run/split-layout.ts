// From a source's split (SplitDescriptor) and its record context to the writer's SplitLayout: the
// folders, and which group a record goes to. A split by people reads the record as written (its
// person ids are already pseudonym codes, like the folder names); any other split reads the record
// as fetched (a room id may contain a participant id that pseudonymization rewrites).
import { StudyError } from '../../../../src-shared/errors';
import type { SourceDescriptor, SplitDescriptor } from '../../../../src-shared/model';
import type { RecordContext } from '../../sources/source';
import type { TableId } from '../format/columns';
import type { SplitLayout } from '../format/type-writer';

export type ContextOf = (type: TableId, record: Record<string, unknown>) => RecordContext;

export function splitDescriptor(d: SourceDescriptor, split: string): SplitDescriptor {
  const found = d.splits.find((s) => s.id === split);
  if (!found) throw new StudyError({ code: 'INVALID_ARGUMENT', message: `${d.label} cannot split files by "${split}".`, fix: `Use one of: none, ${d.splits.map((s) => s.id).join(', ')}.` });
  return found;
}

/** The layout of `type`'s files for a split mode ("none": one file). */
export function splitLayout(d: SourceDescriptor, split: string, type: TableId, contextOf: ContextOf): 'none' | SplitLayout {
  if (split === 'none') return 'none';
  const s = splitDescriptor(d, split);
  return {
    id: s.id,
    folder: s.folder,
    noneFolder: s.noneFolder,
    field: `${s.id}Id`,
    groupOf: s.person ? (_raw, written) => contextOf(type, written).groups[s.id] ?? null : (raw) => contextOf(type, raw).groups[s.id] ?? null,
  };
}
