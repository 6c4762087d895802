import { describe, expect, it } from 'vitest';
import { backoffDelay, classifyNetworkError, classifyStatus, parseRetryAfter } from '../../../src-main/core/net/retry';
import { endpointKey } from '../../../src-main/core/net/endpoint-key';
import { endpointTemplate } from '../../sim/endpoint-key';
import { checkKeyFormat, errorFields, rateLimitInfo } from '../../../src-main/core/net/http';

describe('retry classification', () => {
  it('classifies statuses', () => {
    expect(classifyStatus(200)).toBe('ok');
    expect(classifyStatus(204)).toBe('ok');
    expect(classifyStatus(429)).toBe('rate-limited');
    for (const s of [408, 500, 502, 503, 504]) expect(classifyStatus(s)).toBe('retry');
    for (const s of [400, 401, 403, 404, 422]) expect(classifyStatus(s)).toBe('fatal');
  });

  it('classifies transport failures by their cause code', () => {
    const wrap = (code: string) => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(code), { code }) });
    expect(classifyNetworkError(wrap('ECONNREFUSED'))).toEqual({ kind: 'unreachable', code: 'ECONNREFUSED' });
    expect(classifyNetworkError(wrap('ENOTFOUND'))).toEqual({ kind: 'unreachable', code: 'ENOTFOUND' });
    expect(classifyNetworkError(wrap('ECONNRESET'))).toEqual({ kind: 'reset', code: 'ECONNRESET' });
    expect(classifyNetworkError(wrap('UND_ERR_SOCKET')).kind).toBe('reset');
    expect(classifyNetworkError(Object.assign(new Error('x'), { name: 'TimeoutError' })).kind).toBe('timeout');
    expect(classifyNetworkError(Object.assign(new Error('x'), { name: 'AbortError' })).kind).toBe('aborted');
    expect(classifyNetworkError(new TypeError('terminated')).kind).toBe('reset');
    const agg = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new AggregateError([Object.assign(new Error('a'), { code: 'ECONNREFUSED' })]), {}) });
    expect(classifyNetworkError(agg).kind).toBe('unreachable');
  });

  it('backs off exponentially with full jitter, capped', () => {
    const p = { baseDelayMs: 500, maxDelayMs: 30_000 };
    expect(backoffDelay(1, { ...p, random: () => 0.999 })).toBe(499);
    expect(backoffDelay(3, { ...p, random: () => 0.5 })).toBe(1000);
    expect(backoffDelay(20, { ...p, random: () => 0.999 })).toBe(29_970);
    expect(backoffDelay(4, { ...p, random: () => 0 })).toBe(0);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = Date.UTC(2026, 10, 22, 1, 0, 0);
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Sun, 22 Nov 2026 01:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 00:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
  });

  it('reads which scope a 429 belongs to from its body', () => {
    expect(rateLimitInfo({ status: 'error', error: { code: 'RATE_LIMIT_EXCEEDED', message: 'x', details: { scope: 'endpoint', limit: 100 } } })).toEqual({ scope: 'endpoint', limit: 100 });
    expect(rateLimitInfo({ status: 'error', error: { code: 'RATE_LIMIT_EXCEEDED', message: 'x', details: { scope: 'key', limit: 1000 } } })).toEqual({ scope: 'key', limit: 1000 });
    expect(rateLimitInfo({ error: 'Too many requests' })).toEqual({});
    expect(errorFields({ error: 'Data access denied' })).toEqual({ code: undefined, message: 'Data access denied', details: undefined });
  });

  it('checks the key prefix', () => {
    expect(() => checkKeyFormat('hst_live_abc')).not.toThrow();
    expect(() => checkKeyFormat('hst_test_abc')).not.toThrow();
    for (const bad of ['', 'hst_prod_abc', 'sk_live_abc', 'hst_live_', undefined]) expect(() => checkKeyFormat(bad)).toThrow(/hst_live_/);
  });
});

describe('endpoint keys', () => {
  it('maps paths to the shared route templates', () => {
    const cases: Array<[string, string]> = [
      ['/health', '/health'],
      ['/experiments?limit=50', '/experiments'],
      ['/experiments/shared', '/experiments/shared'],
      ['/experiments/exp_1', '/experiments/{id}'],
      ['/deployments', '/deployments'],
      ['/deployments/dep_1', '/deployments/{id}'],
      ['/deployments/dep_1/sessions', '/deployments/{id}/sessions'],
      ['/data/events/experiment/exp_1?limit=1000&offset=0', '/data/events/experiment/{id}'],
      ['/data/ratings/continuous/room/r1', '/data/ratings/continuous/room/{id}'],
      ['/data/participants/room/r1', '/data/participants/room/{id}'],
      ['/data/counts/participant/p1?roomId=r1', '/data/counts/participant/{id}'],
      ['/data/variables/room/r1', '/data/variables/room/{id}'],
      ['/data/check-access/experiment/e1', '/data/check-access/experiment/{id}'],
      ['/data/recordings/download/r1/rec1', '/data/recordings/download/{id}/{id}'],
      ['http://127.0.0.1:8787/api/v3/data/chat/experiment/e1', '/data/chat/experiment/{id}'],
    ];
    for (const [path, key] of cases) expect(endpointKey(path)).toBe(key);
  });

  it('agrees with the simulator’s definition on every route', () => {
    const paths = [
      '/health', '/experiments', '/experiments/shared', '/experiments/e1', '/deployments', '/deployments/d1', '/deployments/d1/sessions',
      '/data/events/room/r1', '/data/ratings/sparse/participant/p1', '/data/rooms/experiment/e1', '/data/variables/room/r1',
      '/data/counts/participant/p1', '/data/check-access/experiment/e1', '/data/recordings/download/r1/x1', '/data/agent-decisions/experiment/e1',
    ];
    for (const p of paths) expect(endpointKey(p)).toBe(endpointTemplate(p));
  });
});
