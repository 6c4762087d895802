// Where the researcher is: a history of places with back/forward, like a browser. In a window
// (browser mode and Electron alike) lib/history-sync mirrors it into the window's history, so
// the browser's Back, Forward and reload keep the place. Places are source-agnostic (lib/location).
import { createStore } from 'zustand/vanilla';
import type { LevelShape } from '../lib/levels';
import { TOP, normalize, parentOf, sameLocation, type Location } from '../lib/location';

export type { Location } from '../lib/location';

export interface NavState {
  /** Places by history index; after a reload only the current one is known until visited. */
  stack: Array<Location | undefined>;
  index: number;
  /** The last index Forward can reach. */
  max: number;
  /** The source's levels as a tree (set once the source is described, again when it changes). */
  levels: readonly LevelShape[];
  /** The window's history, when it drives Back and Forward (lib/history-sync). */
  driver?: { back(): void; forward(): void };
}

export const createNavStore = () => createStore<NavState>()(() => ({ stack: [TOP], index: 0, max: 0, levels: [] }));
export type NavStore = ReturnType<typeof createNavStore>;

export const currentLocation = (s: NavState): Location => s.stack[s.index] ?? TOP;
export const canGoBack = (s: NavState) => s.index > 0;
export const canGoForward = (s: NavState) => s.index < s.max;

export function setLevels(nav: NavStore, levels: readonly LevelShape[]): void {
  nav.setState({ levels: levels.map((l) => ({ id: l.id, parent: l.parent, children: [...l.children] })) });
}

export function navigate(nav: NavStore, to: Location): void {
  nav.setState((s) => {
    const target = normalize(to, s.levels);
    if (sameLocation(currentLocation(s), target)) return s;
    const index = s.index + 1;
    const stack = [...s.stack.slice(0, index), target];
    return { stack, index, max: index };
  });
}

/** Changes the current entry without adding history (e.g. switching tabs). */
export function replaceLocation(nav: NavStore, to: Location): void {
  nav.setState((s) => {
    const stack = [...s.stack];
    stack[s.index] = normalize(to, s.levels);
    return { stack };
  });
}

/** Moves to history entry `index`, at `loc` (which the window's address named). */
export function moveTo(nav: NavStore, index: number, loc: Location): void {
  nav.setState((s) => {
    const stack = [...s.stack];
    stack[index] = normalize(loc, s.levels);
    return { stack, index, max: Math.max(s.max, index) };
  });
}

export function goBack(nav: NavStore): void {
  const s = nav.getState();
  if (s.index <= 0) return;
  if (s.driver) s.driver.back();
  else nav.setState({ index: s.index - 1 });
}

export function goForward(nav: NavStore): void {
  const s = nav.getState();
  if (s.index >= s.max) return;
  if (s.driver) s.driver.forward();
  else nav.setState({ index: s.index + 1 });
}

export function goUp(nav: NavStore): void {
  const s = nav.getState();
  const parent = parentOf(currentLocation(s), s.levels);
  if (parent) navigate(nav, parent);
}

/** Back to the top (e.g. after switching profile: the old places no longer apply). */
export function resetNav(nav: NavStore): void {
  navigate(nav, TOP);
}
