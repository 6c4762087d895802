// Opens the key store and the profile manager the way the CLI and browser mode want them:
// keytar → memory (the Electron shell adds safeStorage itself via openSecretStore).
//   STUDYDL_NO_KEYCHAIN=1            skip the OS keychain (session-only keys)
//   STUDYDL_KEYCHAIN_SERVICE=name    file keys under another keychain service (tests)
//   HYPERSTUDY_API_KEY / HYPERSTUDY_BASE_URL   the environment key, used and never stored
//   BRAINSTEM_TOKEN (or BRAINSTEM_API_TOKEN) / BRAINSTEM_URL   BrainSTEM's, likewise
import type { Logger } from '../ports';
import { otherEnvironmentKeys, readEnvironmentBaseUrl, readEnvironmentKey } from '../secrets/environment-key';
import { openSecretStore, type SelectedStore } from '../secrets/select-store';
import { createProfileManager, type ProfileManager, type ProfileManagerOptions } from './profile-manager';

export interface OpenProfilesOptions {
  configDir: string;
  env: NodeJS.ProcessEnv;
  /** Ignore the environment's keys (login stores what it is given, not an env key). */
  ignoreEnvKey?: boolean;
  validateKey?: ProfileManagerOptions['validateKey'];
  logger?: Logger;
}

export interface OpenedProfiles {
  manager: ProfileManager;
  /** The chosen key store, its degradation notice and what was rejected. */
  keyStore: SelectedStore;
}

export async function openProfiles(opts: OpenProfilesOptions): Promise<OpenedProfiles> {
  const { env } = opts;
  const noKeychain = /^(1|true|yes)$/i.test(env.STUDYDL_NO_KEYCHAIN ?? '');
  const service = env.STUDYDL_KEYCHAIN_SERVICE?.trim() || undefined;
  const keyStore = await openSecretStore({ keytar: noKeychain ? false : { ...(service ? { service } : {}) }, logger: opts.logger });
  const manager = createProfileManager({
    dir: opts.configDir,
    secrets: keyStore.store,
    envKey: opts.ignoreEnvKey ? undefined : readEnvironmentKey(env),
    envBaseUrl: readEnvironmentBaseUrl(env),
    ...(opts.ignoreEnvKey ? {} : { envKeys: otherEnvironmentKeys(env) }),
    validateKey: opts.validateKey,
    logger: opts.logger,
  });
  return { manager, keyStore };
}
