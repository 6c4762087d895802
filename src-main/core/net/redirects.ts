// Redirects, handled by hand so credentials stay on their origin. fetch's own following keeps
// custom headers (X-API-Key) on a redirect to another host; we ask for `redirect: 'manual'` and
// decide each hop here: same origin → follow with the credential; another origin → follow only if
// the caller allows it, and then with no credential header at all; never more than 5 hops.
import type { FetchLike } from '../ports';
import * as E from './http-errors';

export const MAX_REDIRECTS = 5;

/** What the caller allows when a redirect leaves the API's origin. */
export type CrossOriginRedirects = 'refuse' | 'follow-without-credentials';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export function isRedirect(status: number): boolean {
  return REDIRECT_STATUSES.has(status);
}

/** Where one request stands in a redirect chain. */
export interface Hop {
  url: URL;
  /** Redirects followed so far. */
  redirects: number;
  /** False once the chain has left the credential's origin: it is never sent again on this chain. */
  credentialed: boolean;
}

export interface RedirectRules {
  /** The origin the credential belongs to (the API base URL's). */
  origin: string;
  crossOrigin: CrossOriginRedirects;
  maxRedirects?: number;
}

/** The first hop of a request: an absolute URL on another origin is refused before anything is sent. */
export function firstHop(url: URL, rules: RedirectRules): Hop {
  if (url.origin !== rules.origin) throw E.crossOriginError(rules.origin, url.origin, 'absolute-url');
  return { url, redirects: 0, credentialed: true };
}

/** The next hop after a redirect answer, or a typed error (no Location, too many hops, a refused origin). */
export function nextHop(current: Hop, location: string | null, rules: RedirectRules): Hop {
  const max = rules.maxRedirects ?? MAX_REDIRECTS;
  if (!location) throw E.redirectWithoutLocationError(current.url.toString());
  let target: URL;
  try {
    target = new URL(location, current.url);
  } catch {
    throw E.redirectWithoutLocationError(current.url.toString());
  }
  if (target.protocol !== 'https:' && target.protocol !== 'http:') throw E.crossOriginError(current.url.origin, `${target.protocol}…`, 'redirect');
  if (current.redirects >= max) throw E.tooManyRedirectsError(current.url.toString(), max);
  if (target.origin === rules.origin) return { url: target, redirects: current.redirects + 1, credentialed: current.credentialed };
  if (rules.crossOrigin !== 'follow-without-credentials') throw E.crossOriginError(current.url.origin, target.origin, 'redirect');
  return { url: target, redirects: current.redirects + 1, credentialed: false };
}

/** The headers for a hop: the credential only while the chain is on its origin. */
export function headersFor(hop: Hop, rules: RedirectRules, plain: Record<string, string>, credential: Readonly<Record<string, string>>): Record<string, string> {
  return hop.credentialed && hop.url.origin === rules.origin ? { ...plain, ...credential } : { ...plain };
}

/**
 * A GET that follows redirects by these rules, for callers outside the rate-limited transport
 * (the key check before a profile is saved). Resolves with the final, non-redirect response.
 */
export async function fetchWithCredential(
  doFetch: FetchLike,
  url: string,
  o: { rules: RedirectRules; headers: Record<string, string>; credential: Readonly<Record<string, string>>; signal?: AbortSignal },
): Promise<Response> {
  let hop = firstHop(new URL(url), o.rules);
  for (;;) {
    const res = await doFetch(hop.url, { method: 'GET', headers: headersFor(hop, o.rules, o.headers, o.credential), signal: o.signal, redirect: 'manual' });
    if (!isRedirect(res.status)) return res;
    await res.body?.cancel().catch(() => undefined);
    hop = nextHop(hop, res.headers.get('location'), o.rules);
  }
}
