// One JSON API request, done right: key checked before anything is sent, the joint limiter
// acquired for every attempt, a timeout combined with the caller's signal, transient failures
// retried with jittered backoff, 429s waited out on the limiter's block, and every failure turned
// into a typed StudyError whose message never contains the key.
import { StudyError, redactSecrets } from '../../../src-shared/errors';
import { abortError, silentLogger, systemClock, type Clock, type FetchLike, type Logger } from '../ports';
import { endpointKey } from './endpoint-key';
import * as E from './http-errors';
import type { JointLimiter, LimiterSlot, WaitInfo } from './limiter';
import { createSemaphore } from './semaphore';
import { backoffDelay, classifyNetworkError, classifyStatus, defaultRetryPolicy, parseRetryAfter, type RetryPolicy } from './retry';

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_IN_FLIGHT = 8;
const KEY_PREFIX = /^hst_(live|test)_\S+$/;

export interface ConnectionLike {
  baseUrl: string;
  apiKey: string;
  organizationId?: string;
  timeoutMs?: number;
}

export interface ApiCall {
  /** Path below the base URL ("/data/events/experiment/exp_1"), or an absolute URL. */
  path: string;
  query?: Record<string, string | number | boolean | null | undefined>;
  timeoutMs?: number;
  signal?: AbortSignal;
  onWait?: (w: WaitInfo) => void;
  /** What is asked for, for a 404 message: "experiment exp_1". */
  what?: string;
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
  limiter: JointLimiter;
  clock?: Clock;
  fetch?: FetchLike;
  logger?: Logger;
  retry?: Partial<RetryPolicy>;
  /** Requests in flight at once through this transport (default 8); waiting ones hold no limiter slot. */
  maxInFlight?: number;
}

export interface ApiTransport {
  readonly baseUrl: string;
  request(call: ApiCall): Promise<ApiResponse>;
  /** Requests actually sent (every attempt, 429s included). */
  requestsMade(): number;
  /** 429 answers received. */
  rateLimitedResponses(): number;
}

/** Throws KEY_FORMAT unless the key looks like hst_live_… / hst_test_…. */
export function checkKeyFormat(apiKey: string | undefined): void {
  if (!apiKey || !KEY_PREFIX.test(apiKey.trim())) throw E.keyFormatError();
}

export function normalizeBaseUrl(baseUrl: string): string {
  return baseUrl.trim().replace(/\/+$/, '');
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

export function createApiTransport(opts: ApiTransportOptions): ApiTransport {
  const conn = opts.connection;
  const baseUrl = normalizeBaseUrl(conn.baseUrl);
  const clock = opts.clock ?? systemClock;
  const doFetch: FetchLike = opts.fetch ?? ((...a) => fetch(...a));
  const log = opts.logger ?? silentLogger;
  const limiter: JointLimiter = opts.limiter;
  const policy: RetryPolicy = { ...defaultRetryPolicy, ...(opts.retry ?? {}) };
  let made = 0;
  let limited = 0;
  const inFlight = createSemaphore(Math.max(1, opts.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT));

  const headers: Record<string, string> = { Accept: 'application/json', 'X-API-Key': conn.apiKey?.trim() ?? '' };
  if (conn.organizationId) headers['X-Organization-Id'] = conn.organizationId;

  async function request(call: ApiCall): Promise<ApiResponse> {
    checkKeyFormat(conn.apiKey);
    const url = buildUrl(baseUrl, call.path, call.query);
    const ep = endpointKey(relativePath(baseUrl, url));
    const timeoutMs = call.timeoutMs ?? conn.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const what = call.what ?? `resource at ${ep}`;
    const href = url.toString();
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
      // In-flight cap first, then the limiter: the slot's time must be the real send time.
      const releaseInFlight = await inFlight.acquire(call.signal);
      let slot: LimiterSlot;
      try {
        slot = await limiter.acquire(ep, { signal: call.signal, onWait: call.onWait });
      } catch (e) {
        releaseInFlight();
        throw e;
      }
      made++;
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout;
      const started = clock.now();
      let res: Response;
      let text: string;
      try {
        res = await doFetch(href, { method: 'GET', headers, signal });
        text = await res.text();
      } catch (e) {
        const k = timeout.aborted ? { kind: 'timeout' as const, code: undefined } : classifyNetworkError(e);
        // A connection that was never made (refused, unknown host) sent nothing: it costs no budget
        // and is not a request made. Anything else may have reached the server and counts.
        if (k.kind === 'unreachable') {
          slot.release();
          made--;
        } else {
          slot.done();
        }
        releaseInFlight();
        if (call.signal?.aborted) throw call.signal.reason ?? abortError();
        attempts++;
        log.debug('api request failed', { endpoint: ep, kind: k.kind, code: k.code, attempt: attempts });
        if (attempts >= policy.maxAttempts) {
          if (k.kind === 'timeout') throw E.timeoutError(href, timeoutMs, attempts, e);
          if (k.kind === 'unreachable') throw E.unreachableError(href, k.code, attempts, e);
          if (k.kind === 'reset') throw E.badResponseError(href, attempts, e);
          throw E.unreachableError(href, k.code, attempts, e);
        }
        await sleepOrCancel(backoffDelay(attempts, policy));
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
      const cls = classifyStatus(status);
      // A 429 was not counted by the server; anything else was, at the latest now.
      if (cls === 'rate-limited') slot.release();
      else slot.done();
      log.debug('api request', { endpoint: ep, status, ms, bytes: text.length });

      if (cls === 'ok') {
        if (parsed) return { status, body, headers: res.headers, url: href };
        if (looksLikeHtml(text, contentType)) throw E.notHyperStudyError(href, 'html');
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
        const scope = limiter.onRateLimited(ep, wait, pause ? 'key' : info.scope, { serverLimit: info.limit, learn: !pause });
        log.info('rate limited by the server', { endpoint: ep, retryAfterMs, scope });
        if (rateLimitWaitedMs + wait > policy.maxRateLimitWaitMs) throw E.rateLimitedError(rateLimitWaitedMs, policy.maxRateLimitWaitMs, retryAfterMs);
        rateLimitWaitedMs += wait;
        call.onWait?.({ seconds: wait / 1000, scope: 'server', reason: 'The server asked us to wait (HTTP 429 Retry-After) before sending more requests.' });
        continue; // the limiter's block holds the next attempt back
      }

      if (cls === 'retry') {
        attempts++;
        const f = errorFields(body);
        if (attempts >= policy.maxAttempts) {
          if (status === 408 || status === 504) throw E.timeoutError(href, timeoutMs, attempts);
          throw E.serverError(status, attempts, f.message);
        }
        const retryAfter = status === 503 ? parseRetryAfter(res.headers.get('retry-after'), Date.now()) : null;
        await sleepOrCancel(Math.max(backoffDelay(attempts, policy), Math.min(retryAfter ?? 0, policy.maxDelayMs)));
        continue;
      }

      // Fatal 4xx. A web page here means we are not talking to the API at all.
      if (!parsed && looksLikeHtml(text, contentType)) throw E.notHyperStudyError(href, 'html');
      throw fatalFor(status, body, what);
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
  };
}

/** The single-call form: one JSON API request through the limiter and retry. */
export function apiRequest(opts: ApiTransportOptions, call: ApiCall): Promise<ApiResponse> {
  return createApiTransport(opts).request(call);
}
