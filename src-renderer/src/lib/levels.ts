// A source's hierarchy as the renderer reads it: a tree of levels through `parent` and `children`
// (one root or several; one child level or several), and how an item of a level is named. Drawn
// from the descriptor alone: nothing here knows a source by name.
import type { ColumnDescriptor, DataTypeDescriptor, LevelDescriptor, LevelId, LevelItem, PathStep, SourceDescriptor } from '../../../src-shared/model';
import { typesAt } from './data-types';

/** What the tree needs of a level (a LevelDescriptor has it). */
export type LevelShape = Pick<LevelDescriptor, 'id' | 'parent' | 'children'>;

export const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
/** A label inside a sentence: "Personal access token" → "personal access token"; acronyms stay ("API key"). */
export const lowerFirst = (s: string) => (/^[A-Z]{2}/.test(s) ? s : s.charAt(0).toLowerCase() + s.slice(1));

export function levelOf<L extends LevelShape>(levels: readonly L[], id: LevelId | undefined): L | undefined {
  return id === undefined ? undefined : levels.find((l) => l.id === id);
}

/** The levels listed below an item of `level`; below the top (null), the root levels. */
export function childLevelsOf(levels: readonly LevelShape[], level: LevelId | null): LevelId[] {
  if (level === null) return levels.filter((l) => l.parent === null).map((l) => l.id);
  return (levelOf(levels, level)?.children ?? []).filter((c) => levels.some((l) => l.id === c));
}

/** A level whose items list nothing below them: their place is their data. */
export function isLeaf(levels: readonly LevelShape[], level: LevelId): boolean {
  return childLevelsOf(levels, level).length === 0;
}

/** True when the path runs from a root level down, each step's level a child of the one before. */
export function followsTree(levels: readonly LevelShape[], path: readonly PathStep[]): boolean {
  return path.every((step, i) => childLevelsOf(levels, i === 0 ? null : path[i - 1].level).includes(step.level));
}

/** An item of this level opens (a click goes somewhere): it lists levels below it, or has data to show. */
export function opens(descriptor: SourceDescriptor, level: LevelId): boolean {
  return !isLeaf(descriptor.levels, level) || typesAt(descriptor, level).length > 0;
}

/** What an item is called: its level's label field, else the label the listing gave, else its id. */
export function itemLabel(item: LevelItem | undefined, level: Pick<LevelDescriptor, 'labelField'> | undefined, id: string): string {
  const named = level && item ? item[level.labelField] : undefined;
  if (typeof named === 'string' && named.trim()) return named;
  if (typeof named === 'number') return String(named);
  if (item && typeof item.label === 'string' && item.label.trim()) return item.label;
  return id;
}

/**
 * A view's or dialog's name for an item: a root item by its name alone in views, with its
 * level's word and quotes in titles ("Experiment “Emotion Study”"); below the root the level's
 * word and the name ("Room Session 1").
 */
export function itemTitle(level: Pick<LevelDescriptor, 'singular' | 'parent'> | undefined, name: string, forDialog = false): string {
  if (!level) return name;
  if (level.parent === null) return forDialog ? `${cap(level.singular)} “${name}”` : name;
  return `${cap(level.singular)} ${name}`;
}

/**
 * The level a data field names, if any: a column keyed by a level's id, or by its id with "Id"
 * or "_id" after it (participantId, session, subject_id), holds an item of that level.
 */
export function levelOfField(levels: readonly LevelShape[], key: string): LevelId | undefined {
  const base = /^(.+?)(?:Id|_id)?$/.exec(key)?.[1] ?? key;
  return levels.find((l) => l.id === key || l.id === base)?.id;
}

/** The level whose items are people (a split that names folders after people), if the source has one. */
export function personLevel(descriptor: SourceDescriptor | null): LevelDescriptor | undefined {
  const split = descriptor?.splits.find((s) => s.person);
  return split ? levelOf(descriptor!.levels, split.level) : undefined;
}

/** What one downloadable file of a data type is called ("recording", "image"); "file" when the source does not say. */
export function mediaNoun(dt: Pick<DataTypeDescriptor, 'mediaNoun'> | undefined): string {
  return dt?.mediaNoun ?? 'file';
}

/** The columns of an item's facts line: shown by default, not its name, id or nested values. */
export function factColumns(level: LevelDescriptor | undefined, max = 5): ColumnDescriptor[] {
  if (!level) return [];
  return level.columns.filter((c) => c.defaultVisible && c.key !== level.labelField && c.key !== 'id' && c.kind !== 'json').slice(0, max);
}
