// The last resort: the key lives in this process's memory and is gone when it exits.
// Its status says so in words the UI shows as a warning.
import type { KeyStorageStatus } from '../../../src-shared/model';
import type { SecretStore } from './secret-store';

export const SESSION_ONLY_WARNING =
  'Your API key will not be remembered: no OS keychain is available, so it is kept in memory only and you will need to enter it again next time.';

export function createMemoryStore(opts: { reason?: string } = {}): SecretStore {
  const secrets = new Map<string, string>();
  const status: KeyStorageStatus = {
    kind: 'session-only',
    description: 'Kept in memory only: you will need to enter it again next time',
    persistent: false,
    warning: opts.reason ? `${SESSION_ONLY_WARNING} (${opts.reason})` : SESSION_ONLY_WARNING,
  };
  return {
    kind: 'session-only',
    get: async (account) => secrets.get(account) ?? null,
    set: async (account, secret) => {
      secrets.set(account, secret);
    },
    delete: async (account) => secrets.delete(account),
    status: async () => ({ ...status }),
  };
}
