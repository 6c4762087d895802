// HS256 JSON Web Tokens shaped like djangorestframework-simplejwt's (reference §2.3): payload
// {token_type, exp, iat, jti, user_id}, seconds since the epoch.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface JwtPayload {
  token_type: 'access' | 'refresh';
  exp: number;
  iat: number;
  jti: string;
  user_id: number;
}

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64url');
const HEADER = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

export class JwtSigner {
  constructor(private readonly secret: string) {}

  private sign(data: string): string {
    return createHmac('sha256', this.secret).update(data).digest('base64url');
  }

  encode(payload: JwtPayload): string {
    const body = `${HEADER}.${b64(JSON.stringify(payload))}`;
    return `${body}.${this.sign(body)}`;
  }

  /** The payload if the signature is ours and the shape is right; expiry is the caller's check. */
  decode(token: string): JwtPayload | null {
    const parts = token.split('.');
    if (parts.length !== 3) return null;
    const expected = Buffer.from(this.sign(`${parts[0]}.${parts[1]}`));
    const given = Buffer.from(parts[2]);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    try {
      const p = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as JwtPayload;
      if ((p.token_type !== 'access' && p.token_type !== 'refresh') || typeof p.exp !== 'number' || typeof p.jti !== 'string') return null;
      return p;
    } catch {
      return null;
    }
  }
}
