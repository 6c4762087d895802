// What the app calls an item: its name where the listings loaded so far give one (the level's
// label field), else its id. Also names for ids in data (a participantId or session column),
// looked up among the items of that level within the same root item.
import type { LevelDescriptor, PathStep } from '../../../src-shared/model';
import { itemAt, nameIndexKey, type HierarchyState } from '../stores/hierarchy-store';
import { itemLabel, levelOf, levelOfField } from './levels';

/** Where the names of a level's items are indexed: per root item, except for the root level itself. */
function namesOf(h: NameSources, levels: readonly LevelDescriptor[], path: readonly PathStep[], level: string): Record<string, string> | undefined {
  return h.names[nameIndexKey(levelOf(levels, level)?.parent === null ? undefined : path[0], level)];
}

/** The name of the step at `index` of `path`, if the listings loaded so far know it. */
export function itemName(h: Pick<HierarchyState, 'items' | 'names'>, levels: readonly LevelDescriptor[], path: readonly PathStep[], index: number): string | undefined {
  const step = path[index];
  if (!step) return undefined;
  const item = itemAt(h, path.slice(0, index + 1));
  if (item) {
    const name = itemLabel(item, levelOf(levels, step.level), step.id);
    return name === step.id ? undefined : name;
  }
  return namesOf(h, levels, path, step.level)?.[step.id];
}

/** The names index (what nameForField reads). */
export type NameSources = Pick<HierarchyState, 'names'>;

/** The name of the item a data field names (e.g. a participantId column), if known in this root item. */
export function nameForField(h: NameSources, levels: readonly LevelDescriptor[], path: readonly PathStep[], field: string, value: string): string | undefined {
  const level = levelOfField(levels, field);
  if (!level || !value) return undefined;
  const name = namesOf(h, levels, path, level)?.[value];
  return name === value ? undefined : name;
}
