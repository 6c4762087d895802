// The port every key store implements. The core never cares where the key lives,
// only that the store says so honestly through status().
import type { KeyStorageKind, KeyStorageStatus } from '../../../src-shared/model';

export interface SecretStore {
  readonly kind: KeyStorageKind;
  /** The secret for this account, or null when none is stored. */
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  /** True when something was deleted. */
  delete(account: string): Promise<boolean>;
  status(): Promise<KeyStorageStatus>;
  /**
   * Checks that the store really works here (a round trip to the keychain, a usable
   * encryption backend). Resolves when usable; rejects with KeychainUnavailable otherwise.
   * Stores that always work may omit it.
   */
  probe?(): Promise<void>;
}

/** The service name keys are filed under in the OS keychain. */
export const KEYCHAIN_SERVICE = 'Study Downloader';

/** The keychain account holding a connection profile's key. */
export function accountForProfile(profileId: string): string {
  return `profile:${profileId}`;
}
