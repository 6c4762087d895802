// Fakes for the two native things we cannot run everywhere: keytar and Electron's safeStorage.
import type { Clock } from '../../../src-main/core/ports';
import type { KeytarLike } from '../../../src-main/core/secrets/keytar-store';
import type { SafeStorageLike } from '../../../src-main/core/secrets/safe-storage-store';

/** The exact messages keytar / libsecret / Electron produce (electron-notes §3). */
export const KNOWN_KEYTAR_FAILURES = {
  'library-missing': 'libsecret-1.so.0: cannot open shared object file: No such file or directory',
  'no-dbus': 'Cannot autolaunch D-Bus without X11 $DISPLAY',
  'no-secret-service': 'The name org.freedesktop.secrets was not provided by any .service files',
  'transport-disabled': "Unknown or unsupported transport 'disabled' for address 'disabled:'",
  'prompt-cancelled': 'The operation was cancelled',
  'no-default-keyring': 'Object does not exist at path “/org/freedesktop/secrets/collection/login”',
  locked: 'Cannot create an item in a locked collection',
} as const;

export interface FakeKeytar extends KeytarLike {
  entries: Map<string, string>;
  calls: number;
  maxInFlight: number;
}

/** An in-memory keytar. `failWith` makes every call reject; concurrent calls are detected like libgcrypt would crash. */
export function fakeKeytar(opts: { failWith?: string; delayMs?: number } = {}): FakeKeytar {
  const entries = new Map<string, string>();
  let inFlight = 0;
  const self: FakeKeytar = {
    entries,
    calls: 0,
    maxInFlight: 0,
    getPassword: (s, a) => op(() => entries.get(`${s}\u0000${a}`) ?? null),
    setPassword: (s, a, p) => op(() => void entries.set(`${s}\u0000${a}`, p)),
    deletePassword: (s, a) => op(() => entries.delete(`${s}\u0000${a}`)),
  };
  async function op<T>(fn: () => T): Promise<T> {
    self.calls++;
    inFlight++;
    self.maxInFlight = Math.max(self.maxInFlight, inFlight);
    try {
      await new Promise((r) => setTimeout(r, opts.delayMs ?? 1));
      if (opts.failWith) throw new Error(opts.failWith);
      return fn();
    } finally {
      inFlight--;
    }
  }
  return self;
}

/** What Electron's safeStorage throws when a ciphertext was made with another key (another user, machine or keyring). */
export const SAFE_STORAGE_DECRYPT_ERROR = 'Error while decrypting the ciphertext provided to safeStorage.decryptString.';

/**
 * safeStorage stand-in: a reversible transform (not secure; only the adapter's logic is under test).
 * `key` tells two keyrings apart (decrypting another's ciphertext throws, as Electron does);
 * `throws` makes Electron's availability or backend question throw (e.g. asked before app ready).
 */
export function fakeSafeStorage(opts: { available?: boolean; backend?: string; key?: number; throws?: { available?: string; backend?: string } } = {}): SafeStorageLike & { encrypted: number } {
  const key = opts.key ?? 0x5a;
  const fake = {
    encrypted: 0,
    isEncryptionAvailable: () => {
      if (opts.throws?.available) throw new Error(opts.throws.available);
      return opts.available ?? true;
    },
    encryptString(s: string): Buffer {
      fake.encrypted++;
      return Buffer.concat([Buffer.from([key]), Buffer.from(Buffer.from(s, 'utf8').map((b) => b ^ key))]);
    },
    decryptString(b: Buffer): string {
      if (b[0] !== key) throw new Error(SAFE_STORAGE_DECRYPT_ERROR);
      return Buffer.from(b.subarray(1).map((x) => x ^ key)).toString('utf8');
    },
    ...(opts.backend !== undefined || opts.throws?.backend
      ? {
          getSelectedStorageBackend: () => {
            if (opts.throws?.backend) throw new Error(opts.throws.backend);
            return opts.backend!;
          },
        }
      : {}),
  };
  return fake;
}

/** A clock whose sleeps finish only when the test says so. */
export function manualClock(): Clock & { fire(): void; pending(): number } {
  let waiters: Array<{ resolve: () => void }> = [];
  return {
    now: () => 0,
    sleep(_ms, signal) {
      return new Promise<void>((resolve, reject) => {
        const w = { resolve };
        waiters.push(w);
        signal?.addEventListener('abort', () => {
          waiters = waiters.filter((x) => x !== w);
          reject(new Error('aborted'));
        });
      });
    },
    fire() {
      const all = waiters;
      waiters = [];
      for (const w of all) w.resolve();
    },
    pending: () => waiters.length,
  };
}
