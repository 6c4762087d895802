// The hierarchy as loaded so far, normalized and source-agnostic: the items of each level under
// each parent path (one listing each), per-item record counts (levels that declare them), and an
// index of item names by level within each root item, for names where data shows ids.
import { createStore } from 'zustand/vanilla';
import type { ErrorInfo } from '../../../src-shared/errors';
import type { ItemCounts, LevelId, LevelItem, PathStep } from '../../../src-shared/model';
import { pathKey } from '../../../src-shared/target';

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';
export interface ListStatus { status: LoadStatus; error?: ErrorInfo; warnings: string[] }

/** One listing: the items of a level under a parent path, in the server's order. */
export interface ItemList {
  level: LevelId;
  parentPath: PathStep[];
  ids: string[];
  status: ListStatus;
}

export interface HierarchyState {
  /** Listings by listKey(level, parentPath). */
  lists: Record<string, ItemList>;
  /** Items by the key of their full path (pathKey of parentPath + the item's own step). */
  items: Record<string, LevelItem>;
  /** Record counts by the key of the item's path (levels with `counts`). */
  counts: Record<string, ItemCounts | 'loading' | 'error'>;
  /** Item names by nameIndexKey(root step, level), then by item id: every listing of that level under that root feeds it. */
  names: Record<string, Record<string, string>>;
}

export const listKey = (level: LevelId, parentPath: readonly PathStep[]) => `${level}\u0001${pathKey(parentPath)}`;
export const itemKey = (path: readonly PathStep[]) => pathKey(path);
export const nameIndexKey = (root: PathStep | undefined, level: LevelId) => `${root ? pathKey([root]) : ''}\u0001${level}`;

export const IDLE: ListStatus = { status: 'idle', warnings: [] };

/** The items of a listing, in order (an empty list until it has loaded). */
export function listItems(h: HierarchyState, level: LevelId, parentPath: readonly PathStep[]): LevelItem[] {
  const list = h.lists[listKey(level, parentPath)];
  if (!list) return [];
  return list.ids.map((id) => h.items[itemKey([...parentPath, { level, id }])]).filter((x): x is LevelItem => !!x);
}

export function listStatus(h: HierarchyState, level: LevelId, parentPath: readonly PathStep[]): ListStatus {
  return h.lists[listKey(level, parentPath)]?.status ?? IDLE;
}

/** The item a path names, if a listing of its level under its parent has been loaded. */
export function itemAt(h: Pick<HierarchyState, 'items'>, path: readonly PathStep[]): LevelItem | undefined {
  return path.length ? h.items[itemKey(path)] : undefined;
}

export const createHierarchyStore = () =>
  createStore<HierarchyState>()(() => ({ lists: {}, items: {}, counts: {}, names: {} }));

export type HierarchyStore = ReturnType<typeof createHierarchyStore>;
