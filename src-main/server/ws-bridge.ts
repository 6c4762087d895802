// The WebSocket side of browser mode: every message is a contract call, validated with
// parseArgs before it reaches the core; every answer is the CallResult envelope; core
// events are broadcast to every connection, and the latest buffered ones are replayed
// to each new connection (so a reloaded page learns the current state at once).
import type { WebSocket, WebSocketServer } from 'ws';
import { eventNames } from '../../src-shared/contract';
import { createEventHub } from '../../src-shared/event-hub';
import type { WsServerMessage } from '../../src-shared/ws-protocol';
import type { Core } from '../core/create-core';
import { dispatchCall } from '../core/dispatch-call';
import { silentLogger, type Logger } from '../core/ports';

function send(ws: WebSocket, msg: WsServerMessage): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
}

export function attachBridge(wss: WebSocketServer, core: Core, logger: Logger = silentLogger): () => void {
  const memory = createEventHub({ replay: false });
  const unsubscribers = eventNames.map((event) =>
    core.on(event, (payload) => {
      memory.emit(event, payload as never);
      const text = JSON.stringify({ type: 'event', event, payload } satisfies WsServerMessage);
      for (const client of wss.clients) if (client.readyState === client.OPEN) client.send(text);
    }),
  );

  wss.on('connection', (ws) => {
    for (const { event, payload } of memory.latest()) send(ws, { type: 'event', event, payload });
    ws.on('message', (data, isBinary) => {
      if (isBinary) return ws.close(1003, 'text frames only');
      let msg: { type?: unknown; id?: unknown; method?: unknown; arg?: unknown };
      try {
        msg = JSON.parse(data.toString());
      } catch {
        return ws.close(1007, 'invalid JSON');
      }
      if (!msg || msg.type !== 'call' || typeof msg.id !== 'number' || !Number.isSafeInteger(msg.id) || typeof msg.method !== 'string') {
        return ws.close(1008, 'malformed call');
      }
      const id = msg.id;
      void dispatchCall(core.api, msg.method, msg.arg).then((result) => {
        if (!result.ok && result.error.code === 'INTERNAL') logger.warn('call failed', { method: msg.method as string, error: result.error.message });
        send(ws, { type: 'result', id, result });
      });
    });
  });

  return () => unsubscribers.forEach((u) => u());
}
