// A credential from the environment, per source (each SourceModule's environmentKey names its
// variables: HyperStudy's HYPERSTUDY_API_KEY and HYPERSTUDY_BASE_URL; BrainSTEM's BRAINSTEM_TOKEN,
// also read as BRAINSTEM_API_TOKEN, and BRAINSTEM_URL), for the CLI and automation. Read, used,
// never persisted — and sent to one place only: the base URL from its base-URL variable, or the
// source's default server. It is never lent to a profile added in the app, nor to a base URL given
// some other way (--base-url, a custom profile), so a key set once in a shell profile cannot be
// walked off to another server. One exception, for a source that asks for it (BrainSTEM): a server
// on this machine named with --base-url (a local simulator; the token does not leave the machine).
// Functions without a source argument mean the default source's (HyperStudy's), as they always did.
import { StudyError } from '../../../src-shared/errors';
import type { KeyStorageStatus, SourceId } from '../../../src-shared/model';
import { checkApiBaseUrl, isLoopbackHost } from '../net/base-url';
import { DEFAULT_SOURCE_ID, sourceModule, sourcesWithEnvironmentKey } from '../sources/registry';
import type { EnvironmentKeySpec, SourceModule } from '../sources/source';

const defaultModule = (): SourceModule => sourceModule(DEFAULT_SOURCE_ID);

function specOf(m: SourceModule): EnvironmentKeySpec {
  if (!m.environmentKey) throw new Error(`${m.id} takes no credential from the environment`);
  return m.environmentKey;
}

const hs = specOf(defaultModule());

/** The default source's variables (HyperStudy), under their historical names. */
export const ENV_KEY_SOURCE = DEFAULT_SOURCE_ID;
export const ENV_KEY_VARIABLE = hs.keyVariable;
export const ENV_BASE_URL_VARIABLE = hs.baseUrlVariable;
/** Where the default source's environment key goes when no base URL variable is set. */
export const ENV_DEFAULT_BASE_URL = hs.defaultBaseUrl;

/** A source's credential as the environment gives it, and its server variable. */
export interface EnvironmentKeyEntry {
  key: string;
  baseUrl?: string;
}

/** The variables a source's credential is read from, in order. */
export function environmentKeyVariables(m: SourceModule = defaultModule()): string[] {
  const s = specOf(m);
  return [s.keyVariable, ...(s.keyVariableAliases ?? [])];
}

/** The variable that holds the source's credential in this environment (the first set one), or undefined. */
export function environmentKeyVariableSet(env: NodeJS.ProcessEnv, m: SourceModule = defaultModule()): string | undefined {
  return environmentKeyVariables(m).find((v) => env[v]?.trim());
}

/** The key from the environment, trimmed; undefined when unset or blank. */
export function readEnvironmentKey(env: NodeJS.ProcessEnv = process.env, m: SourceModule = defaultModule()): string | undefined {
  const variable = environmentKeyVariableSet(env, m);
  return variable ? env[variable]!.trim() : undefined;
}

/** The source's base URL variable (HYPERSTUDY_BASE_URL), trimmed; undefined when unset or blank. */
export function readEnvironmentBaseUrl(env: NodeJS.ProcessEnv = process.env, m: SourceModule = defaultModule()): string | undefined {
  const value = env[specOf(m).baseUrlVariable]?.trim();
  return value ? value : undefined;
}

/** Where the environment key belongs: `envBaseUrl` (checked: https, or http on this machine; normalized by its source), else the source's default. */
export function environmentKeyHome(envBaseUrl: string | undefined, m: SourceModule = defaultModule()): string {
  if (!envBaseUrl) return specOf(m).defaultBaseUrl;
  const checked = checkApiBaseUrl(envBaseUrl);
  return m.resolveConnection({ environment: 'custom', baseUrl: checked }).baseUrl;
}

function comparable(url: string): string {
  try {
    return new URL(url.trim()).href.replace(/\/+$/, '');
  } catch {
    return url.trim().replace(/\/+$/, '');
  }
}

function onThisMachine(url: string): boolean {
  try {
    return isLoopbackHost(new URL(url).hostname);
  } catch {
    return false;
  }
}

/** May the environment key be sent to `baseUrl`? Only to its home (see environmentKeyHome) or the source's default (or, where the source allows it, this machine). */
export function environmentKeyMayGoTo(baseUrl: string, envBaseUrl: string | undefined, m: SourceModule = defaultModule()): boolean {
  const target = comparable(baseUrl);
  if (target === comparable(environmentKeyHome(envBaseUrl, m)) || target === comparable(specOf(m).defaultBaseUrl)) return true;
  return !!specOf(m).loopbackBaseUrls && onThisMachine(baseUrl);
}

/** Throws INVALID_ARGUMENT unless the environment key may be sent to `baseUrl`. Never names the key. */
export function assertEnvironmentKeyMayGoTo(baseUrl: string, envBaseUrl: string | undefined, m: SourceModule = defaultModule(), variable?: string): void {
  if (environmentKeyMayGoTo(baseUrl, envBaseUrl, m)) return;
  const s = specOf(m);
  const home = environmentKeyHome(envBaseUrl, m);
  const where = envBaseUrl ? `${s.baseUrlVariable} (${home})` : m.id === DEFAULT_SOURCE_ID ? `the production API (${home})` : `${m.descriptor.label}'s own server (${home})`;
  const loginHint = m.id === DEFAULT_SOURCE_ID ? '' : ` --source ${m.id}`;
  throw new StudyError({
    code: 'INVALID_ARGUMENT',
    message: `${variable ?? s.keyVariable} is only sent to ${where}, not to ${baseUrl}.`,
    fix: `To use it with that server, set ${s.baseUrlVariable}=${baseUrl}. Or give that server its own key: pipe it in with --api-key-stdin, or store it with \`studydl login${loginHint} --base-url ${baseUrl}\`.`,
  });
}

export function environmentKeyStatus(m: SourceModule = defaultModule(), variable?: string): KeyStorageStatus {
  return {
    kind: 'environment',
    description: `Taken from the ${variable ?? specOf(m).keyVariable} environment variable (not stored)`,
    persistent: false,
  };
}

/**
 * The createCore options for the environment's keys and their servers, for every host (app,
 * browser mode): the default source's as envKey/envBaseUrl, the others' in envKeys.
 */
export function environmentKeyDeps(env: NodeJS.ProcessEnv = process.env): { envKey?: string; envBaseUrl?: string; envKeys?: Record<SourceId, EnvironmentKeyEntry> } {
  const out: { envKey?: string; envBaseUrl?: string; envKeys?: Record<SourceId, EnvironmentKeyEntry> } = {};
  const envKey = readEnvironmentKey(env);
  if (envKey) {
    out.envKey = envKey;
    const envBaseUrl = readEnvironmentBaseUrl(env);
    if (envBaseUrl) out.envBaseUrl = envBaseUrl;
  }
  const others = otherEnvironmentKeys(env);
  if (Object.keys(others).length) out.envKeys = others;
  return out;
}

/** The credentials of the sources other than the default one that the environment holds. */
export function otherEnvironmentKeys(env: NodeJS.ProcessEnv): Record<SourceId, EnvironmentKeyEntry> {
  const out: Record<SourceId, EnvironmentKeyEntry> = {};
  for (const m of sourcesWithEnvironmentKey()) {
    if (m.id === DEFAULT_SOURCE_ID) continue;
    const key = readEnvironmentKey(env, m);
    if (!key) continue;
    const baseUrl = readEnvironmentBaseUrl(env, m);
    out[m.id] = { key, ...(baseUrl ? { baseUrl } : {}) };
  }
  return out;
}
