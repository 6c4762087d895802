// One API key on one server is one budget, whichever profile, window or process uses it. Its
// identity is a short hash of the server's base URL and the key: it names the key's shared
// limiter log and keys the core's one-limiter-per-key table, and it never reveals the key.
import { createHash } from 'node:crypto';
import path from 'node:path';

function canonicalBaseUrl(baseUrl: string): string {
  const trimmed = baseUrl.trim().replace(/\/+$/, '');
  try {
    const u = new URL(trimmed);
    return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return trimmed;
  }
}

/** 16 hex digits of sha256(base URL, key). */
export function keyIdentity(baseUrl: string, apiKey: string): string {
  return createHash('sha256').update(`${canonicalBaseUrl(baseUrl)}\n${apiKey.trim()}`).digest('hex').slice(0, 16);
}

/** `<configDir>/ratelimit/key-<identity>.json`: the log every process on this key shares. */
export function limiterLogPath(configDir: string, baseUrl: string, apiKey: string): string {
  return path.join(configDir, 'ratelimit', `key-${keyIdentity(baseUrl, apiKey)}.json`);
}
