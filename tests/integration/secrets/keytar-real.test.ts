// The contract suite against the real keytar and a real Secret Service (gnome-keyring).
// Run inside: dbus-run-session -- bash -c 'echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; npx vitest run tests/integration/secrets'
// Elsewhere it skips itself, saying why.
import { describe, expect, it } from 'vitest';
import { createKeytarStore } from '../../../src-main/core/secrets/keytar-store';
import { openSecretStore } from '../../../src-main/core/secrets/select-store';
import { secretStoreContract } from '../../unit/secrets/secret-store-contract';
import { probeTestKeychain, TEST_KEYCHAIN_SERVICE } from './cli-run';

const real = () => createKeytarStore({ service: TEST_KEYCHAIN_SERVICE });

const availability = await probeTestKeychain();

if (!availability.ok) {
  console.warn(`[secrets] real keytar tests skipped: the OS keychain is not reachable here (${availability.why}).`);
}

if (!availability.ok) {
  // Shows up as a skipped test whose name carries the reason.
  it.skip(`real keytar: skipped because the OS keychain is not reachable here (${availability.why})`, () => {});
}

describe.skipIf(!availability.ok)('real keytar + Secret Service', () => {
  secretStoreContract('keytar (real gnome-keyring)', real, { kind: 'os-keychain', persistent: true, reopen: real });

  it('is what openSecretStore picks, with no notice', async () => {
    const chosen = await openSecretStore({ keytar: { service: TEST_KEYCHAIN_SERVICE } });
    expect(chosen.store.kind).toBe('os-keychain');
    expect(chosen.notice).toBeUndefined();
    expect((await chosen.store.status()).persistent).toBe(true);
  });
});
