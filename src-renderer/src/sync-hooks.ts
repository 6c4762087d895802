// Hooks for the folders kept up to date (stores/sync-store.ts), beside model-context's.
import { useStore } from 'zustand';
import { useModel } from './model-context';
import { syncModelOf, type SyncModel, type SyncState } from './stores/sync-store';

export function useSyncModel(): SyncModel {
  return syncModelOf(useModel());
}

export const useSync = <T,>(sel: (s: SyncState) => T) => useStore(useSyncModel().store, sel);
