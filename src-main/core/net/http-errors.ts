// Plain-words messages and fixes for every way an API request can fail.
// Every text goes through redactSecrets: a server could echo the key back at us.
import { StudyError, redactSecrets, type ErrorCode } from '../../../src-shared/errors';

const KEYS_PAGE = 'HyperStudy → Settings → Account → API Keys';

function make(code: ErrorCode, message: string, fix: string, extra: { status?: number; details?: Record<string, unknown> } = {}, cause?: unknown) {
  return new StudyError({ code, message: redactSecrets(message), fix: redactSecrets(fix), ...extra }, cause === undefined ? undefined : { cause });
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the server';
  }
}

export function keyFormatError(): StudyError {
  return make(
    'KEY_FORMAT',
    'This does not look like a HyperStudy API key: keys start with hst_live_ (production) or hst_test_ (development).',
    `Copy the whole key from ${KEYS_PAGE}, including its hst_live_ or hst_test_ prefix.`,
  );
}

export function unauthorizedError(serverMessage?: string): StudyError {
  return make(
    'UNAUTHORIZED',
    'The server rejected this API key (invalid, expired or revoked)' + (serverMessage ? `: "${serverMessage}".` : '.'),
    `Create a new key in ${KEYS_PAGE} and use it instead. Check that the key belongs to this server: hst_live_ keys work on production, hst_test_ keys on development.`,
    { status: 401 },
  );
}

export function forbiddenError(required: string[], provided: string[] | undefined, serverMessage?: string): StudyError {
  if (required.length) {
    const list = required.map((s) => '`' + s + '`').join(', ');
    return make(
      'FORBIDDEN',
      `This key lacks ${list}; create a key with ${required.length > 1 ? 'those scopes' : 'that scope'}.`,
      `In ${KEYS_PAGE}, create a key that includes ${required.join(', ')} (or read:*), then use it here.`,
      { status: 403, details: { required, ...(provided ? { provided } : {}) } },
    );
  }
  return make(
    'FORBIDDEN',
    'You do not have permission to see this data' + (serverMessage ? ` (the server said: "${serverMessage}").` : '.'),
    'Ask the experiment owner to grant your account data View/Export permission in Data Management → Permissions. For an experiment shared from another organization, set the organization id (--org or the profile setting).',
    { status: 403 },
  );
}

export function notFoundError(what: string, serverMessage?: string): StudyError {
  return make(
    'NOT_FOUND',
    `The server has no ${what}` + (serverMessage ? ` ("${serverMessage}").` : '.'),
    'Check the id: list what your key can see with `studydl ls` (or refresh the list in the app). Shared experiments also need the organization id.',
    { status: 404 },
  );
}

export function invalidParameterError(serverMessage: string | undefined, details?: Record<string, unknown>): StudyError {
  return make(
    'INVALID_PARAMETER',
    `The server refused the request as invalid` + (serverMessage ? `: "${serverMessage}".` : '.'),
    'Check the dates (ISO 8601, e.g. 2024-06-15T10:00:00Z) and ids you gave. If they are right, this is a bug: report it with the log file.',
    { status: 400, ...(details ? { details } : {}) },
  );
}

export function otherClientError(status: number, serverMessage?: string): StudyError {
  return make(
    'BAD_RESPONSE',
    `The server refused the request (HTTP ${status})` + (serverMessage ? `: "${serverMessage}".` : '.'),
    'Try again. If it keeps happening, report it with the log file.',
    { status },
  );
}

export function rateLimitedError(waitedMs: number, allowedMs: number, retryAfterMs: number): StudyError {
  const min = (ms: number) => (ms >= 120_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`);
  return make(
    'RATE_LIMITED',
    `The server keeps asking us to slow down (HTTP 429). We already waited ${min(waitedMs)} and it now asks for ${min(retryAfterMs)} more, past the allowed ${min(allowedMs)}.`,
    'Try again later. The key budget (1000 requests per hour by default) is shared with every other tool or app instance using the same key.',
    { status: 429 },
  );
}

export function serverError(status: number, attempts: number, serverMessage?: string): StudyError {
  return make(
    'SERVER',
    `The HyperStudy server failed (HTTP ${status}) ${attempts} time${attempts === 1 ? '' : 's'} in a row` + (serverMessage ? `: "${serverMessage}".` : '.'),
    'This is usually temporary on the server side: try again in a few minutes.',
    { status },
  );
}

export function timeoutError(url: string, timeoutMs: number, attempts: number, cause?: unknown): StudyError {
  return make(
    'TIMEOUT',
    `${hostOf(url)} did not answer within ${Math.round(timeoutMs / 1000)} s (${attempts} attempt${attempts === 1 ? '' : 's'}).`,
    'Check your connection. The server may be overloaded: try again later.',
    {},
    cause,
  );
}

export function unreachableError(url: string, code: string | undefined, attempts: number, cause?: unknown): StudyError {
  const why = code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'the host name was not found' : code === 'ECONNREFUSED' ? 'the connection was refused' : 'the network is unreachable';
  return make(
    'UNREACHABLE',
    `Cannot reach ${hostOf(url)}: ${why} (${attempts} attempt${attempts === 1 ? '' : 's'}).`,
    'Check the base URL (production is https://api.hyperstudy.io/api/v3) and your internet connection, VPN or proxy.',
    code ? { details: { code } } : {},
    cause,
  );
}

export function notHyperStudyError(url: string, what: 'html' | 'shape'): StudyError {
  const host = hostOf(url);
  return make(
    'NOT_HYPERSTUDY',
    what === 'html'
      ? `${host} answered with a web page, not the HyperStudy API: check the base URL.`
      : `${host} answered, but not like the HyperStudy API: check the base URL.`,
    'The base URL should end in /api/v3, e.g. https://api.hyperstudy.io/api/v3. A proxy or captive portal may also be intercepting requests.',
  );
}

export function badResponseError(url: string, attempts: number, cause?: unknown): StudyError {
  return make(
    'BAD_RESPONSE',
    `The answer from ${hostOf(url)} was cut off or malformed (${attempts} attempt${attempts === 1 ? '' : 's'}).`,
    'Try again. If it keeps happening, a proxy may be interfering with the connection.',
    {},
    cause,
  );
}

/** "127.0.0.1:8080" for an origin or URL; the scheme is said only when it is not http(s). */
function originLabel(originOrUrl: string): string {
  try {
    const u = new URL(originOrUrl);
    return u.protocol === 'http:' || u.protocol === 'https:' ? `${u.protocol}//${u.host}` : u.protocol;
  } catch {
    return originOrUrl;
  }
}

/** A credentialed request would leave the API's origin. Names both origins, never the credential. */
export function crossOriginError(from: string, to: string, how: 'redirect' | 'absolute-url'): StudyError {
  const a = originLabel(from);
  const b = originLabel(to);
  return make(
    'CROSS_ORIGIN',
    how === 'redirect'
      ? `${a} redirected the request to another server, ${b}. It was not followed, so your credentials stayed with ${a}.`
      : `The server pointed us to ${b}, which is not the API server ${a}. Nothing was sent there, so your credentials stayed with ${a}.`,
    'Check the base URL: it should be the API address itself, not one that forwards elsewhere. If a proxy or single sign-on page sits in front of the API, use the address behind it.',
    { details: { from: a, to: b, how } },
  );
}

export function tooManyRedirectsError(url: string, max: number): StudyError {
  return make(
    'BAD_RESPONSE',
    `${hostOf(url)} redirected the request more than ${max} times in a row, so we stopped following it.`,
    'Check the base URL. A redirect loop is usually a proxy or server misconfiguration.',
    { details: { redirects: max } },
  );
}

export function redirectWithoutLocationError(url: string): StudyError {
  return make('BAD_RESPONSE', `${hostOf(url)} answered with a redirect that says nowhere usable to go.`, 'Check the base URL. If it is right, the server is misconfigured: try again later.');
}
