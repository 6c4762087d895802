// Places as (level, id) paths, their addresses, and the window history that mirrors them.
import { describe, expect, it } from 'vitest';
import { hashToLocation, locationToHash, normalize, parentOf, pathOf, targetOf, type Location } from '../../../src-renderer/src/lib/location';
import { syncWithHistory, type WindowLike } from '../../../src-renderer/src/lib/history-sync';
import { createNavStore, currentLocation, goBack, navigate, replaceLocation, setLevels } from '../../../src-renderer/src/stores/nav-store';
import { axisFor, nearestPoint } from '../../../src-renderer/src/lib/plot-data';
import { missingScopeOf, typesAt } from '../../../src-renderer/src/lib/data-types';
import { sourceDescriptor } from '../../../src-main/core/sources/registry';
import { hsTarget } from '../../hs-paths';

const hyperstudySource = sourceDescriptor('hyperstudy');

/** HyperStudy's levels as a tree (experiment → room → participant), as the nav store keeps them. */
const LEVELS = hyperstudySource.levels;
const e1 = { level: 'experiment', id: 'exp/1 é' };
const r1 = { level: 'room', id: 'room_..:x' };
const p1 = { level: 'participant', id: 'usr 7' };

describe('places and their addresses', () => {
  it('round-trips any id, with or without a data tab', () => {
    for (const loc of [{ path: [] }, { path: [e1] }, { path: [e1, r1] }, { path: [e1], data: true, tab: 'variables' }, { path: [e1, r1, p1], data: true }] as Location[]) {
      expect(hashToLocation(locationToHash(loc), LEVELS)).toEqual(loc);
    }
    expect(locationToHash({ path: [e1, r1], data: true, tab: 'events' })).toBe('#/experiment/exp%2F1%20%C3%A9/room/room_..%3Ax/data/events');
  });
  it('refuses addresses that do not follow the levels from the top', () => {
    expect(hashToLocation('#/room/r1', LEVELS)).toBeNull();
    expect(hashToLocation('#/experiment', LEVELS)).toBeNull();
    expect(hashToLocation('#/data/events', LEVELS)).toBeNull();
    expect(hashToLocation('#/experiment/e/data/events/extra', LEVELS)).toBeNull();
    expect(hashToLocation('#/experiment/%E0%A4%A', LEVELS)).toBeNull();
    expect(hashToLocation('', LEVELS)).toEqual({ path: [] });
  });
  it('a leaf is always its data; up from it is its parent list', () => {
    expect(normalize({ path: [e1, r1, p1] }, LEVELS)).toEqual({ path: [e1, r1, p1], data: true });
    expect(parentOf({ path: [e1, r1, p1], data: true }, LEVELS)).toEqual({ path: [e1, r1] });
    expect(parentOf({ path: [e1, r1], data: true }, LEVELS)).toEqual({ path: [e1, r1] });
    expect(parentOf({ path: [e1] }, LEVELS)).toEqual({ path: [] });
    expect(parentOf({ path: [] }, LEVELS)).toBeNull();
  });
  it('turns a place into the contract target and back', () => {
    const t = targetOf({ path: [e1, r1, p1], data: true });
    expect(t).toEqual(hsTarget(e1.id, r1.id, p1.id));
    expect(pathOf(t)).toEqual([e1, r1, p1]);
  });
});

/** A window whose history behaves like a browser's (entries, index, popstate on back/forward). */
function fakeWindow(initialHash = '#/') {
  const entries: Array<{ state: unknown; url: string }> = [{ state: null, url: `/index.html?x=1${initialHash}` }];
  let index = 0;
  const listeners = new Set<(e: { state: unknown }) => void>();
  const location = { pathname: '/index.html', search: '?x=1', hash: initialHash };
  const setUrl = (url: string) => { location.hash = url.slice(url.indexOf('#')); };
  const go = (d: number) => {
    index = Math.max(0, Math.min(entries.length - 1, index + d));
    setUrl(entries[index].url);
    for (const l of listeners) l({ state: entries[index].state });
  };
  const win: WindowLike & { entries: typeof entries; at: () => number; reload: () => WindowLike } = {
    location,
    history: {
      get state() { return entries[index].state; },
      pushState(state, _u, url) { entries.splice(index + 1); entries.push({ state, url: url! }); index++; setUrl(url!); },
      replaceState(state, _u, url) { entries[index] = { state, url: url! }; setUrl(url!); },
      back: () => go(-1),
      forward: () => go(1),
    },
    sessionStorage: (() => { const m = new Map<string, string>(); return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) }; })(),
    addEventListener: (_t, cb) => void listeners.add(cb),
    removeEventListener: (_t, cb) => void listeners.delete(cb),
    entries,
    at: () => index,
    reload: () => { listeners.clear(); return win; },
  };
  return win;
}

describe('history sync', () => {
  it('pushes places, replaces tabs, and follows the browser back and forward', () => {
    const win = fakeWindow();
    const nav = createNavStore();
    setLevels(nav, LEVELS);
    const stop = syncWithHistory(nav, win);
    navigate(nav, { path: [e1] });
    navigate(nav, { path: [e1, r1], data: true, tab: 'events' });
    replaceLocation(nav, { path: [e1, r1], data: true, tab: 'chat' });
    expect(win.entries.map((e) => e.url.split('#')[1])).toEqual(['/', `/experiment/${encodeURIComponent(e1.id)}`, `/experiment/${encodeURIComponent(e1.id)}/room/${encodeURIComponent(r1.id)}/data/chat`]);
    expect(win.entries.every((e) => e.url.startsWith('/index.html?x=1#'))).toBe(true); // path and query untouched
    goBack(nav); // the app's Back goes through the window's history
    expect(currentLocation(nav.getState())).toEqual({ path: [e1] });
    win.history.back(); // the browser's Back
    expect(currentLocation(nav.getState())).toEqual({ path: [] });
    win.history.forward();
    win.history.forward();
    expect(currentLocation(nav.getState())).toEqual({ path: [e1, r1], data: true, tab: 'chat' });
    stop();

    // Reload: the address and the entry's index bring the place back, Back still works.
    const nav2 = createNavStore();
    setLevels(nav2, LEVELS);
    syncWithHistory(nav2, win.reload());
    expect(currentLocation(nav2.getState())).toEqual({ path: [e1, r1], data: true, tab: 'chat' });
    expect(nav2.getState().index).toBe(2);
    goBack(nav2);
    expect(currentLocation(nav2.getState())).toEqual({ path: [e1] });
  });
});

describe('plot and data-type helpers', () => {
  it('puts time axes in seconds and finds the nearest point', () => {
    expect(axisFor({ key: 'onset', label: 'Onset (ms)', kind: 'number', defaultVisible: true }, 'onset')).toEqual({ label: 'Onset (s)', divide: 1000 });
    expect(axisFor({ key: 'x', label: 'Gaze X', kind: 'number', defaultVisible: true }, 'x')).toEqual({ label: 'Gaze X', divide: 1 });
    const pts: Array<[number, number]> = [[0, 1], [1, 2], [3, 4], [10, 5]];
    expect(nearestPoint(pts, 2.2)).toEqual([3, 4]);
    expect(nearestPoint(pts, -5)).toEqual([0, 1]);
    expect(nearestPoint(pts, 99)).toEqual([10, 5]);
    expect(nearestPoint([], 1)).toBeNull();
  });
  it('offers data kept per room at the top level, and names the scope a key lacks', () => {
    expect(typesAt(hyperstudySource, 'experiment').map((d) => d.id)).toContain('variables');
    expect(typesAt(hyperstudySource, 'participant').map((d) => d.id)).not.toContain('variables');
    const chat = hyperstudySource.dataTypes.find((d) => d.id === 'chat')!;
    expect(missingScopeOf(chat, { known: true, missingScopes: ['read:chat'] })).toBe('read:chat');
    expect(missingScopeOf(chat, null)).toBeNull();
  });
});
