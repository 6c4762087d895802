import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeychainUnavailable } from '../../../src-main/core/secrets/keychain-unavailable';
import { createSafeStorageStore } from '../../../src-main/core/secrets/safe-storage-store';
import { selectSecretStore } from '../../../src-main/core/secrets/select-store';
import { canMountTmpfs, mountTmpfs } from '../../integration/tmpfs';
import { SAFE_STORAGE_DECRYPT_ERROR, fakeSafeStorage } from './fakes';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sd-safe-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const KEY = 'hst_live_Zq81mXr0aB7cD9eF1gH2iJ3kL4';

describe('safeStorage file store', () => {
  it('writes a 0600 file that holds ciphertext, not the key', async () => {
    const file = path.join(dir, 'nested', 'secrets.json');
    const store = createSafeStorageStore({ safeStorage: fakeSafeStorage({ backend: 'gnome_libsecret' }), file, platform: 'linux' });
    await store.set('profile:p1', KEY);
    const st = await stat(file);
    expect(st.mode & 0o777).toBe(0o600);
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain(KEY);
    expect(text).not.toContain('Zq81mXr0');
    expect(await store.get('profile:p1')).toBe(KEY);
    // still 0600 after a rewrite
    await store.set('profile:p2', KEY + 'x');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  for (const backend of ['basic_text', 'unknown']) {
    it(`refuses Linux's ${backend} backend and writes nothing`, async () => {
      const file = path.join(dir, 'secrets.json');
      const store = createSafeStorageStore({ safeStorage: fakeSafeStorage({ backend }), file, platform: 'linux' });
      await expect(store.probe!()).rejects.toMatchObject({ reason: 'weak-backend', code: 'KEYCHAIN_UNAVAILABLE' });
      await expect(store.set('a', KEY)).rejects.toBeInstanceOf(KeychainUnavailable);
      await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
      const chosen = await selectSecretStore([store]);
      expect(chosen.store.kind).toBe('session-only');
      expect(chosen.rejected[0].reason).toBe('weak-backend');
    });
  }

  it('refuses when encryption is unavailable', async () => {
    const store = createSafeStorageStore({ safeStorage: fakeSafeStorage({ available: false, backend: 'gnome_libsecret' }), file: path.join(dir, 's.json'), platform: 'linux' });
    await expect(store.probe!()).rejects.toMatchObject({ reason: 'encryption-unavailable' });
    await expect(store.get('a')).rejects.toMatchObject({ reason: 'encryption-unavailable' });
  });

  it('does not ask for a Linux backend on macOS and Windows', async () => {
    for (const platform of ['darwin', 'win32'] as const) {
      const store = createSafeStorageStore({ safeStorage: fakeSafeStorage(), file: path.join(dir, `${platform}.json`), platform });
      await store.probe!();
      await store.set('a', KEY);
      expect(await store.get('a')).toBe(KEY);
      expect((await store.status()).kind).toBe('encrypted-file');
    }
  });

  it('treats an unreadable file as empty instead of crashing', async () => {
    const file = path.join(dir, 'secrets.json');
    await writeFile(file, '{not json');
    const store = createSafeStorageStore({ safeStorage: fakeSafeStorage({ backend: 'kwallet5' }), file, platform: 'linux' });
    expect(await store.get('a')).toBeNull();
    await store.set('a', KEY);
    expect(await store.get('a')).toBe(KEY);
  });

  it('a file written under another keyring (another user or machine) is not decrypted: KEYCHAIN_UNAVAILABLE, the probe says so too', async () => {
    const file = path.join(dir, 'secrets.json');
    await createSafeStorageStore({ safeStorage: fakeSafeStorage({ backend: 'gnome_libsecret', key: 1 }), file, platform: 'linux' }).set('profile:p1', KEY);
    const other = fakeSafeStorage({ backend: 'gnome_libsecret', key: 2 });
    const store = createSafeStorageStore({ safeStorage: other, file, platform: 'linux' });
    const e = await store.get('profile:p1').catch((x) => x);
    expect(e).toBeInstanceOf(KeychainUnavailable);
    expect(e).toMatchObject({ code: 'KEYCHAIN_UNAVAILABLE', details: { detail: SAFE_STORAGE_DECRYPT_ERROR } });
    expect(JSON.stringify(e) + e.message).not.toContain(KEY);
    // A keyring whose round trip breaks (here: it decrypts with a key other than it encrypts with).
    const broken = { ...other, decryptString: () => { throw new Error(SAFE_STORAGE_DECRYPT_ERROR); } };
    await expect(createSafeStorageStore({ safeStorage: broken, file, platform: 'linux' }).probe!()).rejects.toMatchObject({ reason: 'encryption-unavailable', details: { detail: SAFE_STORAGE_DECRYPT_ERROR } });
  });

  it('Electron throwing when asked (before the app is ready): unavailable, or an unknown backend that is refused', async () => {
    const file = path.join(dir, 'secrets.json');
    const notReady = createSafeStorageStore({ safeStorage: fakeSafeStorage({ throws: { available: 'safeStorage cannot be used before app is ready' } }), file, platform: 'linux' });
    await expect(notReady.probe!()).rejects.toMatchObject({ reason: 'encryption-unavailable', details: { detail: 'safeStorage cannot be used before app is ready' } });
    const noBackend = createSafeStorageStore({ safeStorage: fakeSafeStorage({ throws: { backend: 'not ready' } }), file, platform: 'linux' });
    await expect(noBackend.set('a', KEY)).rejects.toMatchObject({ reason: 'weak-backend' });
    expect((await noBackend.status()).description).toContain('(unknown)');
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a secrets file that cannot be read (a folder in its place) is an error, not an empty store', async () => {
    const file = path.join(dir, 'secrets.json');
    await mkdir(file);
    const store = createSafeStorageStore({ safeStorage: fakeSafeStorage({ backend: 'kwallet5' }), file, platform: 'linux' });
    await expect(store.get('a')).rejects.toMatchObject({ code: 'EISDIR' });
  });

  it('a full disk: set fails with the disk error, the file keeps its keys and no partial temporary file is left', async (ctx) => {
    if (!canMountTmpfs(path.join(dir, 'probe'))) return ctx.skip(); // needs root and permission to mount a tmpfs
    const disk = mountTmpfs(path.join(dir, 'small'), '64k');
    try {
      const file = path.join(dir, 'small', 'secrets.json');
      const store = createSafeStorageStore({ safeStorage: fakeSafeStorage({ backend: 'gnome_libsecret' }), file, platform: 'linux' });
      await store.set('profile:p1', KEY);
      const before = await readFile(file, 'utf8');
      disk.fill();
      await expect(store.set('profile:p2', KEY)).rejects.toMatchObject({ code: 'ENOSPC' });
      expect(await readFile(file, 'utf8')).toBe(before);
      expect((await readdir(path.dirname(file))).sort()).toEqual(['filler', 'secrets.json']);
      expect(await store.get('profile:p1')).toBe(KEY);
    } finally {
      disk.unmount();
    }
  });
});
