// Picks the best key store that really works here: the OS keychain through keytar, then
// Electron safeStorage (when the shell provides it), then memory. Each candidate is probed,
// so a keytar that cannot reach the Secret Service never claims to be the OS keychain.
import type { Notice } from '../../../src-shared/model';
import type { Logger } from '../ports';
import { createKeytarStore, type KeytarStoreOptions } from './keytar-store';
import { toKeychainUnavailable, type KeychainFailureReason, type KeychainUnavailable } from './keychain-unavailable';
import { createMemoryStore, SESSION_ONLY_WARNING } from './memory-store';
import { createSafeStorageStore, type SafeStorageLike } from './safe-storage-store';
import type { SecretStore } from './secret-store';

export interface RejectedStore {
  kind: SecretStore['kind'];
  reason: KeychainFailureReason;
  error: KeychainUnavailable;
}

export interface SelectedStore {
  store: SecretStore;
  /** Present when a better store was tried and could not be used. */
  notice?: Notice;
  /** The candidates that failed their probe, in order. */
  rejected: RejectedStore[];
}

/** Probes candidates in order and returns the first that works; memory when none does. */
export async function selectSecretStore(candidates: SecretStore[], opts: { logger?: Logger } = {}): Promise<SelectedStore> {
  const rejected: RejectedStore[] = [];
  for (const store of candidates) {
    try {
      await store.probe?.();
      return { store, rejected, ...(rejected.length ? { notice: degradedNotice(store, rejected) } : {}) };
    } catch (e) {
      const error = toKeychainUnavailable(e);
      rejected.push({ kind: store.kind, reason: error.reason, error });
      opts.logger?.warn('Key store unavailable', { kind: store.kind, reason: error.reason, detail: error.details?.detail });
    }
  }
  const store = createMemoryStore();
  return { store, rejected, notice: degradedNotice(store, rejected) };
}

function degradedNotice(chosen: SecretStore, rejected: RejectedStore[]): Notice {
  const first = rejected[0]?.error;
  if (!first) return { level: 'warning', message: SESSION_ONLY_WARNING };
  if (chosen.kind === 'session-only') {
    return { level: 'warning', message: `${SESSION_ONLY_WARNING} ${first.message}`, fix: first.fix };
  }
  return {
    level: 'info',
    message: `The OS keychain could not be used (${first.message.replace(/\.$/, '')}); your key is stored in an encrypted file instead.`,
    fix: first.fix,
  };
}

export interface OpenSecretStoreOptions {
  /** keytar options, or false to skip the OS keychain (e.g. STUDYDL_NO_KEYCHAIN). */
  keytar?: KeytarStoreOptions | false;
  /** Electron's safeStorage, passed in by the shell only. */
  safeStorage?: SafeStorageLike;
  /** Where the safeStorage fallback keeps its encrypted file. Needed with safeStorage. */
  safeStorageFile?: string;
  logger?: Logger;
}

/** The usual chain: keytar → safeStorage (when given) → memory. */
export function openSecretStore(opts: OpenSecretStoreOptions = {}): Promise<SelectedStore> {
  const candidates: SecretStore[] = [];
  if (opts.keytar !== false) candidates.push(createKeytarStore(opts.keytar ?? {}));
  if (opts.safeStorage && opts.safeStorageFile) candidates.push(createSafeStorageStore({ safeStorage: opts.safeStorage, file: opts.safeStorageFile }));
  return selectSecretStore(candidates, { logger: opts.logger });
}
