// HYPERSTUDY_API_KEY goes to one place only: HYPERSTUDY_BASE_URL, or the production API. It is
// never lent to a profile added in the app (least of all one with a custom server address), nor
// to a --base-url on the command line. Over real HTTP: a recording proxy in front of the
// simulator stands for the custom server and shows which keys reach it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src-main/cli/main';
import { createCore, type Core } from '../../../src-main/core/create-core';
import { createProfileManager } from '../../../src-main/core/profiles/profile-manager';
import { createMemoryStore } from '../../../src-main/core/secrets';
import { environmentKeyMayGoTo } from '../../../src-main/core/secrets/environment-key';
import { startSimulator, type Simulator } from '../../sim';
import { startProxy, type TestProxy } from '../client/proxy';

/** A production key in the user's shell: well-formed, and not the simulator's. */
const ENV_KEY = 'hst_live_EnvironmentKeyFromTheShell0123456789';
const accepted = { outcome: 'accepted' as const, message: 'ok' };

let sim: Simulator;
let root: string;
let n = 0;
const cores: Core[] = [];
const proxies: TestProxy[] = [];
beforeAll(async () => {
  sim = await startSimulator({ scale: 'tiny' });
  root = await mkdtemp(join(tmpdir(), 'studydl-envkey-'));
});
afterEach(async () => {
  for (const c of cores.splice(0)) await c.close();
  for (const p of proxies.splice(0)) await p.close();
});
afterAll(async () => {
  await sim.close();
  await rm(root, { recursive: true, force: true });
});
const freshDir = () => join(root, `case-${++n}`);

describe('the environment key in the app (createCore)', () => {
  it('is never sent to a profile added from the UI with a custom server address', async () => {
    const custom = await startProxy({ target: new URL(sim.baseUrl).origin });
    proxies.push(custom);
    const dir = freshDir();
    const core = createCore({ mode: 'browser', configDir: join(dir, 'config'), dataDir: join(dir, 'jobs'), appVersion: '0.0.0-test', secretStore: createMemoryStore(), envKey: ENV_KEY });
    cores.push(core);
    await core.ready;

    const added = await core.api.addProfile({ name: 'Lab', source: 'hyperstudy', environment: 'custom', baseUrl: custom.origin + '/api/v3', apiKey: sim.apiKey });
    expect(added.validation.outcome).toBe('accepted');
    const experiments = (await core.api.listLevel({ level: 'experiment', parentPath: [], refresh: true })).items;
    expect(experiments.length).toBeGreaterThan(0);

    const keysSeen = new Set(custom.requestsWith('x-api-key').map((q) => q.headers['x-api-key']));
    expect(keysSeen.has(ENV_KEY)).toBe(false);
    expect([...keysSeen]).toEqual([sim.apiKey]);

    // The env key stays listed as its own connection, on production, and is never Lab's.
    const list = await core.api.listProfiles(undefined);
    const lab = list.find((p) => p.name === 'Lab')!;
    const env = list.find((p) => p.id === 'environment')!;
    expect(lab).toMatchObject({ active: true, keyStorage: { kind: 'session-only' } });
    expect(env).toMatchObject({ baseUrl: 'https://api.hyperstudy.io/api/v3', active: false, keyStorage: { kind: 'environment' } });
    expect(JSON.stringify(list)).not.toContain(ENV_KEY.slice(9, 30));
  });
});

describe('the environment key in the profile manager', () => {
  it('starts as its own active profile at HYPERSTUDY_BASE_URL; stored profiles keep their own keys', async () => {
    const dir = freshDir();
    const secrets = createMemoryStore();
    const KEY_A = 'hst_live_AAAA1111aaaa2222';
    await createProfileManager({ dir, secrets, validateKey: async () => accepted }).add({ name: 'Lab', source: 'hyperstudy', environment: 'custom', baseUrl: 'https://lab.example.org/api/v3', apiKey: KEY_A });

    const pm = createProfileManager({ dir, secrets, envKey: ENV_KEY, envBaseUrl: 'https://dev.hyperstudy.io/api/v3' });
    expect((await pm.active())?.connection).toEqual({ source: 'hyperstudy', baseUrl: 'https://dev.hyperstudy.io/api/v3', secret: ENV_KEY });
    expect((await pm.connectionFor('Lab'))?.connection).toEqual({ source: 'hyperstudy', baseUrl: 'https://lab.example.org/api/v3', secret: KEY_A });

    await pm.activate('Lab');
    expect((await pm.active())?.connection.secret).toBe(KEY_A);
    expect((await pm.list()).map((p) => [p.name, p.active, p.keyStorage.kind])).toEqual([
      ['Lab', true, 'session-only'],
      ['HYPERSTUDY_API_KEY', false, 'environment'],
    ]);
    await pm.activate('environment');
    expect((await pm.active())?.connection.secret).toBe(ENV_KEY);
    await expect(pm.remove('environment')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await pm.forgetKey('environment')).toBe(false);
  });

  it('a profile added while the env key is set uses the key it was given', async () => {
    const pm = createProfileManager({ dir: freshDir(), secrets: createMemoryStore(), validateKey: async () => accepted, envKey: ENV_KEY });
    const KEY_B = 'hst_test_BBBB2222bbbb3333';
    await pm.add({ name: 'Elsewhere', source: 'hyperstudy', environment: 'custom', baseUrl: 'http://127.0.0.1:9/api/v3', apiKey: KEY_B });
    expect((await pm.active())?.connection).toEqual({ source: 'hyperstudy', baseUrl: 'http://127.0.0.1:9/api/v3', secret: KEY_B });
  });

  it('an unusable HYPERSTUDY_BASE_URL (plain http off this machine) is refused when used, naming https', async () => {
    const pm = createProfileManager({ dir: freshDir(), secrets: createMemoryStore(), envKey: ENV_KEY, envBaseUrl: 'http://hyperstudy.example.org/api/v3' });
    await expect(pm.active()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/https/) });
    expect((await pm.list()).map((p) => p.id)).toEqual(['environment']);
  });

  it('may go to its home or production, nowhere else', () => {
    expect(environmentKeyMayGoTo('https://api.hyperstudy.io/api/v3/', undefined)).toBe(true);
    expect(environmentKeyMayGoTo('https://API.hyperstudy.io/api/v3', undefined)).toBe(true);
    expect(environmentKeyMayGoTo('https://dev.hyperstudy.io/api/v3', undefined)).toBe(false);
    expect(environmentKeyMayGoTo('https://dev.hyperstudy.io/api/v3', 'https://dev.hyperstudy.io/api/v3')).toBe(true);
    expect(environmentKeyMayGoTo('https://api.hyperstudy.io/api/v3', 'http://127.0.0.1:1/api/v3')).toBe(true);
    expect(environmentKeyMayGoTo('https://evil.example/api/v3', 'http://127.0.0.1:1/api/v3')).toBe(false);
  });
});

describe('the environment key in the CLI', () => {
  async function run(argv: string[], env: Record<string, string>) {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (c) => (out += c));
    stderr.on('data', (c) => (err += c));
    const code = await main(argv, { stdout, stderr, stdin: Readable.from([]), env: { STUDYDL_HOME: freshDir(), STUDYDL_NO_KEYCHAIN: '1', ...env }, isTTY: false });
    return { code, out, err };
  }

  it('is not sent to a --base-url other than HYPERSTUDY_BASE_URL or production', async () => {
    const other = await startProxy({ target: new URL(sim.baseUrl).origin });
    proxies.push(other);
    const r = await run(['ls', '--base-url', other.origin + '/api/v3'], { HYPERSTUDY_API_KEY: sim.apiKey });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/HYPERSTUDY_API_KEY is only sent to the production API/);
    expect(r.err).toContain('HYPERSTUDY_BASE_URL=');
    expect(other.requests).toEqual([]);
    expect(r.out + r.err).not.toContain(sim.apiKey);
  });

  it('goes to HYPERSTUDY_BASE_URL (and to a --base-url naming the same server)', async () => {
    const r = await run(['ls', '--json', '--base-url', sim.baseUrl + '/'], { HYPERSTUDY_API_KEY: sim.apiKey, HYPERSTUDY_BASE_URL: sim.baseUrl });
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out).experiments.length).toBeGreaterThan(0);
  });
});
