// How the renderer gets its `api` at start-up (the same bundle serves both modes):
//   - Electron: the preload has put `window.api` on the page → use it.
//   - Browser mode: read `?token=` from the address (the server also set a session
//     cookie on that first load), connect the WebSocket bridge, and build the same Api.
import { createApi, withApiErrors, type Transport } from './api-client';
import type { Api } from './contract';
import { connectWebSocketTransport, webSocketUrlFor, type WsTransportOptions } from './ws-client';

export interface ObtainApiOptions {
  /** Reports the browser-mode link to the local server, e.g. for a "reconnecting…" banner. */
  onLinkChange?: WsTransportOptions['onLinkChange'];
  /** Remove ?token= from the address bar once read (the cookie keeps the session). Default true. */
  scrubTokenFromUrl?: boolean;
}

export type ApiMode = 'electron' | 'browser';

export async function obtainApi(opts: ObtainApiOptions = {}): Promise<{ api: Api; mode: ApiMode; transport?: Transport }> {
  const g = globalThis as unknown as {
    api?: Api;
    location?: { protocol: string; host: string; search: string; pathname: string; hash: string };
    history?: { replaceState(data: unknown, unused: string, url?: string): void };
  };
  if (g.api && typeof g.api.on === 'function') return { api: withApiErrors(g.api), mode: 'electron' };
  if (!g.location) throw new Error('obtainApi() runs only in a page (window.api or a location is needed).');
  const params = new URLSearchParams(g.location.search);
  const token = params.get('token');
  const transport = await connectWebSocketTransport({ url: webSocketUrlFor(g.location), token, onLinkChange: opts.onLinkChange });
  if (token && (opts.scrubTokenFromUrl ?? true) && g.history) {
    params.delete('token');
    const rest = params.toString();
    g.history.replaceState(null, '', `${g.location.pathname}${rest ? `?${rest}` : ''}${g.location.hash}`);
  }
  return { api: createApi(transport), mode: 'browser', transport };
}
