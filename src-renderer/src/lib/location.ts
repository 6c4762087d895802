// Where the researcher is, in words any source can use: a path of (level, item) steps from the
// top of the hierarchy, and optionally the data view of the last step with one tab selected.
//   { path: [] }                                      the top list (e.g. experiments)
//   { path: [{ level: 'experiment', id: 'e1' }] }     e1's children (its rooms)
//   { path: [...], data: true, tab: 'events' }        the data of the last step, on one tab
// A leaf level (one with no children) always shows its data. Each place has its own address:
//   #/experiment/e1/room/r2/data/events
import type { PathStep, Target } from '../../../src-shared/model';
import { pathIdAt, targetAt } from '../../../src-shared/target';

export type { PathStep } from '../../../src-shared/model';

export interface Location {
  path: PathStep[];
  /** The data of the last step (tabs of data types) rather than the list of its children. */
  data?: boolean;
  /** The selected data tab, by data type id. */
  tab?: string;
}

export const TOP: Location = { path: [] };

/** The reserved path word before the data tab (level ids come from the source and never use it). */
const DATA = 'data';

export function sameLocation(a: Location, b: Location): boolean {
  return locationToHash(a) === locationToHash(b);
}

/** "#/experiment/e1/room/r2/data/events"; ids are URI-encoded, so any id round-trips. */
export function locationToHash(loc: Location): string {
  const parts = loc.path.flatMap((s) => [encodeURIComponent(s.level), encodeURIComponent(s.id)]);
  if (loc.data) {
    parts.push(DATA);
    if (loc.tab) parts.push(encodeURIComponent(loc.tab));
  }
  return `#/${parts.join('/')}`;
}

/**
 * The place an address names, or null when it does not name one of these levels in order.
 * `levels` are the source's level ids, top first; a path must follow them from the top.
 */
export function hashToLocation(hash: string, levels: readonly string[]): Location | null {
  const body = hash.replace(/^#\/?/, '');
  if (body === '') return TOP;
  let parts: string[];
  try {
    parts = body.split('/').map(decodeURIComponent);
  } catch {
    return null;
  }
  const path: PathStep[] = [];
  let i = 0;
  while (i < parts.length && parts[i] !== DATA) {
    const level = parts[i];
    const id = parts[i + 1];
    if (level !== levels[path.length] || id === undefined || id === '') return null;
    path.push({ level, id });
    i += 2;
  }
  const loc: Location = { path };
  if (parts[i] === DATA) {
    if (path.length === 0) return null;
    loc.data = true;
    if (parts[i + 1]) loc.tab = parts[i + 1];
    if (parts.length > i + 2) return null;
  }
  return normalize(loc, levels);
}

/** A leaf level has no list of children: its place is always its data. */
export function normalize(loc: Location, levels: readonly string[]): Location {
  const last = loc.path.at(-1);
  if (last && levels.indexOf(last.level) === levels.length - 1 && !loc.data) return { ...loc, data: true };
  return loc;
}

/** The place one step up: data → its level's list (or, for a leaf, the parent's list), a list → the parent's list. */
export function parentOf(loc: Location, levels: readonly string[]): Location | null {
  if (loc.path.length === 0) return null;
  const last = loc.path.at(-1)!;
  const isLeaf = levels.indexOf(last.level) === levels.length - 1;
  if (loc.data && !isLeaf) return { path: loc.path };
  return { path: loc.path.slice(0, -1) };
}

/** The contract's Target for a place: the last step's level and the path down to it. */
export function targetOf(loc: Location): Target {
  if (!loc.path.length) throw new Error('The top list has no target.');
  return targetAt(loc.path);
}

/** A place's path from a Target (the inverse of targetOf). */
export function pathOf(target: Target): PathStep[] {
  return target.path.map((s) => ({ level: s.level, id: s.id }));
}

/** The id of the step at `level` in a path, if the path goes through it. */
export function idAt(path: readonly PathStep[], level: string): string | undefined {
  return pathIdAt(path, level);
}
