import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src-main/core/log/logger';
import { StudyError, toErrorInfo } from '../../../src-shared/errors';

const KEY = 'hst_live_Q2w3E4r5T6y7U8i9O0pAsDfGhJkL';
const TEST_KEY = 'hst_test_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sd-log-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('logger', () => {
  it('redacts keys in messages, extras, nested values, errors and secret-named fields', async () => {
    const file = path.join(dir, 'logs', 'studydl.log');
    const sink = new PassThrough();
    let echoed = '';
    sink.on('data', (c) => (echoed += c));
    const log = createLogger({ file, level: 'debug', console: sink, now: () => Date.parse('2026-01-01T00:00:00Z') });
    log.info(`using key ${KEY}`);
    log.warn('request failed', { url: `http://x/api?k=${TEST_KEY}`, headers: { 'X-API-Key': 'not-even-well-formed' }, nested: [{ deep: KEY }] });
    log.error('boom', { error: new Error(`bad key ${KEY}`), apiKey: 'abc' });
    log.debug('study error', { error: new StudyError({ code: 'UNAUTHORIZED', message: `rejected ${TEST_KEY}`, fix: `replace ${KEY}` }) });
    log.close();

    const text = await readFile(file, 'utf8');
    for (const out of [text, echoed]) {
      expect(out).not.toContain(KEY);
      expect(out).not.toContain(TEST_KEY);
      expect(out).not.toContain('Q2w3E4r5');
      expect(out).not.toContain('not-even-well-formed');
      expect(out).toContain('hst_live_[REDACTED]');
      expect(out).toContain('hst_test_[REDACTED]');
    }
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe('2026-01-01T00:00:00.000Z INFO  using key hst_live_[REDACTED]');
    expect(lines[1]).toContain('"X-API-Key":"[REDACTED]"');
    expect(lines[2]).toContain('"apiKey":"[REDACTED]"');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('drops lines below the level', async () => {
    const sink = new PassThrough();
    let out = '';
    sink.on('data', (c) => (out += c));
    const log = createLogger({ level: 'warn', console: sink });
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e', { circular: (() => { const o: Record<string, unknown> = {}; o.self = o; return o; })() });
    expect(out.split('\n').filter(Boolean).map((l) => l.split(' ')[1])).toEqual(['WARN', 'ERROR']);
    expect(out).toContain('[Circular]');
  });

  it('errors crossing a boundary are redacted too', () => {
    const info = toErrorInfo(new Error(`fetch failed for ${KEY}`));
    expect(info.message).not.toContain(KEY);
    const info2 = toErrorInfo(new StudyError({ code: 'FORBIDDEN', message: `no scope for ${KEY}`, fix: `use ${TEST_KEY}` }));
    expect(JSON.stringify(info2)).not.toMatch(/Q2w3|aaaaaaaa/);
  });
});
