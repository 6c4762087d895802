// Signing in through the browser (reference §2.2), driven through the simulator's control routes
// the way a user's browser would approve or deny: approve, deny, expire, already used (the answer
// carrying the token lost on the way), cancel, and the paste-a-token fallback on servers without
// the device routes. Time is a fake clock shared by the simulator and the flow: no real waiting.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StudyError, toErrorInfo } from '../../../src-shared/errors';
import { checkToken, runDeviceFlow, type DeviceCodeInfo, type DeviceFlowResult } from '../../../src-main/core/sources/brainstem/index';
import { startBrainstemSimulator, type BrainstemSimulator } from '../../sim/index';
import { createFakeClock, type FakeClock } from '../../unit/net/fake-clock';
import { FAST_RETRY } from './helpers';
import { recordingLogger } from '../../recording-logger';

let sim: BrainstemSimulator;
let clock: FakeClock;

beforeEach(async () => {
  clock = createFakeClock();
  sim = await startBrainstemSimulator({ scale: 'tiny', seed: 6, now: clock.now });
});
afterEach(() => sim.close());

const control = async (action: 'approve' | 'deny', code: string) => {
  const r = await fetch(`${sim.controlUrl}/device/${action}`, { method: 'POST', body: JSON.stringify({ code }) });
  expect(r.status).toBe(200);
};

/** Waits (in real time, briefly) until the flow sleeps on the fake clock, i.e. between two polls. */
async function sleeping(settled: () => boolean = () => false): Promise<void> {
  for (let i = 0; i < 500 && clock.pending() === 0 && !settled(); i++) await new Promise((r) => setTimeout(r, 2));
  if (!settled()) expect(clock.pending()).toBeGreaterThan(0);
}

/** Moves the fake clock from sleeper to sleeper (each wake-up may send a real request) until `p` settles; returns its error. */
async function failureOf(p: Promise<unknown>): Promise<StudyError> {
  let settled = false;
  const out = p.then(() => new StudyError({ code: 'INTERNAL', message: 'it did not fail' }), (e: unknown) => e as StudyError);
  void out.then(() => (settled = true));
  for (let i = 0; i < 500 && !settled; i++) {
    await sleeping(() => settled);
    await clock.next();
  }
  return out;
}

function start(o: { signal?: AbortSignal } = {}) {
  const logger = recordingLogger();
  let shown!: (i: DeviceCodeInfo) => void;
  const code = new Promise<DeviceCodeInfo>((r) => (shown = r));
  const result: Promise<DeviceFlowResult> = runDeviceFlow({ baseUrl: sim.baseUrl, clock, logger, retry: FAST_RETRY, onCode: shown, signal: o.signal });
  result.catch(() => undefined);
  return { code, result, logger };
}

/** A loopback server answering every request with the JSON `answer(url)` gives (a device route BrainSTEM's simulator does not offer). */
async function jsonServer(answer: (url: string) => unknown): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(answer(req.url ?? '')));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) };
}

describe('device flow', () => {
  it('approve: the code is shown, polled every interval until approved, and the token works', async () => {
    const { code, result, logger } = start();
    const info = await code;
    const pending = sim.device.pending();
    expect(pending).toHaveLength(1);
    expect(info.userCode).toBe(pending[0].userCode);
    expect(info.verificationUri).toBe(`${sim.origin}/account/authorize/`);
    expect(info.verificationUriComplete).toBe(`${sim.origin}/account/authorize/?session=${pending[0].sessionId}`);
    expect(info.expiresIn).toBe(900);

    // Two polls while the user has not approved yet, 5 s apart.
    for (let i = 0; i < 2; i++) {
      await sleeping();
      await clock.advance(5000);
    }
    await sleeping();
    await control('approve', info.userCode);
    await clock.advance(5000);
    const r = await result;
    expect(r.kind).toBe('token');
    expect(sim.counters().auth).toMatchObject({ deviceStarts: 1, devicePolls: 3 });
    if (r.kind !== 'token') return;
    expect((await checkToken({ baseUrl: sim.baseUrl, token: r.token, clock })).outcome).toBe('accepted');
    expect(logger.lines.join('\n')).not.toContain(r.token);
  });

  it('deny: UNAUTHORIZED, saying it was denied in the browser', async () => {
    const { code, result } = start();
    const info = await code;
    await sleeping();
    await control('deny', info.userCode);
    await clock.advance(5000);
    const e = await result.catch((x) => x);
    expect(e).toMatchObject({ code: 'UNAUTHORIZED', message: 'The sign-in was denied in the browser.', details: { deviceFlow: 'access_denied' } });
    expect(e.fix).toMatch(/Approve/);
  });

  it('expire: nobody approves within 15 minutes → TIMEOUT, start again', async () => {
    const { code, result } = start();
    await code;
    let settled = false;
    void result.finally(() => (settled = true)).catch(() => undefined);
    // Time passes poll by poll (each poll is a real request to the simulator).
    for (let i = 0; i < 200 && !settled; i++) {
      await sleeping(() => settled);
      await clock.advance(5000);
      await new Promise((r) => setTimeout(r, 1));
    }
    const e = await result.catch((x) => x);
    expect(e).toMatchObject({ code: 'TIMEOUT', details: { deviceFlow: 'expired_token' } });
    expect(e.message).toMatch(/expired before it was approved/);
    // Polled every 5 s for the code's 15 minutes, the last poll at the deadline itself.
    expect(sim.counters().auth.devicePolls).toBe(900 / 5);
  });

  it('already used: approved, but the answer carrying the token was cut → the next poll finds it collected', async () => {
    const { code, result } = start();
    const info = await code;
    await sleeping();
    await control('approve', info.userCode);
    // The server hands out the token, and the connection drops before the client reads it.
    sim.setFaults({ rules: [{ match: '/auth/device/token/', kind: 'reset', count: 1, afterBytes: 5 }] });
    await clock.advance(5000);
    await sleeping();
    await clock.advance(5000);
    const e = await result.catch((x) => x);
    expect(e).toMatchObject({ code: 'UNAUTHORIZED', details: { deviceFlow: 'already_used' } });
    expect(e.message).toMatch(/answer carrying the token was lost/);
    expect(sim.counters().auth.devicePolls).toBe(2);
    // The token the server issued appears nowhere in what we say.
    expect(JSON.stringify(toErrorInfo(e))).not.toMatch(/[0-9a-f]{40}/);
  });

  it('cancel: the flow stops between polls and sends nothing more', async () => {
    const ac = new AbortController();
    const { code, result } = start({ signal: ac.signal });
    await code;
    await sleeping();
    ac.abort();
    await expect(result).rejects.toMatchObject({ name: 'AbortError' });
    const polls = sim.counters().auth.devicePolls;
    await clock.advance(60_000);
    expect(sim.counters().auth.devicePolls).toBe(polls);
  });

  for (const [name, rule] of [
    ['an HTML 404 page', { kind: 'html', status: 404 }],
    ['a JSON 404', { kind: 'error', status: 404 }],
  ] as const) {
    it(`fallback: a server without the device route (${name}) → paste a token made on the tokens page`, async () => {
      sim.setFaults({ rules: [{ match: '/auth/device/$', ...rule, count: 10 }] });
      const onCode = () => {
        throw new Error('no code to show');
      };
      const r = await runDeviceFlow({ baseUrl: sim.baseUrl, clock, onCode, retry: FAST_RETRY });
      expect(r).toEqual({ kind: 'paste-token', tokensPageUrl: `${sim.origin}/private/users/tokens/`, reason: expect.stringMatching(/does not offer sign-in through the browser/) });
      expect(sim.counters().auth.deviceStarts).toBe(0);
    });
  }

  it('a sign-in address that is not https (javascript:, file:), or no address at all, is never handed to the browser', async () => {
    for (const uri of ['javascript:alert(1)', 'file:///etc/passwd', 'http://evil.example/authorize', 'not an address']) {
      const server = await jsonServer(() => ({ device_code: 'd'.repeat(40), user_code: 'ABCD-1234', verification_uri: uri, verification_uri_complete: uri, interval: 5, expires_in: 900 }));
      let shown = false;
      const e = await runDeviceFlow({ baseUrl: server.url, clock, onCode: () => void (shown = true) }).catch((x) => x);
      await server.close();
      expect(e).toMatchObject({ code: 'BAD_RESPONSE', details: { deviceFlow: 'bad-uri' } });
      expect(e.message).toMatch(uri === 'not an address' ? /an unusable sign-in address \(verification_uri\)/ : /not https/);
      expect(shown).toBe(false);
    }
  });

  it('a device route that keeps failing (HTTP 500) is an error in BrainSTEM words, not the paste-a-token fallback', async () => {
    sim.setFaults({ rules: [{ match: '/auth/device/$', kind: 'error', status: 500, count: 10 }] });
    let shown = false;
    const e = await failureOf(runDeviceFlow({ baseUrl: sim.baseUrl, clock, onCode: () => void (shown = true), retry: { ...FAST_RETRY, maxAttempts: 2 } }));
    expect(e).toMatchObject({ code: 'SERVER', status: 500 });
    expect(e.message).toMatch(/^BrainSTEM failed \(HTTP 500\) 2 times in a row/);
    expect(shown).toBe(false);
    expect(sim.counters().auth.deviceStarts).toBe(0);
  });

  it('polls that keep failing (5 in a row, HTTP 503): SERVER after the fifth, polled every interval meanwhile', async () => {
    const { code, result } = start();
    await code;
    sim.setFaults({ rules: [{ match: '/auth/device/token/', kind: 'error', status: 503, count: 5 }] });
    const at: number[] = [];
    const t0 = clock.now();
    let settled = false;
    void result.finally(() => (settled = true)).catch(() => undefined);
    for (let i = 0; i < 20 && !settled; i++) {
      await sleeping(() => settled);
      if (settled) break;
      await clock.advance(5000);
      at.push(clock.now() - t0);
      await new Promise((r) => setTimeout(r, 1));
    }
    const e = await result.catch((x) => x);
    expect(e).toMatchObject({ code: 'SERVER', status: 503 });
    expect(sim.requestLog().filter((x) => x.path === '/api/auth/device/token/').map((x) => x.status)).toEqual([503, 503, 503, 503, 503]);
    expect(at).toEqual([5000, 10000, 15000, 20000, 25000]);
  });

  it('slow_down (RFC 8628; BrainSTEM does not document it): each one adds 5 s to the interval, and the code still expires on time', async () => {
    const polls: number[] = [];
    const t0 = clock.now();
    const server = await jsonServer((url) => {
      if (url.endsWith('/auth/device/token/')) {
        polls.push(clock.now() - t0);
        return { error: 'slow_down' };
      }
      return { device_code: 'dc-' + 'x'.repeat(40), user_code: 'WXYZ-0001', verification_uri: `${server.url}/authorize/`, interval: 5, expires_in: 60 };
    });
    try {
      const e = await failureOf(runDeviceFlow({ baseUrl: server.url, clock, onCode: () => undefined, retry: FAST_RETRY }));
      expect(e).toMatchObject({ code: 'TIMEOUT', details: { deviceFlow: 'expired_token' } });
      expect(e.message).toBe('The sign-in code WXYZ-0001 expired before it was approved (it is valid for 1 minutes).');
      // 5 s, then 10, 15, 20 between polls; the last one at the deadline (60 s), not later.
      expect(polls).toEqual([5000, 15000, 30000, 50000, 60000]);
    } finally {
      await server.close();
    }
  });

  it('a poll answer of no known shape ends the flow: not BrainSTEM, in words; a flow cancelled before it starts sends nothing', async () => {
    const server = await jsonServer((url) => (url.endsWith('/auth/device/token/') ? { state: 'thinking' } : { device_code: 'dc-' + 'z'.repeat(40), user_code: 'WXYZ-0003', verification_uri: `${server.url}/authorize/`, interval: 5, expires_in: 900 }));
    try {
      const e = await failureOf(runDeviceFlow({ baseUrl: server.url, clock, onCode: () => undefined, retry: FAST_RETRY }));
      expect(e).toMatchObject({ code: 'NOT_HYPERSTUDY', message: expect.stringMatching(/not like the BrainSTEM API \(an unknown device sign-in answer\)/) });
    } finally {
      await server.close();
    }
    let shown = false;
    await expect(runDeviceFlow({ baseUrl: sim.baseUrl, clock, onCode: () => void (shown = true), signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    expect(shown).toBe(false);
    expect(sim.counters().auth.deviceStarts).toBe(0);
  });

  it('an answer the client does not know (invalid_grant: the server no longer knows the code) → UNAUTHORIZED, naming it, without the device code', async () => {
    const deviceCode = 'dc-' + 'q'.repeat(40);
    const server = await jsonServer((url) => (url.endsWith('/auth/device/token/') ? { error: 'invalid_grant' } : { device_code: deviceCode, user_code: 'WXYZ-0002', verification_uri: `${server.url}/authorize/`, interval: 5, expires_in: 900 }));
    try {
      const e = await failureOf(runDeviceFlow({ baseUrl: server.url, clock, onCode: () => undefined, retry: FAST_RETRY }));
      expect(e).toMatchObject({ code: 'UNAUTHORIZED', message: 'BrainSTEM refused the sign-in ("invalid_grant").', details: { deviceFlow: 'invalid_grant' } });
      expect(e.fix).toMatch(/paste a personal access token/);
      expect(JSON.stringify(toErrorInfo(e))).not.toContain(deviceCode);
    } finally {
      await server.close();
    }
  });
});
