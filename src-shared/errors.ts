// Errors that cross a process boundary (IPC, WebSocket, CLI output) as plain data.
// Every error a researcher can see says what happened in plain words and what to do.

export const ERROR_CODES = [
  'KEY_FORMAT', // key does not look like hst_live_… / hst_test_… (caught before any request)
  'UNAUTHORIZED', // 401: invalid, expired or revoked key
  'FORBIDDEN', // 403: missing scope (details.required) or no data permission
  'NOT_FOUND', // 404
  'INVALID_PARAMETER', // 400 from the server
  'RATE_LIMITED', // 429 past the allowed wait
  'SERVER', // 5xx after retries
  'TIMEOUT',
  'UNREACHABLE', // DNS failure, connection refused, offline
  'NOT_HYPERSTUDY', // the host answered, but not like a HyperStudy API (HTML, wrong shape)
  'BAD_RESPONSE', // truncated or malformed body after retries
  'CROSS_ORIGIN', // a credentialed request would leave the API's origin (redirect or absolute URL): refused
  'INVALID_ARGUMENT', // a contract call with malformed arguments
  'DISK', // full disk, permission denied, other write errors
  'CANCELLED',
  'KEYCHAIN_UNAVAILABLE',
  'NO_PROFILE', // no connection configured / no key available
  'UNSUPPORTED', // e.g. a shell action in browser mode
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorInfo {
  code: ErrorCode;
  /** What happened, in plain words. Never contains the API key. */
  message: string;
  /** What the user can do about it. */
  fix?: string;
  /** HTTP status where one was involved. */
  status?: number;
  /** Structured extras, e.g. { required: ['read:chat'] } for FORBIDDEN. */
  details?: Record<string, unknown>;
}

/** An Error carrying ErrorInfo; thrown inside the core, serialized at the boundaries. */
export class StudyError extends Error implements ErrorInfo {
  readonly code: ErrorCode;
  readonly fix?: string;
  readonly status?: number;
  readonly details?: Record<string, unknown>;
  constructor(info: ErrorInfo, options?: { cause?: unknown }) {
    super(info.message, options);
    this.name = 'StudyError';
    this.code = info.code;
    this.fix = info.fix;
    this.status = info.status;
    this.details = info.details;
  }
  toInfo(): ErrorInfo {
    const { code, message, fix, status, details } = this;
    return { code, message, ...(fix ? { fix } : {}), ...(status ? { status } : {}), ...(details ? { details } : {}) };
  }
}

export function isStudyError(e: unknown): e is StudyError {
  return e instanceof StudyError;
}

const KEY_PATTERN = /hst_(live|test)_[A-Za-z0-9_-]+/g;
/** An Authorization header value (BrainSTEM: "Bearer <token>"), whatever the token looks like. */
const BEARER_PATTERN = /\b(Bearer)\s+[A-Za-z0-9._~+/=-]+/gi;
/** A JSON Web Token (BrainSTEM's access and refresh tokens): three base64url parts, the first "eyJ". */
const JWT_PATTERN = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;

/** Redacts anything that looks like an API key or token. Use on every log line and error message. */
export function redactSecrets(text: string): string {
  return text
    .replace(KEY_PATTERN, (_m, env: string) => `hst_${env}_[REDACTED]`)
    .replace(BEARER_PATTERN, '$1 [REDACTED]')
    .replace(JWT_PATTERN, '[REDACTED]');
}

/** Converts anything thrown into ErrorInfo that is safe to show and to send across a boundary. */
export function toErrorInfo(e: unknown): ErrorInfo {
  if (e instanceof StudyError) {
    const info = e.toInfo();
    return { ...info, message: redactSecrets(info.message), ...(info.fix ? { fix: redactSecrets(info.fix) } : {}) };
  }
  if (e && typeof e === 'object' && (e as { name?: string }).name === 'AbortError') {
    return { code: 'CANCELLED', message: 'The operation was cancelled.' };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'INTERNAL', message: redactSecrets(message || 'Unexpected error'), fix: 'Try again. If it keeps happening, report it with the log file.' };
}
