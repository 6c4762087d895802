// A credential from the environment (HyperStudy's HYPERSTUDY_API_KEY; the source that declares an
// environmentKey says which variables), for the CLI and automation. Read, used, never persisted —
// and sent to one place only: the base URL from its base-URL variable, or the source's default. It is never lent to a
// profile added in the app, nor to a base URL given some other way (--base-url, a custom profile),
// so a key set once in a shell profile cannot be walked off to another server.
import { StudyError } from '../../../src-shared/errors';
import type { KeyStorageStatus } from '../../../src-shared/model';
import { checkApiBaseUrl } from '../net/base-url';
import { sourceWithEnvironmentKey } from '../sources/registry';

/** The source whose credential the environment may hold, and its variables. */
const envSource = sourceWithEnvironmentKey()!;
const envKey = envSource.environmentKey!;

/** The source of the environment's credential (HyperStudy). */
export const ENV_KEY_SOURCE = envSource.id;
export const ENV_KEY_VARIABLE = envKey.keyVariable;
export const ENV_BASE_URL_VARIABLE = envKey.baseUrlVariable;
/** Where the environment's key goes when no base URL variable is set. */
export const ENV_DEFAULT_BASE_URL = envKey.defaultBaseUrl;

/** The key from the environment, trimmed; undefined when unset or blank. */
export function readEnvironmentKey(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[ENV_KEY_VARIABLE]?.trim();
  return value ? value : undefined;
}

/** HYPERSTUDY_BASE_URL, trimmed; undefined when unset or blank. */
export function readEnvironmentBaseUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[ENV_BASE_URL_VARIABLE]?.trim();
  return value ? value : undefined;
}

/** Where the environment key belongs: `envBaseUrl` (checked: https, or http on this machine), else production. */
export function environmentKeyHome(envBaseUrl: string | undefined): string {
  return envBaseUrl ? checkApiBaseUrl(envBaseUrl) : ENV_DEFAULT_BASE_URL;
}

function comparable(url: string): string {
  try {
    return new URL(url.trim()).href.replace(/\/+$/, '');
  } catch {
    return url.trim().replace(/\/+$/, '');
  }
}

/** May the environment key be sent to `baseUrl`? Only to its home (see environmentKeyHome) or the source's default. */
export function environmentKeyMayGoTo(baseUrl: string, envBaseUrl: string | undefined): boolean {
  const target = comparable(baseUrl);
  return target === comparable(environmentKeyHome(envBaseUrl)) || target === comparable(ENV_DEFAULT_BASE_URL);
}

/** Throws INVALID_ARGUMENT unless the environment key may be sent to `baseUrl`. Never names the key. */
export function assertEnvironmentKeyMayGoTo(baseUrl: string, envBaseUrl: string | undefined): void {
  if (environmentKeyMayGoTo(baseUrl, envBaseUrl)) return;
  const home = environmentKeyHome(envBaseUrl);
  throw new StudyError({
    code: 'INVALID_ARGUMENT',
    message: `${ENV_KEY_VARIABLE} is only sent to ${envBaseUrl ? `${ENV_BASE_URL_VARIABLE} (${home})` : `the production API (${home})`}, not to ${baseUrl}.`,
    fix: `To use it with that server, set ${ENV_BASE_URL_VARIABLE}=${baseUrl}. Or give that server its own key: pipe it in with --api-key-stdin, or store it with \`studydl login --base-url ${baseUrl}\`.`,
  });
}

export function environmentKeyStatus(): KeyStorageStatus {
  return {
    kind: 'environment',
    description: `Taken from the ${ENV_KEY_VARIABLE} environment variable (not stored)`,
    persistent: false,
  };
}

/** The createCore options for the environment's key and its server, for every host (app, browser mode). */
export function environmentKeyDeps(env: NodeJS.ProcessEnv = process.env): { envKey?: string; envBaseUrl?: string } {
  const envKey = readEnvironmentKey(env);
  if (!envKey) return {};
  const envBaseUrl = readEnvironmentBaseUrl(env);
  return envBaseUrl ? { envKey, envBaseUrl } : { envKey };
}
