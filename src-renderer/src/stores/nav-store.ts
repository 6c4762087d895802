// Where the researcher is: a history stack of locations with back/forward, like a browser.
import { createStore } from 'zustand/vanilla';
import type { DataTypeId } from '../../../src-shared/model';
import type { UiTarget as Target } from '../lib/ui-target';

export type Location =
  | { view: 'experiments' }
  | { view: 'rooms'; experimentId: string }
  | { view: 'participants'; experimentId: string; roomId: string }
  | { view: 'data'; target: Target; tab?: DataTypeId };

export interface NavState {
  stack: Location[];
  index: number;
}

export const createNavStore = () => createStore<NavState>()(() => ({ stack: [{ view: 'experiments' }], index: 0 }));
export type NavStore = ReturnType<typeof createNavStore>;

export const currentLocation = (s: NavState): Location => s.stack[s.index];
export const canGoBack = (s: NavState) => s.index > 0;
export const canGoForward = (s: NavState) => s.index < s.stack.length - 1;

function sameLocation(a: Location, b: Location): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function navigate(nav: NavStore, to: Location): void {
  nav.setState((s) => {
    if (sameLocation(s.stack[s.index], to)) return s;
    const stack = [...s.stack.slice(0, s.index + 1), to].slice(-100);
    return { stack, index: stack.length - 1 };
  });
}

/** Changes the current entry without adding history (e.g. switching tabs). */
export function replaceLocation(nav: NavStore, to: Location): void {
  nav.setState((s) => {
    const stack = [...s.stack];
    stack[s.index] = to;
    return { stack };
  });
}

export function goBack(nav: NavStore): void {
  nav.setState((s) => (s.index > 0 ? { index: s.index - 1 } : s));
}

export function goForward(nav: NavStore): void {
  nav.setState((s) => (s.index < s.stack.length - 1 ? { index: s.index + 1 } : s));
}

/** The parent of a location: data → participants (or rooms), participants → rooms, rooms → experiments. */
export function parentOf(loc: Location): Location | null {
  switch (loc.view) {
    case 'experiments':
      return null;
    case 'rooms':
      return { view: 'experiments' };
    case 'participants':
      return { view: 'rooms', experimentId: loc.experimentId };
    case 'data': {
      const t = loc.target;
      if (t.roomId) return { view: 'participants', experimentId: t.experimentId, roomId: t.roomId };
      return { view: 'rooms', experimentId: t.experimentId };
    }
  }
}

export function goUp(nav: NavStore): void {
  const parent = parentOf(currentLocation(nav.getState()));
  if (parent) navigate(nav, parent);
}

/** Resets history (e.g. after switching profile: the old experiments no longer apply). */
export function resetNav(nav: NavStore): void {
  nav.setState({ stack: [{ view: 'experiments' }], index: 0 });
}
