// The browser-mode transport: a WebSocket to the loopback server (src-main/server).
// Request ids pair answers with calls; a dropped connection is re-opened with backoff;
// calls made while disconnected wait for the reconnect; calls in flight when it drops fail
// with UNREACHABLE (the core may or may not have run them, so we never resend blindly).
// The server replays the latest buffered events on every connection, and the local hub
// replays them to late subscribers.
import type { CallResult, EventName, EventPayloads, MethodName } from './contract';
import { eventNames } from './contract';
import { createEventHub } from './event-hub';
import { ApiError, type Transport } from './api-client';
import { WS_PATH, type WsCall, type WsServerMessage } from './ws-protocol';

/** The part of the WebSocket API we use (the browser's global, or the `ws` package in Node tests). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'close' | 'error' | 'message', listener: (ev: any) => void): void;
}
export type WebSocketFactory = (url: string) => WebSocketLike;

export interface WsTransportOptions {
  /** ws://127.0.0.1:PORT/ws (the token is appended as ?token=). */
  url: string;
  /** The per-run token printed by `npm run web`; omit to rely on the session cookie. */
  token?: string | null;
  /** Defaults to the global WebSocket. */
  createSocket?: WebSocketFactory;
  /** Reconnect backoff, ms. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Reports the connection to the app (not to HyperStudy) for a banner. */
  onLinkChange?: (state: 'open' | 'reconnecting' | 'closed') => void;
}

export interface WsTransport extends Transport {
  close(): void;
  readonly linkState: 'open' | 'reconnecting' | 'closed';
}

const OPEN = 1;

function lostConnection(): ApiError {
  return new ApiError({
    code: 'UNREACHABLE',
    message: 'The connection to the Study Downloader server was lost while this request was running.',
    fix: 'Check that `npm run web` is still running, then try again.',
  });
}

function withToken(url: string, token?: string | null): string {
  if (!token) return url;
  return `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
}

/** Resolves once the first connection is open; rejects (UNAUTHORIZED / UNREACHABLE) if it cannot open. */
export function connectWebSocketTransport(opts: WsTransportOptions): Promise<WsTransport> {
  const create: WebSocketFactory =
    opts.createSocket ??
    ((u) => {
      const WS = (globalThis as { WebSocket?: new (u: string) => WebSocketLike }).WebSocket;
      if (!WS) throw new ApiError({ code: 'UNSUPPORTED', message: 'This browser has no WebSocket support.', fix: 'Use a current Chrome, Firefox, Edge or Safari.' });
      return new WS(u);
    });
  const minBackoff = opts.minBackoffMs ?? 250;
  const maxBackoff = opts.maxBackoffMs ?? 5_000;
  const fullUrl = withToken(opts.url, opts.token);
  const hub = createEventHub();
  const pending = new Map<number, { resolve: (r: CallResult<unknown>) => void; reject: (e: unknown) => void }>();
  const queue: WsCall[] = [];
  let nextId = 1;
  let socket: WebSocketLike | null = null;
  let closed = false;
  let linkState: WsTransport['linkState'] = 'reconnecting';
  let backoff = minBackoff;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const known = new Set<string>(eventNames);

  const setLink = (s: WsTransport['linkState']) => {
    if (linkState === s) return;
    linkState = s;
    opts.onLinkChange?.(s);
  };

  const onMessage = (raw: unknown) => {
    let msg: WsServerMessage;
    try {
      msg = JSON.parse(typeof raw === 'string' ? raw : String(raw)) as WsServerMessage;
    } catch {
      return;
    }
    if (msg.type === 'result') {
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      p.resolve(msg.result);
    } else if (msg.type === 'event' && known.has(msg.event)) {
      hub.emit(msg.event, msg.payload as EventPayloads[EventName]);
    }
  };

  const flush = () => {
    while (socket && socket.readyState === OPEN && queue.length) socket.send(JSON.stringify(queue.shift()));
  };

  const failInFlight = () => {
    for (const [id, p] of pending) {
      // queued (never sent) calls stay queued for the reconnect
      if (queue.some((q) => q.id === id)) continue;
      pending.delete(id);
      p.reject(lostConnection());
    }
  };

  const open = (onFirst?: { resolve: () => void; reject: (e: unknown) => void }) => {
    let ws: WebSocketLike;
    try {
      ws = create(fullUrl);
    } catch (e) {
      onFirst?.reject(e);
      return;
    }
    socket = ws;
    let opened = false;
    ws.addEventListener('open', () => {
      opened = true;
      backoff = minBackoff;
      setLink('open');
      onFirst?.resolve();
      flush();
    });
    ws.addEventListener('message', (ev: { data: unknown }) => onMessage(ev.data));
    ws.addEventListener('error', () => {
      // 'close' follows; nothing to do here
    });
    ws.addEventListener('close', () => {
      if (socket === ws) socket = null;
      failInFlight();
      if (!opened && onFirst) {
        closed = true;
        setLink('closed');
        onFirst.reject(
          new ApiError({
            code: 'UNAUTHORIZED',
            message: 'The Study Downloader server refused the connection (the link may be from an earlier run, or the server has stopped).',
            fix: 'Open the link that `npm run web` printed most recently, including its ?token= part.',
          }),
        );
        return;
      }
      if (closed) return setLink('closed');
      setLink('reconnecting');
      timer = setTimeout(() => {
        timer = null;
        if (!closed) open();
      }, backoff);
      backoff = Math.min(maxBackoff, backoff * 2);
    });
  };

  const transport: WsTransport = {
    get linkState() {
      return linkState;
    },
    invoke(name: MethodName, arg: unknown) {
      if (closed) return Promise.reject(lostConnection());
      const id = nextId++;
      const call: WsCall = { type: 'call', id, method: name, ...(arg === undefined ? {} : { arg }) };
      return new Promise<CallResult<unknown>>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        queue.push(call);
        flush();
      });
    },
    subscribe(event, cb) {
      return hub.subscribe(event, cb as (p: EventPayloads[EventName]) => void);
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      for (const [, p] of pending) p.reject(lostConnection());
      pending.clear();
      queue.length = 0;
      socket?.close(1000, 'closed by client');
      setLink('closed');
    },
  };

  return new Promise<WsTransport>((resolve, reject) => {
    open({ resolve: () => resolve(transport), reject });
  });
}

/** ws://host/ws for the page's own origin (browser mode). */
export function webSocketUrlFor(location: { protocol: string; host: string }): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${WS_PATH}`;
}
