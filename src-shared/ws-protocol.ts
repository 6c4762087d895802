// The browser-mode wire format between src-shared/ws-client.ts and src-main/server.
// One JSON object per WebSocket message.
//
// The per-run token never travels in a cookie or a URL the browser sends: the launch link
// carries it in the fragment (#token=…, which browsers never send), the page keeps it in
// sessionStorage (per origin, so per port) and presents it only as a WebSocket subprotocol
// on the upgrade to its own server. Data-bearing HTTP routes take a one-time ticket minted
// over that authenticated WebSocket (or the token header, for scripts).
import type { CallResult, EventName, MethodName } from './contract';

/** Client → server: call a contract method. `id` pairs the answer with the call. */
export interface WsCall { type: 'call'; id: number; method: MethodName; arg?: unknown }

/** Client → server: mint a one-time ticket for downloading a finished export. Answered with a `result` whose value is `{ ticket }`. */
export interface WsTicketRequest { type: 'downloadTicket'; id: number; jobId: string }

export type WsClientMessage = WsCall | WsTicketRequest;

/** Server → client. */
export type WsServerMessage =
  | { type: 'result'; id: number; result: CallResult<unknown> }
  | { type: 'event'; event: EventName; payload: unknown };

/** Path of the WebSocket endpoint on the browser-mode server. */
export const WS_PATH = '/ws';

/** The subprotocol the server selects; the client must offer it next to its token. */
export const WS_SUBPROTOCOL = 'studydl.v1';
/** The token is offered as the subprotocol `studydl.token.<token>` (base64url only uses token characters). */
export const TOKEN_PROTOCOL_PREFIX = 'studydl.token.';
/** What the page offers in `Sec-WebSocket-Protocol`: the one header a browser page can set on a WebSocket upgrade. */
export const webSocketProtocolsFor = (token: string): string[] => [WS_SUBPROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`];

/** The launch link's fragment parameter that carries the token: http://127.0.0.1:PORT/#token=… */
export const LAUNCH_TOKEN_PARAM = 'token';

/** Header a non-browser client (a script, a test) may send on data routes instead of a ticket. */
export const TOKEN_HEADER = 'x-study-token';
/** Query parameter of a one-time download ticket. */
export const TICKET_PARAM = 'ticket';

/** Largest accepted client message, bytes. A 10,000-recording selection with 64-character ids is ≈ 0.7 MB. */
export const WS_MAX_PAYLOAD = 1024 * 1024;
/** Where a finished export can be downloaded in browser mode (capability `downloadLink`); needs a ticket or the token header. */
export const downloadPathFor = (jobId: string) => `/download/${encodeURIComponent(jobId)}`;
export const downloadPathWithTicket = (jobId: string, ticket: string) => `${downloadPathFor(jobId)}?${TICKET_PARAM}=${encodeURIComponent(ticket)}`;
