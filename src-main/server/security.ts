// Checks every browser-mode request must pass before it reaches anything else:
// the Host (defeats DNS rebinding), the Origin (defeats other sites' pages), and the token.
import type { IncomingMessage } from 'node:http';
import { presentedToken, tokensEqual, type TokenSource } from './token';

export interface Gate {
  port: number;
  token: string;
}

export type GateVerdict =
  | { ok: true; source: TokenSource }
  | { ok: false; status: 401 | 403; reason: string };

const ownHosts = (port: number) => [`127.0.0.1:${port}`, `localhost:${port}`];
export const ownOrigins = (port: number) => ownHosts(port).map((h) => `http://${h}`);

/**
 * requireOrigin: WebSocket upgrades must carry our Origin (every browser sends one);
 * plain HTTP navigations often carry none, so there it is checked only when present.
 */
export function checkRequest(req: IncomingMessage, gate: Gate, opts: { requireOrigin: boolean }): GateVerdict {
  const host = req.headers.host ?? '';
  if (!ownHosts(gate.port).includes(host)) return { ok: false, status: 403, reason: 'unexpected Host header' };
  const origin = req.headers.origin;
  if (origin !== undefined || opts.requireOrigin) {
    if (!origin || !ownOrigins(gate.port).includes(origin)) return { ok: false, status: 403, reason: 'foreign or missing Origin' };
  }
  const url = new URL(req.url ?? '/', `http://${host}`);
  const presented = presentedToken(req, url, gate.port);
  if (!presented) return { ok: false, status: 401, reason: 'no token' };
  if (!tokensEqual(presented.token, gate.token)) return { ok: false, status: 403, reason: 'wrong token' };
  return { ok: true, source: presented.source };
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
