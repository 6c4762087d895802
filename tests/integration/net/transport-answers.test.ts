// Answers the API transport must read right even though they break the usual shape: an error
// envelope that arrives with HTTP 200 (the SDK honours the envelope, so do we), a 4xx with no
// special meaning, and redirects that say nowhere usable to go. A loopback server answers each
// path as scripted; every outcome is the typed error in words and the requests that went out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiTransport } from '../../../src-main/core/net/http';
import { FAST_RETRY, roomyLimiter } from '../client/helpers';
import { startProxy, type RouteAnswer, type TestProxy } from '../client/proxy';

const envelope = (code: string | undefined, message: string, details?: Record<string, unknown>) => ({
  status: 200,
  json: { status: 'error', error: { ...(code ? { code } : {}), message, ...(details ? { details } : {}) } },
});

const ROUTES: Record<string, RouteAnswer> = {
  '/api/v3/auth': envelope('AUTHENTICATION_ERROR', 'token expired'),
  '/api/v3/forbidden': envelope('FORBIDDEN', 'not in this organization'),
  '/api/v3/missing': envelope('NOT_FOUND', 'no such experiment'),
  '/api/v3/invalid': envelope('VALIDATION_ERROR', 'limit must be at most 1000'),
  '/api/v3/limited': envelope('RATE_LIMIT_EXCEEDED', 'slow down', { scope: 'key', limit: 1000 }),
  '/api/v3/odd': envelope('SOMETHING_ELSE', 'the database is tired'),
  '/api/v3/bare': envelope(undefined, 'no code at all'),
  '/api/v3/conflict': { status: 409, json: { status: 'error', error: { code: 'CONFLICT', message: 'an export is already running' } } },
  '/api/v3/nowhere': { status: 302, json: {} }, // a redirect without a Location
  '/api/v3/websocket': { redirect: 'ws://127.0.0.1:1/socket', status: 302 },
};

let server: TestProxy;
beforeAll(async () => {
  server = await startProxy({ route: (url) => ROUTES[url.pathname] ?? null });
});
afterAll(async () => {
  await server.close();
});

/**
 * The error one request ends in, and how many requests reached the server for it. Each request
 * has a limiter of its own: a 429 holds back the key, and must not hold back the next test.
 */
async function outcome(p: string) {
  const limiter = roomyLimiter();
  const transport = createApiTransport({
    connection: { baseUrl: `${server.origin}/api/v3`, apiKey: 'hst_test_transportanswers0000000000', organizationId: 'org_1' },
    limiter,
    retry: { ...FAST_RETRY, maxRateLimitWaitMs: 0 },
  });
  const before = server.requests.length;
  try {
    const error = await transport.request({ path: p }).then(
      () => null,
      (e: unknown) => e,
    );
    return { error, sent: server.requests.length - before };
  } finally {
    await limiter.close();
  }
}

describe('an error envelope with HTTP 200 counts as the error it names', () => {
  it.each([
    ['/auth', 'UNAUTHORIZED', 'token expired'],
    ['/forbidden', 'FORBIDDEN', 'You do not have permission to see this data (the server said: "not in this organization").'],
    ['/missing', 'NOT_FOUND', 'no such experiment'],
    ['/invalid', 'INVALID_PARAMETER', 'limit must be at most 1000'],
  ])('%s → %s, sent once', async (p, code, words) => {
    const { error, sent } = await outcome(p);
    expect(error).toMatchObject({ code });
    expect((error as Error).message).toContain(words);
    expect(sent).toBe(1);
  });

  it('RATE_LIMIT_EXCEEDED is a 429: the key is held back (here beyond the allowed wait, so it stops)', async () => {
    const { error, sent } = await outcome('/limited');
    expect(error).toMatchObject({ code: 'RATE_LIMITED' });
    expect(sent).toBe(1);
  });

  it.each([['/odd'], ['/bare']])('%s (an unknown code, or none) is a server error: retried, then reported', async (p) => {
    const { error, sent } = await outcome(p);
    expect(error).toMatchObject({ code: 'SERVER' });
    expect(sent).toBe(FAST_RETRY.maxAttempts);
  });
});

describe('other answers', () => {
  it('a 4xx with no special meaning is refused at once, with the status and the server’s words', async () => {
    const { error, sent } = await outcome('/conflict');
    expect(error).toMatchObject({ code: 'BAD_RESPONSE', message: 'The server refused the request (HTTP 409): "an export is already running".' });
    expect(sent).toBe(1);
  });

  it('a redirect without a Location says so, and is not retried', async () => {
    const { error, sent } = await outcome('/nowhere');
    expect(error).toMatchObject({ code: 'BAD_RESPONSE', message: `${server.origin.replace('http://', '')} answered with a redirect that says nowhere usable to go.` });
    expect(sent).toBe(1);
  });

  it('a redirect to a non-web scheme is refused, naming the scheme only', async () => {
    const { error, sent } = await outcome('/websocket');
    expect(error).toMatchObject({ code: 'CROSS_ORIGIN' });
    expect((error as Error).message).toContain('ws:…');
    expect(sent).toBe(1);
  });
});
