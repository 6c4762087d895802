// The WebSocket side of browser mode: every message is a contract call, validated with
// parseArgs before it reaches the core, or a download-ticket request; every answer is the
// CallResult envelope; core events are broadcast to every connection, and the latest buffered
// ones are replayed to each new connection (so a reloaded page learns the current state at once).
//
// A bad frame costs only its own connection: `ws` closes it with the matching code (1002
// protocol error, 1007 invalid UTF-8, 1009 too big) and reports it on the socket's 'error'
// event, which must have a listener or Node would throw it and end the process. Binary frames
// (1003), bad JSON (1007) and malformed messages (1008) are closed here.
import type { WebSocket, WebSocketServer } from 'ws';
import { eventNames } from '../../src-shared/contract';
import { createEventHub } from '../../src-shared/event-hub';
import type { WsClientMessage, WsServerMessage } from '../../src-shared/ws-protocol';
import type { Core } from '../core/create-core';
import { dispatchCall } from '../core/dispatch-call';
import { silentLogger, type Logger } from '../core/ports';
import type { TicketBook } from './download-tickets';

/** A connection that stops reading while events pile up past this is dropped (it reconnects and gets the replay). */
export const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

export const CLOSE = { unsupportedData: 1003, invalidPayload: 1007, policyViolation: 1008 } as const;

export interface BridgeOptions {
  logger?: Logger;
  tickets: TicketBook;
}

function send(ws: WebSocket, msg: WsServerMessage, logger: Logger): void {
  if (ws.readyState !== ws.OPEN) return;
  try {
    ws.send(JSON.stringify(msg));
  } catch (e) {
    logger.error('could not send a browser-mode message', { error: (e as Error).message });
  }
}

/** The message's shape, or null; arguments are validated later by the contract's schemas. */
export function parseClientMessage(raw: unknown): WsClientMessage | null {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const m = raw as Record<string, unknown>;
  if (typeof m.id !== 'number' || !Number.isSafeInteger(m.id)) return null;
  if (m.type === 'call' && typeof m.method === 'string') return m as unknown as WsClientMessage;
  if (m.type === 'downloadTicket' && typeof m.jobId === 'string' && m.jobId.length > 0 && m.jobId.length <= 256) return m as unknown as WsClientMessage;
  return null;
}

export function attachBridge(wss: WebSocketServer, core: Core, opts: BridgeOptions): () => void {
  const logger = opts.logger ?? silentLogger;
  const memory = createEventHub({ replay: false });
  const unsubscribers = eventNames.map((event) =>
    core.on(event, (payload) => {
      memory.emit(event, payload as never);
      let text: string;
      try {
        text = JSON.stringify({ type: 'event', event, payload } satisfies WsServerMessage);
      } catch (e) {
        return logger.error('could not encode a core event', { event, error: (e as Error).message });
      }
      for (const client of wss.clients) {
        if (client.readyState !== client.OPEN) continue;
        if (client.bufferedAmount > MAX_BUFFERED_BYTES) {
          logger.warn('dropped a browser-mode connection that stopped reading');
          client.terminate();
          continue;
        }
        client.send(text);
      }
    }),
  );

  const onMessage = (ws: WebSocket, data: Buffer, isBinary: boolean) => {
    if (isBinary) return ws.close(CLOSE.unsupportedData, 'text frames only');
    let raw: unknown;
    try {
      raw = JSON.parse(data.toString('utf8'));
    } catch {
      return ws.close(CLOSE.invalidPayload, 'invalid JSON');
    }
    const msg = parseClientMessage(raw);
    if (!msg) return ws.close(CLOSE.policyViolation, 'malformed message');
    if (msg.type === 'downloadTicket') {
      return send(ws, { type: 'result', id: msg.id, result: { ok: true, value: { ticket: opts.tickets.issue(msg.jobId) } } }, logger);
    }
    dispatchCall(core.api, msg.method, msg.arg).then(
      (result) => {
        if (!result.ok && result.error.code === 'INTERNAL') logger.warn('call failed', { method: msg.method, error: result.error.message });
        send(ws, { type: 'result', id: msg.id, result }, logger);
      },
      (e) => logger.error('call crashed', { method: msg.method, error: (e as Error)?.message }),
    );
  };

  wss.on('connection', (ws) => {
    ws.on('error', (e) => logger.info('closed a browser-mode connection after a bad frame', { error: e.message }));
    for (const { event, payload } of memory.latest()) send(ws, { type: 'event', event, payload }, logger);
    ws.on('message', (data, isBinary) => {
      try {
        onMessage(ws, data as Buffer, isBinary);
      } catch (e) {
        logger.error('browser-mode message handler failed', { error: (e as Error).message });
        ws.close(1011, 'internal error');
      }
    });
  });

  return () => unsubscribers.forEach((u) => u());
}
