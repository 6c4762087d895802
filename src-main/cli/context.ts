// Builds what commands need to talk to HyperStudy: the connection (base URL, organization,
// key), the joint limiter with the log it shares with every process on the key, and the client.
// The key comes from --api-key-stdin or HYPERSTUDY_API_KEY (never from argv), or from a
// stored profile (see storedConnection below). Each key goes to its own server only: the env key
// to HYPERSTUDY_BASE_URL or production, a stored key to its profile's base URL; a piped key to the
// URL given with it. Base URLs must be https (plain http only for this machine).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { StudyError } from '../../src-shared/errors';
import { checkApiBaseUrl } from '../core/net/base-url';
import { checkKeyFormat } from '../core/net/http';
import { limiterLogPath } from '../core/net/key-identity';
import { defaultConfigDir } from '../core/state/config-dir';
import { createJointLimiter, type JointLimiter, type LimiterLimits } from '../core/net/limiter';
import type { RetryPolicy } from '../core/net/retry';
import { systemClock, type Clock, type FetchLike } from '../core/ports';
import { openProfiles } from '../core/profiles/open-profiles';
import { assertEnvironmentKeyMayGoTo, environmentKeyHome, readEnvironmentBaseUrl, readEnvironmentKey } from '../core/secrets/environment-key';
import { PROFILES_FILE_NAME } from '../core/profiles/profiles-file';
import { createHyperStudyClient } from '../core/sources/hyperstudy/client';
import type { ConnectionConfig, HyperStudyClient } from '../core/sources/hyperstudy/client-types';
import { stringFlag, booleanFlag } from './args';
import type { CliContext, CliIO, ParsedArgs } from './command';

export const PRODUCTION_BASE_URL = 'https://api.hyperstudy.io/api/v3';
export const DEVELOPMENT_BASE_URL = 'https://dev.hyperstudy.io/api/v3';

/** STUDYDL_HOME, else ~/.config/study-downloader (XDG_CONFIG_HOME honoured). */
export const resolveConfigDir = (env: NodeJS.ProcessEnv): string => defaultConfigDir(env);

export interface ResolvedConnection {
  connection: ConnectionConfig;
  /** Where the key came from (never the key itself). */
  keySource: 'stdin' | 'environment' | 'profile';
  /** Set when a stored profile supplied the connection. */
  profileId?: string;
}

/** Reads the key from stdin: the first non-empty line, trimmed. */
export async function readKeyFromStdin(io: CliIO): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of io.stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return (
    Buffer.concat(chunks)
      .toString('utf8')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .find((l) => l) ?? ''
  );
}

/** --base-url (with the production/development shorthands), checked; undefined when not given. */
function baseUrlFlag(args: ParsedArgs): string | undefined {
  const flag = stringFlag(args, 'base-url');
  if (flag === 'production') return PRODUCTION_BASE_URL;
  if (flag === 'development') return DEVELOPMENT_BASE_URL;
  return flag === undefined ? undefined : checkApiBaseUrl(flag);
}

const sameBaseUrl = (a: string, b: string) => new URL(a).href.replace(/\/+$/, '') === new URL(b).href.replace(/\/+$/, '');

// ---------------------------------------------------------------------------------------------
// SECRETS: stored-profile fallback. This is the single place where a stored profile (keychain /
// encrypted file) supplies the connection when neither --api-key-stdin nor HYPERSTUDY_API_KEY
// gave a key. Return null when there is no usable profile. `--profile <name>` is passed through.
// ---------------------------------------------------------------------------------------------
export async function storedConnection(args: ParsedArgs, ctx: CliContext): Promise<ResolvedConnection | null> {
  const wanted = stringFlag(args, 'profile');
  // Nothing stored yet: don't wake the keychain at all.
  if (!wanted && !existsSync(join(ctx.configDir, PROFILES_FILE_NAME))) return null;
  const { manager } = await openProfiles({ configDir: ctx.configDir, env: ctx.io.env, ignoreEnvKey: true });
  // Throws NO_PROFILE with a plain reason when the profile is unknown or its key is not available.
  const found = await manager.connectionFor(wanted);
  return found ? { connection: found.connection, keySource: 'profile', profileId: found.profile.id } : null;
}

/** The connection for this invocation, or a NO_PROFILE / KEY_FORMAT / INVALID_ARGUMENT error. */
export async function resolveConnection(args: ParsedArgs, ctx: CliContext): Promise<ResolvedConnection> {
  if (args.flags['api-key'] !== undefined) {
    throw new StudyError({
      code: 'INVALID_ARGUMENT',
      message: 'The API key is never taken from the command line: other users could read it in the process list and your shell history.',
      fix: 'Set HYPERSTUDY_API_KEY, or pipe the key in with --api-key-stdin (e.g. `studydl ls --api-key-stdin < key.txt`).',
    });
  }
  const env = ctx.io.env;
  const organizationId = stringFlag(args, 'org') ?? (env.HYPERSTUDY_ORGANIZATION_ID || undefined);
  // Base URLs are checked first, so a bad one is refused before a key is read or anything is sent.
  const flagUrl = baseUrlFlag(args);
  const envUrl = readEnvironmentBaseUrl(env);
  const org = organizationId ? { organizationId } : {};

  if (booleanFlag(args, 'api-key-stdin')) {
    // A key piped in goes where this invocation says: --base-url, HYPERSTUDY_BASE_URL, or production.
    const baseUrl = flagUrl ?? (envUrl ? checkApiBaseUrl(envUrl) : PRODUCTION_BASE_URL);
    const apiKey = await readKeyFromStdin(ctx.io);
    checkKeyFormat(apiKey);
    return { connection: { baseUrl, apiKey, ...org }, keySource: 'stdin' };
  }
  const envKey = readEnvironmentKey(env);
  if (envKey) {
    // The environment key goes to HYPERSTUDY_BASE_URL or production only, never to another --base-url.
    const baseUrl = flagUrl ?? environmentKeyHome(envUrl);
    assertEnvironmentKeyMayGoTo(baseUrl, envUrl);
    checkKeyFormat(envKey);
    return { connection: { baseUrl, apiKey: envKey, ...org }, keySource: 'environment' };
  }
  const stored = await storedConnection(args, ctx);
  if (stored) {
    // A stored key goes to its own profile's server only: --base-url may name it, never another one.
    const c = stored.connection;
    if (flagUrl && !sameBaseUrl(flagUrl, c.baseUrl)) {
      throw new StudyError({
        code: 'INVALID_ARGUMENT',
        message: `The stored key of this connection belongs to ${c.baseUrl}; it is not sent to ${flagUrl}.`,
        fix: `Store a key for that server with \`studydl login --base-url ${flagUrl} --profile <name>\`, or pipe one in with --api-key-stdin.`,
      });
    }
    return { ...stored, connection: { ...c, baseUrl: checkApiBaseUrl(c.baseUrl), ...org } };
  }
  throw new StudyError({
    code: 'NO_PROFILE',
    message: 'No API key was given.',
    fix: 'Set HYPERSTUDY_API_KEY, pipe the key in with --api-key-stdin, or store one with `studydl login`.',
  });
}

/** Where the key's shared limiter log lives: <configDir>/ratelimit/key-<hash of base URL and key>.json (the app's too). */
export function limiterPersistPath(configDir: string, connection: Pick<ConnectionConfig, 'baseUrl' | 'apiKey'>): string {
  return limiterLogPath(configDir, connection.baseUrl, connection.apiKey);
}

/** The documented limits (1000 per hour per key, 100 per minute per endpoint), overridable by env for tests and labs with raised limits. */
export function limitsFromEnv(env: NodeJS.ProcessEnv): LimiterLimits {
  const n = (v: string | undefined, d: number) => {
    const x = Number(v);
    return v && Number.isFinite(x) && x > 0 ? x : d;
  };
  return {
    keyLimit: n(env.STUDYDL_KEY_LIMIT, 1000),
    keyWindowMs: n(env.STUDYDL_KEY_WINDOW_SEC, 3600) * 1000,
    endpointLimit: n(env.STUDYDL_ENDPOINT_LIMIT, 100),
    endpointWindowMs: n(env.STUDYDL_ENDPOINT_WINDOW_SEC, 60) * 1000,
  };
}

/** `--max-wait <seconds>` (or STUDYDL_MAX_RATE_WAIT_SEC): how long 429s may hold one request before exit code 6. */
export function retryFrom(args: ParsedArgs, env: NodeJS.ProcessEnv): Partial<RetryPolicy> {
  const raw = stringFlag(args, 'max-wait') ?? env.STUDYDL_MAX_RATE_WAIT_SEC;
  const sec = Number(raw);
  return raw !== undefined && Number.isFinite(sec) && sec >= 0 ? { maxRateLimitWaitMs: sec * 1000 } : {};
}

export interface CliClient {
  client: HyperStudyClient;
  limiter: JointLimiter;
  connection: ConnectionConfig;
  keySource: ResolvedConnection['keySource'];
  /** Flushes the limiter log. Always call it (finally). */
  close(): Promise<void>;
}

export interface OpenClientOverrides {
  clock?: Clock;
  fetch?: FetchLike;
  retry?: Partial<RetryPolicy>;
  limits?: Partial<LimiterLimits>;
}

/** Resolves the connection and opens a client whose limiter log persists under the config dir. */
export async function openClient(args: ParsedArgs, ctx: CliContext, overrides: OpenClientOverrides = {}): Promise<CliClient> {
  const resolved = await resolveConnection(args, ctx);
  const clock = overrides.clock ?? systemClock;
  const limiter = createJointLimiter({
    ...limitsFromEnv(ctx.io.env),
    ...(overrides.limits ?? {}),
    clock,
    persistPath: limiterPersistPath(ctx.configDir, resolved.connection),
  });
  const client = createHyperStudyClient({ connection: resolved.connection, limiter, clock, fetch: overrides.fetch, retry: { ...retryFrom(args, ctx.io.env), ...(overrides.retry ?? {}) } });
  return { client, limiter, connection: resolved.connection, keySource: resolved.keySource, close: () => limiter.close() };
}
