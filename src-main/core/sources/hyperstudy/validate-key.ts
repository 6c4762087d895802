// Checks a key before it is saved, and says the result in plain words:
// the format first (no request), then /health WITHOUT the key (so a key is never sent to a
// server that does not look like HyperStudy), then one cheap authenticated call. Both follow
// redirects by the transport's rules: the key never leaves the base URL's origin.
import { isStudyError, redactSecrets } from '../../../../src-shared/errors';
import type { KeyValidation } from '../../../../src-shared/model';
import { baseUrlProblem } from '../../net/base-url';
import { hyperstudyCredential } from '../../net/http';
import { fetchWithCredential, type RedirectRules } from '../../net/redirects';
import { systemClock, type Clock, type FetchLike } from '../../ports';
import type { ConnectionConfig } from './client-types';
import { isWellFormedKey } from './key-format';

export interface ValidateKeyDeps {
  fetch?: FetchLike;
  clock?: Clock;
  /** Per request, ms. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 15_000;

type Answer =
  | { kind: 'response'; status: number; contentType: string; json: unknown; isJson: boolean; retryAfter: string | null }
  | { kind: 'unreachable'; reason: string }
  | { kind: 'refused'; message: string; fix?: string };

export async function validateKey(conn: ConnectionConfig, deps: ValidateKeyDeps = {}): Promise<KeyValidation> {
  const key = conn.apiKey.trim();
  const formatProblem = keyFormatProblem(key);
  if (formatProblem) return formatProblem;

  const insecure = baseUrlProblem(conn.baseUrl);
  if (insecure) return { outcome: 'error', message: insecure.message, ...(insecure.fix ? { fix: insecure.fix } : {}) };
  const base = conn.baseUrl.trim().replace(/\/+$/, '');
  // baseUrlProblem has parsed it: a URL.
  const host = new URL(base).host;
  const doFetch = deps.fetch ?? fetch;
  const clock = deps.clock ?? systemClock;
  const timeoutMs = deps.timeoutMs ?? conn.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const rules: RedirectRules = { origin: new URL(base).origin, crossOrigin: 'refuse' };

  const get = (path: string, credential: Readonly<Record<string, string>>) => request(doFetch, clock, timeoutMs, `${base}${path}`, rules, credential);

  const health = await get('/health', {});
  if (health.kind === 'unreachable') return unreachable(host, health.reason);
  if (health.kind === 'refused') return refused(health);
  const healthVerdict = judgeHealth(health, host);
  if (healthVerdict) return healthVerdict;

  const probe = await get('/experiments?limit=1', hyperstudyCredential({ apiKey: key, organizationId: conn.organizationId }).headers);
  if (probe.kind === 'unreachable') return unreachable(host, probe.reason);
  if (probe.kind === 'refused') return refused(probe);
  return judgeAuthenticated(probe, host);
}

/** The wrong-format verdict, or null when the key looks like a HyperStudy key. Makes no request. */
export function keyFormatProblem(key: string): KeyValidation | null {
  return isWellFormedKey(key.trim()) ? null : wrongFormat(key.trim());
}

function wrongFormat(key: string): KeyValidation {
  const why = !key
    ? 'No API key was given.'
    : /\s/.test(key)
      ? 'That API key contains spaces or line breaks, so it was not copied whole.'
      : "That doesn't look like a HyperStudy API key: keys start with hst_live_ or hst_test_.";
  return {
    outcome: 'wrong-format',
    message: why,
    fix: 'Copy the whole key from HyperStudy (Experimenter Dashboard → Settings → Account → API Keys) and paste it again.',
  };
}

function unreachable(host: string, reason: string): KeyValidation {
  return {
    outcome: 'unreachable',
    message: `Could not reach ${host}: ${reason}. The key was not checked.`,
    fix: 'Check the server address and your internet connection, then try again.',
  };
}

/** A redirect off the server (or a loop): the key was not sent on, and this is not the API's own address. */
function refused(a: { message: string; fix?: string }): KeyValidation {
  return { outcome: 'not-hyperstudy', message: a.message, ...(a.fix ? { fix: a.fix } : {}) };
}

function notHyperStudy(host: string, what: string): KeyValidation {
  return {
    outcome: 'not-hyperstudy',
    message: `${host} answered, but not like a HyperStudy API (${what}).`,
    fix: 'Check the server address: it should be the API base URL ending in /api/v3, e.g. https://api.hyperstudy.io/api/v3.',
  };
}

function serverTrouble(host: string, status: number, serverMessage?: string, retryAfter?: string | null): KeyValidation {
  if (status === 429) {
    const wait = retryAfter ? ` Try again in ${/^\d+$/.test(retryAfter) ? `${retryAfter} s` : `a moment (after ${retryAfter})`}.` : '';
    return { outcome: 'error', message: `${host} is rate-limiting requests from this key right now, so it could not be checked.${wait}`, fix: 'Wait a little and try again.' };
  }
  const detail = serverMessage ? `: ${serverMessage}` : '';
  return {
    outcome: 'error',
    message: `${host} could not answer the check (HTTP ${status}${detail}).`,
    fix: status >= 500 ? 'The server is having trouble; try again in a few minutes.' : 'Check the server address and the organization id, then try again.',
  };
}

/** null when the server looks like HyperStudy and checking may continue. */
function judgeHealth(answer: Extract<Answer, { kind: 'response' }>, host: string): KeyValidation | null {
  if (!answer.isJson) {
    if (answer.status >= 502 && answer.status <= 504) return serverTrouble(host, answer.status);
    const what = /html/i.test(answer.contentType) ? 'it returned a web page' : `it returned ${answer.contentType || 'an unreadable answer'}`;
    return notHyperStudy(host, what);
  }
  if (isErrorEnvelope(answer.json)) {
    // A HyperStudy-shaped error: health may require a key or be unavailable; the next call decides.
    if (answer.status >= 500) return serverTrouble(host, answer.status, envelopeMessage(answer.json));
    return null;
  }
  // The docs say every request needs a key, /health too: a JSON 401/403 (in any error shape) is
  // the API asking for one, and the authenticated call decides.
  if (answer.status === 401 || answer.status === 403) return null;
  if (answer.status >= 200 && answer.status < 300 && looksLikeHealth(answer.json)) return null;
  if (answer.status >= 500) return serverTrouble(host, answer.status);
  return notHyperStudy(host, 'its /health answer has an unexpected shape');
}

function judgeAuthenticated(answer: Extract<Answer, { kind: 'response' }>, host: string): KeyValidation {
  const { status, json } = answer;
  const serverMessage = envelopeMessage(json);
  if (status === 401) {
    return {
      outcome: 'rejected',
      message: `HyperStudy rejected this key: it is invalid, expired or revoked${serverMessage ? ` (“${serverMessage}”)` : ''}.`,
      fix: 'Create a new key in HyperStudy (Experimenter Dashboard → Settings → Account → API Keys) and enter it here.',
    };
  }
  if (status === 403) {
    const required = requiredScopes(json);
    if (required.length) {
      const list = required.join(', ');
      return {
        outcome: 'missing-scopes',
        message: `This key lacks ${required.length > 1 ? 'the scopes' : 'the scope'} ${list}, which the downloader needs to list experiments.`,
        fix: `Create a key with ${list} (or read:*) in HyperStudy and enter it here.`,
        missingScopes: required,
      };
    }
    return {
      outcome: 'missing-scopes',
      message: `HyperStudy refused this key access to experiments${serverMessage ? ` (“${serverMessage}”)` : ''}.`,
      fix: 'Check the organization id and create a key with read:experiments (or read:*) in HyperStudy.',
    };
  }
  if (status >= 200 && status < 300) {
    if (!answer.isJson) return notHyperStudy(host, 'its experiments list is not JSON');
    if (isErrorEnvelope(json)) return serverTrouble(host, status, serverMessage);
    if (Array.isArray(json) || (isObject(json) && ('data' in json || json.status === 'success'))) {
      return { outcome: 'accepted', message: `The key works: connected to HyperStudy at ${host}.` };
    }
    return notHyperStudy(host, 'its experiments list has an unexpected shape');
  }
  if (!answer.isJson && !(status >= 502 && status <= 504) && status !== 429) return notHyperStudy(host, `HTTP ${status} with a non-JSON answer`);
  return serverTrouble(host, status, serverMessage, answer.retryAfter);
}

async function request(doFetch: FetchLike, clock: Clock, timeoutMs: number, url: string, rules: RedirectRules, credential: Readonly<Record<string, string>>): Promise<Answer> {
  const abort = new AbortController();
  const stopTimer = new AbortController();
  let timedOut = false;
  clock.sleep(timeoutMs, stopTimer.signal).then(
    () => {
      timedOut = true;
      abort.abort();
    },
    () => undefined,
  );
  try {
    const res = await fetchWithCredential(doFetch, url, { rules, headers: { Accept: 'application/json' }, credential, signal: abort.signal });
    const contentType = res.headers.get('content-type') ?? '';
    const text = await res.text();
    let json: unknown = undefined;
    let isJson = false;
    try {
      json = JSON.parse(text);
      isJson = /json/i.test(contentType) || (text.trim().startsWith('{') || text.trim().startsWith('['));
    } catch {
      isJson = false;
    }
    return { kind: 'response', status: res.status, contentType: contentType.split(';')[0].trim(), json, isJson, retryAfter: res.headers.get('retry-after') };
  } catch (e) {
    if (isStudyError(e)) return { kind: 'refused', message: e.message, ...(e.fix ? { fix: e.fix } : {}) };
    if (timedOut) return { kind: 'unreachable', reason: `no answer within ${Math.round(timeoutMs / 1000)} s` };
    return { kind: 'unreachable', reason: networkReason(e) };
  } finally {
    stopTimer.abort();
  }
}

function networkReason(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
  const code = cause?.code ?? (e as { code?: string })?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'the connection was refused (nothing is listening there)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name could not be found';
    case 'ECONNRESET':
      return 'the connection was reset';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'the connection timed out';
    case 'CERT_HAS_EXPIRED':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return "the server's security certificate is not valid";
    default:
      return redactSecrets(cause?.message ?? (e instanceof Error ? e.message : 'network error'));
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function isErrorEnvelope(v: unknown): v is { status: 'error'; error: Record<string, unknown> } {
  return isObject(v) && v.status === 'error' && isObject(v.error);
}

function looksLikeHealth(v: unknown): boolean {
  return isObject(v) && typeof v.status === 'string' && /^(healthy|success|ok)$/i.test(v.status);
}

function envelopeMessage(v: unknown): string | undefined {
  if (isErrorEnvelope(v) && typeof v.error.message === 'string') return redactSecrets(v.error.message).slice(0, 300);
  if (isObject(v) && typeof v.error === 'string') return redactSecrets(v.error).slice(0, 300);
  return undefined;
}

function requiredScopes(v: unknown): string[] {
  if (!isErrorEnvelope(v)) return [];
  const details = v.error.details;
  let required: unknown[] = isObject(details) && Array.isArray(details.required) ? details.required : [];
  const provided = isObject(details) && Array.isArray(details.provided) ? new Set(details.provided) : new Set();
  required = required.filter((s) => typeof s === 'string' && !provided.has(s));
  if (!required.length && typeof v.error.message === 'string') {
    const m = /Required:\s*([\w:*,\s]+)/i.exec(v.error.message);
    if (m) required = m[1].split(/[,\s]+/).filter(Boolean);
  }
  return (required as string[]).map((s) => redactSecrets(s).slice(0, 64));
}
