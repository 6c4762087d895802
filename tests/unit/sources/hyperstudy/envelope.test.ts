import { describe, expect, it } from 'vitest';
import { readEnvelope, readHealth, readSingle } from '../../../../src-main/core/sources/hyperstudy/envelope';
import { toCounts, toRoom } from '../../../../src-main/core/sources/hyperstudy/normalize';

const url = 'https://api.example/api/v3/x';

describe('envelope reading (reference §3, §13)', () => {
  it('reads the documented envelope and derives nextOffset when hasMore has none', () => {
    const e = readEnvelope({ status: 'success', metadata: { pagination: { total: 5, returned: 3, hasMore: true, limit: 3, offset: 0 }, _warnings: ['MISSING_INDEX: x'] }, data: [{ id: 1 }, { id: 2 }, { id: 3 }] }, url);
    expect(e.records).toHaveLength(3);
    expect(e.pagination).toMatchObject({ total: 5, hasMore: true, nextOffset: 3 });
    expect(e.warnings).toEqual(['MISSING_INDEX: x']);
    const last = readEnvelope({ status: 'success', metadata: { pagination: { total: 5, returned: 2, hasMore: false, limit: 3, offset: 3 } }, data: [{ id: 4 }, { id: 5 }] }, url);
    expect(last.pagination).toMatchObject({ hasMore: false, nextOffset: null });
  });

  it('accepts data as one object, a bare array, and a missing pagination', () => {
    expect(readEnvelope({ status: 'success', data: { url: 'https://signed' } }, url).records).toEqual([{ url: 'https://signed' }]);
    expect(readEnvelope([{ id: 'a' }, { id: 'b' }], url).records).toHaveLength(2);
    expect(readEnvelope({ status: 'success', metadata: { total: 1, limit: 50 }, data: [{ id: 'r' }] }, url).pagination).toBeNull();
    expect(readSingle({ status: 'success', data: [{ id: 'exp_1' }] }, url).item).toEqual({ id: 'exp_1' });
  });

  it('rejects bodies that are not the API', () => {
    expect(() => readEnvelope({ hello: 'world' }, url)).toThrow(/not like the HyperStudy API/);
    expect(() => readEnvelope('just text', url)).toThrow(/check the base URL/);
    expect(() => readSingle({ status: 'success', data: [] }, url)).toThrow();
  });

  it('reads both health shapes', () => {
    expect(readHealth({ status: 'healthy', version: '3.0.0' }, url)).toEqual({ ok: true, version: '3.0.0' });
    expect(readHealth({ status: 'success', version: '3.0.0' }, url)).toEqual({ ok: true, version: '3.0.0' });
    expect(readHealth({ status: 'success', data: { status: 'healthy', version: '3.1' } }, url)).toEqual({ ok: true, version: '3.1' });
    expect(readHealth({ status: 'degraded' }, url).ok).toBe(false);
    expect(() => readHealth({ nope: 1 }, url)).toThrow();
  });

  it('normalizes counts keys and room durations', () => {
    const c = toCounts({ participantId: 'p', roomId: 'r', counts: { textchat: 4, sync: 0, continuousRatings: 7, mystery: 3 } }, 'p', 'r');
    expect(c.counts).toEqual({ chat: 4, sync: 0, 'ratings-continuous': 7 });
    expect(toRoom({ id: 'room_1', startTime: '2024-01-01T00:00:00Z', endTime: '2024-01-01T00:30:00Z' }, 'e')).toMatchObject({ experimentId: 'e', durationMs: 1_800_000 });
    expect(toRoom({ sessionId: 's1', createdAt: 1_700_000_000_000 }, 'e')).toMatchObject({ id: 's1', startTime: new Date(1_700_000_000_000).toISOString() });
  });
});
