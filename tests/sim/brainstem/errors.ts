// Error bodies as Django REST framework (with dynamic-rest and simplejwt) writes them (reference §3.4):
// {"detail": "..."} for 401/403/404/405/429 and parse errors, a bare list ["..."] for a
// ValidationError raised with a message (bad filters, sort fields), {"field": ["..."]} for field
// validation. Unrouted URLs get Django's HTML 404 page, not JSON.

export type DrfBody = { detail: string; [k: string]: unknown } | string[] | Record<string, string[]> | string;

export class DrfError extends Error {
  constructor(
    readonly status: number,
    readonly body: DrfBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body === 'string' ? body : JSON.stringify(body));
  }
}

/** simplejwt's authenticate_header: DRF sends it with every 401. */
export const WWW_AUTHENTICATE = 'Bearer realm="api"';

export interface TokenMessage {
  token_class: 'AccessToken' | 'RefreshToken';
  token_type: 'access' | 'refresh';
  message: string;
}

export const drf = {
  notAuthenticated: () => new DrfError(401, { detail: 'Authentication credentials were not provided.' }, { 'WWW-Authenticate': WWW_AUTHENTICATE }),
  /** An unknown, revoked, expired or malformed bearer token. */
  tokenNotValid: (message = 'Token is invalid or expired') =>
    new DrfError(
      401,
      {
        detail: 'Given token not valid for any token type',
        code: 'token_not_valid',
        messages: [{ token_class: 'AccessToken', token_type: 'access', message } satisfies TokenMessage],
      },
      { 'WWW-Authenticate': WWW_AUTHENTICATE },
    ),
  badAuthorizationHeader: () =>
    new DrfError(401, { detail: 'Authorization header must contain two space-delimited values', code: 'bad_authorization_header' }, { 'WWW-Authenticate': WWW_AUTHENTICATE }),
  /** A refresh token that is expired, blacklisted, of the wrong type or not a token. */
  refreshInvalid: (detail: string) => new DrfError(401, { detail, code: 'token_not_valid' }, { 'WWW-Authenticate': WWW_AUTHENTICATE }),
  forbidden: () => new DrfError(403, { detail: 'You do not have permission to perform this action.' }),
  notFound: (detail = 'Not found.') => new DrfError(404, { detail }),
  methodNotAllowed: (method: string) => new DrfError(405, { detail: `Method "${method}" not allowed.` }),
  /** ValidationError raised with a message: DRF renders a bare list. */
  invalid: (message: string) => new DrfError(400, [message]),
  fields: (errors: Record<string, string[]>) => new DrfError(400, errors),
  parse: (detail: string) => new DrfError(400, { detail }),
  throttled: (seconds: number, retryAfter: string) =>
    new DrfError(429, { detail: `Request was throttled. Expected available in ${seconds} second${seconds === 1 ? '' : 's'}.` }, { 'Retry-After': retryAfter }),
  server: (status: number) =>
    new DrfError(status, { detail: status === 503 ? 'Service temporarily unavailable, try again later.' : 'A server error occurred.' }),
};

export const REQUIRED = 'This field is required.';

/** Django's production 404 page for a URL no route matches. */
export function djangoNotFoundPage(): string {
  return '<!doctype html>\n<html lang="en">\n<head>\n  <title>Not Found</title>\n</head>\n<body>\n  <h1>Not Found</h1><p>The requested resource was not found on this server.</p>\n</body>\n</html>\n';
}
