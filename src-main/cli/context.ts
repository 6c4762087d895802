// Builds what commands need to talk to HyperStudy: the connection (base URL, organization,
// key), the joint limiter with the log it shares with every process on the key, and the client.
// The key comes from --api-key-stdin or HYPERSTUDY_API_KEY (never from argv), or from a
// stored profile (see storedConnection below).
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { StudyError } from '../../src-shared/errors';
import { checkKeyFormat, normalizeBaseUrl } from '../core/net/http';
import { limiterLogPath } from '../core/net/key-identity';
import { createJointLimiter, type JointLimiter, type LimiterLimits } from '../core/net/limiter';
import type { RetryPolicy } from '../core/net/retry';
import { systemClock, type Clock, type FetchLike } from '../core/ports';
import { openProfiles } from '../core/profiles/open-profiles';
import { PROFILES_FILE_NAME } from '../core/profiles/profiles-file';
import { createHyperStudyClient } from '../core/sources/hyperstudy/client';
import type { ConnectionConfig, HyperStudyClient } from '../core/sources/hyperstudy/client-types';
import { stringFlag, booleanFlag } from './args';
import type { CliContext, CliIO, ParsedArgs } from './command';

export const PRODUCTION_BASE_URL = 'https://api.hyperstudy.io/api/v3';
export const DEVELOPMENT_BASE_URL = 'https://dev.hyperstudy.io/api/v3';

/** STUDYDL_HOME, else ~/.config/study-downloader (XDG_CONFIG_HOME honoured). */
export function resolveConfigDir(env: NodeJS.ProcessEnv): string {
  if (env.STUDYDL_HOME) return env.STUDYDL_HOME;
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'study-downloader');
}

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

function baseUrlFrom(args: ParsedArgs, env: NodeJS.ProcessEnv): string | undefined {
  const flag = stringFlag(args, 'base-url');
  if (flag === 'production') return PRODUCTION_BASE_URL;
  if (flag === 'development') return DEVELOPMENT_BASE_URL;
  return flag ?? (env.HYPERSTUDY_BASE_URL || undefined);
}

function checkBaseUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new StudyError({ code: 'INVALID_ARGUMENT', message: `The base URL "${url}" is not a valid URL.`, fix: `Use e.g. --base-url ${PRODUCTION_BASE_URL}` });
  }
  if (!/^https?:$/.test(u.protocol)) throw new StudyError({ code: 'INVALID_ARGUMENT', message: `The base URL must start with http:// or https:// (got ${u.protocol}).`, fix: `Use e.g. --base-url ${PRODUCTION_BASE_URL}` });
  return normalizeBaseUrl(url);
}

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
  const baseUrl = baseUrlFrom(args, env);
  let apiKey: string | undefined;
  let keySource: ResolvedConnection['keySource'] | undefined;
  if (booleanFlag(args, 'api-key-stdin')) {
    apiKey = await readKeyFromStdin(ctx.io);
    keySource = 'stdin';
  } else if (env.HYPERSTUDY_API_KEY) {
    apiKey = env.HYPERSTUDY_API_KEY.trim();
    keySource = 'environment';
  }
  if (apiKey !== undefined && keySource) {
    checkKeyFormat(apiKey);
    return {
      connection: { baseUrl: checkBaseUrl(baseUrl ?? PRODUCTION_BASE_URL), apiKey, ...(organizationId ? { organizationId } : {}) },
      keySource,
    };
  }
  const stored = await storedConnection(args, ctx);
  if (stored) {
    // Flags still override the stored profile's base URL and organization.
    const c = stored.connection;
    return {
      ...stored,
      connection: { ...c, baseUrl: checkBaseUrl(baseUrl ?? c.baseUrl), ...(organizationId ? { organizationId } : {}) },
    };
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
