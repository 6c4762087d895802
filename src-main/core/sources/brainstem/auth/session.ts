// Who we are to BrainSTEM for the length of one client, and the credential headers that go with
// it. Three ways:
// - none: the public portal, or no sign-in. The public portal is always sent NO Authorization
//   header, whatever is configured: BrainSTEM authenticates before it checks permissions, so a
//   stale token there would turn an open page into a 401.
// - token: a personal access token (pasted, from the device flow or the legacy route); no refresh.
// - refresh: the email/password pair. Only the rotating refresh token is meant for the keychain
//   (onRefreshTokenRotated hands each new one to the caller); the access token lives here, in
//   memory, and is refreshed when it has expired or a request comes back 401. Refreshes are
//   single-flight: however many requests find the token expired at once, one refresh is sent.
import { StudyError } from '../../../../../src-shared/errors';
import type { ApiCredential, ApiTransport } from '../../../net/http';
import { abortError, type Clock, type Logger } from '../../../ports';
import type { Portal } from '../connection';
import type { AuthKind } from '../errors';
import { refreshTokenPair } from './auth-routes';
import type { SecretRedactor } from './secret-redactor';

export type BrainstemAuth =
  | { kind: 'none' }
  | { kind: 'token'; token: string }
  | {
      kind: 'refresh';
      /** From the keychain (or a fresh sign-in). Rotated by every refresh. */
      refreshToken: string;
      /** A still-valid access token from a fresh sign-in, if any (saves the first refresh). */
      accessToken?: string;
      /** When that access token expires, ms since epoch (client clock); unknown: used until a 401. */
      accessExpiresAt?: number;
      /** Receives each new refresh token (persist it: the old one no longer works). */
      onRefreshTokenRotated?: (newRefreshToken: string) => void | Promise<void>;
    };

/** An access token is refreshed this long before the expiry the server announced (clock skew, slow requests). */
export const ACCESS_REFRESH_MARGIN_MS = 60_000;
/** The documented lifetime, used when a refresh answer does not say (reference §2.3). */
const DEFAULT_ACCESS_LIFETIME_S = 3600;

export interface AuthSession {
  readonly kind: AuthKind;
  /** For the transport: headers read at send time. */
  readonly credential: ApiCredential;
  /** Before a request: makes the access token fresh if it can be (one refresh for everybody). Returns the token the request will carry. */
  prepare(signal?: AbortSignal): Promise<string | null>;
  /** After a 401 on a request that carried `used`: true when retrying may help (the token was refreshed, by this call or meanwhile). */
  recover(used: string | null, signal?: AbortSignal): Promise<boolean>;
  /** Refresh requests sent so far. */
  refreshes(): number;
}

export interface AuthSessionOptions {
  auth: BrainstemAuth;
  portal: Portal;
  clock: Clock;
  /** The transport for the sign-in routes (no credential). */
  authTransport: ApiTransport;
  redactor: SecretRedactor;
  logger: Logger;
  /** Tokens page, for the "no sign-in" message. */
  tokensPage: string;
  /** Sign-ins shared with the other clients of the same connection (default: this client's own). */
  chains?: RefreshChains;
}

/** The private portal without a credential: said before anything is sent. */
function noCredentialError(tokensPage: string): StudyError {
  return new StudyError({
    code: 'NO_PROFILE',
    message: 'The private BrainSTEM portal needs a sign-in, and none is set up for this connection.',
    fix: `Sign in to BrainSTEM (in the browser, or with a personal access token from ${tokensPage}), or switch to the public portal.`,
  });
}

/** Waits for `p`, or rejects when `signal` aborts (p itself goes on for the others waiting on it). */
function waitFor<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason ?? abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** One sign-in's tokens, shared by every client in this process that holds one of its refresh tokens. */
interface RefreshChain {
  refreshToken: string;
  access: string | null;
  /** ms since epoch (client clock); 0: no access token yet. */
  expiresAt: number;
  inflight: Promise<void> | null;
}

/** Chains by every refresh token they have held (memory only, like the access tokens). */
export type RefreshChains = Map<string, RefreshChain>;

function refreshChain(chains: RefreshChains, auth: Extract<BrainstemAuth, { kind: 'refresh' }>): RefreshChain {
  const token = auth.refreshToken.trim();
  let chain = chains.get(token);
  if (!chain) {
    const access = auth.accessToken?.trim() || null;
    chain = { refreshToken: token, access, expiresAt: access ? (auth.accessExpiresAt ?? Number.POSITIVE_INFINITY) : 0, inflight: null };
    chains.set(token, chain);
  }
  return chain;
}

export function createAuthSession(o: AuthSessionOptions): AuthSession {
  const auth: BrainstemAuth = o.portal === 'public' ? { kind: 'none' } : o.auth;
  const { clock, redactor } = o;

  if (auth.kind === 'none') {
    const credential: ApiCredential =
      o.portal === 'private'
        ? {
            headers: {},
            check: () => {
              throw noCredentialError(o.tokensPage);
            },
          }
        : { headers: {} };
    return { kind: 'none', credential, prepare: async () => null, recover: async () => false, refreshes: () => 0 };
  }

  if (auth.kind === 'token') {
    const token = auth.token.trim();
    redactor.add(token);
    const headers = { Authorization: `Bearer ${token}` };
    const check = () => {
      if (!token || /\s/.test(token)) {
        throw new StudyError({
          code: 'KEY_FORMAT',
          message: token ? 'This BrainSTEM token contains spaces or line breaks, so it was not copied whole.' : 'No BrainSTEM token was given.',
          fix: `Copy the whole personal access token from ${o.tokensPage} and paste it again.`,
        });
      }
    };
    return { kind: 'token', credential: { headers, check }, prepare: async () => token, recover: async () => false, refreshes: () => 0 };
  }

  const onRotated = auth.onRefreshTokenRotated;
  // Every client opened on this connection (browsing, each plan, each export) shares one chain: a
  // refresh rotates the refresh token, so a second copy refreshing on its own would be refused.
  const chains: RefreshChains = o.chains ?? new Map();
  const chain = refreshChain(chains, auth);
  let sent = 0;
  redactor.add(chain.refreshToken);
  redactor.add(chain.access);

  async function refresh(): Promise<void> {
    sent++;
    o.logger.debug('refreshing the BrainSTEM access token');
    const used = chain.refreshToken;
    const pair = await refreshTokenPair(o.authTransport, used);
    redactor.add(pair.access);
    redactor.add(pair.refresh);
    chain.access = pair.access;
    chain.expiresAt = clock.now() + (pair.expiresIn ?? DEFAULT_ACCESS_LIFETIME_S) * 1000;
    if (pair.refresh && pair.refresh !== used) {
      chain.refreshToken = pair.refresh;
      chains.set(pair.refresh, chain);
      try {
        await onRotated?.(pair.refresh);
      } catch (e) {
        // The request can go on with the new pair; the next start will ask for a new sign-in.
        o.logger.warn('the rotated BrainSTEM refresh token could not be saved', { error: e });
      }
    }
  }

  /** Starts a refresh unless one is already running on this chain; everybody waits for the same one. */
  function refreshOnce(signal?: AbortSignal): Promise<void> {
    // A request cancelled already starts no refresh: nobody would wait for it, nor hear it fail.
    if (signal?.aborted) return Promise.reject(signal.reason ?? abortError());
    if (!chain.inflight) {
      chain.inflight = refresh().finally(() => {
        chain.inflight = null;
      });
    }
    return waitFor(chain.inflight, signal);
  }

  return {
    kind: 'refresh',
    credential: {
      get headers(): Record<string, string> {
        return chain.access ? { Authorization: `Bearer ${chain.access}` } : {};
      },
    },
    async prepare(signal) {
      if (chain.inflight || chain.access === null || clock.now() >= chain.expiresAt - ACCESS_REFRESH_MARGIN_MS) await refreshOnce(signal);
      return chain.access;
    },
    async recover(used, signal) {
      if (chain.inflight) {
        await refreshOnce(signal);
        return true;
      }
      if (used !== chain.access) return true; // refreshed meanwhile by another request
      await refreshOnce(signal);
      return true;
    },
    refreshes: () => sent,
  };
}
