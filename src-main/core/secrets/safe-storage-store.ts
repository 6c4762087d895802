// Electron safeStorage into a 0600 file: the shell's fallback when keytar cannot be used.
// safeStorage is passed in as a port, so this file never imports electron and is testable.
// On Linux without a keyring safeStorage silently uses `basic_text` (a hard-coded password):
// that is obfuscation, not encryption, so it is refused.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { KeyStorageStatus } from '../../../src-shared/model';
import { KeychainUnavailable, toKeychainUnavailable } from './keychain-unavailable';
import type { SecretStore } from './secret-store';
import { createSerialQueue } from './serial-queue';

/** The part of Electron's `safeStorage` we use. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only in Electron. */
  getSelectedStorageBackend?(): string;
}

export interface SafeStorageStoreOptions {
  safeStorage: SafeStorageLike;
  /** The encrypted file, e.g. <userData>/secrets.bin.json. */
  file: string;
  platform?: NodeJS.Platform;
}

const REFUSED_BACKENDS = new Set(['basic_text', 'unknown']);

interface SecretsFile {
  version: 1;
  /** account → base64 ciphertext */
  secrets: Record<string, string>;
}

export function createSafeStorageStore(opts: SafeStorageStoreOptions): SecretStore {
  const { safeStorage, file } = opts;
  const platform = opts.platform ?? process.platform;
  const queue = createSerialQueue();

  function backend(): string | undefined {
    try {
      return safeStorage.getSelectedStorageBackend?.();
    } catch {
      return 'unknown';
    }
  }

  function ensureUsable(): void {
    let available = false;
    try {
      available = safeStorage.isEncryptionAvailable();
    } catch (e) {
      throw new KeychainUnavailable('encryption-unavailable', e instanceof Error ? e.message : String(e));
    }
    if (!available) throw new KeychainUnavailable('encryption-unavailable', 'safeStorage.isEncryptionAvailable() is false');
    if (platform === 'linux') {
      const name = backend();
      if (name === undefined || REFUSED_BACKENDS.has(name)) {
        throw new KeychainUnavailable('weak-backend', `safeStorage backend is ${name ?? 'not reported'}`);
      }
    }
  }

  async function readAll(): Promise<SecretsFile> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, secrets: {} };
      throw e;
    }
    try {
      const parsed = JSON.parse(text) as SecretsFile;
      if (parsed && typeof parsed === 'object' && parsed.secrets && typeof parsed.secrets === 'object') return { version: 1, secrets: { ...parsed.secrets } };
    } catch {
      // fall through: an unreadable file holds nothing we can decrypt
    }
    return { version: 1, secrets: {} };
  }

  async function writeAll(data: SecretsFile): Promise<void> {
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, JSON.stringify(data), { mode: 0o600 });
      await chmod(tmp, 0o600); // the umask may have widened nothing, but be explicit
      await rename(tmp, file);
      await chmod(file, 0o600);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  // Asked lazily: Electron answers getSelectedStorageBackend() only once the app is ready.
  const where = () => (platform === 'darwin' ? 'the macOS Keychain' : platform === 'win32' ? 'Windows DPAPI' : `the system keyring (${backend() ?? 'unknown backend'})`);

  return {
    kind: 'encrypted-file',
    get: (account) =>
      queue.run(async () => {
        ensureUsable();
        const data = await readAll();
        const cipher = data.secrets[account];
        if (!cipher) return null;
        try {
          return safeStorage.decryptString(Buffer.from(cipher, 'base64'));
        } catch (e) {
          throw toKeychainUnavailable(e);
        }
      }),
    set: (account, secret) =>
      queue.run(async () => {
        ensureUsable();
        const data = await readAll();
        data.secrets[account] = safeStorage.encryptString(secret).toString('base64');
        await writeAll(data);
      }),
    delete: (account) =>
      queue.run(async () => {
        const data = await readAll();
        if (!(account in data.secrets)) return false;
        delete data.secrets[account];
        await writeAll(data);
        return true;
      }),
    status: async (): Promise<KeyStorageStatus> => ({
      kind: 'encrypted-file',
      description: `Encrypted with a key held by ${where()}, in ${path.basename(file)}`,
      persistent: true,
    }),
    probe: async () => {
      ensureUsable();
      // A round trip proves decryption works with the key the backend hands out.
      const probe = `probe-${randomBytes(4).toString('hex')}`;
      let back: string;
      try {
        back = safeStorage.decryptString(safeStorage.encryptString(probe));
      } catch (e) {
        throw new KeychainUnavailable('encryption-unavailable', e instanceof Error ? e.message : String(e));
      }
      if (back !== probe) throw new KeychainUnavailable('encryption-unavailable', 'safeStorage round trip returned different text');
    },
  };
}
