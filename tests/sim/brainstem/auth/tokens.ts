// Credentials (reference §2): personal access tokens (sliding one-year lifetime, revocable), the
// email/password JWT pair (access 1 h, refresh 30 days, refresh rotates and blacklists the old one),
// and the legacy /api/token/ token that behaves like a PAT. Every expiry uses the injected clock.
import { Rng } from '../../prng';
import { drf } from '../errors';
import type { SimUser } from '../types';
import { JwtSigner, type JwtPayload } from './jwt';

export const ACCESS_TTL_S = 3600;
export const REFRESH_TTL_S = 30 * 86_400;
/** A PAT expires after a year without use (the docs' "1 year, sliding"). */
export const PAT_IDLE_MS = 365 * 86_400_000;

export type PatKind = 'pat' | 'device' | 'legacy';

interface PatRecord {
  id: number;
  userId: number;
  kind: PatKind;
  lastUsedMs: number;
  revoked: boolean;
}

export interface TokenPair {
  access: string;
  refresh: string;
}

export class TokenStore {
  private readonly pats = new Map<string, PatRecord>();
  private readonly passwords = new Map<string, string>();
  private readonly blacklist = new Set<string>();
  private readonly signer: JwtSigner;
  private patSeq = 0;
  private jtiSeq = 0;

  constructor(
    private readonly seed: number,
    private readonly users: SimUser[],
    private readonly now: () => number,
  ) {
    this.signer = new JwtSigner(Rng.of(seed, 'jwt-secret').hex(64));
    for (const u of users) this.passwords.set(u.email, `pw-${Rng.of(seed, 'password', u.id).token(14)}`);
  }

  password(email: string): string {
    return this.passwords.get(email)!;
  }

  user(email?: string): SimUser {
    const u = email === undefined ? this.users[0] : this.users.find((x) => x.email === email);
    if (!u) throw new Error(`no user ${email}`);
    return u;
  }

  issuePat(userId: number, kind: PatKind = 'pat'): { token: string; id: number } {
    const id = ++this.patSeq;
    const token = Rng.of(this.seed, 'pat', id).hex(40);
    this.pats.set(token, { id, userId, kind, lastUsedMs: this.now(), revoked: false });
    return { token, id };
  }

  revoke(token: string): void {
    const p = this.pats.get(token);
    if (p) p.revoked = true;
    else {
      const jwt = this.signer.decode(token);
      if (jwt) this.blacklist.add(jwt.jti);
    }
  }

  /** The user behind a bearer token, or a DRF 401 (simplejwt's token_not_valid). */
  identify(token: string): SimUser {
    const pat = this.pats.get(token);
    if (pat) {
      if (pat.revoked) throw drf.tokenNotValid('Token is invalid');
      if (this.now() - pat.lastUsedMs > PAT_IDLE_MS) throw drf.tokenNotValid('Token is expired');
      pat.lastUsedMs = this.now();
      return this.byId(pat.userId);
    }
    const jwt = this.signer.decode(token);
    if (!jwt) throw drf.tokenNotValid('Token is invalid');
    if (jwt.token_type !== 'access') throw drf.tokenNotValid('Token has wrong type');
    if (jwt.exp * 1000 <= this.now()) throw drf.tokenNotValid('Token is expired');
    if (this.blacklist.has(jwt.jti)) throw drf.tokenNotValid('Token is blacklisted');
    return this.byId(jwt.user_id);
  }

  private byId(id: number): SimUser {
    return this.users.find((u) => u.id === id)!;
  }

  checkPassword(email: string, password: string): SimUser | null {
    const expected = this.passwords.get(email);
    return expected !== undefined && expected === password ? this.user(email) : null;
  }

  private jwt(type: JwtPayload['token_type'], userId: number, ttl: number): string {
    const iat = Math.floor(this.now() / 1000);
    return this.signer.encode({ token_type: type, exp: iat + ttl, iat, jti: Rng.of(this.seed, 'jti', ++this.jtiSeq).hex(32), user_id: userId });
  }

  pair(user: SimUser): TokenPair {
    return { access: this.jwt('access', user.id, ACCESS_TTL_S), refresh: this.jwt('refresh', user.id, REFRESH_TTL_S) };
  }

  /**
   * Rotates a refresh token. Check and blacklist happen in one synchronous step, so of two
   * refreshes racing with the same token exactly one wins and the other gets "Token is blacklisted".
   */
  refresh(token: string): TokenPair {
    const jwt = this.signer.decode(token);
    if (!jwt) throw drf.refreshInvalid('Token is invalid');
    if (jwt.token_type !== 'refresh') throw drf.refreshInvalid('Token has wrong type');
    if (jwt.exp * 1000 <= this.now()) throw drf.refreshInvalid('Token is expired');
    if (this.blacklist.has(jwt.jti)) throw drf.refreshInvalid('Token is blacklisted');
    this.blacklist.add(jwt.jti);
    return this.pair(this.byId(jwt.user_id));
  }
}
