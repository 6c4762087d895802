// Mirrors the nav store into the window's history, so each place has its own address
// (#/experiment/e1/room/r2/data/events) and the browser's Back, Forward and reload keep the
// researcher's place; the app's own Back and Forward go through the same history.
// Only the hash changes: the page's path and query (and whatever the page keeps in its session
// storage) are left alone, and nothing secret is ever put into the address.
import { hashToLocation, locationToHash, TOP } from './location';
import { currentLocation, moveTo, type NavStore } from '../stores/nav-store';

interface HistoryLike {
  readonly state: unknown;
  pushState(data: unknown, unused: string, url?: string): void;
  replaceState(data: unknown, unused: string, url?: string): void;
  back(): void;
  forward(): void;
}

export interface WindowLike {
  location: { hash: string; pathname: string; search: string };
  history: HistoryLike;
  sessionStorage?: { getItem(k: string): string | null; setItem(k: string, v: string): void };
  addEventListener(type: 'popstate', cb: (e: { state: unknown }) => void): void;
  removeEventListener(type: 'popstate', cb: (e: { state: unknown }) => void): void;
}

const MAX_KEY = 'studydl.nav.max';

/** Our mark on a history entry: its index in the app's history. */
function indexIn(state: unknown): number | null {
  const i = (state as { studydlNav?: unknown } | null)?.studydlNav;
  return typeof i === 'number' && Number.isInteger(i) && i >= 0 ? i : null;
}

/** Starts mirroring; returns the function that stops it. Call once the source's levels are known. */
export function syncWithHistory(nav: NavStore, win: WindowLike): () => void {
  // The source's levels as they are now (a profile of another source changes them).
  const levels = () => nav.getState().levels;
  const url = (hash: string) => `${win.location.pathname}${win.location.search}${hash}`;
  const readMax = () => Number(win.sessionStorage?.getItem(MAX_KEY) ?? 0) || 0;
  const writeMax = (n: number) => {
    try {
      win.sessionStorage?.setItem(MAX_KEY, String(n));
    } catch {
      // storage may be unavailable; Forward then reaches only what this page saw
    }
  };

  // Start where the address says (a reload, a bookmark), at the history index the entry carries.
  const startIndex = indexIn(win.history.state) ?? 0;
  const start = hashToLocation(win.location.hash, levels()) ?? currentLocation(nav.getState());
  nav.setState({ stack: Object.assign([], { [startIndex]: start }), index: startIndex, max: Math.max(startIndex, indexIn(win.history.state) === null ? startIndex : readMax()) });
  win.history.replaceState({ ...(win.history.state as object | null), studydlNav: startIndex }, '', url(locationToHash(start)));

  let applying = false;
  const unsubscribe = nav.subscribe((s, prev) => {
    if (applying) return;
    const loc = currentLocation(s);
    const hash = locationToHash(loc);
    if (s.index === prev.index + 1 && s.max === s.index && s.stack !== prev.stack) {
      win.history.pushState({ studydlNav: s.index }, '', url(hash));
      writeMax(s.max);
    } else if (s.index === prev.index && hash !== locationToHash(currentLocation(prev))) {
      win.history.replaceState({ studydlNav: s.index }, '', url(hash));
    }
  });

  const onPop = (e: { state: unknown }) => {
    const loc = hashToLocation(win.location.hash, levels()) ?? TOP;
    const at = indexIn(e.state);
    applying = true;
    try {
      if (at !== null) {
        moveTo(nav, at, loc);
      } else {
        // An address typed or edited by hand: a new place after the current one.
        const index = nav.getState().index + 1;
        moveTo(nav, index, loc);
        nav.setState({ max: index });
        win.history.replaceState({ studydlNav: index }, '', url(locationToHash(loc)));
        writeMax(index);
      }
    } finally {
      applying = false;
    }
  };
  win.addEventListener('popstate', onPop);
  nav.setState({ driver: { back: () => win.history.back(), forward: () => win.history.forward() } });

  return () => {
    unsubscribe();
    win.removeEventListener('popstate', onPop);
    nav.setState({ driver: undefined });
  };
}
