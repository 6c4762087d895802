// The per-run secret that guards browser mode: 32 random bytes, compared in constant time.
// No cookie carries it (cookies are scoped by host, not port, so every other server on
// 127.0.0.1 would receive one). It arrives only as a WebSocket subprotocol on the upgrade,
// or in the x-study-token header from scripts.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { TOKEN_HEADER, TOKEN_PROTOCOL_PREFIX } from '../../src-shared/ws-protocol';

export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

export function tokensEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token offered in `Sec-WebSocket-Protocol` as `studydl.token.<token>`, or null. */
export function tokenFromProtocols(header: string | string[] | undefined): string | null {
  const values = Array.isArray(header) ? header.join(',') : header ?? '';
  for (const part of values.split(',')) {
    const p = part.trim();
    if (p.startsWith(TOKEN_PROTOCOL_PREFIX) && p.length > TOKEN_PROTOCOL_PREFIX.length) return p.slice(TOKEN_PROTOCOL_PREFIX.length);
  }
  return null;
}

/** The token in the x-study-token header, or null. */
export function tokenFromHeader(req: IncomingMessage): string | null {
  const h = req.headers[TOKEN_HEADER];
  return typeof h === 'string' && h ? h : null;
}
