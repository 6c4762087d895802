// The per-run secret that guards browser mode: 32 random bytes, compared in constant time.
// Accepted from `?token=` (first load), the session cookie, or the x-study-token header.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { TOKEN_HEADER } from '../../src-shared/ws-protocol';

export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

export function tokensEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Cookies are not port-specific, so the name carries the port: two runs never clobber each other. */
export const cookieNameFor = (port: number) => `sd_token_${port}`;

export function sessionCookie(port: number, token: string): string {
  return `${cookieNameFor(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

export type TokenSource = 'query' | 'header' | 'cookie';

/** The token a request presents, and where it came from; null when it presents none. */
export function presentedToken(req: IncomingMessage, url: URL, port: number): { token: string; source: TokenSource } | null {
  const q = url.searchParams.get('token');
  if (q) return { token: q, source: 'query' };
  const h = req.headers[TOKEN_HEADER];
  if (typeof h === 'string' && h) return { token: h, source: 'header' };
  const c = readCookie(req.headers.cookie, cookieNameFor(port));
  if (c) return { token: c, source: 'cookie' };
  return null;
}
