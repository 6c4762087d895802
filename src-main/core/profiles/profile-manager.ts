// Named connection profiles. The profiles file holds where to connect (the source and its own
// connection settings, checked by that source); each profile's key lives in the SecretStore under
// an account derived from its id. One profile is active.
// Some profiles live in memory only: the demos (npm run demo) and, per source whose credential the
// environment holds (HYPERSTUDY_API_KEY, BRAINSTEM_TOKEN), the environment's own profile; the
// first of these starts out active. An environment key is used with its profile only (its base-URL
// variable, or its source's default server): never lent to a stored profile, so a profile added
// in the app with another server address never receives it.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { StudyError } from '../../../src-shared/errors';
import type { AuthMethodId, Environment, KeyStorageStatus, KeyValidation, NewProfile, Notice, ProfileSummary, SourceId } from '../../../src-shared/model';
import type { Logger } from '../ports';
import { environmentKeyHome, environmentKeyStatus, type EnvironmentKeyEntry } from '../secrets/environment-key';
import { isKeychainUnavailable } from '../secrets/keychain-unavailable';
import { accountForProfile, type SecretStore } from '../secrets/secret-store';
import { createSerialQueue } from '../secrets/serial-queue';
import { DEFAULT_SOURCE_ID, sourceModule } from '../sources/registry';
import type { SourceConnection } from '../sources/source';
import { PROFILES_FILE_NAME, readProfiles, writeProfiles, type ProfilesData, type StoredProfile } from './profiles-file';

export interface ActiveConnection {
  profile: ProfileSummary;
  connection: SourceConnection;
}

export interface ProfileManagerOptions {
  /** Holds profiles.json. */
  dir: string;
  secrets: SecretStore;
  /** Live check used by add(); defaults to the profile's source's validateCredential with the global fetch. */
  validateKey?: (conn: SourceConnection) => Promise<KeyValidation>;
  /** HYPERSTUDY_API_KEY: the key of the in-memory environment profile only, never saved. */
  envKey?: string;
  /** The environment profile's base URL (HYPERSTUDY_BASE_URL); production otherwise. */
  envBaseUrl?: string;
  /** The other sources' environment credentials (BRAINSTEM_TOKEN and BRAINSTEM_URL), each its own in-memory profile. */
  envKeys?: Record<SourceId, EnvironmentKeyEntry>;
  logger?: Logger;
  now?: () => number;
}

export interface AddOptions {
  /** Save after the format check only, without asking the server (e.g. offline set-up). */
  skipValidation?: boolean;
  /** The credential was just issued by the server (a sign-in): this is its validation, no check is made. */
  validated?: KeyValidation;
  /** How the credential was obtained (BrainSTEM: 'password-refresh' keeps a rotating refresh token). */
  authMethod?: AuthMethodId;
}

export interface ProfileManager {
  list(): Promise<ProfileSummary[]>;
  /** Checks a would-be profile's key without saving anything. */
  validate(p: NewProfile): Promise<KeyValidation>;
  /**
   * Validates (format, then live unless skipValidation) and saves only when accepted.
   * A profile with the same name is updated in place (new key, same id). The saved profile becomes active.
   */
  add(p: NewProfile, opts?: AddOptions): Promise<{ validation: KeyValidation; profile?: ProfileSummary }>;
  /** Removes the profile and deletes its key. Accepts an id or a name. */
  remove(idOrName: string): Promise<ProfileSummary[]>;
  activate(idOrName: string): Promise<ProfileSummary[]>;
  /** Deletes the profile's key but keeps the profile (logout). True when a key was deleted. */
  forgetKey(idOrName: string): Promise<boolean>;
  /** Replaces a stored profile's secret (a rotated refresh token); in-memory profiles keep theirs in memory. */
  replaceSecret(id: string, secret: string): Promise<void>;
  /** The active profile and how to connect; null when there is no profile and no env key. Throws NO_PROFILE when its key is unavailable. */
  active(): Promise<ActiveConnection | null>;
  /** Like active(), for a named profile (CLI --profile); undefined means the active one. */
  connectionFor(idOrName?: string): Promise<ActiveConnection | null>;
  find(idOrName: string): Promise<ProfileSummary | null>;
  /**
   * Adds an in-memory demo profile (the default source's unless `extra.source` says) and makes the
   * first one active. Never written anywhere.
   */
  addDemoProfile(baseUrl: string, apiKey: string, organizationId?: string, extra?: { source?: SourceId; portal?: ProfileSummary['portal'] }): Promise<ProfileSummary>;
  /** Where keys of stored profiles live. */
  keyStorage(): Promise<KeyStorageStatus>;
  /** Problems met reading the profiles file (e.g. a corrupt file set aside). Complete once `ready` resolved. */
  notices(): Notice[];
  /** Resolves after the profiles file was first read (so notices() is meaningful). Never rejects. */
  readonly ready: Promise<void>;
}

export const DEMO_PROFILE_ID = 'demo';
export const ENV_PROFILE_ID = 'environment';

export function createProfileManager(opts: ProfileManagerOptions): ProfileManager {
  const file = path.join(opts.dir, PROFILES_FILE_NAME);
  const secrets = opts.secrets;
  const now = opts.now ?? Date.now;
  const validateLive = opts.validateKey ?? ((conn: SourceConnection) => sourceModule(conn.source).validateCredential(conn));
  const queue = createSerialQueue();
  const noticeList: Notice[] = [];
  const demos: Array<{ profile: StoredProfile; key: string }> = [];
  const demoOf = (p: StoredProfile) => demos.find((d) => d.profile.id === p.id);
  // One in-memory profile per source whose credential the environment holds (the default source first).
  const envStamp = new Date(now()).toISOString();
  const envEntries: Array<[SourceId, EnvironmentKeyEntry]> = [
    ...(opts.envKey?.trim() ? [[DEFAULT_SOURCE_ID, { key: opts.envKey.trim(), ...(opts.envBaseUrl ? { baseUrl: opts.envBaseUrl } : {}) }] as [SourceId, EnvironmentKeyEntry]] : []),
    ...Object.entries(opts.envKeys ?? {}).filter(([id, e]) => id !== DEFAULT_SOURCE_ID && e.key.trim()),
  ];
  const envProfiles = envEntries.map(([sourceId, entry]) => environmentProfile(sourceId, entry, envStamp));
  const envOf = (p: StoredProfile) => envProfiles.find((e) => e.profile === p);
  /** An in-memory profile chosen as active (overrides the file's activeId); the first env profile starts active. */
  let sessionActive: string | null = envProfiles[0]?.profile.id ?? null;

  const load = () => readProfiles(file, now, noticeList);
  // Read once up front so a corrupt file is reported at start-up, not at first use.
  const ready = queue.run(load).then(
    () => undefined,
    (e) => opts.logger?.error('Could not read the profiles file', { error: e }),
  );

  async function storedKey(id: string): Promise<string | null> {
    try {
      return await secrets.get(accountForProfile(id));
    } catch (e) {
      if (isKeychainUnavailable(e)) {
        opts.logger?.warn('Could not read a key from the key store', { profileId: id, reason: e.reason });
        return null;
      }
      throw e;
    }
  }

  function demoStatus(): KeyStorageStatus {
    return { kind: 'session-only', description: 'Demo key for the local simulator, kept in memory only', persistent: false };
  }

  /** Profiles that live in memory only: the demos and the environment's. */
  function memoryProfiles(): StoredProfile[] {
    return [...demos.map((d) => d.profile), ...envProfiles.map((e) => e.profile)];
  }

  /** A connection with these settings needs no credential (BrainSTEM's public portal). */
  function keyless(p: Pick<StoredProfile, 'source' | 'portal'>): boolean {
    const m = sourceModule(p.source ?? DEFAULT_SOURCE_ID);
    return m.needsCredential?.({ portal: p.portal }) === false;
  }

  async function summarize(p: StoredProfile, active: boolean, storage: KeyStorageStatus): Promise<ProfileSummary> {
    const isDemo = !!demoOf(p);
    const env = envOf(p);
    const hasKey = isDemo || !!env || keyless(p) || (await storedKey(p.id)) !== null;
    return {
      id: p.id,
      name: p.name,
      source: p.source,
      environment: p.environment,
      baseUrl: p.baseUrl,
      ...(p.organizationId ? { organizationId: p.organizationId } : {}),
      ...(p.portal ? { portal: p.portal } : {}),
      active,
      hasKey,
      ...(p.keyHint ? { keyHint: p.keyHint } : {}),
      keyStorage: isDemo ? demoStatus() : env ? environmentKeyStatus(sourceModule(p.source), env.variable) : storage,
      ...(isDemo ? { demo: true } : {}),
      ...(p.authMethod ? { authMethod: p.authMethod } : {}),
    };
  }

  function activeIdOf(data: ProfilesData): string | null {
    if (sessionActive && memoryProfiles().some((p) => p.id === sessionActive)) return sessionActive;
    // With no stored profile active, the environment key still is a usable connection.
    return data.activeId ?? envProfiles[0]?.profile.id ?? null;
  }

  async function summaries(data: ProfilesData): Promise<ProfileSummary[]> {
    const storage = await secrets.status();
    const activeId = activeIdOf(data);
    const out: ProfileSummary[] = [];
    for (const p of [...data.profiles, ...memoryProfiles()]) out.push(await summarize(p, p.id === activeId, storage));
    return out;
  }

  function findIn(data: ProfilesData, idOrName: string): StoredProfile | undefined {
    const all = [...data.profiles, ...memoryProfiles()];
    const wanted = idOrName.trim().toLowerCase();
    return all.find((p) => p.id === idOrName) ?? all.find((p) => p.name.toLowerCase() === wanted);
  }

  function noSuchProfile(idOrName: string): StudyError {
    return new StudyError({
      code: 'NO_PROFILE',
      message: `There is no connection profile called “${idOrName}”.`,
      fix: 'List your profiles with `studydl profiles`, or add one with `studydl login`.',
    });
  }

  /** The profile as its source checks it: name, source, normalized connection settings, the secret trimmed. */
  function normalize(p: NewProfile) {
    const name = (p.name ?? '').trim();
    if (!name) throw new StudyError({ code: 'INVALID_ARGUMENT', message: 'A connection profile needs a name.', fix: 'Give the connection a name, e.g. “Lab”.' });
    if (name.length > 80) throw new StudyError({ code: 'INVALID_ARGUMENT', message: 'That profile name is too long (80 characters at most).', fix: 'Choose a shorter name.' });
    const source = sourceModule(p.source ?? DEFAULT_SOURCE_ID);
    const settings = source.resolveConnection({ environment: p.environment, baseUrl: p.baseUrl, organizationId: p.organizationId, portal: p.portal });
    return { name, source, ...settings, apiKey: (p.apiKey ?? '').trim() };
  }

  function connectionOf(n: ReturnType<typeof normalize>): SourceConnection {
    return { source: n.source.id, baseUrl: n.baseUrl, secret: n.apiKey, ...(n.organizationId ? { organizationId: n.organizationId } : {}), ...(n.portal ? { portal: n.portal } : {}) };
  }

  async function check(n: ReturnType<typeof normalize>, skipLive: boolean): Promise<KeyValidation> {
    const needsKey = n.source.needsCredential?.(n) !== false;
    const formatProblem = needsKey ? n.source.credentialFormatProblem(n.apiKey) : null;
    if (formatProblem) return formatProblem;
    if (skipLive) return { outcome: 'accepted', message: 'The key has the right format. It was saved without checking it against the server.' };
    try {
      return await validateLive(connectionOf(n));
    } catch (e) {
      opts.logger?.error('Key validation failed unexpectedly', { error: e });
      return { outcome: 'error', message: 'The key could not be checked because of an unexpected error.', fix: 'Try again. If it keeps happening, report it with the log file.' };
    }
  }

  async function resolve(idOrName: string | undefined): Promise<ActiveConnection | null> {
    const data = await load();
    let profile: StoredProfile | undefined;
    if (idOrName !== undefined) {
      profile = findIn(data, idOrName);
      if (!profile) throw noSuchProfile(idOrName);
    } else {
      const activeId = activeIdOf(data);
      profile = activeId ? findIn(data, activeId) : undefined;
    }
    const storage = await secrets.status();
    if (!profile) return null;
    const isActive = profile.id === activeIdOf(data);
    const demo = demoOf(profile);
    const env = envOf(profile);
    let apiKey: string | null;
    if (env) {
      if (env.homeProblem) throw env.homeProblem;
      apiKey = env.key;
    } else if (demo) apiKey = demo.key;
    else if (keyless(profile)) apiKey = '';
    else apiKey = await storedKey(profile.id);
    const source = sourceModule(profile.source ?? DEFAULT_SOURCE_ID);
    if (apiKey === null || (!apiKey && !keyless(profile))) {
      const envVar = source.environmentKey?.keyVariable;
      throw new StudyError({
        code: 'NO_PROFILE',
        message:
          storage.persistent
            ? `The key for the connection “${profile.name}” is not in ${storage.description.replace(/^Stored in /, '')}.`
            : `The key for the connection “${profile.name}” was not remembered (no OS keychain is available here).`,
        fix: storage.persistent
          ? `Run \`studydl login --profile "${profile.name}"\` again${envVar ? `, or set ${envVar}` : ''}.`
          : envVar
            ? `Set ${envVar} for this session, or log in again where an OS keychain is available.`
            : 'Log in again where an OS keychain is available.',
      });
    }
    const summary = await summarize(profile, isActive || idOrName !== undefined, storage);
    return {
      profile: summary,
      connection: {
        source: source.id,
        baseUrl: profile.baseUrl,
        secret: apiKey,
        ...(profile.organizationId ? { organizationId: profile.organizationId } : {}),
        ...(profile.portal ? { portal: profile.portal } : {}),
        ...(profile.authMethod ? { authMethod: profile.authMethod } : {}),
      },
    };
  }

  return {
    list: async () => summaries(await load()),

    validate: async (p) => check(normalize(p), false),

    add: (p, addOpts = {}) =>
      queue.run(async () => {
        const n = normalize(p);
        const validation = addOpts.validated ?? (await check(n, !!addOpts.skipValidation));
        if (validation.outcome !== 'accepted') return { validation };
        const needsKey = n.source.needsCredential?.(n) !== false;
        const data = await load();
        const stamp = new Date(now()).toISOString();
        const existing = data.profiles.find((x) => x.name.toLowerCase() === n.name.toLowerCase());
        const hint = needsKey && addOpts.authMethod !== 'password-refresh' ? n.source.credentialHint(n.apiKey) : undefined;
        const profile: StoredProfile = {
          id: existing?.id ?? `p_${randomBytes(6).toString('hex')}`,
          name: n.name,
          source: n.source.id,
          environment: n.environment,
          baseUrl: n.baseUrl,
          ...(n.organizationId ? { organizationId: n.organizationId } : {}),
          ...(n.portal ? { portal: n.portal } : {}),
          ...(hint ? { keyHint: hint } : {}),
          ...(addOpts.authMethod ? { authMethod: addOpts.authMethod } : needsKey ? {} : { authMethod: 'none' as const }),
          createdAt: existing?.createdAt ?? stamp,
          updatedAt: stamp,
        };
        // Key first: a profile on disk without its key is harmless, a key without a profile is an orphan we clean up.
        // A connection that needs none (a public portal) keeps none: an old key of the same profile goes.
        if (needsKey) await secrets.set(accountForProfile(profile.id), n.apiKey);
        else if (existing) await secrets.delete(accountForProfile(profile.id)).catch(() => false);
        const next: ProfilesData = {
          version: 1,
          activeId: profile.id,
          profiles: existing ? data.profiles.map((x) => (x.id === existing.id ? profile : x)) : [...data.profiles, profile],
        };
        try {
          await writeProfiles(file, next);
        } catch (e) {
          if (!existing) await secrets.delete(accountForProfile(profile.id)).catch(() => false);
          throw new StudyError({ code: 'DISK', message: `The connection could not be saved: ${(e as Error).message}`, fix: 'Check that the settings folder is writable and has free space.' }, { cause: e });
        }
        sessionActive = null;
        const storage = await secrets.status();
        return { validation, profile: await summarize(profile, true, storage) };
      }),

    remove: (idOrName) =>
      queue.run(async () => {
        const data = await load();
        const profile = findIn(data, idOrName);
        if (!profile) throw noSuchProfile(idOrName);
        const env = envOf(profile);
        if (env) {
          throw new StudyError({
            code: 'INVALID_ARGUMENT',
            message: `The “${env.variable}” connection comes from the environment variable, not from the saved connections.`,
            fix: `Unset ${env.variable} to stop using it.`,
          });
        }
        const demo = demoOf(profile);
        if (demo) {
          demos.splice(demos.indexOf(demo), 1);
          if (sessionActive === profile.id) sessionActive = null;
          return summaries(data);
        }
        // If the key cannot be deleted this throws and the profile stays, so no key is orphaned.
        await secrets.delete(accountForProfile(profile.id));
        const profiles = data.profiles.filter((x) => x.id !== profile.id);
        const activeId = data.activeId === profile.id ? (profiles[0]?.id ?? null) : data.activeId;
        const next: ProfilesData = { version: 1, activeId, profiles };
        await writeProfiles(file, next);
        return summaries(next);
      }),

    activate: (idOrName) =>
      queue.run(async () => {
        const data = await load();
        const profile = findIn(data, idOrName);
        if (!profile) throw noSuchProfile(idOrName);
        if (memoryProfiles().includes(profile)) {
          sessionActive = profile.id;
          return summaries(data);
        }
        sessionActive = null;
        const next: ProfilesData = { ...data, activeId: profile.id };
        await writeProfiles(file, next);
        return summaries(next);
      }),

    forgetKey: (idOrName) =>
      queue.run(async () => {
        const data = await load();
        const profile = findIn(data, idOrName);
        if (!profile) throw noSuchProfile(idOrName);
        if (memoryProfiles().includes(profile)) return false;
        return secrets.delete(accountForProfile(profile.id));
      }),

    active: () => resolve(undefined),
    connectionFor: (idOrName) => resolve(idOrName),

    find: async (idOrName) => {
      const data = await load();
      const p = findIn(data, idOrName);
      if (!p) return null;
      return summarize(p, p.id === activeIdOf(data), await secrets.status());
    },

    replaceSecret: (id, secret) =>
      queue.run(async () => {
        const data = await load();
        const profile = findIn(data, id);
        if (!profile || profile.id !== id) throw noSuchProfile(id);
        const demo = demoOf(profile);
        if (demo) demo.key = secret;
        else if (!envOf(profile)) await secrets.set(accountForProfile(profile.id), secret);
      }),

    addDemoProfile: async (baseUrl, apiKey, organizationId, extra = {}) => {
      const source = sourceModule(extra.source ?? DEFAULT_SOURCE_ID);
      const settings = source.resolveConnection({ environment: 'custom', baseUrl, ...(extra.portal ? { portal: extra.portal } : {}) });
      const stamp = new Date(now()).toISOString();
      const isDefault = source.id === DEFAULT_SOURCE_ID;
      const id = isDefault ? DEMO_PROFILE_ID : `${DEMO_PROFILE_ID}-${source.id}`;
      const profile: StoredProfile = {
        id,
        name: isDefault ? 'Demo (local simulator)' : `${source.descriptor.label} demo (local simulator)`,
        source: source.id,
        environment: 'custom',
        baseUrl: settings.baseUrl,
        ...(organizationId ? { organizationId } : {}),
        ...(settings.portal ? { portal: settings.portal } : {}),
        keyHint: source.credentialHint(apiKey),
        createdAt: stamp,
        updatedAt: stamp,
      };
      const existing = demos.findIndex((d) => d.profile.id === id);
      if (existing >= 0) demos.splice(existing, 1);
      demos.push({ profile, key: apiKey });
      // The first demo is the one the app opens on.
      if (!sessionActive || !demos.some((d) => d.profile.id === sessionActive)) sessionActive = id;
      return summarize(profile, sessionActive === id, await secrets.status());
    },

    keyStorage: () => secrets.status(),
    notices: () => [...noticeList],
    ready,
  };
}

/** The in-memory profile of a source's environment credential, at its home server (an unusable one is reported when used). */
function environmentProfile(sourceId: SourceId, entry: EnvironmentKeyEntry, stamp: string): { profile: StoredProfile; key: string; variable: string; homeProblem: StudyError | null } {
  const source = sourceModule(sourceId);
  let home = entry.baseUrl ?? '';
  let homeProblem: StudyError | null = null;
  try {
    home = environmentKeyHome(entry.baseUrl, source);
  } catch (e) {
    homeProblem = e as StudyError;
  }
  let portal: ProfileSummary['portal'];
  try {
    portal = source.resolveConnection({ environment: 'custom', baseUrl: home }).portal;
  } catch {
    portal = undefined;
  }
  const variable = source.environmentKey!.keyVariable;
  const key = entry.key.trim();
  return {
    profile: {
      id: sourceId === DEFAULT_SOURCE_ID ? ENV_PROFILE_ID : `${ENV_PROFILE_ID}-${sourceId}`,
      name: variable,
      source: source.id,
      environment: homeProblem ? 'custom' : environmentOfUrl(source.id, home),
      baseUrl: home,
      ...(portal ? { portal } : {}),
      keyHint: source.credentialHint(key),
      createdAt: stamp,
      updatedAt: stamp,
    },
    key,
    variable,
    homeProblem,
  };
}

/** The environment a base URL means to its source (custom when it is not one of the source's named servers). */
function environmentOfUrl(sourceId: string, baseUrl: string): Environment {
  try {
    return sourceModule(sourceId).resolveConnection({ environment: 'custom', baseUrl }).environment;
  } catch {
    return 'custom';
  }
}
