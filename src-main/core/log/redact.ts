// Deep redaction for log extras: values under secret-sounding names are blanked whatever
// they look like (a mistyped key doesn't match the key pattern), and every string is
// passed through redactSecrets.
import { redactSecrets } from '../../../src-shared/errors';

const SECRET_NAMES = /^(api[-_]?key|x-api-key|secret|password|passphrase|token|authorization)$/i;
export const REDACTED = '[REDACTED]';

export function redactValue(value: unknown, seen = new WeakSet<object>(), depth = 0): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (value === null || typeof value !== 'object') return typeof value === 'bigint' ? value.toString() : value;
  if (seen.has(value)) return '[Circular]';
  if (depth > 8) return '[Nested]';
  seen.add(value);
  if (value instanceof Error) {
    const err = value as Error & { code?: unknown; status?: unknown; fix?: unknown };
    return {
      name: err.name,
      message: redactSecrets(err.message),
      ...(err.code !== undefined ? { code: err.code } : {}),
      ...(err.status !== undefined ? { status: err.status } : {}),
      ...(typeof err.fix === 'string' ? { fix: redactSecrets(err.fix) } : {}),
      ...(err.stack ? { stack: redactSecrets(err.stack) } : {}),
    };
  }
  if (Array.isArray(value)) return value.map((v) => redactValue(v, seen, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_NAMES.test(k) && v != null && v !== '' ? REDACTED : redactValue(v, seen, depth + 1);
  }
  return out;
}
