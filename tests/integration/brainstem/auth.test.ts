// Signing in to BrainSTEM: the token check before saving, the portals (the public one is sent no
// Authorization header at all), and the email/password pair whose refresh token rotates — with a
// refresh racing a second request, counted on the simulator. Expiry runs on a fake clock shared
// by the simulator and the client.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StudyError, toErrorInfo } from '../../../src-shared/errors';
import { checkToken, createBrainstemClient, signInWithPassword, type BrainstemClient } from '../../../src-main/core/sources/brainstem/index';
import { sourceModule } from '../../../src-main/core/sources/registry';
import type { SourceConnection } from '../../../src-main/core/sources/source';
import { startBrainstemSimulator, type BrainstemSimulator } from '../../sim/index';
import { fakeClock } from '../../sim/test-helpers';
import { ALL_TYPES, FAST_RETRY, ids, projectExpectation, readAll, settableClock } from './helpers';
import { recordingLogger } from '../../recording-logger';

const HOUR = 3_600_000;

let sim: BrainstemSimulator;
let clock: ReturnType<typeof fakeClock>;
const clients: BrainstemClient[] = [];
const servers: Server[] = [];

beforeEach(async () => {
  clock = fakeClock();
  sim = await startBrainstemSimulator({ scale: 'tiny', seed: 5, now: clock.now });
});
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  await sim.close();
});

function client(o: Partial<Parameters<typeof createBrainstemClient>[0]> = {}): BrainstemClient {
  const c = createBrainstemClient({ baseUrl: sim.baseUrl, portal: 'private', auth: { kind: 'token', token: sim.token }, clock: settableClock(clock.now), retry: FAST_RETRY, ...o });
  clients.push(c);
  return c;
}

/** A loopback server that answers every request with `answer` and remembers the Authorization headers it saw. */
async function fakeServer(answer: { status: number; type: string; body: string }): Promise<{ url: string; authorizations: string[] }> {
  const authorizations: string[] = [];
  const server = createServer((req, res) => {
    if (req.headers.authorization) authorizations.push(req.headers.authorization);
    res.writeHead(answer.status, { 'Content-Type': answer.type });
    res.end(answer.body);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, authorizations };
}

describe('checking a token before it is saved', () => {
  it('accepted: says how many projects the token can see', async () => {
    const r = await checkToken({ baseUrl: sim.baseUrl, token: sim.token });
    expect(r.outcome).toBe('accepted');
    expect(r.projects).toBe(sim.dataset.users[0].projectIds.length);
    expect(r.message).toMatch(/accepted/);
    // One probe without the token, one with it.
    expect(sim.requestLog().map((e) => [e.path, e.authorization])).toEqual([
      ['/api/public/stem/project/?limit=1', 'none'],
      ['/api/private/stem/project/?limit=1', 'bearer'],
    ]);
  });

  it('rejected (401): a revoked token, with where to make a new one; the token is in no word of it', async () => {
    const token = sim.tokens.issue();
    sim.tokens.revoke(token);
    const r = await checkToken({ baseUrl: sim.baseUrl, token });
    expect(r.outcome).toBe('rejected');
    expect(r.message).toMatch(/refused by BrainSTEM/);
    expect(r.message.split('refused by BrainSTEM').length - 1).toBe(1); // said once, not twice
    expect(r.fix).toContain(`${sim.origin}/private/users/tokens/`);
    expect(JSON.stringify(r)).not.toContain(token);
  });

  it('unreachable: nothing listens there', async () => {
    const s = await fakeServer({ status: 200, type: 'text/plain', body: '' });
    const url = s.url;
    await new Promise((r) => servers.pop()!.close(r));
    const r = await checkToken({ baseUrl: url, token: sim.token, retry: FAST_RETRY });
    expect(r.outcome).toBe('unreachable');
    expect(r.message).toMatch(/Cannot reach 127\.0\.0\.1/);
  });

  for (const [name, answer] of [
    ['a web page', { status: 200, type: 'text/html', body: '<!doctype html><html><body>Welcome</body></html>' }],
    ['JSON of another API', { status: 200, type: 'application/json', body: '{"status":"healthy","version":"3"}' }],
    ['an HTML 404', { status: 404, type: 'text/html', body: '<html><body>Not Found</body></html>' }],
  ] as const) {
    it(`not BrainSTEM (${name}), and the token was never sent there`, async () => {
      const s = await fakeServer(answer);
      const r = await checkToken({ baseUrl: s.url, token: sim.token });
      expect(r.outcome).toBe('not-brainstem');
      expect(r.message).toMatch(/token was not sent/);
      expect(s.authorizations).toEqual([]);
    });
  }

  it('the public portal (or a password sign-in, whose refresh token cannot be tried) checks the server, never sending a credential: answering, a web page, failing, nothing there, plain http elsewhere', async () => {
    const check = (baseUrl: string, over: Partial<SourceConnection> = {}) => sourceModule('brainstem').validateCredential({ source: 'brainstem', baseUrl, secret: '', portal: 'public', ...over });
    const publicProjects = sim.dataset.projects().filter((p) => p.isPublic).length;
    expect(await check(sim.baseUrl)).toMatchObject({ outcome: 'accepted', message: `BrainSTEM's public portal answers: ${publicProjects} public project${publicProjects === 1 ? '' : 's'}. No sign-in is needed.` });
    expect(await check(sim.baseUrl, { portal: 'private', authMethod: 'password-refresh', secret: 'refresh-token-that-would-rotate' })).toMatchObject({ outcome: 'accepted' });
    expect(sim.counters().auth.refreshes).toBe(0);
    expect(sim.requestLog().every((e) => e.authorization === 'none')).toBe(true);
    const page = await fakeServer({ status: 200, type: 'text/html', body: '<!doctype html><html><body>Welcome</body></html>' });
    expect(await check(page.url)).toMatchObject({ outcome: 'not-hyperstudy', message: expect.stringMatching(/not the BrainSTEM API/) });
    sim.setFaults({ rules: [{ match: '/public/stem/project/', kind: 'error', status: 503, count: 10 }] });
    expect(await check(sim.baseUrl)).toMatchObject({ outcome: 'error', message: expect.stringMatching(/^BrainSTEM failed \(HTTP 503\) 2 times in a row/) });
    sim.resetFaults();
    const gone = await fakeServer({ status: 200, type: 'text/plain', body: '' });
    await new Promise((r) => servers.pop()!.close(r));
    expect(await check(gone.url)).toMatchObject({ outcome: 'unreachable', message: expect.stringMatching(/^Cannot reach 127\.0\.0\.1:\d+: the connection was refused/) });
    expect(await check('http://brainstem.example.org/')).toMatchObject({ outcome: 'error', message: expect.stringMatching(/Refusing plain http/) });
  });

  it('a malformed token (spaces) is refused without a request, by the check and by a client holding it', async () => {
    const r = await checkToken({ baseUrl: sim.baseUrl, token: 'abc def' });
    expect(r.outcome).toBe('rejected');
    const c = client({ auth: { kind: 'token', token: `${sim.token.slice(0, 20)}\n${sim.token.slice(20)}` } });
    const e = await c.listLevel('project', null).catch((x) => x);
    expect(e).toMatchObject({ code: 'KEY_FORMAT', message: 'This BrainSTEM token contains spaces or line breaks, so it was not copied whole.' });
    expect(JSON.stringify(toErrorInfo(e))).not.toContain(sim.token.slice(0, 20));
    expect(sim.counters().requests).toBe(0);
  });
});

describe('portals', () => {
  it('the public portal gets NO Authorization header, even with a stale token configured (which BrainSTEM would answer 401)', async () => {
    const stale = sim.tokens.issue();
    sim.tokens.revoke(stale);
    // The trap: a stale token sent to the public portal is a 401 there (authentication runs first).
    const direct = await fetch(`${sim.baseUrl}/public/stem/project/`, { headers: { Authorization: `Bearer ${stale}` } });
    expect(direct.status).toBe(401);
    sim.resetCounters();

    const c = client({ portal: 'public', auth: { kind: 'token', token: stale } });
    const pub = sim.dataset.projects().find((p) => p.isPublic)!;
    expect((await c.listLevel('project', null)).map((p) => p.id)).toEqual([pub.id]);
    const got = await readAll(c, { level: 'project', ids: [pub.id] }, ['sessions', 'data_acquisitions']);
    expect(got.sessions.length).toBeGreaterThan(0);
    const log = sim.requestLog();
    expect(log.length).toBeGreaterThan(2);
    expect(log.every((e) => e.authorization === 'none' && e.status === 200)).toBe(true);
    expect(sim.counters().withAuthorization).toEqual({});
    expect(sim.counters().unauthorized).toBe(0);
  });

  it('the private portal without a sign-in says so before sending anything', async () => {
    const c = client({ auth: { kind: 'none' } });
    const e = await c.listLevel('project', null).catch((x) => x);
    expect(e).toBeInstanceOf(StudyError);
    expect(e).toMatchObject({ code: 'NO_PROFILE' });
    expect(e.fix).toMatch(/public portal/);
    expect(sim.counters().requests).toBe(0);
  });

  it('the private portal with a revoked token: UNAUTHORIZED in plain words, once (no retries)', async () => {
    const token = sim.tokens.issue();
    sim.tokens.revoke(token);
    const logger = recordingLogger();
    const c = client({ auth: { kind: 'token', token }, logger });
    const e = await c.listLevel('project', null).catch((x) => x);
    expect(e).toMatchObject({ code: 'UNAUTHORIZED', status: 401 });
    expect(e.message).toBe('This token was refused by BrainSTEM (invalid, expired or revoked) (BrainSTEM said: "Given token not valid for any token type").');
    expect(e.fix).toBe(`Create a new personal access token at ${sim.origin}/private/users/tokens/ or sign in again.`);
    expect(sim.counters().requests).toBe(1);
    expect(JSON.stringify(toErrorInfo(e)) + logger.lines.join('')).not.toContain(token);
  });
});

describe('email/password: a rotating refresh token, an access token in memory', () => {
  async function signedIn() {
    const logger = recordingLogger();
    const s = await signInWithPassword({ baseUrl: sim.baseUrl, ...sim.credentials, clock: settableClock(clock.now), logger });
    return { s, logger };
  }

  it('signs in; the password is in no error or log line, even when wrong', async () => {
    const { s, logger } = await signedIn();
    expect(s.refreshToken).toMatch(/^eyJ/);
    expect(s.accessExpiresAt).toBe(clock.now() + HOUR);
    const wrong = await signInWithPassword({ baseUrl: sim.baseUrl, email: sim.credentials.email, password: `${sim.credentials.password}-typo`, logger }).catch((x) => x);
    expect(wrong).toMatchObject({ code: 'UNAUTHORIZED', message: 'BrainSTEM did not accept this email address and password.' });
    const everything = JSON.stringify(toErrorInfo(wrong)) + logger.lines.join('\n');
    expect(everything).not.toContain(sim.credentials.password);
    expect(sim.counters().auth.passwordLogins).toBe(2);
  });

  it('refused before any request without an email or password; a server without the password route says so (paste a token); a failing one in its own words, never with the password', async () => {
    const logger = recordingLogger();
    for (const [email, password] of [['  ', 'pw'], [sim.credentials.email, '']]) {
      await expect(signInWithPassword({ baseUrl: sim.baseUrl, email, password, logger })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: 'Both the email address and the password are needed to sign in.' });
    }
    expect(sim.counters().requests).toBe(0);
    for (const rule of [{ kind: 'html', status: 404 }, { kind: 'error', status: 405 }] as const) {
      sim.setFaults({ rules: [{ match: '/auth/token/$', ...rule, count: 10 }] });
      const e = await signInWithPassword({ baseUrl: sim.baseUrl, ...sim.credentials, logger, retry: FAST_RETRY }).catch((x) => x);
      expect(e).toMatchObject({ code: 'UNSUPPORTED', status: rule.status, message: 'This BrainSTEM server does not offer sign-in with a password.', fix: `Sign in with the browser, or paste a personal access token from ${sim.origin}/private/users/tokens/.` });
    }
    sim.setFaults({ rules: [{ match: '/auth/token/$', kind: 'error', status: 503, count: 10 }] });
    const down = await signInWithPassword({ baseUrl: sim.baseUrl, ...sim.credentials, logger, retry: FAST_RETRY }).catch((x) => x);
    expect(down).toMatchObject({ code: 'SERVER', status: 503 });
    expect(sim.counters().auth.passwordLogins).toBe(0);
    expect(JSON.stringify(toErrorInfo(down)) + String(down.stack) + logger.lines.join('')).not.toContain(sim.credentials.password);
  });

  it('an expired access token is refreshed ONCE for two requests at the same time; the new refresh token is handed over', async () => {
    const { s } = await signedIn();
    const rotated: string[] = [];
    const logger = recordingLogger();
    const c = client({ auth: { kind: 'refresh', refreshToken: s.refreshToken, accessToken: s.accessToken, accessExpiresAt: s.accessExpiresAt, onRefreshTokenRotated: (t) => void rotated.push(t) }, logger });
    const project = sim.dataset.projects()[1];
    expect((await c.listLevel('project', null)).length).toBe(sim.dataset.projects().length);
    expect(sim.counters().auth.refreshes).toBe(0);

    clock.advance(HOUR + 1000);
    const [projects, records] = await Promise.all([c.listLevel('project', null), readAll(c, { level: 'project', ids: [project.id] }, ['sessions', 'subjects'])]);
    expect(projects.length).toBe(sim.dataset.projects().length);
    expect(ids(records.sessions)).toEqual(project.sessionIds);
    expect(sim.counters().auth.refreshes).toBe(1);
    expect(c.refreshes()).toBe(1);
    expect(sim.counters().unauthorized).toBe(0); // refreshed before sending, not after a 401
    expect(rotated).toHaveLength(1);
    expect(rotated[0]).not.toBe(s.refreshToken);

    // The old refresh token is dead now; the rotated one works.
    const old = client({ auth: { kind: 'refresh', refreshToken: s.refreshToken } });
    const e = await old.listLevel('project', null).catch((x) => x);
    expect(e).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(e.message).toMatch(/ended this sign-in .*Token is blacklisted/);
    expect(sim.counters().auth.refreshesRejected).toBe(1);
    const fresh = client({ auth: { kind: 'refresh', refreshToken: rotated[0] } });
    expect((await fresh.listLevel('project', null)).length).toBe(sim.dataset.projects().length);

    // No token of the pair in any error or log line.
    const text = JSON.stringify(toErrorInfo(e)) + logger.lines.join('\n');
    for (const t of [s.accessToken, s.refreshToken, rotated[0]]) expect(text).not.toContain(t);
  });

  it('a refresh racing a second request after 401s (the server expired the token first): still exactly one refresh', async () => {
    const { s } = await signedIn();
    const rotated: string[] = [];
    // The client does not know when the access token expires: it finds out from the 401s.
    const c = client({ auth: { kind: 'refresh', refreshToken: s.refreshToken, accessToken: s.accessToken, onRefreshTokenRotated: (t) => void rotated.push(t) } });
    clock.advance(HOUR + 1000);
    sim.setFaults({ rules: [{ match: '/auth/token/refresh/', kind: 'slow', count: 1, delayMs: 50 }] });
    const project = sim.dataset.projects()[0];
    const want = projectExpectation(sim, project.id);
    const [a, b, all] = await Promise.all([c.listLevel('project', null), c.listLevel('session', project.id), readAll(c, { level: 'project', ids: [project.id] }, ALL_TYPES)]);
    expect(a.length).toBe(sim.dataset.projects().length);
    expect(b.map((x) => x.id)).toEqual(project.sessionIds);
    expect(ids(all.data_acquisitions)).toEqual(ids(want.data_acquisitions));
    expect(sim.counters().auth.refreshes).toBe(1);
    expect(sim.counters().auth.refreshesRejected).toBe(0);
    expect(sim.counters().unauthorized).toBe(3); // the three first requests, each retried once
    expect(rotated).toHaveLength(1);
  });

  it('starting from the saved refresh token alone (a restart): one refresh before the first request', async () => {
    const { s } = await signedIn();
    const c = client({ auth: { kind: 'refresh', refreshToken: s.refreshToken } });
    await Promise.all([c.listLevel('project', null), c.listLevel('project', null)]);
    expect(sim.counters().auth.refreshes).toBe(1);
    expect(sim.counters().unauthorized).toBe(0);
  });

  it('a rotation hook that fails to save does not fail the request; the warning carries no token', async () => {
    const { s } = await signedIn();
    const logger = recordingLogger();
    const c = client({
      logger,
      auth: {
        kind: 'refresh',
        refreshToken: s.refreshToken,
        onRefreshTokenRotated: (t) => {
          throw new Error(`keychain locked while saving ${t}`);
        },
      },
    });
    expect((await c.listLevel('project', null)).length).toBe(sim.dataset.projects().length);
    const warn = logger.lines.find((l) => l.includes('could not be saved'));
    expect(warn).toBeTruthy();
    expect(warn).not.toMatch(/eyJ/);
    expect(warn).toContain('[REDACTED]');
  });

  it('a request cancelled while the sign-in is being renewed stops at once; the renewal goes on for the others and its new refresh token is still handed over', async () => {
    const { s } = await signedIn();
    const ac = new AbortController();
    const rotated: string[] = [];
    // The user cancels while the refresh is in flight (its answer in, the new token being saved,
    // which takes until `saved` is called): the request ends without waiting for it.
    let saved!: () => void;
    const saving = new Promise<void>((r) => (saved = r));
    const c = client({ auth: { kind: 'refresh', refreshToken: s.refreshToken, onRefreshTokenRotated: (t) => (rotated.push(t), ac.abort(), saving) } });
    const e = await c.listLevel('project', null, { signal: ac.signal }).catch((x) => x);
    expect(e).toMatchObject({ name: 'AbortError' });
    expect(rotated).toHaveLength(1);
    saved();
    // Nothing lost: the next request uses the renewed access token, without another refresh.
    expect((await c.listLevel('project', null)).length).toBe(sim.dataset.projects().length);
    expect(sim.counters().auth.refreshes).toBe(1);
    expect(sim.requestLog().filter((x) => x.path.startsWith('/api/private/')).map((x) => x.status)).toEqual([200]);
    // A request cancelled before it starts sends nothing, not even the refresh its expired token needs
    // (a refresh started for nobody would fail unheard, e.g. when the connection closes).
    clock.advance(HOUR + 1000);
    const before = sim.counters().requests;
    await expect(c.listLevel('project', null, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    expect(c.refreshes()).toBe(1);
    expect(sim.counters().requests).toBe(before);
  });

  it('a renewal refused (the refresh token was replaced elsewhere) fails a request that could be cancelled with the same UNAUTHORIZED words', async () => {
    const { s } = await signedIn();
    const first = client({ auth: { kind: 'refresh', refreshToken: s.refreshToken } });
    await first.listLevel('project', null); // rotates: s.refreshToken is blacklisted now
    const stale = client({ auth: { kind: 'refresh', refreshToken: s.refreshToken } });
    const e = await stale.listLevel('project', null, { signal: new AbortController().signal }).catch((x) => x);
    expect(e).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(e.message).toMatch(/ended this sign-in .*Token is blacklisted/);
    expect(JSON.stringify(toErrorInfo(e))).not.toContain(s.refreshToken);
  });
});
