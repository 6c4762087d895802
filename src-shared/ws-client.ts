// The browser-mode transport: a WebSocket to the loopback server (src-main/server).
// Request ids pair answers with calls; a dropped connection is re-opened with backoff;
// calls made while disconnected wait for the reconnect; calls in flight when it drops fail
// with UNREACHABLE (the core may or may not have run them, so we never resend blindly).
// The server replays the latest buffered events on every connection, and the local hub
// replays them to late subscribers.
// The token is offered as a WebSocket subprotocol (see ws-protocol.ts): never in the URL,
// never in a cookie, so it reaches only the server the page came from.
import type { CallResult, EventName, EventPayloads, MethodName } from './contract';
import { eventNames } from './contract';
import { createEventHub } from './event-hub';
import { ApiError, unwrapResult, type Transport } from './api-client';
import type { Notice } from './model';
import { WS_MAX_PAYLOAD, WS_PATH, webSocketProtocolsFor, type WsClientMessage, type WsServerMessage } from './ws-protocol';

/** The part of the WebSocket API we use (the browser's global, or the `ws` package in Node tests). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'close' | 'error' | 'message', listener: (ev: any) => void): void;
}
export type WebSocketFactory = (url: string, protocols: string[]) => WebSocketLike;

export interface WsTransportOptions {
  /** ws://127.0.0.1:PORT/ws */
  url: string;
  /** The per-run token from the link `npm run web` printed. */
  token: string;
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
  /** A one-time ticket for downloading a finished export (see downloadPathWithTicket). */
  downloadTicket(jobId: string): Promise<string>;
  /** Shows a notice raised on the page side (e.g. a download that could not start) like the server's. */
  localNotice(notice: Notice): void;
}

const OPEN = 1;

function lostConnection(): ApiError {
  return new ApiError({
    code: 'UNREACHABLE',
    message: 'The connection to the Study Downloader server was lost while this request was running.',
    fix: 'Check that `npm run web` is still running, then try again.',
  });
}

export function missingToken(): ApiError {
  return new ApiError({
    code: 'UNAUTHORIZED',
    message: 'This page was opened without its access token, so it cannot reach the Study Downloader server.',
    fix: 'Open the full link that `npm run web` printed (it ends in #token=…).',
  });
}

const utf8Length = (text: string) => new TextEncoder().encode(text).length;

/** Resolves once the first connection is open; rejects (UNAUTHORIZED / UNREACHABLE) if it cannot open. */
export function connectWebSocketTransport(opts: WsTransportOptions): Promise<WsTransport> {
  if (!opts.token) return Promise.reject(missingToken());
  const create: WebSocketFactory =
    opts.createSocket ??
    ((u, protocols) => {
      const WS = (globalThis as { WebSocket?: new (u: string, protocols: string[]) => WebSocketLike }).WebSocket;
      if (!WS) throw new ApiError({ code: 'UNSUPPORTED', message: 'This browser has no WebSocket support.', fix: 'Use a current Chrome, Firefox, Edge or Safari.' });
      return new WS(u, protocols);
    });
  const minBackoff = opts.minBackoffMs ?? 250;
  const maxBackoff = opts.maxBackoffMs ?? 5_000;
  const protocols = webSocketProtocolsFor(opts.token);
  const hub = createEventHub();
  const pending = new Map<number, { resolve: (r: CallResult<unknown>) => void; reject: (e: unknown) => void }>();
  /** Messages not sent yet (while disconnected), in order. */
  const queue: Array<{ id: number; text: string }> = [];
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
    if (!msg || typeof msg !== 'object') return;
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
    while (socket && socket.readyState === OPEN && queue.length) socket.send(queue.shift()!.text);
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
      ws = create(opts.url, protocols);
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
            fix: 'Open the link that `npm run web` printed most recently, including its #token= part.',
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

  /** Sends one message (now or after the reconnect) and resolves with its answer. */
  const request = (message: WsClientMessage): Promise<CallResult<unknown>> => {
    if (closed) return Promise.reject(lostConnection());
    const text = JSON.stringify(message);
    const size = utf8Length(text);
    // the server closes the connection on a message over its limit: say so instead
    if (size > WS_MAX_PAYLOAD) {
      return Promise.resolve({
        ok: false,
        error: {
          code: 'INVALID_ARGUMENT',
          message: `This request is too large for browser mode (${(size / 1048576).toFixed(1)} MB; the limit is ${WS_MAX_PAYLOAD / 1048576} MB).`,
          fix: 'Select fewer items at once, or use the desktop app or the studydl command line.',
        },
      });
    }
    return new Promise<CallResult<unknown>>((resolve, reject) => {
      pending.set(message.id, { resolve, reject });
      queue.push({ id: message.id, text });
      flush();
    });
  };

  const transport: WsTransport = {
    get linkState() {
      return linkState;
    },
    invoke(name: MethodName, arg: unknown) {
      return request({ type: 'call', id: nextId++, method: name, ...(arg === undefined ? {} : { arg }) });
    },
    async downloadTicket(jobId: string) {
      const value = unwrapResult(await request({ type: 'downloadTicket', id: nextId++, jobId })) as { ticket?: unknown };
      if (typeof value?.ticket !== 'string') throw new ApiError({ code: 'INTERNAL', message: 'The server answered the download request with no ticket.', fix: 'Reload the page and try again.' });
      return value.ticket;
    },
    localNotice(notice: Notice) {
      hub.emit('notice', notice);
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
