// The OS keychain through keytar (macOS Keychain, Windows Credential Manager, Secret Service on Linux).
// keytar is an archived native addon: it is loaded lazily and defensively, calls are serialized,
// each call has a deadline (a locked keyring may sit on a prompt), and every known failure
// becomes a typed KeychainUnavailable.
import type { KeyStorageStatus } from '../../../src-shared/model';
import { systemClock, type Clock } from '../ports';
import { KeychainUnavailable, toKeychainUnavailable } from './keychain-unavailable';
import { KEYCHAIN_SERVICE, type SecretStore } from './secret-store';
import { createSerialQueue } from './serial-queue';

/** The part of keytar we use. */
export interface KeytarLike {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

export interface KeytarStoreOptions {
  /** Keychain service name; defaults to "Study Downloader". */
  service?: string;
  /** Loads keytar; tests inject fakes. Defaults to `await import('keytar')`. */
  load?: () => Promise<KeytarLike>;
  /** Deadline per call, ms. */
  timeoutMs?: number;
  clock?: Clock;
  platform?: NodeJS.Platform;
}

export const KEYTAR_TIMEOUT_MS = 5_000;
const PROBE_ACCOUNT = '__probe__';

export async function loadKeytar(): Promise<KeytarLike> {
  const mod = (await import('keytar')) as unknown as KeytarLike & { default?: KeytarLike };
  const api = mod.default && typeof mod.default.getPassword === 'function' ? mod.default : mod;
  if (typeof api.getPassword !== 'function') throw new Error("Cannot find module 'keytar' (no getPassword export)");
  return api;
}

export function keychainName(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'the macOS Keychain';
  if (platform === 'win32') return 'Windows Credential Manager';
  return 'the system keyring (Secret Service)';
}

export function createKeytarStore(opts: KeytarStoreOptions = {}): SecretStore {
  const service = opts.service ?? KEYCHAIN_SERVICE;
  const load = opts.load ?? loadKeytar;
  const timeoutMs = opts.timeoutMs ?? KEYTAR_TIMEOUT_MS;
  const clock = opts.clock ?? systemClock;
  const where = keychainName(opts.platform ?? process.platform);
  const queue = createSerialQueue();
  let loaded: Promise<KeytarLike> | null = null;
  // A call that outlived its deadline may still be running inside keytar; until it settles,
  // further calls fail fast rather than run concurrently with it.
  let stuck: Promise<unknown> | null = null;

  function keytar(): Promise<KeytarLike> {
    loaded ??= load().catch((e) => {
      throw toKeychainUnavailable(e);
    });
    return loaded;
  }

  async function withDeadline<T>(operation: string, call: () => Promise<T>): Promise<T> {
    const timer = new AbortController();
    let pending: Promise<T>;
    try {
      pending = Promise.resolve(call());
    } catch (e) {
      throw toKeychainUnavailable(e);
    }
    const deadline = clock.sleep(timeoutMs, timer.signal).then(
      () => 'timeout' as const,
      () => 'cancelled' as const,
    );
    try {
      const winner = await Promise.race([pending.then((value) => ({ value })), deadline]);
      if (winner === 'timeout') {
        stuck = pending.then(
          () => undefined,
          () => undefined,
        );
        void stuck.then(() => {
          stuck = null;
        });
        throw new KeychainUnavailable('timeout', `${operation} took longer than ${Math.round(timeoutMs / 1000)} s`);
      }
      if (winner === 'cancelled') throw new KeychainUnavailable('unknown', `${operation} deadline cancelled`);
      return winner.value;
    } catch (e) {
      throw toKeychainUnavailable(e);
    } finally {
      timer.abort();
    }
  }

  function call<T>(operation: string, fn: (k: KeytarLike) => Promise<T>): Promise<T> {
    return queue.run(async () => {
      if (stuck) throw new KeychainUnavailable('timeout', `an earlier keychain request is still waiting (${operation} not attempted)`);
      const k = await keytar();
      return withDeadline(operation, () => fn(k));
    });
  }

  const status: KeyStorageStatus = {
    kind: 'os-keychain',
    description: `Stored in ${where}`,
    persistent: true,
  };

  return {
    kind: 'os-keychain',
    get: (account) => call('read', (k) => k.getPassword(service, account)),
    set: (account, secret) => call('write', (k) => k.setPassword(service, account, secret)),
    delete: (account) => call('delete', (k) => k.deletePassword(service, account)),
    status: async () => ({ ...status }),
    // A harmless read: proves the library loads, the bus answers and a keyring is there.
    probe: async () => {
      await call('probe', (k) => k.getPassword(service, PROBE_ACCOUNT));
    },
  };
}
