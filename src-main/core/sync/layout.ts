// How a sync keeps a stream: split by groups (HyperStudy: an experiment's events, one file per
// room), so a live room can be read again on its own and finished rooms left alone, or whole.
//
// A stream is split when the data type can be paged at the items of a level just below the
// target (its groups), those items partition the records (a split that is not about people: a
// chat message concerns several participants, but it happened in one room), and the API sends
// the records sorted by their time (the descriptor's sortedByTime): the merged order of a stream's
// groups is then the API's order at the target, by time and (at equal times) by the groups' order
// in the listing.
import type { LevelId, SourceDescriptor, Target } from '../../../src-shared/model';
import type { ExportListings, RecordContext, StreamRef } from '../sources/source';
import type { RawRecord } from './record-store';

export interface Grouping {
  split: string;
  level: LevelId;
}

/** The grouping of a stream, or null when it is kept whole. */
export function groupingFor(descriptor: SourceDescriptor, target: Target, stream: StreamRef): Grouping | null {
  const type = descriptor.dataTypes.find((d) => d.id === stream.type);
  if (!type || !type.timeField || !type.sortedByTime) return null;
  // Only a stream read at the target itself (not one already per item, such as a room's variables).
  if (stream.scope !== target.level) return null;
  const split = descriptor.splits.find((s) => !s.person && levelParent(descriptor, s.level) === target.level && type.scopes.includes(s.level));
  return split ? { split: split.id, level: split.level } : null;
}

function levelParent(descriptor: SourceDescriptor, level: LevelId): LevelId | null {
  return descriptor.levels.find((l) => l.id === level)?.parent ?? null;
}

/** The group of a raw record (null: it names none). */
export function groupOfRecord(contextOf: (type: string, r: RawRecord) => RecordContext, type: string, g: Grouping): (r: RawRecord) => string | null {
  return (r) => contextOf(type, r).groups[g.split] ?? null;
}

/**
 * Each group's place in the merge (ties at equal times): its place in the listing; groups the
 * listing does not name follow in id order, then the records that name no group.
 */
export function groupRanks(listings: ExportListings, g: Grouping, present: Iterable<string | null>): (group: string | null) => number {
  const listed = listings.groups[g.split] ?? [];
  const rank = new Map<string, number>(listed.map((id, i) => [id, i]));
  const unlisted = [...new Set([...present].filter((x): x is string => x !== null && !rank.has(x)))].sort();
  unlisted.forEach((id, i) => rank.set(id, listed.length + i));
  const none = listed.length + unlisted.length;
  return (group) => (group === null ? none : (rank.get(group) ?? none));
}

/** The stream that reads one group of a grouped stream: the group's own item as a target, through the source's planner. */
export function groupTarget(target: Target, g: Grouping, groupId: string): Target {
  return { level: g.level, path: [...target.path, { level: g.level, id: groupId }] };
}
