// Builds what commands need to talk to a source: which source (--source, else the stored
// profile's, else the default: HyperStudy), the connection (base URL, organization, credential),
// the joint limiter with the log it shares with every process on the key, and the open Source.
// The key comes from --api-key-stdin or the source's environment variable (HYPERSTUDY_API_KEY,
// BRAINSTEM_TOKEN; never from argv), or from a stored profile (see storedConnection below). Each key
// goes to its own server only: the env key to its base URL variable or the source's default server,
// a stored key to its profile's base URL; a piped key to the URL given with it. Base URLs must be
// https (plain http only for this machine). A connection that needs no key (BrainSTEM's public
// portal, --portal public) is made with none: no key is read or sent.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { StudyError } from '../../src-shared/errors';
import { checkApiBaseUrl } from '../core/net/base-url';
import { limiterLogPath } from '../core/net/key-identity';
import { defaultConfigDir } from '../core/state/config-dir';
import { createJointLimiter, type JointLimiter, type LimiterLimits } from '../core/net/limiter';
import type { RetryPolicy } from '../core/net/retry';
import { systemClock, type Clock, type FetchLike } from '../core/ports';
import { openProfiles } from '../core/profiles/open-profiles';
import { assertEnvironmentKeyMayGoTo, environmentKeyHome, environmentKeyVariableSet, readEnvironmentBaseUrl, readEnvironmentKey } from '../core/secrets/environment-key';
import type { Portal } from '../../src-shared/model';
import { PROFILES_FILE_NAME } from '../core/profiles/profiles-file';
import { DEFAULT_SOURCE_ID, sourceModule, sourcesWithEnvironmentKey } from '../core/sources/registry';
import type { Source, SourceConnection, SourceModule } from '../core/sources/source';
import { stringFlag, booleanFlag } from './args';
import type { CliContext, CliIO, ParsedArgs } from './command';

/** STUDYDL_HOME, else ~/.config/study-downloader (XDG_CONFIG_HOME honoured). */
export const resolveConfigDir = (env: NodeJS.ProcessEnv): string => defaultConfigDir(env);

export interface ResolvedConnection {
  module: SourceModule;
  connection: SourceConnection;
  /** Where the key came from (never the key itself); 'none' when the connection needs none. */
  keySource: 'stdin' | 'environment' | 'profile' | 'none';
  /** Set when a stored profile supplied the connection. */
  profileId?: string;
  /** Saves a rotated credential of a stored profile (BrainSTEM's refresh token) where the old one was. */
  onSecretRotated?: (secret: string) => Promise<void>;
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

/** --base-url (with the source's named servers: production, development), checked and normalized by the source; undefined when not given. */
function baseUrlFlag(args: ParsedArgs, module: SourceModule): string | undefined {
  const flag = stringFlag(args, 'base-url');
  const named = flag !== undefined && Object.hasOwn(module.namedBaseUrls ?? {}, flag) ? module.namedBaseUrls![flag] : undefined;
  if (named) return named;
  return flag === undefined ? undefined : module.resolveConnection({ environment: 'custom', baseUrl: checkApiBaseUrl(flag) }).baseUrl;
}

/** --portal private|public (BrainSTEM); undefined when not given. */
export function portalFlag(args: ParsedArgs): Portal | undefined {
  const v = stringFlag(args, 'portal');
  if (v === undefined) return undefined;
  if (v !== 'private' && v !== 'public') throw new StudyError({ code: 'INVALID_ARGUMENT', message: `--portal must be private or public (got "${v}").`, fix: 'Use --portal private (your projects, signed in) or --portal public (public projects, no sign-in).' });
  return v;
}

/** The source named by --source, or undefined. */
export function sourceFlag(args: ParsedArgs): SourceModule | undefined {
  const id = stringFlag(args, 'source');
  return id === undefined ? undefined : sourceModule(id);
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
  if (!found) return null;
  const profileId = found.profile.id;
  return { module: sourceModule(found.connection.source), connection: found.connection, keySource: 'profile', profileId, onSecretRotated: (secret) => manager.replaceSecret(profileId, secret) };
}

/** The connection for this invocation, or a NO_PROFILE / KEY_FORMAT / INVALID_ARGUMENT error. */
export async function resolveConnection(args: ParsedArgs, ctx: CliContext): Promise<ResolvedConnection> {
  const chosen = sourceFlag(args);
  // Without --source, a source whose key the environment holds (as chooseModule decides), else the default.
  const fromEnv = stringFlag(args, 'profile') || booleanFlag(args, 'api-key-stdin') ? undefined : sourcesWithEnvironmentKey().find((m) => readEnvironmentKey(ctx.io.env, m));
  const module = chosen ?? fromEnv ?? sourceModule(DEFAULT_SOURCE_ID);
  const envKeyOf = module.environmentKey;
  const envVar = envKeyOf?.keyVariable;
  if (args.flags['api-key'] !== undefined) {
    throw new StudyError({
      code: 'INVALID_ARGUMENT',
      message: 'The API key is never taken from the command line: other users could read it in the process list and your shell history.',
      fix: `${envVar ? `Set ${envVar}, or pipe` : 'Pipe'} the key in with --api-key-stdin (e.g. \`studydl ls --api-key-stdin < key.txt\`).`,
    });
  }
  const env = ctx.io.env;
  const orgVariable = envKeyOf?.organizationVariable;
  const organizationId = stringFlag(args, 'org') ?? ((orgVariable && env[orgVariable]) || undefined);
  // Base URLs are checked first, so a bad one is refused before a key is read or anything is sent.
  const flagUrl = baseUrlFlag(args, module);
  const ownsEnvKey = !!module.environmentKey;
  const envUrl = ownsEnvKey ? readEnvironmentBaseUrl(env, module) : undefined;
  const org = organizationId ? { organizationId } : {};
  const portal = portalFlag(args);
  const connection = (baseUrl: string, secret: string): SourceConnection => ({ source: module.id, baseUrl, secret, ...org, ...(portal ? { portal } : {}) });

  if (module.needsCredential?.({ portal }) === false) {
    // No key at all (BrainSTEM's public portal): none is read, so none can be sent.
    const baseUrl = flagUrl ?? (envUrl ? environmentKeyHome(envUrl, module) : module.resolveConnection({ portal }).baseUrl);
    return { module, connection: connection(baseUrl, ''), keySource: 'none' };
  }

  if (booleanFlag(args, 'api-key-stdin')) {
    // A key piped in goes where this invocation says: --base-url, the base URL variable, or the source's default.
    const baseUrl = flagUrl ?? (envUrl ? checkApiBaseUrl(envUrl) : module.resolveConnection({}).baseUrl);
    const apiKey = await readKeyFromStdin(ctx.io);
    module.assertCredential(apiKey);
    return { module, connection: connection(baseUrl, apiKey), keySource: 'stdin' };
  }
  const envKey = ownsEnvKey ? readEnvironmentKey(env, module) : undefined;
  if (envKey) {
    // The environment key goes to its base URL variable or the source's default only, never to another --base-url.
    const baseUrl = flagUrl ?? environmentKeyHome(envUrl, module);
    assertEnvironmentKeyMayGoTo(baseUrl, envUrl, module, environmentKeyVariableSet(env, module));
    module.assertCredential(envKey);
    return { module, connection: connection(baseUrl, envKey), keySource: 'environment' };
  }
  const stored = await storedConnection(args, ctx);
  if (stored) {
    if (chosen && stored.module.id !== chosen.id) {
      throw new StudyError({
        code: 'INVALID_ARGUMENT',
        message: `The stored connection is to ${stored.module.descriptor.label}, not ${chosen.descriptor.label}.`,
        fix: `Pick a ${chosen.descriptor.label} connection with --profile, or store one with \`studydl login --source ${chosen.id}\`.`,
      });
    }
    // A stored key goes to its own profile's server only: --base-url may name it, never another one.
    const c = stored.connection;
    const storedFlagUrl = baseUrlFlag(args, stored.module);
    if (storedFlagUrl && !sameBaseUrl(storedFlagUrl, c.baseUrl)) {
      throw new StudyError({
        code: 'INVALID_ARGUMENT',
        message: `The stored key of this connection belongs to ${c.baseUrl}; it is not sent to ${storedFlagUrl}.`,
        fix: `Store a key for that server with \`studydl login --base-url ${storedFlagUrl} --profile <name>\`, or pipe one in with --api-key-stdin.`,
      });
    }
    return { ...stored, connection: { ...c, baseUrl: checkApiBaseUrl(c.baseUrl), ...org } };
  }
  throw new StudyError({
    code: 'NO_PROFILE',
    message: 'No API key was given.',
    fix: `${envVar ? `Set ${envVar}, pipe` : 'Pipe'} the key in with --api-key-stdin, or store one with \`studydl login${module.id === DEFAULT_SOURCE_ID ? '' : ` --source ${module.id}`}\`.`,
  });
}

/** Where the key's shared limiter log lives: <configDir>/ratelimit/key-<hash of base URL and key>.json (the app's too). */
export function limiterPersistPath(configDir: string, connection: Pick<SourceConnection, 'baseUrl' | 'secret'>): string {
  return limiterLogPath(configDir, connection.baseUrl, connection.secret);
}

/** A source's limits: its own fixed ones, or the documented tunable ones (limitsFromEnv). */
export function limitsFor(module: SourceModule, env: NodeJS.ProcessEnv): LimiterLimits {
  return module.policy.limits === 'settings' ? limitsFromEnv(env) : module.policy.limits;
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

export interface CliSource {
  source: Source;
  module: SourceModule;
  limiter: JointLimiter;
  connection: SourceConnection;
  keySource: ResolvedConnection['keySource'];
  /** The stored profile that supplied the connection, if one did. */
  profileId?: string;
  /** Flushes the limiter log. Always call it (finally). */
  close(): Promise<void>;
}

export interface OpenSourceOverrides {
  clock?: Clock;
  fetch?: FetchLike;
  retry?: Partial<RetryPolicy>;
  limits?: Partial<LimiterLimits>;
}

/** Resolves the connection and opens its source, whose limiter log persists under the config dir. */
export async function openSource(args: ParsedArgs, ctx: CliContext, overrides: OpenSourceOverrides = {}): Promise<CliSource> {
  const resolved = await resolveConnection(args, ctx);
  const { module } = resolved;
  const clock = overrides.clock ?? systemClock;
  const limiter = createJointLimiter({
    ...limitsFor(module, ctx.io.env),
    ...(overrides.limits ?? {}),
    clock,
    persistPath: limiterPersistPath(ctx.configDir, resolved.connection),
  });
  const source = module.open(resolved.connection, {
    limiter,
    clock,
    fetch: overrides.fetch,
    ...(resolved.onSecretRotated ? { onSecretRotated: resolved.onSecretRotated } : {}),
    retry: { ...(module.policy.retry ?? {}), ...retryFrom(args, ctx.io.env), ...(overrides.retry ?? {}) },
    ...(module.policy.maxInFlight ? { maxInFlight: module.policy.maxInFlight } : {}),
  });
  return {
    source,
    module,
    limiter,
    connection: resolved.connection,
    keySource: resolved.keySource,
    ...(resolved.profileId ? { profileId: resolved.profileId } : {}),
    close: () => limiter.close(),
  };
}
