// Profiles on disk, keys in the SecretStore (memory store and keytar over a fake here; the
// live validation runs against the simulator in validate-key.test.ts).
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProfileManager } from '../../../src-main/core/profiles/profile-manager';
import { createKeytarStore } from '../../../src-main/core/secrets/keytar-store';
import { createMemoryStore } from '../../../src-main/core/secrets/memory-store';
import { accountForProfile } from '../../../src-main/core/secrets/secret-store';
import type { SourceConnection } from '../../../src-main/core/sources/source';
import type { KeyValidation } from '../../../src-shared/model';
import { KNOWN_KEYTAR_FAILURES, fakeKeytar } from '../../unit/secrets/fakes';
import { canMountTmpfs, mountTmpfs } from '../tmpfs';
import { recordingLogger } from '../../recording-logger';

const KEY_A = 'hst_live_AAAA1111bbbb2222cccc3333dddd4444';
const KEY_B = 'hst_test_BBBB5555eeee6666ffff7777gggg8888';
const accepted: KeyValidation = { outcome: 'accepted', message: 'ok' };

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sd-profiles-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function allFilesText(root: string): Promise<string> {
  let out = '';
  for (const name of await readdir(root, { recursive: true })) {
    const p = path.join(root, String(name));
    if ((await stat(p)).isFile()) out += await readFile(p, 'utf8');
  }
  return out;
}

describe('profile manager', () => {
  it('adds a validated profile, keeps its key in the store only, and makes it active', async () => {
    const fake = fakeKeytar();
    const secrets = createKeytarStore({ load: async () => fake });
    const seen: SourceConnection[] = [];
    const pm = createProfileManager({ dir, secrets, validateKey: async (c) => (seen.push(c), accepted) });
    const { validation, profile } = await pm.add({ name: 'Lab', source: 'hyperstudy', environment: 'development', organizationId: ' org_1 ', apiKey: `  ${KEY_A}\n` });
    expect(validation.outcome).toBe('accepted');
    expect(seen).toEqual([{ source: 'hyperstudy', baseUrl: 'https://dev.hyperstudy.io/api/v3', secret: KEY_A, organizationId: 'org_1' }]);
    expect(profile).toMatchObject({ name: 'Lab', source: 'hyperstudy', environment: 'development', baseUrl: 'https://dev.hyperstudy.io/api/v3', organizationId: 'org_1', active: true, hasKey: true, keyHint: 'hst_live_AAAA…' });
    expect(profile!.keyStorage.kind).toBe('os-keychain');
    expect([...fake.entries.entries()]).toEqual([[`Study Downloader\u0000${accountForProfile(profile!.id)}`, KEY_A]]);

    const onDisk = await allFilesText(dir);
    expect(onDisk).not.toContain(KEY_A);
    expect(onDisk).not.toContain('1111bbbb');
    expect((await stat(path.join(dir, 'profiles.json'))).mode & 0o777).toBe(0o600);

    const active = await pm.active();
    expect(active?.connection).toEqual({ source: 'hyperstudy', baseUrl: 'https://dev.hyperstudy.io/api/v3', secret: KEY_A, organizationId: 'org_1' });
    // A second manager (a new process) over the same dir and keychain sees the same thing.
    const again = createProfileManager({ dir, secrets: createKeytarStore({ load: async () => fake }) });
    expect((await again.active())?.connection.secret).toBe(KEY_A);
  });

  it('saves nothing when validation does not accept the key', async () => {
    const secrets = createMemoryStore();
    for (const outcome of ['rejected', 'missing-scopes', 'unreachable', 'not-hyperstudy', 'error'] as const) {
      const pm = createProfileManager({ dir, secrets, validateKey: async () => ({ outcome, message: outcome }) });
      const r = await pm.add({ name: 'X', source: 'hyperstudy', environment: 'production', apiKey: KEY_A });
      expect(r.validation.outcome).toBe(outcome);
      expect(r.profile).toBeUndefined();
      expect(await pm.list()).toEqual([]);
    }
    expect(await secrets.get(accountForProfile('anything'))).toBeNull();
    expect(await readdir(dir)).toEqual([]);
  });

  it('checks the format before anything else, with no live call', async () => {
    let calls = 0;
    const pm = createProfileManager({ dir, secrets: createMemoryStore(), validateKey: async () => (calls++, accepted) });
    for (const bad of ['sk_live_abc', 'hst_prod_abc', 'hst_live_', 'hst_live_abc def', '']) {
      const r = await pm.add({ name: 'X', source: 'hyperstudy', environment: 'production', apiKey: bad });
      expect(r.validation.outcome).toBe('wrong-format');
      expect(r.validation.message).not.toContain('abc');
    }
    // skipValidation still checks the format
    expect((await pm.add({ name: 'X', source: 'hyperstudy', environment: 'production', apiKey: 'nope' }, { skipValidation: true })).validation.outcome).toBe('wrong-format');
    expect(calls).toBe(0);
    const r = await pm.add({ name: 'Offline', source: 'hyperstudy', environment: 'production', apiKey: KEY_A }, { skipValidation: true });
    expect(r.profile?.name).toBe('Offline');
    expect(calls).toBe(0);
  });

  it('updates a profile with the same name in place; remove deletes its key; activate switches', async () => {
    const secrets = createMemoryStore();
    const pm = createProfileManager({ dir, secrets, validateKey: async () => accepted });
    const a = (await pm.add({ name: 'Lab', source: 'hyperstudy', environment: 'production', apiKey: KEY_A })).profile!;
    const b = (await pm.add({ name: 'Dev', source: 'hyperstudy', environment: 'custom', baseUrl: 'http://127.0.0.1:9/api/v3/', apiKey: KEY_B })).profile!;
    expect(b.baseUrl).toBe('http://127.0.0.1:9/api/v3');
    expect(b.environment).toBe('custom');
    expect((await pm.list()).map((p) => [p.name, p.active])).toEqual([['Lab', false], ['Dev', true]]);

    const a2 = (await pm.add({ name: 'lab', source: 'hyperstudy', environment: 'development', apiKey: KEY_B })).profile!;
    expect(a2.id).toBe(a.id);
    expect(await secrets.get(accountForProfile(a.id))).toBe(KEY_B);
    expect((await pm.list()).length).toBe(2);

    await pm.activate('Dev');
    expect((await pm.active())?.profile.id).toBe(b.id);
    const left = await pm.remove(b.id);
    expect(await secrets.get(accountForProfile(b.id))).toBeNull();
    expect(left.map((p) => [p.name, p.active])).toEqual([['lab', true]]);
    await expect(pm.remove('nope')).rejects.toMatchObject({ code: 'NO_PROFILE' });
    await expect(pm.activate('nope')).rejects.toMatchObject({ code: 'NO_PROFILE' });
  });

  it('rejects a custom environment without a usable URL', async () => {
    const pm = createProfileManager({ dir, secrets: createMemoryStore(), validateKey: async () => accepted });
    await expect(pm.add({ name: 'C', source: 'hyperstudy', environment: 'custom', apiKey: KEY_A })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(pm.add({ name: 'C', source: 'hyperstudy', environment: 'custom', baseUrl: 'ftp://x', apiKey: KEY_A })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(pm.add({ name: 'C', source: 'hyperstudy', environment: 'custom', baseUrl: 'https://u:p@x/api/v3', apiKey: KEY_A })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('the env key is its own active in-memory profile (never a stored one’s) and is never written', async () => {
    const secrets = createMemoryStore();
    const pm0 = createProfileManager({ dir, secrets, validateKey: async () => accepted });
    await pm0.add({ name: 'Lab', source: 'hyperstudy', environment: 'production', apiKey: KEY_A });
    const pm = createProfileManager({ dir, secrets, envKey: KEY_B });
    const active = await pm.active();
    expect(active?.connection).toEqual({ source: 'hyperstudy', baseUrl: 'https://api.hyperstudy.io/api/v3', secret: KEY_B });
    expect(active?.profile).toMatchObject({ id: 'environment', keyStorage: { kind: 'environment' } });
    expect((await pm.list()).map((p) => p.keyStorage.kind)).toEqual(['session-only', 'environment']);
    expect((await pm.connectionFor('Lab'))?.connection.secret).toBe(KEY_A);
    expect(await allFilesText(dir)).not.toContain(KEY_B);
  });

  it('with only an env key there is still a connection (production, or HYPERSTUDY_BASE_URL)', async () => {
    const pm = createProfileManager({ dir, secrets: createMemoryStore(), envKey: KEY_B, envBaseUrl: 'http://127.0.0.1:8787/api/v3' });
    const active = await pm.active();
    expect(active?.connection).toEqual({ source: 'hyperstudy', baseUrl: 'http://127.0.0.1:8787/api/v3', secret: KEY_B });
    expect(active?.profile).toMatchObject({ id: 'environment', active: true, hasKey: true });
    expect(await readdir(dir)).toEqual([]);
    const none = createProfileManager({ dir, secrets: createMemoryStore() });
    expect(await none.active()).toBeNull();
  });

  it('says plainly when the active profile has no key (a session-only store after a restart)', async () => {
    const pm = createProfileManager({ dir, secrets: createMemoryStore(), validateKey: async () => accepted });
    await pm.add({ name: 'Lab', source: 'hyperstudy', environment: 'production', apiKey: KEY_A });
    const restarted = createProfileManager({ dir, secrets: createMemoryStore() });
    expect((await restarted.list())[0]).toMatchObject({ hasKey: false, keyStorage: { kind: 'session-only', persistent: false } });
    await expect(restarted.active()).rejects.toMatchObject({ code: 'NO_PROFILE', message: expect.stringMatching(/not remembered/) });
  });

  it('keeps the demo profile in memory only', async () => {
    const pm = createProfileManager({ dir, secrets: createMemoryStore(), validateKey: async () => accepted });
    await pm.add({ name: 'Lab', source: 'hyperstudy', environment: 'production', apiKey: KEY_A });
    const demo = await pm.addDemoProfile('http://127.0.0.1:8787/api/v3', KEY_B);
    expect(demo).toMatchObject({ demo: true, active: true, hasKey: true });
    expect((await pm.active())?.connection).toEqual({ source: 'hyperstudy', baseUrl: 'http://127.0.0.1:8787/api/v3', secret: KEY_B });
    expect(await allFilesText(dir)).not.toMatch(/demo|BBBB5555/i);
    await pm.activate('Lab');
    expect((await pm.active())?.connection.secret).toBe(KEY_A);
    await expect(createProfileManager({ dir, secrets: createMemoryStore() }).list().then((l) => l.map((p) => p.name))).resolves.toEqual(['Lab']);
  });

  it('sets a corrupt profiles file aside with a notice', async () => {
    await writeFile(path.join(dir, 'profiles.json'), '{oops');
    const pm = createProfileManager({ dir, secrets: createMemoryStore() });
    await pm.ready;
    expect(pm.notices()).toHaveLength(1);
    expect(pm.notices()[0].message).toMatch(/could not be read/);
    expect(await pm.list()).toEqual([]);
    expect((await readdir(dir)).some((n) => n.startsWith('profiles.json.corrupt-'))).toBe(true);
  });

  it('leaves the profile in place when its key cannot be deleted (nothing orphaned)', async () => {
    const fake = fakeKeytar();
    const pm = createProfileManager({ dir, secrets: createKeytarStore({ load: async () => fake }), validateKey: async () => accepted });
    const p = (await pm.add({ name: 'Lab', source: 'hyperstudy', environment: 'production', apiKey: KEY_A })).profile!;
    const broken = createProfileManager({ dir, secrets: createKeytarStore({ load: async () => fakeKeytar({ failWith: 'Cannot autolaunch D-Bus without X11 $DISPLAY' }) }) });
    await expect(broken.remove(p.id)).rejects.toMatchObject({ code: 'KEYCHAIN_UNAVAILABLE', reason: 'no-dbus' });
    expect((await pm.list()).map((x) => x.id)).toEqual([p.id]);
  });

  it('nothing it returns for display (summaries, validations, errors) contains a key', async () => {
    const secrets = createMemoryStore();
    const pm = createProfileManager({ dir, secrets, validateKey: async () => accepted, envKey: undefined });
    const shown: unknown[] = [];
    shown.push(await pm.add({ name: 'Lab', source: 'hyperstudy', environment: 'production', apiKey: KEY_A }));
    shown.push(await pm.add({ name: 'Dev', source: 'hyperstudy', environment: 'development', apiKey: KEY_B }));
    shown.push(await pm.list(), await pm.find('Lab'), (await pm.active())?.profile, await pm.activate('Lab'), await pm.validate({ name: 'x', source: 'hyperstudy', environment: 'production', apiKey: 'hst_live_bad key' }));
    shown.push(await pm.addDemoProfile('http://127.0.0.1:1/api/v3', KEY_B), await pm.list());
    await pm.forgetKey('Lab');
    await pm.activate('Lab');
    shown.push(await pm.active().catch((e) => ({ message: e.message, fix: e.fix })));
    const envPm = createProfileManager({ dir, secrets, envKey: KEY_B });
    shown.push(await envPm.list(), (await envPm.active())?.profile);
    const text = JSON.stringify(shown);
    for (const k of [KEY_A, KEY_B]) expect(text).not.toContain(k.slice(9, 20));
    expect(text).toContain('hst_live_AAAA…');
  });

  it('a keychain that cannot be read (locked) lists the profile without its key instead of failing, logged without the key', async () => {
    const fake = fakeKeytar();
    const pm = createProfileManager({ dir, secrets: createKeytarStore({ load: async () => fake }), validateKey: async () => accepted });
    await pm.add({ name: 'Lab', source: 'hyperstudy', environment: 'production', apiKey: KEY_A });
    const logger = recordingLogger();
    const locked = createProfileManager({ dir, secrets: createKeytarStore({ load: async () => fakeKeytar({ failWith: KNOWN_KEYTAR_FAILURES.locked }) }), logger });
    expect((await locked.list())[0]).toMatchObject({ name: 'Lab', hasKey: false });
    expect(await locked.keyStorage()).toMatchObject({ kind: 'os-keychain' });
    expect(logger.lines.filter((l) => l.includes('Could not read a key from the key store') && l.includes('locked'))).toHaveLength(1);
    expect(logger.lines.join('\n')).not.toContain(KEY_A.slice(9));
  });

  it('removing the demo profile forgets it (it was never on disk); the saved one becomes active again', async () => {
    const pm = createProfileManager({ dir, secrets: createMemoryStore(), validateKey: async () => accepted });
    await pm.add({ name: 'Lab', source: 'hyperstudy', environment: 'production', apiKey: KEY_A });
    const demo = await pm.addDemoProfile('http://127.0.0.1:8787/api/v3', KEY_B);
    expect((await pm.active())?.profile.id).toBe(demo.id);
    const before = await readFile(path.join(dir, 'profiles.json'), 'utf8');
    const left = await pm.remove(demo.id);
    expect(left.map((p) => [p.name, p.active])).toEqual([['Lab', true]]);
    expect((await pm.active())?.connection.secret).toBe(KEY_A);
    expect(await readFile(path.join(dir, 'profiles.json'), 'utf8')).toBe(before);
  });

  it('a key check that throws (a fault in the checker, not an outcome) is an error in words; nothing is saved', async () => {
    const logger = recordingLogger();
    const secrets = createMemoryStore();
    const pm = createProfileManager({ dir, secrets, logger, validateKey: async () => {
      throw new TypeError('Cannot read properties of undefined');
    } });
    const r = await pm.add({ name: 'Lab', source: 'hyperstudy', environment: 'production', apiKey: KEY_A });
    expect(r.validation).toEqual({ outcome: 'error', message: 'The key could not be checked because of an unexpected error.', fix: 'Try again. If it keeps happening, report it with the log file.' });
    expect(r.profile).toBeUndefined();
    expect(await pm.list()).toEqual([]);
    expect(logger.lines.some((l) => l.includes('Key validation failed unexpectedly'))).toBe(true);
  });

  it('a profiles file that cannot be read at all (a folder in its place): start-up goes on and logs it; using it says why', async () => {
    await mkdir(path.join(dir, 'profiles.json'));
    const logger = recordingLogger();
    const pm = createProfileManager({ dir, secrets: createMemoryStore(), logger });
    await pm.ready;
    expect(logger.lines.some((l) => l.includes('Could not read the profiles file') && l.includes('EISDIR'))).toBe(true);
    await expect(pm.list()).rejects.toMatchObject({
      code: 'DISK',
      message: `Your connection profiles file ${path.join(dir, 'profiles.json')} cannot be read (EISDIR).`,
      fix: expect.stringMatching(/move it away/),
    });
  });

  it('a full settings disk: the connection is not saved (DISK, in words), no partial file is left, and its key is not left behind in the keychain', async (ctx) => {
    if (!canMountTmpfs(path.join(dir, 'probe'))) return ctx.skip(); // needs root and permission to mount a tmpfs
    const config = path.join(dir, 'config');
    const disk = mountTmpfs(config, '64k');
    try {
      const fake = fakeKeytar();
      const pm = createProfileManager({ dir: config, secrets: createKeytarStore({ load: async () => fake }), validateKey: async () => accepted });
      const lab = (await pm.add({ name: 'Lab', source: 'hyperstudy', environment: 'production', apiKey: KEY_A })).profile!;
      const before = await readFile(path.join(config, 'profiles.json'), 'utf8');
      disk.fill();
      const e = await pm.add({ name: 'Dev', source: 'hyperstudy', environment: 'development', apiKey: KEY_B }).catch((x) => x);
      expect(e).toMatchObject({ code: 'DISK', message: expect.stringMatching(/^The connection could not be saved: ENOSPC/), fix: 'Check that the settings folder is writable and has free space.' });
      expect([...fake.entries.values()]).toEqual([KEY_A]);
      expect(await readFile(path.join(config, 'profiles.json'), 'utf8')).toBe(before);
      expect((await readdir(config)).sort()).toEqual(['filler', 'profiles.json']);
      expect((await pm.list()).map((p) => p.id)).toEqual([lab.id]);
    } finally {
      disk.unmount();
    }
  });
});
