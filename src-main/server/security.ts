// Checks browser-mode requests must pass before they reach anything else:
//   - every request: our own Host (defeats DNS rebinding) and, when present, our own Origin
//     (defeats other sites' pages); the static app shell needs nothing more, it holds no data;
//   - the WebSocket upgrade: an Origin is required, and the token offered as a subprotocol;
//   - data routes (the export download): the token header or a one-time ticket.
import type { IncomingMessage } from 'node:http';
import { WS_SUBPROTOCOL } from '../../src-shared/ws-protocol';
import { tokenFromHeader, tokenFromProtocols, tokensEqual } from './token';

export interface Gate {
  port: number;
  token: string;
}

export type GateVerdict = { ok: true } | { ok: false; status: 400 | 401 | 403; reason: string };

const ownHosts = (port: number) => [`127.0.0.1:${port}`, `localhost:${port}`];
export const ownOrigins = (port: number) => ownHosts(port).map((h) => `http://${h}`);

/** The request target as a URL, or null when it does not parse (never throws: a bad request line must not reach a handler). */
export function requestUrl(req: IncomingMessage, port: number): URL | null {
  try {
    return new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
  } catch {
    return null;
  }
}

/**
 * requireOrigin: WebSocket upgrades must carry our Origin (every browser sends one);
 * plain HTTP navigations often carry none, so there it is checked only when present.
 */
export function checkHostAndOrigin(req: IncomingMessage, port: number, opts: { requireOrigin: boolean }): GateVerdict {
  const host = req.headers.host ?? '';
  if (!ownHosts(port).includes(host)) return { ok: false, status: 403, reason: 'unexpected Host header' };
  const origin = req.headers.origin;
  if (origin !== undefined || opts.requireOrigin) {
    if (!origin || !ownOrigins(port).includes(origin)) return { ok: false, status: 403, reason: 'foreign or missing Origin' };
  }
  return { ok: true };
}

/** The WebSocket upgrade: Host, a required Origin, and the token offered as `studydl.token.<token>` next to our subprotocol. */
export function checkUpgrade(req: IncomingMessage, gate: Gate): GateVerdict {
  const place = checkHostAndOrigin(req, gate.port, { requireOrigin: true });
  if (!place.ok) return place;
  const offered = req.headers['sec-websocket-protocol'];
  const token = tokenFromProtocols(offered);
  if (!token) return { ok: false, status: 401, reason: 'no token' };
  if (!tokensEqual(token, gate.token)) return { ok: false, status: 403, reason: 'wrong token' };
  const protocols = String(offered).split(',').map((p) => p.trim());
  if (!protocols.includes(WS_SUBPROTOCOL)) return { ok: false, status: 400, reason: `the ${WS_SUBPROTOCOL} subprotocol was not offered` };
  return { ok: true };
}

/** A data route: the token header (scripts) or a ticket the caller checks with `redeem`. */
export function checkDataRequest(req: IncomingMessage, gate: Gate, ticket: { present: boolean; redeem(): boolean }): GateVerdict {
  const place = checkHostAndOrigin(req, gate.port, { requireOrigin: false });
  if (!place.ok) return place;
  const header = tokenFromHeader(req);
  if (header) return tokensEqual(header, gate.token) ? { ok: true } : { ok: false, status: 403, reason: 'wrong token' };
  if (!ticket.present) return { ok: false, status: 401, reason: 'no ticket' };
  return ticket.redeem() ? { ok: true } : { ok: false, status: 403, reason: 'unknown, used or expired ticket' };
}

/** Strict CSP for the served renderer: only our own scripts, and WebSocket only to ourselves. */
export function contentSecurityPolicy(port: number): string {
  const ws = ownHosts(port).map((h) => `ws://${h}`).join(' ');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self' ${ws}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function securityHeaders(port: number): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(port),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}
