// Keeps the exact credentials of one BrainSTEM connection out of every error and log line. The
// shared redactSecrets knows what tokens look like ("Bearer …", JWTs); a personal access token has
// no documented shape, so the values themselves are remembered here and blanked wherever they
// appear — including a server that echoes a token back in an error body.
import { StudyError, isStudyError, redactSecrets } from '../../../../../src-shared/errors';
import { redactValue } from '../../../log/redact';
import type { Logger } from '../../../ports';

export const REDACTED_TOKEN = '[REDACTED]';
/** Shorter values are not remembered: they could match ordinary text. */
const MIN_SECRET_LENGTH = 8;

export interface SecretRedactor {
  /** Remembers a secret (a token, a password, a device code) for the life of this redactor. */
  add(secret: string | null | undefined): void;
  text(s: string): string;
  /** A StudyError with redacted message, fix and details (no cause, which could carry the secret); other errors pass through redacted. */
  error(e: unknown): unknown;
  /** A logger that redacts the message and extras before the inner one sees them. */
  logger(inner: Logger): Logger;
}

export function createSecretRedactor(): SecretRedactor {
  const secrets = new Set<string>();
  const text = (s: string): string => {
    let out = s;
    // Longest first, so a secret containing another is blanked whole.
    for (const secret of [...secrets].sort((a, b) => b.length - a.length)) if (out.includes(secret)) out = out.split(secret).join(REDACTED_TOKEN);
    return redactSecrets(out);
  };
  const deep = (v: unknown): unknown => {
    const shallow = redactValue(v);
    try {
      return JSON.parse(text(JSON.stringify(shallow) ?? 'null'));
    } catch {
      return shallow; // a secret with JSON-escaped characters: redactValue already blanked secret-named fields
    }
  };
  return {
    add(secret) {
      const s = secret?.trim();
      if (s && s.length >= MIN_SECRET_LENGTH) secrets.add(s);
    },
    text,
    error(e) {
      if (isStudyError(e)) {
        const info = e.toInfo();
        return new StudyError({
          ...info,
          message: text(info.message),
          ...(info.fix ? { fix: text(info.fix) } : {}),
          ...(info.details ? { details: deep(info.details) as Record<string, unknown> } : {}),
        });
      }
      if (e instanceof Error && e.name !== 'AbortError') {
        const copy = new Error(text(e.message));
        copy.name = e.name;
        return copy;
      }
      return e;
    },
    logger(inner) {
      const wrap = (fn: Logger['info']) => (msg: string, extra?: Record<string, unknown>) => fn(text(msg), extra === undefined ? undefined : (deep(extra) as Record<string, unknown>));
      return { debug: wrap(inner.debug.bind(inner)), info: wrap(inner.info.bind(inner)), warn: wrap(inner.warn.bind(inner)), error: wrap(inner.error.bind(inner)) };
    },
  };
}
