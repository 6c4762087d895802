// One behavioural contract for every SecretStore. Run it against a store factory:
// the memory store, keytar with a fake, the safeStorage adapter, and real keytar + gnome-keyring.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { SecretStore } from '../../../src-main/core/secrets/secret-store';

export interface ContractOptions {
  /** Expected status().kind. */
  kind: SecretStore['kind'];
  persistent: boolean;
  /** A second store over the same backing storage (e.g. a new process) when the store is persistent. */
  reopen?: () => Promise<SecretStore> | SecretStore;
}

export function secretStoreContract(name: string, makeStore: () => Promise<SecretStore> | SecretStore, opts: ContractOptions): void {
  describe(`SecretStore contract: ${name}`, () => {
    const used: Array<{ store: SecretStore; account: string }> = [];
    const account = (store: SecretStore) => {
      const a = `contract-test:${randomBytes(6).toString('hex')}`;
      used.push({ store, account: a });
      return a;
    };
    const secret = () => `hst_test_${randomBytes(16).toString('hex')}`;

    afterEach(async () => {
      for (const { store, account: a } of used.splice(0)) await store.delete(a).catch(() => undefined);
    });

    it('returns null for an account it never stored', async () => {
      const store = await makeStore();
      expect(await store.get(account(store))).toBeNull();
    });

    it('gives back exactly what was set, and set overwrites', async () => {
      const store = await makeStore();
      const a = account(store);
      const s1 = secret();
      const s2 = secret() + '_ünïcødé-✓';
      await store.set(a, s1);
      expect(await store.get(a)).toBe(s1);
      await store.set(a, s2);
      expect(await store.get(a)).toBe(s2);
    });

    it('keeps accounts apart', async () => {
      const store = await makeStore();
      const a = account(store);
      const b = account(store);
      const sa = secret();
      const sb = secret();
      await store.set(a, sa);
      await store.set(b, sb);
      expect(await store.get(a)).toBe(sa);
      expect(await store.get(b)).toBe(sb);
      expect(await store.delete(a)).toBe(true);
      expect(await store.get(a)).toBeNull();
      expect(await store.get(b)).toBe(sb);
    });

    it('delete reports whether something was deleted', async () => {
      const store = await makeStore();
      const a = account(store);
      expect(await store.delete(a)).toBe(false);
      await store.set(a, secret());
      expect(await store.delete(a)).toBe(true);
      expect(await store.delete(a)).toBe(false);
      expect(await store.get(a)).toBeNull();
    });

    it('survives many concurrent calls (they are serialized, none lost)', async () => {
      const store = await makeStore();
      const accounts = Array.from({ length: 6 }, () => account(store));
      const secrets = accounts.map(() => secret());
      await Promise.all(accounts.map((a, i) => store.set(a, secrets[i])));
      const back = await Promise.all(accounts.map((a) => store.get(a)));
      expect(back).toEqual(secrets);
    });

    it('reports honestly where the key lives, without the key', async () => {
      const store = await makeStore();
      const a = account(store);
      const s = secret();
      await store.set(a, s);
      const status = await store.status();
      expect(store.kind).toBe(opts.kind);
      expect(status.kind).toBe(opts.kind);
      expect(status.persistent).toBe(opts.persistent);
      expect(status.description.length).toBeGreaterThan(10);
      if (!opts.persistent) expect(status.warning).toMatch(/not be remembered/);
      expect(JSON.stringify(status)).not.toContain(s);
    });

    if (opts.reopen) {
      it('a fresh store over the same storage reads what the first one wrote', async () => {
        const store = await makeStore();
        const a = account(store);
        const s = secret();
        await store.set(a, s);
        const again = await opts.reopen!();
        expect(await again.get(a)).toBe(s);
        expect(await again.delete(a)).toBe(true);
        expect(await store.get(a)).toBeNull();
      });
    }
  });
}
