// Table layouts (visible columns in order, sort, filters, widths) remembered per data type and
// source, across tabs and restarts. The core keeps them (getViewState / setViewState); this store
// holds them for the page and saves changes a moment after the last one.
import { createStore } from 'zustand/vanilla';
import type { TableViewState } from '../../../src-shared/model';

export type TableViewsState = Record<string, TableViewState>;

export const createTableViewsStore = () => createStore<TableViewsState>()(() => ({}));
export type TableViewsStore = ReturnType<typeof createTableViewsStore>;

/** The key of a table's layout: the source, then what the table lists (a data type or a level). */
export const tableKey = (sourceId: string, kind: 'type' | 'level', id: string) => `${sourceId}:${kind}:${id}`;

/** Updates one layout and schedules its save (debounced per key). */
export function createTableViewSaver(store: TableViewsStore, save: (key: string, value: TableViewState | null) => Promise<void>, delayMs = 400) {
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const send = (key: string) => void save(key, store.getState()[key] ?? null).catch(() => undefined);
  return {
    /** Saves every change still waiting (the page is going away). */
    flush(): void {
      for (const [key, t] of timers) {
        clearTimeout(t);
        send(key);
      }
      timers.clear();
    },
    update(key: string, patch: Partial<TableViewState> | null): void {
      store.setState((s) => {
        const next = { ...s };
        if (patch === null) delete next[key];
        else next[key] = { ...s[key], ...patch };
        return next;
      }, true);
      clearTimeout(timers.get(key));
      timers.set(key, setTimeout(() => {
        timers.delete(key);
        send(key);
      }, delayMs));
    },
  };
}
