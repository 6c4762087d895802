// BrainSTEM's failures as our typed errors, in plain words with a fix. Its error bodies are
// Django REST framework's: {"detail": "..."} for 401/403/404/405/429, {"field": ["..."]} for
// validation, a bare ["..."] for a refused filter; a URL nothing routes gets Django's HTML page.
import { StudyError, redactSecrets, type ErrorCode } from '../../../../src-shared/errors';
import type { TransportErrors } from '../../net/http';
import { hostOf } from '../../net/http-errors';
import { DEFAULT_BRAINSTEM_URL, type Portal } from './connection';

function make(code: ErrorCode, message: string, fix: string, extra: { status?: number; details?: Record<string, unknown> } = {}): StudyError {
  return new StudyError({ code, message: redactSecrets(message), fix: redactSecrets(fix), ...extra });
}

const MAX_MESSAGE = 300;

/** The server's words from a DRF error body: detail, a bare list, or field errors ("name: This field is required."). */
export function drfMessage(body: unknown): string | undefined {
  let text: string | undefined;
  if (typeof body === 'string') text = body;
  else if (Array.isArray(body)) text = body.filter((x) => typeof x === 'string').join(' ');
  else if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    if (typeof b.detail === 'string') text = b.detail;
    else {
      const parts: string[] = [];
      for (const [field, v] of Object.entries(b)) {
        const msgs = Array.isArray(v) ? v.filter((x) => typeof x === 'string') : typeof v === 'string' ? [v] : [];
        if (msgs.length) parts.push(field === 'non_field_errors' ? msgs.join(' ') : `${field}: ${msgs.join(' ')}`);
      }
      text = parts.join('; ') || undefined;
    }
  }
  text = text?.trim();
  if (!text) return undefined;
  return text.length > MAX_MESSAGE ? text.slice(0, MAX_MESSAGE) + '…' : text;
}

/** How the caller is authenticated, for the wording of a 401. */
export type AuthKind = 'none' | 'token' | 'refresh';

export interface ErrorContext {
  /** The site root, for the tokens page. */
  site: string;
  portal: Portal;
  auth: AuthKind;
}

const said = (m: string | undefined) => (m ? ` (BrainSTEM said: "${m}")` : '');

export function tokenRefusedError(ctx: ErrorContext, serverMessage?: string): StudyError {
  if (ctx.auth === 'refresh') {
    return make(
      'UNAUTHORIZED',
      `BrainSTEM ended this sign-in${said(serverMessage)}: the saved sign-in has expired or was replaced.`,
      `Sign in to BrainSTEM again (in the browser, or with a personal access token from ${ctx.site}/private/users/tokens/).`,
      { status: 401 },
    );
  }
  if (ctx.auth === 'none') {
    return make(
      'UNAUTHORIZED',
      `BrainSTEM asked for a sign-in to read this${said(serverMessage)}.`,
      ctx.portal === 'public'
        ? 'The public portal shows public projects only; sign in and use the private portal for your own data.'
        : `Sign in to BrainSTEM, or paste a personal access token from ${ctx.site}/private/users/tokens/.`,
      { status: 401 },
    );
  }
  return make(
    'UNAUTHORIZED',
    `This token was refused by BrainSTEM (invalid, expired or revoked)${said(serverMessage)}.`,
    `Create a new personal access token at ${ctx.site}/private/users/tokens/ or sign in again.`,
    { status: 401 },
  );
}

export function forbiddenError(ctx: ErrorContext, what: string, serverMessage?: string): StudyError {
  return make(
    'FORBIDDEN',
    `You do not have permission to see ${what} on BrainSTEM${said(serverMessage)}.`,
    'Ask a manager of the project to add you (or your group) to it, then try again.',
    { status: 403 },
  );
}

export function notFoundError(ctx: ErrorContext, what: string, serverMessage?: string): StudyError {
  return make(
    'NOT_FOUND',
    `BrainSTEM has no ${what} on the ${ctx.portal} portal${said(serverMessage)}.`,
    ctx.portal === 'public'
      ? 'Check the id. The public portal only shows projects marked public; use the private portal (signed in) for the others.'
      : 'Check the id: list what you can see with `studydl --source brainstem ls` (or refresh the list in the app).',
    { status: 404 },
  );
}

export function invalidRequestError(status: number, serverMessage?: string, details?: Record<string, unknown>): StudyError {
  return make(
    'INVALID_PARAMETER',
    `BrainSTEM refused the request as invalid (HTTP ${status})${serverMessage ? `: "${serverMessage}"` : ''}.`,
    'Check the ids you gave. If they are right, BrainSTEM may have changed its API: report it with the log file.',
    { status, ...(details ? { details } : {}) },
  );
}

export function notBrainstemError(url: string, what: 'html' | 'shape', status?: number, found?: string): StudyError {
  const host = hostOf(url);
  return make(
    'NOT_HYPERSTUDY',
    what === 'html'
      ? `${host} answered with a web page${status && status !== 200 ? ` (HTTP ${status})` : ''}, not the BrainSTEM API: check the address.`
      : `${host} answered, but not like the BrainSTEM API${found ? ` (${found})` : ''}: check the address.`,
    `The address should be BrainSTEM's site, e.g. ${DEFAULT_BRAINSTEM_URL} (its API lives under /api/). A proxy or captive portal may also be intercepting requests.`,
    status ? { status } : {},
  );
}

/** The transport's error wording for BrainSTEM. */
export function brainstemTransportErrors(ctx: ErrorContext): TransportErrors {
  return {
    fatal(status, body, what) {
      const message = drfMessage(body);
      if (status === 401) return tokenRefusedError(ctx, message);
      if (status === 403) return forbiddenError(ctx, what, message);
      if (status === 404) return notFoundError(ctx, what, message);
      if (status === 400 || status === 422) {
        const fields = body && typeof body === 'object' && !Array.isArray(body) && typeof (body as { detail?: unknown }).detail !== 'string' ? { fields: body as Record<string, unknown> } : undefined;
        return invalidRequestError(status, message, fields);
      }
      return make('BAD_RESPONSE', `BrainSTEM refused the request (HTTP ${status})${message ? `: "${message}"` : ''}.`, 'Try again. If it keeps happening, report it with the log file.', { status });
    },
    notApi: (url, what, status) => notBrainstemError(url, what, status),
    server: (status, attempts, body) =>
      make(
        'SERVER',
        `BrainSTEM failed (HTTP ${status}) ${attempts} time${attempts === 1 ? '' : 's'} in a row${said(drfMessage(body))}.`,
        'This is usually temporary on the server side: try again in a few minutes. Whatever was already downloaded is kept.',
        { status },
      ),
    unreachable(url, code, attempts) {
      const why = code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'the host name was not found' : code === 'ECONNREFUSED' ? 'the connection was refused' : 'the network is unreachable';
      return make(
        'UNREACHABLE',
        `Cannot reach ${hostOf(url)}: ${why} (${attempts} attempt${attempts === 1 ? '' : 's'}).`,
        `Check the address (BrainSTEM is ${DEFAULT_BRAINSTEM_URL}) and your internet connection, VPN or proxy.`,
        code ? { details: { code } } : {},
      );
    },
    rateLimited(waitedMs, allowedMs, retryAfterMs) {
      const min = (ms: number) => (ms >= 120_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`);
      return make(
        'RATE_LIMITED',
        `BrainSTEM keeps asking us to slow down (HTTP 429). We already waited ${min(waitedMs)} and it now asks for ${min(retryAfterMs)} more, past the allowed ${min(allowedMs)}.`,
        'Try again later. Other tools signed in to the same account share its allowance.',
        { status: 429 },
      );
    },
  };
}
