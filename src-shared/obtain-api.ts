// How the renderer gets its `api` at start-up (the same bundle serves both modes):
//   - Electron: the preload has put `window.api` on the page → use it.
//   - Browser mode: take the per-run token from the launch link's fragment (#token=…), keep it in
//     sessionStorage (per origin, i.e. per port, and per tab: a reload still works) and remove
//     it from the address bar; connect the WebSocket bridge offering it as a subprotocol; route
//     download links through one-time tickets; build the same Api.
// The token is never put in a cookie or a URL the browser sends, so no other server receives it.
import { createApi, withApiErrors, type Transport } from './api-client';
import type { Api } from './contract';
import { routeDownloadLinks, type DocumentLike } from './download-links';
import { connectWebSocketTransport, missingToken, webSocketUrlFor, type WsTransportOptions } from './ws-client';
import { LAUNCH_TOKEN_PARAM } from './ws-protocol';

export interface ObtainApiOptions {
  /** Reports the browser-mode link to the local server, e.g. for a "reconnecting…" banner. */
  onLinkChange?: WsTransportOptions['onLinkChange'];
}

export type ApiMode = 'electron' | 'browser';

/** Where the page keeps the token between reloads. */
export const TOKEN_STORAGE_KEY = 'studydl.token';

interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}
interface PageLocation {
  protocol: string;
  host: string;
  origin: string;
  pathname: string;
  search: string;
  hash: string;
}
export interface PageLike {
  location: PageLocation;
  history?: { replaceState(data: unknown, unused: string, url?: string): void };
  sessionStorage?: StorageLike;
}

function storageOf(page: PageLike): StorageLike | null {
  try {
    return page.sessionStorage ?? null; // reading it throws where storage is blocked
  } catch {
    return null;
  }
}

/**
 * The browser-mode token: from the launch link's `#token=` (stored in sessionStorage and removed
 * from the address bar), else the one stored by an earlier load of this tab (a reload), else null.
 */
export function takeLaunchToken(page: PageLike): string | null {
  const storage = storageOf(page);
  const fragment = new URLSearchParams(page.location.hash.replace(/^#/, ''));
  const fromLink = fragment.get(LAUNCH_TOKEN_PARAM);
  if (fromLink) {
    try {
      storage?.setItem(TOKEN_STORAGE_KEY, fromLink);
    } catch {
      // storage full or blocked: this load still works, a reload will ask for the link again
    }
    fragment.delete(LAUNCH_TOKEN_PARAM);
    const rest = fragment.toString();
    page.history?.replaceState(null, '', `${page.location.pathname}${page.location.search}${rest ? `#${rest}` : ''}`);
    return fromLink;
  }
  try {
    return storage?.getItem(TOKEN_STORAGE_KEY) || null;
  } catch {
    return null;
  }
}

export async function obtainApi(opts: ObtainApiOptions = {}): Promise<{ api: Api; mode: ApiMode; transport?: Transport }> {
  const g = globalThis as unknown as PageLike & { api?: Api; document?: DocumentLike };
  if (g.api && typeof g.api.on === 'function') return { api: withApiErrors(g.api), mode: 'electron' };
  if (!g.location) throw new Error('obtainApi() runs only in a page (window.api or a location is needed).');
  const token = takeLaunchToken(g);
  if (!token) throw missingToken();
  const transport = await connectWebSocketTransport({ url: webSocketUrlFor(g.location), token, onLinkChange: opts.onLinkChange });
  if (g.document) routeDownloadLinks(g.document, g.location.origin, transport);
  return { api: createApi(transport), mode: 'browser', transport };
}
