// Signing in to BrainSTEM through the core's contract methods, against the simulator: a pasted
// token checked before it is saved; the browser's device flow (approve, deny, expire, already used,
// cancel), where only the code reaches the caller and the token goes to the key store; email and
// password, which keeps only the rotating refresh token — every rotation saved at once, the
// password nowhere; and the public portal, which needs (and is sent) no token. Time is a fake
// clock shared by the simulator and the core where expiry matters.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../../../../src-shared/contract';
import { toErrorInfo } from '../../../../src-shared/errors';
import type { DeviceSignInStart } from '../../../../src-shared/model';
import type { Core } from '../../../../src-main/core/create-core';
import { startBrainstemSimulator, type BrainstemSimulator } from '../../../sim/brainstem/index';
import { createFakeClock, type FakeClock } from '../../../unit/net/fake-clock';
import { filesContaining, makeCore, removeDir, tempRoot, type TestCore } from './helpers';

let root: string;
const cores: Core[] = [];
let n = 0;
beforeAll(async () => {
  root = await tempRoot('studydl-bs-signin-');
});
afterEach(async () => {
  for (const c of cores.splice(0)) await c.close();
});
afterAll(() => removeDir(root));

async function core(extra: Parameters<typeof makeCore>[1] = {}): Promise<TestCore> {
  const c = await makeCore(join(root, `c${++n}`), extra);
  cores.push(c.core);
  return c;
}

const projects = (c: Core, refresh = false) => c.api.listLevel({ level: 'project', parentPath: [], refresh });

describe('a pasted token', () => {
  let sim: BrainstemSimulator;
  beforeAll(async () => {
    sim = await startBrainstemSimulator({ scale: 'tiny', seed: 3 });
  });
  afterAll(() => sim.close());

  it('is checked before it is saved: a rejected one saves nothing; an accepted one goes to the key store only', async () => {
    const { core: c, store, logger } = await core();
    const base = { name: 'Lab', source: 'brainstem', baseUrl: sim.baseUrl, portal: 'private' as const };
    expect((await c.api.validateProfile({ ...base, apiKey: 'f'.repeat(40) })).outcome).toBe('rejected');
    expect((await c.api.addProfile({ ...base, apiKey: 'has spaces in it' })).validation.outcome).toBe('wrong-format');
    const refused = await c.api.addProfile({ ...base, apiKey: 'f'.repeat(40) });
    expect(refused.profile).toBeUndefined();
    expect(store.everSet).toEqual([]);

    const added = await c.api.addProfile({ ...base, apiKey: sim.token });
    expect(added.validation.outcome).toBe('accepted');
    expect(added.profile).toMatchObject({ source: 'brainstem', portal: 'private', active: true, hasKey: true });
    expect([...store.values().values()]).toEqual([sim.token]);
    const listed = await projects(c);
    expect(listed.items.map((p) => p.id)).toEqual(sim.dataset.projects().map((p) => p.id));
    expect((await c.api.describeSource(undefined)).id).toBe('brainstem');
    const said = JSON.stringify([added, refused, await c.api.listProfiles(undefined), listed]) + logger.lines.join('\n');
    expect(said).not.toContain(sim.token);
    expect(await filesContaining(join(root, `c${n}`), sim.token)).toEqual([]);
  });
});

describe('the public portal', () => {
  let sim: BrainstemSimulator;
  beforeAll(async () => {
    sim = await startBrainstemSimulator({ scale: 'tiny', seed: 3 });
  });
  afterAll(() => sim.close());

  it('needs no token, keeps none, and sends none (a stale one would be a 401 there)', async () => {
    // The server's side: authentication runs before permissions, so a stale token fails even on open pages.
    const stale = sim.tokens.issue();
    sim.tokens.revoke(stale);
    const withStale = await fetch(`${sim.baseUrl}/public/stem/project/`, { headers: { Authorization: `Bearer ${stale}` } });
    expect(withStale.status).toBe(401);

    const { core: c, store } = await core();
    const added = await c.api.addProfile({ name: 'Public', source: 'brainstem', baseUrl: sim.baseUrl, portal: 'public', apiKey: '' });
    expect(added.validation.outcome).toBe('accepted');
    expect(added.profile).toMatchObject({ portal: 'public', hasKey: true, authMethod: 'none' });
    expect(store.everSet).toEqual([]);
    sim.resetCounters();
    const listed = await projects(c);
    expect(listed.items.map((p) => p.id)).toEqual(sim.dataset.projects().filter((p) => p.isPublic).map((p) => p.id));
    const counters = sim.counters();
    expect(counters.requests).toBeGreaterThan(0);
    expect(counters.withAuthorization.public ?? 0).toBe(0);
    expect(counters.withAuthorization.private ?? 0).toBe(0);
    // A private profile without a token is refused by the contract (only the public portal may have
    // none), and by the core should it get that far.
    const privateNoKey = { name: 'x', source: 'brainstem', baseUrl: sim.baseUrl, portal: 'private' as const, apiKey: '' };
    expect(() => parseArgs('addProfile', privateNoKey)).toThrow(/apiKey/);
    expect(() => parseArgs('addProfile', { ...privateNoKey, portal: 'public' })).not.toThrow();
    expect((await c.api.addProfile(privateNoKey)).validation.outcome).toBe('wrong-format');
  });
});

describe('the device flow through the core', () => {
  let sim: BrainstemSimulator;
  let clock: FakeClock;
  beforeAll(async () => {
    clock = createFakeClock();
    sim = await startBrainstemSimulator({ scale: 'tiny', seed: 4, now: clock.now });
  });
  afterAll(() => sim.close());
  afterEach(() => sim.resetFaults());

  /** Waits (in real time, briefly) until the flow sleeps on the fake clock, between two polls. */
  async function sleeping(): Promise<void> {
    for (let i = 0; i < 1000 && clock.pending() === 0; i++) await new Promise((r) => setTimeout(r, 2));
    expect(clock.pending()).toBeGreaterThan(0);
  }

  async function started(c: Core): Promise<Extract<DeviceSignInStart, { kind: 'code' }>> {
    const s = await c.api.startDeviceSignIn({ name: 'Browser', source: 'brainstem', baseUrl: sim.baseUrl });
    expect(s.kind).toBe('code');
    return s as Extract<DeviceSignInStart, { kind: 'code' }>;
  }

  it('approve: the caller gets the code and the page, the token goes to the key store and works', async () => {
    const { core: c, store, logger } = await core({ clock });
    const s = await started(c);
    const pending = sim.device.pending().find((p) => p.userCode === s.userCode)!;
    expect(pending).toBeDefined();
    expect(s.verificationUri).toBe(`${sim.origin}/account/authorize/`);
    expect(s.verificationUriComplete).toBe(`${sim.origin}/account/authorize/?session=${pending.sessionId}`);
    expect(s.expiresIn).toBe(900);
    const finished = c.api.finishDeviceSignIn({ flowId: s.flowId });
    await sleeping();
    sim.device.approve(s.userCode);
    await clock.advance(5000);
    const done = await finished;
    expect(done.validation.outcome).toBe('accepted');
    expect(done.profile).toMatchObject({ name: 'Browser', source: 'brainstem', portal: 'private', authMethod: 'device-flow', active: true });
    const saved = [...store.values().values()];
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatch(/^[0-9a-f]{40}$/);
    expect((await projects(c)).items.length).toBe(sim.dataset.projects().length);
    const said = JSON.stringify([s, done, await c.api.listProfiles(undefined)]) + logger.lines.join('\n');
    expect(said).not.toContain(saved[0]);
  });

  it('deny: UNAUTHORIZED (denied in the browser), nothing saved', async () => {
    const { core: c, store } = await core({ clock });
    const s = await started(c);
    const finished = c.api.finishDeviceSignIn({ flowId: s.flowId }).catch((e: unknown) => e);
    await sleeping();
    sim.device.deny(s.userCode);
    await clock.advance(5000);
    expect(toErrorInfo(await finished)).toMatchObject({ code: 'UNAUTHORIZED', details: { deviceFlow: 'access_denied' } });
    expect(store.everSet).toEqual([]);
    expect(await c.api.listProfiles(undefined)).toEqual([]);
  });

  it('expire: nobody approves within the code’s 15 minutes → TIMEOUT, nothing saved', async () => {
    const { core: c, store } = await core({ clock });
    sim.resetCounters();
    const s = await started(c);
    let settled = false;
    const finished = c.api.finishDeviceSignIn({ flowId: s.flowId }).catch((e: unknown) => e).finally(() => (settled = true));
    for (let i = 0; i < 250 && !settled; i++) {
      for (let j = 0; j < 500 && clock.pending() === 0 && !settled; j++) await new Promise((r) => setTimeout(r, 2));
      await clock.advance(5000);
    }
    expect(toErrorInfo(await finished)).toMatchObject({ code: 'TIMEOUT', details: { deviceFlow: 'expired_token' } });
    expect(sim.counters().auth.devicePolls).toBe(900 / 5);
    expect(store.everSet).toEqual([]);
  });

  it('already used: approved, but the answer carrying the token was cut → UNAUTHORIZED, nothing saved', async () => {
    const { core: c, store } = await core({ clock });
    const s = await started(c);
    const finished = c.api.finishDeviceSignIn({ flowId: s.flowId }).catch((e: unknown) => e);
    await sleeping();
    sim.device.approve(s.userCode);
    sim.setFaults({ rules: [{ match: '/auth/device/token/', kind: 'reset', count: 1, afterBytes: 5 }] });
    await clock.advance(5000);
    await sleeping();
    await clock.advance(5000);
    const e = toErrorInfo(await finished);
    expect(e).toMatchObject({ code: 'UNAUTHORIZED', details: { deviceFlow: 'already_used' } });
    expect(e.message).toMatch(/answer carrying the token was lost/);
    expect(store.everSet).toEqual([]);
  });

  it('cancel: the wait ends CANCELLED and no more polls are sent', async () => {
    const { core: c } = await core({ clock });
    const s = await started(c);
    const finished = c.api.finishDeviceSignIn({ flowId: s.flowId }).catch((e: unknown) => e);
    await sleeping();
    await c.api.cancelDeviceSignIn({ flowId: s.flowId });
    expect(toErrorInfo(await finished).code).toBe('CANCELLED');
    const polls = sim.counters().auth.devicePolls;
    await clock.advance(60_000);
    expect(sim.counters().auth.devicePolls).toBe(polls);
    await expect(c.api.finishDeviceSignIn({ flowId: s.flowId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a server without browser sign-in: the paste-a-token fallback, naming the tokens page', async () => {
    const { core: c } = await core({ clock });
    sim.setFaults({ rules: [{ match: '/auth/device/$', kind: 'error', status: 404, count: 5 }] });
    expect(await c.api.startDeviceSignIn({ name: 'B', source: 'brainstem', baseUrl: sim.baseUrl })).toEqual({
      kind: 'paste-token',
      tokensPageUrl: `${sim.origin}/private/users/tokens/`,
      message: expect.stringMatching(/does not offer sign-in through the browser/),
    });
  });

  it('a start the server refuses (HTTP 400) fails in words and saves nothing', async () => {
    const { core: c, store } = await core({ clock });
    const before = await c.api.listProfiles(undefined);
    sim.resetCounters();
    sim.setFaults({ rules: [{ match: '/auth/device/$', kind: 'error', status: 400, count: 1 }] });
    await expect(c.api.startDeviceSignIn({ name: 'B', source: 'brainstem', baseUrl: sim.baseUrl })).rejects.toMatchObject({ code: 'INVALID_PARAMETER', status: 400, message: expect.stringMatching(/^BrainSTEM refused the request as invalid \(HTTP 400\)/) });
    expect(sim.counters().auth.deviceStarts).toBe(0);
    expect(await c.api.listProfiles(undefined)).toEqual(before);
    expect(store.everSet).toEqual([]);
  });

  it('the desktop shell is asked to open the approval page (allowing the API’s own host) and the caller learns whether it did', async () => {
    const opened: Array<{ url: string; alsoHosts: readonly string[] }> = [];
    let answer = true;
    const shell = {
      showInFolder: () => {}, openPath: async () => {}, copyText: () => {}, startDrag: () => {}, chooseFolder: async () => null, notify: () => {},
      openExternal: (url: string, alsoHosts: readonly string[]) => (opened.push({ url, alsoHosts }), answer),
    };
    const { core: c } = await core({ clock, shell, mode: 'electron' });
    const s = await started(c);
    expect(opened).toEqual([{ url: s.verificationUriComplete, alsoHosts: ['127.0.0.1'] }]);
    expect(s.browserOpened).toBe(true);
    await c.api.cancelDeviceSignIn({ flowId: s.flowId });
    answer = false; // e.g. the shell's allowlist refused the page
    const again = await started(c);
    expect(again.browserOpened).toBe(false);
    await c.api.cancelDeviceSignIn({ flowId: again.flowId });
    // Browser mode has no shell: nothing is opened, the page shows the link.
    const { core: web } = await core({ clock });
    const shown = await started(web);
    expect(shown.browserOpened).toBeUndefined();
    await web.api.cancelDeviceSignIn({ flowId: shown.flowId });
  });

  it('HyperStudy has no browser sign-in: UNSUPPORTED', async () => {
    const { core: c } = await core({ clock });
    await expect(c.api.startDeviceSignIn({ name: 'H', source: 'hyperstudy' })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });
});

describe('email and password: only the rotating refresh token is kept', () => {
  let sim: BrainstemSimulator;
  let now = Date.UTC(2026, 2, 1);
  const clock = { now: () => now, sleep: (ms: number, signal?: AbortSignal) => new Promise<void>((r, j) => { const t = setTimeout(r, Math.min(ms, 50)); signal?.addEventListener('abort', () => (clearTimeout(t), j(signal.reason))); }) };
  beforeAll(async () => {
    sim = await startBrainstemSimulator({ scale: 'tiny', seed: 5, now: () => now });
  });
  afterAll(() => sim.close());

  const refreshWith = (refresh: string) => fetch(`${sim.baseUrl}/auth/token/refresh/`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ refresh }) });

  it('signs in, saves each rotated refresh token at once (the old ones stop working), never the password; a second core picks it up', async () => {
    const { email, password } = sim.credentials;
    const first = await core({ clock });
    const { core: c, store, logger, dir } = first;
    const signed = await c.api.signInWithPassword({ name: 'Lab (password)', source: 'brainstem', baseUrl: sim.baseUrl, email, password });
    expect(signed.validation.outcome).toBe('accepted');
    expect(signed.profile).toMatchObject({ source: 'brainstem', authMethod: 'password-refresh', active: true });
    const [r0] = [...store.values().values()];
    expect(r0).toMatch(/^eyJ/);

    sim.resetCounters();
    expect((await projects(c)).items.length).toBe(sim.dataset.projects().length);
    expect(sim.counters().auth.refreshes).toBe(1);
    const [r1] = [...store.values().values()];
    expect(r1).not.toBe(r0);

    // The access token expires after an hour: two requests at once refresh it once, and the rotation is saved.
    now += 2 * 3600_000;
    await Promise.all([projects(c, true), c.api.listLevel({ level: 'session', parentPath: [{ level: 'project', id: sim.dataset.projects()[0].id }], refresh: true })]);
    expect(sim.counters().auth.refreshes).toBe(2);
    const [r2] = [...store.values().values()];
    expect(new Set([r0, r1, r2]).size).toBe(3);
    expect(store.values().size).toBe(1); // the newest only, under the profile's one account

    for (const old of [r0, r1]) expect((await refreshWith(old)).status).toBe(401);

    // A restart reads the newest refresh token and goes on (rotating it once more).
    const second = await core({ clock, store, configDir: join(dir, 'config') });
    expect((await projects(second.core)).items.length).toBe(sim.dataset.projects().length);
    const [r3] = [...store.values().values()];
    expect(r3).not.toBe(r2);

    // The password reached no key store, file, log line or answer.
    expect(store.everSet).not.toContain(password);
    expect(store.everSet.every((v) => v.startsWith('eyJ'))).toBe(true);
    expect(await filesContaining(dir, password)).toEqual([]);
    expect(await readFile(join(dir, 'config', 'profiles.json'), 'utf8')).not.toContain(password);
    const said = JSON.stringify([signed, await c.api.listProfiles(undefined)]) + logger.lines.join('\n') + second.logger.lines.join('\n');
    for (const secret of [password, r0, r1, r2, r3]) expect(said).not.toContain(secret);
  });

  it('a wrong password is UNAUTHORIZED and saves nothing', async () => {
    const { core: c, store } = await core({ clock });
    await expect(c.api.signInWithPassword({ name: 'x', source: 'brainstem', baseUrl: sim.baseUrl, email: sim.credentials.email, password: 'wrong-password' })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(store.everSet).toEqual([]);
  });
});
