// The contract suite against the memory store, keytar over a fake, and the safeStorage adapter.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { createKeytarStore } from '../../../src-main/core/secrets/keytar-store';
import { createMemoryStore } from '../../../src-main/core/secrets/memory-store';
import { createSafeStorageStore } from '../../../src-main/core/secrets/safe-storage-store';
import { fakeKeytar, fakeSafeStorage } from './fakes';
import { secretStoreContract } from './secret-store-contract';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sd-stores-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

secretStoreContract('memory', () => createMemoryStore(), { kind: 'session-only', persistent: false });

const sharedFake = fakeKeytar();
secretStoreContract('keytar (fake backend)', () => createKeytarStore({ load: async () => sharedFake, platform: 'linux' }), {
  kind: 'os-keychain',
  persistent: true,
  reopen: () => createKeytarStore({ load: async () => sharedFake, platform: 'linux' }),
});

const safe = fakeSafeStorage({ backend: 'gnome_libsecret' });
secretStoreContract('safeStorage file (fake safeStorage)', () => createSafeStorageStore({ safeStorage: safe, file: path.join(dir, 'secrets.json'), platform: 'linux' }), {
  kind: 'encrypted-file',
  persistent: true,
  reopen: () => createSafeStorageStore({ safeStorage: safe, file: path.join(dir, 'secrets.json'), platform: 'linux' }),
});
