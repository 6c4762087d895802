// Authentication (reference §2): personal access tokens, the email/password JWT pair with refresh
// rotation (including two refreshes racing), the legacy /api/token/, the device flow (approve, deny,
// expire, already used), and a stale token on the public portal. Expiry runs on a fake clock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startBrainstemSimulator, type BrainstemSimulator } from './index';
import { call, fakeClock, post } from './test-helpers';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let sim: BrainstemSimulator;
let clock: ReturnType<typeof fakeClock>;

beforeEach(async () => {
  clock = fakeClock();
  sim = await startBrainstemSimulator({ scale: 'tiny', seed: 2, now: clock.now });
});
afterEach(() => sim.close());

const TOKEN_NOT_VALID = { detail: 'Given token not valid for any token type', code: 'token_not_valid' };
const privateOk = async (token: string) => (await call(sim, '/private/stem/project/?limit=1', { token })).status;

describe('personal access tokens (§2.1)', () => {
  it('a PAT sent as Bearer opens the private portal; validation with ?limit=1 (§7.2)', async () => {
    const r = await call(sim, '/private/stem/project/?limit=1');
    expect(r.status).toBe(200);
    expect(r.body.projects).toHaveLength(1);
  });

  it('a revoked PAT gets 401 token_not_valid on the private AND the public portal; no token on public is fine', async () => {
    const token = sim.tokens.issue();
    expect(await privateOk(token)).toBe(200);
    sim.tokens.revoke(token);
    for (const portal of ['private', 'public']) {
      const r = await call(sim, `/${portal}/stem/project/`, { token });
      expect(r.status, portal).toBe(401);
      expect(r.body).toMatchObject(TOKEN_NOT_VALID);
      expect(r.res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    expect((await call(sim, '/public/stem/project/', { token: null })).status).toBe(200);
  });

  it('an unknown token gets 401 on the public portal too (DRF authenticates before permissions)', async () => {
    const r = await call(sim, '/public/stem/project/', { token: '38d541204dc8c932c563ee472511e6afdcacaa71' });
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject(TOKEN_NOT_VALID);
  });

  it('expires after a year without use and slides with every use', async () => {
    const idle = sim.tokens.issue();
    const used = sim.tokens.issue();
    clock.advance(200 * DAY);
    expect(await privateOk(used)).toBe(200);
    clock.advance(200 * DAY);
    expect(await privateOk(used)).toBe(200);
    const r = await call(sim, '/private/stem/project/', { token: idle });
    expect(r.status).toBe(401);
    expect(r.body.messages[0].message).toBe('Token is expired');
  });

  it('ignores other schemes (the request is then unauthenticated) and rejects a malformed Bearer header', async () => {
    for (const header of [`Token ${sim.token}`, `bearer ${sim.token}`]) {
      const r = await call(sim, '/private/stem/project/', { token: null, headers: { Authorization: header } });
      expect(r.status, header).toBe(401);
      expect(r.body).toEqual({ detail: 'Authentication credentials were not provided.' });
    }
    for (const header of ['Bearer', `Bearer ${sim.token} extra`]) {
      const r = await call(sim, '/private/stem/project/', { token: null, headers: { Authorization: header } });
      expect(r.status, header).toBe(401);
      expect(r.body.code).toBe('bad_authorization_header');
    }
  });

  it('new tokens can be issued and revoked through the control route', async () => {
    const { token } = await fetch(`${sim.controlUrl}/tokens`, { method: 'POST', body: '{}' }).then((r) => r.json() as Promise<any>);
    expect(await privateOk(token)).toBe(200);
    await fetch(`${sim.controlUrl}/tokens/revoke`, { method: 'POST', body: JSON.stringify({ token }) });
    expect(await privateOk(token)).toBe(401);
  });
});

describe('email/password → access + refresh (§2.3)', () => {
  const login = () => post(sim, '/auth/token/', sim.credentials);

  it('returns a JWT pair: access for 1 h, then 401 "Token is expired" on both portals', async () => {
    const r = await login();
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual(['access', 'expires_in', 'refresh', 'token_type']);
    expect(r.body).toMatchObject({ token_type: 'bearer', expires_in: 3600 });
    expect(r.body.access).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(r.body.refresh).toMatch(/^eyJ/);
    const payload = JSON.parse(Buffer.from(r.body.access.split('.')[1], 'base64url').toString());
    expect(payload.exp - payload.iat).toBe(3600);
    expect(await privateOk(r.body.access)).toBe(200);
    clock.advance(HOUR - 1000);
    expect(await privateOk(r.body.access)).toBe(200);
    clock.advance(1000);
    for (const portal of ['private', 'public']) {
      const expired = await call(sim, `/${portal}/stem/project/`, { token: r.body.access });
      expect(expired.status, portal).toBe(401);
      expect(expired.body).toMatchObject(TOKEN_NOT_VALID);
      expect(expired.body.messages[0]).toEqual({ token_class: 'AccessToken', token_type: 'access', message: 'Token is expired' });
    }
  });

  it('refresh rotates: a new pair, the old refresh token is then rejected, the new one works', async () => {
    const first = (await login()).body;
    clock.advance(2 * HOUR);
    const r = await post(sim, '/auth/token/refresh/', { refresh: first.refresh });
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual(['access', 'expires_in', 'refresh']);
    expect(r.body.refresh).not.toBe(first.refresh);
    expect(await privateOk(r.body.access)).toBe(200);
    const again = await post(sim, '/auth/token/refresh/', { refresh: first.refresh });
    expect(again.status).toBe(401);
    expect(again.body).toEqual({ detail: 'Token is blacklisted', code: 'token_not_valid' });
    expect((await post(sim, '/auth/token/refresh/', { refresh: r.body.refresh })).status).toBe(200);
    expect(sim.counters().auth).toMatchObject({ passwordLogins: 1, refreshes: 3, refreshesRejected: 1 });
  });

  it('of two refreshes racing with the same token exactly one wins', async () => {
    const { refresh } = (await login()).body;
    sim.setFaults({ rules: [{ match: '/auth/token/refresh/', kind: 'slow', count: 2, delayMs: 30 }] });
    const results = await Promise.all([post(sim, '/auth/token/refresh/', { refresh }), post(sim, '/auth/token/refresh/', { refresh })]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 401]);
    const winner = results.find((r) => r.status === 200)!;
    expect(results.find((r) => r.status === 401)!.body.detail).toBe('Token is blacklisted');
    expect((await post(sim, '/auth/token/refresh/', { refresh: winner.body.refresh })).status).toBe(200);
  });

  it('a refresh token expires after 30 days and is no Bearer token', async () => {
    const { refresh } = (await login()).body;
    expect((await call(sim, '/private/stem/project/', { token: refresh })).status).toBe(401);
    clock.advance(30 * DAY);
    const r = await post(sim, '/auth/token/refresh/', { refresh });
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ detail: 'Token is expired', code: 'token_not_valid' });
  });

  it('rejects a wrong password, missing fields and bad JSON with DRF bodies', async () => {
    const wrong = await post(sim, '/auth/token/', { email: sim.credentials.email, password: 'nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ detail: 'No active account found with the given credentials' });
    const missing = await post(sim, '/auth/token/', {});
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ email: ['This field is required.'], password: ['This field is required.'] });
    const res = await fetch(`${sim.baseUrl}/auth/token/`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"email":' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).detail).toMatch(/^JSON parse error/);
    const badRefresh = await post(sim, '/auth/token/refresh/', { refresh: 'garbage' });
    expect(badRefresh.status).toBe(401);
    expect(badRefresh.body.code).toBe('token_not_valid');
  });

  it('is POST only, and a missing slash is a 301 (which a client must not follow with GET)', async () => {
    const get = await call(sim, '/auth/token/', { token: null });
    expect(get.status).toBe(405);
    expect(get.body).toEqual({ detail: 'Method "GET" not allowed.' });
    const noSlash = await post(sim, '/auth/token', sim.credentials);
    expect(noSlash.status).toBe(301);
    expect(noSlash.res.headers.get('location')).toBe('/api/auth/token/');
  });

  it('accepts form-encoded bodies too', async () => {
    const res = await fetch(`${sim.baseUrl}/auth/token/`, { method: 'POST', body: new URLSearchParams(sim.credentials) });
    expect(res.status).toBe(200);
  });
});

describe('legacy POST /api/token/ (§2.3)', () => {
  it('returns a long-lived token that works like a PAT', async () => {
    const r = await post(sim, '/token/', { username: sim.credentials.email, password: sim.credentials.password });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ message: 'Token created successfully' });
    expect(typeof r.body.token_id).toBe('number');
    expect(await privateOk(r.body.access)).toBe(200);
    clock.advance(300 * DAY);
    expect(await privateOk(r.body.access)).toBe(200);
    const wrong = await post(sim, '/token/', { username: sim.credentials.email, password: 'x' });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toEqual({ non_field_errors: ['Unable to log in with provided credentials.'] });
  });
});

describe('device authorization flow (§2.2)', () => {
  const start = async (body: unknown = { client_name: 'brainstem-python' }) => {
    const r = await post(sim, '/auth/device/', body);
    expect(r.status).toBe(200);
    return r.body;
  };
  const poll = (device_code: string) => post(sim, '/auth/device/token/', { device_code });
  const control = (action: string, body: unknown) => fetch(`${sim.controlUrl}/device/${action}`, { method: 'POST', body: JSON.stringify(body) });

  it('starts with the documented fields, from the Python body or the MATLAB {} body', async () => {
    for (const body of [{ client_name: 'brainstem-python' }, {}]) {
      const d = await start(body);
      expect(Object.keys(d).sort()).toEqual(['device_code', 'expires_in', 'interval', 'session_id', 'user_code', 'verification_uri', 'verification_uri_complete']);
      expect(d.user_code).toMatch(/^[A-Z]{4}-\d{4}$/);
      expect(d.interval).toBe(5);
      expect(d.expires_in).toBe(900);
      expect(d.verification_uri).toBe(`${sim.origin}/account/authorize/`);
      expect(d.verification_uri_complete).toBe(`${sim.origin}/account/authorize/?session=${d.session_id}`);
    }
  });

  it('approve: pending, then success with a working token, then already_used', async () => {
    const d = await start();
    for (let i = 0; i < 3; i++) {
      const p = await poll(d.device_code);
      expect(p.status).toBe(200);
      expect(p.body).toEqual({ status: 'authorization_pending' });
    }
    expect(sim.device.pending().map((c) => c.userCode)).toEqual([d.user_code]);
    expect((await control('approve', { code: d.user_code })).status).toBe(200);
    const ok = await poll(d.device_code);
    expect(ok.status).toBe(200);
    expect(ok.body.status).toBe('success');
    expect(await privateOk(ok.body.token)).toBe(200);
    const again = await poll(d.device_code);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ error: 'already_used' });
  });

  it('deny: access_denied on every poll', async () => {
    const d = await start();
    expect((await control('deny', { code: d.device_code })).status).toBe(200);
    for (let i = 0; i < 2; i++) {
      const p = await poll(d.device_code);
      expect(p.status).toBe(200);
      expect(p.body).toEqual({ error: 'access_denied' });
    }
  });

  it('expire: expired_token once the 15-minute window has passed, and it can no longer be approved', async () => {
    const d = await start();
    clock.advance(899_000);
    expect((await poll(d.device_code)).body).toEqual({ status: 'authorization_pending' });
    clock.advance(1000);
    const p = await poll(d.device_code);
    expect(p.status).toBe(200);
    expect(p.body).toEqual({ error: 'expired_token' });
    const late = await control('approve', { code: d.user_code });
    expect(late.status).toBe(400);
  });

  it('an unknown device code is answered in the body; a missing one is a 400 field error', async () => {
    const unknown = await poll('nope');
    expect(unknown.status).toBe(200);
    expect(unknown.body).toEqual({ error: 'invalid_grant' });
    const missing = await post(sim, '/auth/device/token/', {});
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ device_code: ['This field is required.'] });
  });

  it('can be approved for the second user, whose token then sees only their projects', async () => {
    const d = await start();
    const other = sim.dataset.users[1];
    sim.device.approve(d.session_id, other.email);
    const { token } = (await poll(d.device_code)).body;
    const r = await call(sim, '/private/stem/project/', { token });
    expect(r.body.projects.map((p: { id: string }) => p.id).sort()).toEqual([...other.projectIds].sort());
  });

  it('can be approved in a browser on the verification page', async () => {
    const d = await start();
    const page = await fetch(d.verification_uri_complete);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain(d.user_code);
    const form = new URLSearchParams({ session: /name="session" value="([^"]+)"/.exec(html)![1], action: 'approve' });
    const done = await fetch(`${sim.origin}/account/authorize/`, { method: 'POST', body: form });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Device approved');
    expect((await poll(d.device_code)).body.status).toBe('success');
  });
});
