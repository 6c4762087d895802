import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeychainUnavailable } from '../../../src-main/core/secrets/keychain-unavailable';
import { createSafeStorageStore } from '../../../src-main/core/secrets/safe-storage-store';
import { selectSecretStore } from '../../../src-main/core/secrets/select-store';
import { fakeSafeStorage } from './fakes';

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
    const { writeFile } = await import('node:fs/promises');
    await writeFile(file, '{not json');
    const store = createSafeStorageStore({ safeStorage: fakeSafeStorage({ backend: 'kwallet5' }), file, platform: 'linux' });
    expect(await store.get('a')).toBeNull();
    await store.set('a', KEY);
    expect(await store.get('a')).toBe(KEY);
  });
});
