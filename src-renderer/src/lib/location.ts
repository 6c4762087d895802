// Where the researcher is, in words any source can use: a path of (level, item) steps from the
// top of the hierarchy, which of the item's child levels is listed (when it has several), and
// optionally the data view of the last step with one tab selected.
//   { path: [] }                                      the top list (the root level's items)
//   { path: [{ level: 'experiment', id: 'e1' }] }     e1's page, listing its (first) child level
//   { path: [{ level: 'project', id: 'p1' }], list: 'subject' }   p1's page, listing its subjects
//   { path: [...], data: true, tab: 'events' }        the data of the last step, on one tab
// A leaf level (one with no child levels) always shows its data. Each place has its own address:
//   #/experiment/e1/room/r2/data/events       #/project/p1/subject
// The levels come from the source's descriptor (lib/levels): a path must follow its tree.
import type { PathStep, Target } from '../../../src-shared/model';
import { pathIdAt, targetAt } from '../../../src-shared/target';
import { childLevelsOf, isLeaf, type LevelShape } from './levels';

export type { PathStep } from '../../../src-shared/model';

export interface Location {
  path: PathStep[];
  /** The child level listed on the last step's page (the top's root level), when there are several; absent: the first. */
  list?: string;
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
  } else if (loc.list) {
    parts.push(encodeURIComponent(loc.list));
  }
  return `#/${parts.join('/')}`;
}

/**
 * The place an address names, or null when it does not follow the source's levels from the top
 * (each step's level a child of the one before).
 */
export function hashToLocation(hash: string, levels: readonly LevelShape[]): Location | null {
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
  const loc: Location = { path };
  while (i < parts.length && parts[i] !== DATA) {
    const level = parts[i];
    const id = parts[i + 1];
    const children = childLevelsOf(levels, path.at(-1)?.level ?? null);
    if (!children.includes(level)) return null;
    if (id === undefined) {
      // A child level alone at the end: the one listed on a page that lists several.
      if (children.length < 2) return null;
      loc.list = level;
      i += 1;
      break;
    }
    if (id === '') return null;
    path.push({ level, id });
    i += 2;
  }
  if (parts[i] === DATA) {
    if (path.length === 0 || loc.list) return null;
    loc.data = true;
    if (parts[i + 1]) loc.tab = parts[i + 1];
    if (parts.length > i + 2) return null;
  } else if (i < parts.length) {
    return null;
  }
  return normalize(loc, levels);
}

/**
 * One address per place: a leaf level has no list of children, so its place is always its data;
 * the listed child level is named only when it is not the first.
 */
export function normalize(loc: Location, levels: readonly LevelShape[]): Location {
  const last = loc.path.at(-1);
  if (last && isLeaf(levels, last.level)) {
    const { list: _list, ...rest } = loc;
    return loc.data ? rest : { ...rest, data: true };
  }
  if (loc.list !== undefined) {
    const children = childLevelsOf(levels, last?.level ?? null);
    if (loc.data || !children.includes(loc.list) || children[0] === loc.list) {
      const { list: _list, ...rest } = loc;
      return rest;
    }
  }
  return loc;
}

/**
 * The place one step up: data → its item's page (for a leaf, the list it is in), a page → the
 * list its item is in on its parent's page.
 */
export function parentOf(loc: Location, levels: readonly LevelShape[]): Location | null {
  if (loc.path.length === 0) return null;
  const last = loc.path.at(-1)!;
  if (loc.data && !isLeaf(levels, last.level)) return { path: loc.path };
  return normalize({ path: loc.path.slice(0, -1), list: last.level }, levels);
}

/** The page of step `index` of a path, listing the level the path goes on to (breadcrumbs). */
export function pageOf(path: readonly PathStep[], index: number, levels: readonly LevelShape[]): Location {
  return normalize({ path: path.slice(0, index + 1), ...(path[index + 1] ? { list: path[index + 1].level } : {}) }, levels);
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
