// Anything thrown by an api call becomes ErrorInfo the UI can show: message + fix.
import type { ErrorInfo } from '../../../src-shared/errors';

export function toUiError(e: unknown): ErrorInfo {
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) {
    const info = e as ErrorInfo;
    return { code: info.code, message: String(info.message), ...(info.fix ? { fix: info.fix } : {}), ...(info.status ? { status: info.status } : {}), ...(info.details ? { details: info.details } : {}) };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'INTERNAL', message: message || 'Something went wrong.', fix: 'Try again. If it keeps happening, report it with the log file.' };
}

/** Scopes a FORBIDDEN error names (details.required), so the UI can say which scope the key lacks. */
export function missingScopes(error: ErrorInfo): string[] {
  const req = error.details?.required;
  if (Array.isArray(req)) return req.map(String);
  if (typeof req === 'string') return [req];
  return [];
}
