// One JSON API request, done right: the credential checked before anything is sent and sent to
// the API's origin only, redirects followed by hand (same origin, at most 5 hops; another origin
// only when the caller allows it, and then without the credential), the joint limiter acquired for
// every attempt, a timeout combined with the caller's signal, transient failures retried with
// jittered backoff, 429s waited out on the limiter's block, and every failure turned into a typed
// StudyError whose message never contains the credential.
import { StudyError, redactSecrets } from '../../../src-shared/errors';
import { abortError, silentLogger, systemClock, type Clock, type FetchLike, type Logger } from '../ports';
import { baseUrlProblem, normalizeBaseUrl } from './base-url';
import { endpointKey } from './endpoint-key';
import * as E from './http-errors';
import type { JointLimiter, LimiterSlot, WaitInfo } from './limiter';
import { firstHop, headersFor, isRedirect, nextHop, type CrossOriginRedirects, type Hop, type RedirectRules } from './redirects';
import { createSemaphore } from './semaphore';
import { backoffDelay, classifyNetworkError, classifyStatus, defaultRetryPolicy, parseRetryAfter, type RetryPolicy } from './retry';

export { normalizeBaseUrl } from './base-url';

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_IN_FLIGHT = 8;
const KEY_PREFIX = /^hst_(live|test)_\S+$/;

export interface ConnectionLike {
  baseUrl: string;
  /** HyperStudy's key: the credential when the transport is given no other. */
  apiKey?: string;
  organizationId?: string;
  timeoutMs?: number;
}

/**
 * Who we are to one API: headers that only the base URL's origin may receive (HyperStudy's
 * X-API-Key, BrainSTEM's Authorization: Bearer …). They are never sent across a redirect to
 * another origin, nor to an absolute URL on one.
 */
export interface ApiCredential {
  headers: Readonly<Record<string, string>>;
  /** Throws a typed error before any request when the credential cannot be used (e.g. a malformed key). */
  check?: () => void;
}

/** HyperStudy's credential: X-API-Key, plus X-Organization-Id when set (it names the caller's organization). */
export function hyperstudyCredential(conn: Pick<ConnectionLike, 'apiKey' | 'organizationId'>): ApiCredential {
  const headers: Record<string, string> = { 'X-API-Key': conn.apiKey?.trim() ?? '' };
  if (conn.organizationId) headers['X-Organization-Id'] = conn.organizationId;
  return { headers, check: () => checkKeyFormat(conn.apiKey) };
}

export interface ApiCall {
  /** Path below the base URL ("/data/events/experiment/exp_1"), or an absolute URL on the API's origin. */
  path: string;
  /** GET (default) or POST; a POST sends `json` as its body (BrainSTEM's auth routes). */
  method?: 'GET' | 'POST';
  /** The JSON body of a POST. */
  json?: unknown;
  query?: Record<string, string | number | boolean | null | undefined>;
  timeoutMs?: number;
  signal?: AbortSignal;
  onWait?: (w: WaitInfo) => void;
  /** What is asked for, for a 404 message: "experiment exp_1". */
  what?: string;
  /** A redirect to another origin: refused (default), or followed with no credential header. */
  crossOriginRedirects?: CrossOriginRedirects;
}

export interface ApiResponse {
  status: number;
  /** Parsed JSON body. */
  body: unknown;
  headers: Headers;
  url: string;
}

export interface ApiTransportOptions {
  connection: ConnectionLike;
  /** The credential headers; HyperStudy's (from the connection's apiKey/organizationId) when absent. */
  credential?: ApiCredential;
  limiter: JointLimiter;
  clock?: Clock;
  fetch?: FetchLike;
  logger?: Logger;
  retry?: Partial<RetryPolicy>;
  /** Requests in flight at once through this transport (default 8); waiting ones hold no limiter slot. */
  maxInFlight?: number;
  /** How failures read for this API (default: HyperStudy's wording and error envelope). */
  errors?: Partial<TransportErrors>;
  /** The limiter's endpoint key for a path below the base URL (default: HyperStudy's route templates). */
  endpointKey?: (relativePath: string) => string;
}

/**
 * The typed errors a transport ends in, where their wording depends on the API: a source passes
 * its own (its error bodies, its fixes, its name). Timeouts, cut bodies and refused redirects read
 * the same for every API and are not here.
 */
export interface TransportErrors {
  /** A 4xx other than 429 (body: the parsed JSON, or undefined). */
  fatal(status: number, body: unknown, what: string, url: string): StudyError;
  /** The host answered with a web page (or JSON of the wrong shape): not this API. `status`: the HTTP status of that answer. */
  notApi(url: string, what: 'html' | 'shape', status?: number): StudyError;
  /** 5xx (or 408) after every attempt. */
  server(status: number, attempts: number, body: unknown): StudyError;
  unreachable(url: string, code: string | undefined, attempts: number, cause?: unknown): StudyError;
  /** The server kept answering 429 past the allowed wait. */
  rateLimited(waitedMs: number, allowedMs: number, retryAfterMs: number): StudyError;
}

/** HyperStudy's wording: the transport's behaviour when no source passes its own. */
const hyperstudyErrors: TransportErrors = {
  fatal: (status, body, what) => fatalFor(status, body, what),
  notApi: (url, what) => E.notHyperStudyError(url, what),
  server: (status, attempts, body) => E.serverError(status, attempts, errorFields(body).message),
  unreachable: (url, code, attempts, cause) => E.unreachableError(url, code, attempts, cause),
  rateLimited: (waitedMs, allowedMs, retryAfterMs) => E.rateLimitedError(waitedMs, allowedMs, retryAfterMs),
};

export interface ApiTransport {
  readonly baseUrl: string;
  request(call: ApiCall): Promise<ApiResponse>;
  /** Requests actually sent (every attempt, 429s included). */
  requestsMade(): number;
  /** 429 answers received. */
  rateLimitedResponses(): number;
  /** Resolves once no request is on the wire (or after maxMs): then requestsMade() is final for now. */
  whenQuiet(maxMs: number): Promise<void>;
}

/** Throws KEY_FORMAT unless the key looks like hst_live_… / hst_test_…. */
export function checkKeyFormat(apiKey: string | undefined): void {
  if (!apiKey || !KEY_PREFIX.test(apiKey.trim())) throw E.keyFormatError();
}

export function buildUrl(baseUrl: string, path: string, query?: ApiCall['query']): URL {
  const url = /^https?:\/\//i.test(path) ? new URL(path) : new URL(normalizeBaseUrl(baseUrl) + '/' + path.replace(/^\/+/, ''));
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, String(v));
  return url;
}

/** The path below the base URL, for the endpoint key (so custom base URLs without /api/v3 work too). */
function relativePath(baseUrl: string, url: URL): string {
  const basePath = new URL(normalizeBaseUrl(baseUrl)).pathname.replace(/\/+$/, '');
  const p = url.pathname;
  return basePath && p.startsWith(basePath + '/') ? p.slice(basePath.length) : p;
}

function looksLikeHtml(text: string, contentType: string | null): boolean {
  return /text\/html|application\/xhtml/i.test(contentType ?? '') || /^\s*<(!doctype|html|head|body|\?xml|[a-z]+[\s>])/i.test(text);
}

/** Error fields from an envelope `{status:"error", error:{code,message,details}}` or a bare `{error|message}`. */
export function errorFields(body: unknown): { code?: string; message?: string; details?: Record<string, unknown> } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return {};
  const b = body as Record<string, unknown>;
  const err = b.error;
  if (err && typeof err === 'object') {
    const e = err as Record<string, unknown>;
    return {
      code: typeof e.code === 'string' ? e.code : undefined,
      message: typeof e.message === 'string' ? e.message : undefined,
      details: e.details && typeof e.details === 'object' ? (e.details as Record<string, unknown>) : undefined,
    };
  }
  return {
    code: typeof b.code === 'string' ? b.code : undefined,
    message: typeof err === 'string' ? err : typeof b.message === 'string' ? b.message : undefined,
    details: b.details && typeof b.details === 'object' ? (b.details as Record<string, unknown>) : undefined,
  };
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);

/** The status an error envelope means, for envelopes that arrive with 2xx. */
function statusForCode(code: string | undefined): number | null {
  switch (code) {
    case 'UNAUTHORIZED':
    case 'AUTHENTICATION_ERROR':
      return 401;
    case 'FORBIDDEN':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'INVALID_PARAMETER':
    case 'VALIDATION_ERROR':
      return 400;
    case 'RATE_LIMIT_EXCEEDED':
      return 429;
    default:
      return code ? 500 : null;
  }
}

function fatalFor(status: number, body: unknown, what: string): StudyError {
  const f = errorFields(body);
  if (status === 401) return E.unauthorizedError(f.message);
  if (status === 403) return E.forbiddenError(strings(f.details?.required), f.details?.provided ? strings(f.details.provided) : undefined, f.message);
  if (status === 404) return E.notFoundError(what, f.message);
  if (status === 400 || status === 422) return E.invalidParameterError(f.message, f.details);
  return E.otherClientError(status, f.message);
}

/** Which scope a 429 belongs to, and the server's stated limit, from the error body when it says. */
export function rateLimitInfo(body: unknown): { scope?: 'key' | 'endpoint'; limit?: number } {
  const f = errorFields(body);
  const d = f.details ?? {};
  const raw = [d.scope, d.limitScope, d.limitType].find((v) => typeof v === 'string') as string | undefined;
  const limit = typeof d.limit === 'number' && Number.isFinite(d.limit) ? d.limit : undefined;
  if (raw === 'server' || raw === 'global') return {}; // a server-wide pause: the caller blocks the key
  const text = `${raw ?? ''} ${f.message ?? ''}`.toLowerCase();
  if (/endpoint|route|per.minute/.test(text)) return { scope: 'endpoint', limit };
  if (/\bkey\b|api.key|per.hour/.test(text)) return { scope: 'key', limit };
  return {};
}

function serverWide(body: unknown): boolean {
  const d = errorFields(body).details ?? {};
  return d.scope === 'server' || d.scope === 'global';
}

/** How long a request already sent may still answer after its caller stopped. */
export const IN_FLIGHT_GRACE_MS = 2_000;

/** A signal that aborts `ms` after `outer` does (at once if it already has); dispose() when done. */
function abortedAfter(outer: AbortSignal, ms: number): { signal: AbortSignal; dispose(): void } {
  const ac = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const onAbort = () => {
    timer = setTimeout(() => ac.abort(outer.reason ?? abortError()), ms);
    timer.unref?.();
  };
  if (outer.aborted) ac.abort(outer.reason ?? abortError());
  else outer.addEventListener('abort', onAbort, { once: true });
  return {
    signal: ac.signal,
    dispose() {
      outer.removeEventListener('abort', onAbort);
      if (timer) clearTimeout(timer);
    },
  };
}

/** A slot for a hop off the API's origin (an allowed cross-origin redirect): the key's budget is not spent there. */
const OFF_API_SLOT: LimiterSlot = { sentAt: 0, done() {}, release() {} };

export function createApiTransport(opts: ApiTransportOptions): ApiTransport {
  const conn = opts.connection;
  const baseUrl = normalizeBaseUrl(conn.baseUrl);
  // An unusable base URL (plain http off this machine, credentials in it) fails every request before it is sent.
  const baseProblem = baseUrlProblem(conn.baseUrl);
  const origin = baseProblem ? '' : new URL(baseUrl).origin;
  const credential = opts.credential ?? hyperstudyCredential(conn);
  const clock = opts.clock ?? systemClock;
  const doFetch: FetchLike = opts.fetch ?? ((...a) => fetch(...a));
  const log = opts.logger ?? silentLogger;
  const limiter: JointLimiter = opts.limiter;
  const policy: RetryPolicy = { ...defaultRetryPolicy, ...(opts.retry ?? {}) };
  let made = 0;
  let limited = 0;
  let onWire = 0;
  let quietWaiters: Array<() => void> = [];
  const wireDone = () => {
    onWire--;
    if (onWire === 0) {
      for (const w of quietWaiters) w();
      quietWaiters = [];
    }
  };
  const inFlight = createSemaphore(Math.max(1, opts.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT));
  const plainHeaders: Record<string, string> = { Accept: 'application/json' };
  const errors: TransportErrors = { ...hyperstudyErrors, ...(opts.errors ?? {}) };
  const keyOf = opts.endpointKey ?? endpointKey;

  async function request(call: ApiCall): Promise<ApiResponse> {
    if (baseProblem) throw baseProblem;
    credential.check?.();
    const rules: RedirectRules = { origin, crossOrigin: call.crossOriginRedirects ?? 'refuse' };
    let hop: Hop = firstHop(buildUrl(baseUrl, call.path, call.query), rules);
    const timeoutMs = call.timeoutMs ?? conn.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const what = call.what ?? `resource at ${keyOf(relativePath(baseUrl, hop.url))}`;
    // A redirect turns a POST into a GET, as fetch does, except 307/308, which keep method and body.
    let method = call.method ?? 'GET';
    const requestBody = call.method === 'POST' ? JSON.stringify(call.json ?? {}) : undefined;
    const postHeaders: Record<string, string> = { ...plainHeaders, 'Content-Type': 'application/json' };
    let attempts = 0; // attempts that failed transiently
    let rateLimitWaitedMs = 0;

    const sleepOrCancel = async (ms: number) => {
      try {
        await clock.sleep(ms, call.signal);
      } catch {
        throw call.signal?.reason ?? abortError();
      }
    };

    for (;;) {
      const href = hop.url.toString();
      // Only requests to the API count against the key's budget and go through the limiter.
      const ep = hop.url.origin === origin ? keyOf(relativePath(baseUrl, hop.url)) : null;
      // The in-flight cap is taken by the limiter when it grants the slot (so the slot's time is
      // the real send time, and a request waiting for its endpoint's window holds no place).
      let slot: LimiterSlot;
      let releaseInFlight: () => void;
      if (ep) {
        slot = await limiter.acquire(ep, { signal: call.signal, onWait: call.onWait, gate: inFlight });
        releaseInFlight = slot.leaveGate ?? (() => {});
      } else {
        releaseInFlight = await inFlight.acquire(call.signal);
        slot = OFF_API_SLOT;
      }
      // Stopped while waiting for a slot: nothing goes out, and the slot goes back.
      if (call.signal?.aborted) {
        slot.release();
        releaseInFlight();
        throw call.signal.reason ?? abortError();
      }
      if (ep) made++;
      onWire++;
      const timeout = AbortSignal.timeout(timeoutMs);
      // A request already on its way is given a moment to answer when the caller stops (pause,
      // cancel): the server counts it either way, and so do we, so requests.used stays exact.
      const grace = call.signal ? abortedAfter(call.signal, IN_FLIGHT_GRACE_MS) : undefined;
      const signal = grace ? AbortSignal.any([grace.signal, timeout]) : timeout;
      const started = clock.now();
      let res: Response;
      let text: string;
      // When the answer's head arrived: the server had admitted the request by then, so its log
      // entry may move there (reading and parsing the body can take a while on a busy machine).
      let answeredAt: number | undefined;
      try {
        const posting = method === 'POST';
        res = await doFetch(href, {
          method,
          headers: headersFor(hop, rules, posting ? postHeaders : plainHeaders, credential.headers),
          ...(posting ? { body: requestBody } : {}),
          signal,
          redirect: 'manual',
        });
        answeredAt = clock.now();
        text = await res.text();
      } catch (e) {
        grace?.dispose();
        wireDone();
        const k = timeout.aborted ? { kind: 'timeout' as const, code: undefined } : classifyNetworkError(e);
        // A connection that was never made reached no server: its slot and count go back.
        if (k.kind === 'unreachable') {
          slot.release();
          if (ep) made--;
        } else slot.done(); // the server may have counted it
        releaseInFlight();
        if (call.signal?.aborted) throw call.signal.reason ?? abortError();
        attempts++;
        log.debug('api request failed', { endpoint: ep ?? hop.url.origin, kind: k.kind, code: k.code, attempt: attempts });
        if (attempts >= policy.maxAttempts) {
          if (k.kind === 'timeout') throw E.timeoutError(href, timeoutMs, attempts, e);
          if (k.kind === 'unreachable') throw errors.unreachable(href, k.code, attempts, e);
          if (k.kind === 'reset') throw E.badResponseError(href, attempts, e);
          throw errors.unreachable(href, k.code, attempts, e);
        }
        await sleepOrCancel(backoffDelay(attempts, policy));
        continue;
      }

      grace?.dispose();
      wireDone();
      if (isRedirect(res.status)) {
        slot.done(answeredAt); // the server counted the redirect answer as a request
        releaseInFlight();
        log.debug('api request redirected', { endpoint: ep ?? hop.url.origin, status: res.status });
        hop = nextHop(hop, res.headers.get('location'), rules);
        if (res.status !== 307 && res.status !== 308) method = 'GET';
        continue;
      }

      const ms = clock.now() - started;
      const contentType = res.headers.get('content-type');
      let body: unknown = undefined;
      let parsed = false;
      if (text.trim()) {
        try {
          body = JSON.parse(text);
          parsed = true;
        } catch {
          parsed = false;
        }
      }
      let status = res.status;
      // An error envelope can arrive with 200: honour it (the SDK does too).
      if (parsed && status < 300 && body && typeof body === 'object' && (body as { status?: unknown }).status === 'error') {
        status = statusForCode(errorFields(body).code) ?? 500;
      }
      releaseInFlight();
      const cls = !ep && status === 429 ? 'retry' : classifyStatus(status);
      // A 429 was not counted by the server; anything else was, at the latest now.
      if (cls === 'rate-limited') slot.release();
      else slot.done(answeredAt);
      if (call.signal?.aborted) throw call.signal.reason ?? abortError();
      log.debug('api request', { endpoint: ep, status, ms, bytes: text.length });

      if (cls === 'ok') {
        if (parsed) return { status, body, headers: res.headers, url: href };
        if (looksLikeHtml(text, contentType)) throw errors.notApi(href, 'html', status);
        // Truncated or unparseable JSON: transient.
        attempts++;
        if (attempts >= policy.maxAttempts) throw E.badResponseError(href, attempts);
        await sleepOrCancel(backoffDelay(attempts, policy));
        continue;
      }

      if (cls === 'rate-limited') {
        limited++;
        const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), Date.now()) ?? policy.defaultRetryAfterMs;
        const jitter = Math.floor(policy.random() * Math.min(500, retryAfterMs * 0.1));
        const wait = retryAfterMs + jitter;
        const info = rateLimitInfo(body);
        const pause = serverWide(body);
        const scope = limiter.onRateLimited(ep!, wait, pause ? 'key' : info.scope, { serverLimit: info.limit, learn: !pause });
        log.info('rate limited by the server', { endpoint: ep, retryAfterMs, scope });
        if (rateLimitWaitedMs + wait > policy.maxRateLimitWaitMs) throw errors.rateLimited(rateLimitWaitedMs, policy.maxRateLimitWaitMs, retryAfterMs);
        rateLimitWaitedMs += wait;
        call.onWait?.({ seconds: wait / 1000, scope: 'server', reason: 'The server asked us to wait (HTTP 429 Retry-After) before sending more requests.' });
        continue; // the limiter's block holds the next attempt back
      }

      if (cls === 'retry') {
        attempts++;
        if (attempts >= policy.maxAttempts) {
          if (status === 408 || status === 504) throw E.timeoutError(href, timeoutMs, attempts);
          throw errors.server(status, attempts, body);
        }
        const retryAfter = status === 503 ? parseRetryAfter(res.headers.get('retry-after'), Date.now()) : null;
        await sleepOrCancel(Math.max(backoffDelay(attempts, policy), Math.min(retryAfter ?? 0, policy.maxDelayMs)));
        continue;
      }

      // Fatal 4xx. A web page here means we are not talking to the API at all.
      if (!parsed && looksLikeHtml(text, contentType)) throw errors.notApi(href, 'html', status);
      throw errors.fatal(status, body, what, href);
    }
  }

  return {
    baseUrl,
    request: async (call) => {
      try {
        return await request(call);
      } catch (e) {
        if (e instanceof StudyError) throw e;
        if ((e as { name?: string })?.name === 'AbortError' || call.signal?.aborted) throw e;
        throw new StudyError({ code: 'INTERNAL', message: redactSecrets(e instanceof Error ? e.message : String(e)), fix: 'Try again. If it keeps happening, report it with the log file.' }, { cause: e });
      }
    },
    requestsMade: () => made,
    rateLimitedResponses: () => limited,
    whenQuiet: (maxMs) =>
      onWire === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            const t = setTimeout(resolve, maxMs);
            t.unref?.();
            quietWaiters.push(() => {
              clearTimeout(t);
              resolve();
            });
          }),
  };
}
