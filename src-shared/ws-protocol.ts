// The browser-mode wire format between src-shared/ws-client.ts and src-main/server.
// One JSON object per WebSocket message.
import type { CallResult, EventName, MethodName } from './contract';

/** Client → server: call a contract method. `id` pairs the answer with the call. */
export interface WsCall { type: 'call'; id: number; method: MethodName; arg?: unknown }

/** Server → client. */
export type WsServerMessage =
  | { type: 'result'; id: number; result: CallResult<unknown> }
  | { type: 'event'; event: EventName; payload: unknown };

/** Path of the WebSocket endpoint on the browser-mode server. */
export const WS_PATH = '/ws';
/** Header a non-browser client may use instead of the cookie or `?token=`. */
export const TOKEN_HEADER = 'x-study-token';
/** Largest accepted message, bytes. */
export const WS_MAX_PAYLOAD = 1024 * 1024;
/** Where a finished export can be downloaded in browser mode (capability `downloadLink`). */
export const downloadPathFor = (jobId: string) => `/download/${encodeURIComponent(jobId)}`;
