// Each known keytar failure must become the right typed reason, and selection must fall back honestly.
import { describe, expect, it } from 'vitest';
import { classifyKeychainError, KeychainUnavailable } from '../../../src-main/core/secrets/keychain-unavailable';
import { createKeytarStore } from '../../../src-main/core/secrets/keytar-store';
import { selectSecretStore } from '../../../src-main/core/secrets/select-store';
import { createSafeStorageStore } from '../../../src-main/core/secrets/safe-storage-store';
import { toErrorInfo } from '../../../src-shared/errors';
import { fakeKeytar, fakeSafeStorage, KNOWN_KEYTAR_FAILURES, manualClock } from './fakes';
import os from 'node:os';
import path from 'node:path';

const cases = Object.entries(KNOWN_KEYTAR_FAILURES) as Array<[keyof typeof KNOWN_KEYTAR_FAILURES, string]>;

async function rejection(p: Promise<unknown>): Promise<KeychainUnavailable> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(KeychainUnavailable);
    return e as KeychainUnavailable;
  }
  throw new Error('expected a rejection');
}

describe('keytar failures become typed KeychainUnavailable reasons', () => {
  for (const [reason, message] of cases) {
    it(`${reason}: “${message.slice(0, 50)}…”`, async () => {
      const failing =
        reason === 'library-missing'
          ? createKeytarStore({ load: async () => { throw new Error(message); } })
          : createKeytarStore({ load: async () => fakeKeytar({ failWith: message }) });

      for (const call of [failing.get('a'), failing.set('a', 'hst_test_secretvalue'), failing.delete('a'), failing.probe!()]) {
        const err = await rejection(call);
        expect(err.reason).toBe(reason);
        expect(err.code).toBe('KEYCHAIN_UNAVAILABLE');
        expect(err.message).not.toMatch(/org\.freedesktop|\.so\.0/); // plain words, not library jargon
        expect(err.fix).toBeTruthy();
      }
      expect(classifyKeychainError(new Error(message))).toBe(reason);

      // Selection never lets a broken keychain claim to be the OS keychain.
      const chosen = await selectSecretStore([failing]);
      expect(chosen.store.kind).toBe('session-only');
      expect((await chosen.store.status()).persistent).toBe(false);
      expect(chosen.rejected.map((r) => r.reason)).toEqual([reason]);
      expect(chosen.notice?.level).toBe('warning');
      expect(chosen.notice?.message).toMatch(/will not be remembered/);
      // …and the session-only store still works for this session.
      await chosen.store.set('k', 'hst_test_abc');
      expect(await chosen.store.get('k')).toBe('hst_test_abc');
    });
  }

  it('with safeStorage available, a broken keytar falls back to the encrypted file, with an info notice', async () => {
    const failing = createKeytarStore({ load: async () => fakeKeytar({ failWith: KNOWN_KEYTAR_FAILURES['no-secret-service'] }) });
    const safe = createSafeStorageStore({ safeStorage: fakeSafeStorage({ backend: 'kwallet5' }), file: path.join(os.tmpdir(), `sd-never-written-${process.pid}.json`), platform: 'linux' });
    const chosen = await selectSecretStore([failing, safe]);
    expect(chosen.store.kind).toBe('encrypted-file');
    expect(chosen.notice?.level).toBe('info');
    expect(chosen.notice?.message).toMatch(/encrypted file/);
  });

  it('a working keytar is chosen without a notice', async () => {
    const chosen = await selectSecretStore([createKeytarStore({ load: async () => fakeKeytar() })]);
    expect(chosen.store.kind).toBe('os-keychain');
    expect(chosen.notice).toBeUndefined();
    expect(chosen.rejected).toEqual([]);
  });

  it('loads keytar once, lazily', async () => {
    let loads = 0;
    const fake = fakeKeytar();
    const store = createKeytarStore({ load: async () => (loads++, fake) });
    expect(loads).toBe(0);
    await Promise.all([store.get('a'), store.get('b'), store.set('c', 'x')]);
    expect(loads).toBe(1);
  });

  it('never lets keytar see two calls at once', async () => {
    const fake = fakeKeytar({ delayMs: 5 });
    const store = createKeytarStore({ load: async () => fake });
    await Promise.all(Array.from({ length: 10 }, (_, i) => store.set(`a${i}`, `s${i}`)));
    expect(fake.calls).toBe(10);
    expect(fake.maxInFlight).toBe(1);
  });

  it('times out a call that hangs (a locked keyring waiting on a prompt) and fails fast until it settles', async () => {
    const clock = manualClock();
    let release: (v: string | null) => void = () => {};
    let hang = true;
    const fake = fakeKeytar();
    const hangingGet = fake.getPassword;
    fake.getPassword = (s, a) => (hang ? new Promise<string | null>((r) => (release = r)) : hangingGet(s, a));
    const store = createKeytarStore({ load: async () => fake, clock, timeoutMs: 5000 });

    const first = store.get('a');
    await new Promise((r) => setTimeout(r, 5));
    expect(clock.pending()).toBe(1);
    clock.fire(); // the 5 s deadline passes
    const err = await rejection(first);
    expect(err.reason).toBe('timeout');
    expect(err.message).toMatch(/did not answer in time/);

    // While the hung call is outstanding, nothing else is sent to keytar.
    const callsBefore = fake.calls;
    expect((await rejection(store.set('b', 'x'))).reason).toBe('timeout');
    expect(fake.calls).toBe(callsBefore);

    hang = false;
    release(null);
    await new Promise((r) => setTimeout(r, 5));
    await store.set('b', 'x');
    expect(await store.get('b')).toBe('x');
  });

  it('a hung call that ends in a refusal later (the prompt dismissed) frees the store quietly; a call that throws at once is classified too', async () => {
    const clock = manualClock();
    let refuse: (e: Error) => void = () => {};
    const fake = fakeKeytar();
    const working = fake.getPassword;
    let hung: Promise<string | null> | null = null;
    fake.getPassword = (s, a) => hung ?? working(s, a);
    hung = new Promise<string | null>((_r, reject) => (refuse = reject));
    const store = createKeytarStore({ load: async () => fake, clock, timeoutMs: 5000 });
    const first = store.get('a');
    while (clock.pending() === 0) await new Promise((r) => setImmediate(r));
    clock.fire();
    expect((await rejection(first)).reason).toBe('timeout');
    const late = hung;
    hung = null;
    refuse(new Error(KNOWN_KEYTAR_FAILURES['prompt-cancelled']));
    await late.catch(() => undefined);
    await new Promise((r) => setImmediate(r)); // the store's own handlers on it run before this
    await store.set('b', 'x');
    expect(await store.get('b')).toBe('x');

    const throwing = fakeKeytar();
    throwing.getPassword = () => {
      throw new Error(KNOWN_KEYTAR_FAILURES['no-dbus']);
    };
    expect((await rejection(createKeytarStore({ load: async () => throwing }).get('a'))).reason).toBe('no-dbus');
  });

  it('error info crossing a boundary carries the reason but never the raw detail text with a key', () => {
    const err = new KeychainUnavailable('unknown', 'failed storing hst_live_abcdefghijkl');
    const info = toErrorInfo(err);
    expect(info.code).toBe('KEYCHAIN_UNAVAILABLE');
    expect(JSON.stringify(info)).not.toContain('hst_live_abcdefghijkl');
    expect(info.details?.reason).toBe('unknown');
  });

  it('classifies unfamiliar errors as unknown and macOS cancellations as prompt-cancelled', () => {
    expect(classifyKeychainError(new Error('something odd'))).toBe('unknown');
    expect(classifyKeychainError(new Error('User canceled the operation.'))).toBe('prompt-cancelled');
    expect(classifyKeychainError(Object.assign(new Error("Cannot find package 'keytar'"), { code: 'ERR_MODULE_NOT_FOUND' }))).toBe('library-missing');
  });
});
