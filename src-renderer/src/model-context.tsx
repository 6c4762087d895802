// Hands the app model to components; hooks read its vanilla stores with selectors.
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { AppModel } from './stores/app-model';
import { createAppStore, type AppState } from './stores/app-store';
import type { HierarchyState } from './stores/hierarchy-store';
import type { JobsState, ProgressState } from './stores/jobs-store';
import type { NavState } from './stores/nav-store';
import type { UiState } from './stores/ui-store';

export const ModelContext = createContext<AppModel | null>(null);

export function useModel(): AppModel {
  const m = useContext(ModelContext);
  if (!m) throw new Error('ModelContext missing');
  return m;
}

export const useApp = <T,>(sel: (s: AppState) => T) => useStore(useModel().app, sel);
/** An empty app state, for what may render before the model exists (a boot error). */
const NO_APP = createAppStore();
/** useApp for components that may render outside the model (e.g. an error before start-up): the empty state then. */
export const useAppIfAny = <T,>(sel: (s: AppState) => T) => useStore(useContext(ModelContext)?.app ?? NO_APP, sel);
export const useHierarchy = <T,>(sel: (s: HierarchyState) => T) => useStore(useModel().hierarchy, sel);
export const useJobs = <T,>(sel: (s: JobsState) => T) => useStore(useModel().jobs, sel);
export const useProgress = <T,>(sel: (s: ProgressState) => T) => useStore(useModel().progress, sel);
export const useNav = <T,>(sel: (s: NavState) => T) => useStore(useModel().nav, sel);
export const useUi = <T,>(sel: (s: UiState) => T) => useStore(useModel().ui, sel);
