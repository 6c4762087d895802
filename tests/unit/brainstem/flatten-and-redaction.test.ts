// The flattener's separator option (BrainSTEM's dotted details) leaves HyperStudy's default alone,
// and the redaction of tokens (shared patterns plus the exact values one connection knows).
import { describe, expect, it } from 'vitest';
import { StudyError, redactSecrets } from '../../../src-shared/errors';
import { flattenRecord } from '../../../src-main/core/export/format/flatten';
import { createSecretRedactor } from '../../../src-main/core/sources/brainstem/auth/secret-redactor';

describe('flatten separator', () => {
  const rec = { id: 'd', details: { sr: { value: 30000, unit: 'Hz' }, groups: [{ channels: [0, 2] }], startedAt: 1718445600000, t: { seconds: 5 } } };

  it('HyperStudy default: "_" and timestamps converted (unchanged)', () => {
    expect(flattenRecord(rec)).toEqual({ id: 'd', details_sr_value: 30000, details_sr_unit: 'Hz', details_groups: '[{"channels":[0,2]}]', details_startedAt: '2024-06-15T10:00:00.000Z', details_t: '1970-01-01T00:00:05.000Z' });
  });

  it('BrainSTEM: dotted paths, values exactly as given', () => {
    expect(flattenRecord(rec, { separator: '.', convertTimestamps: false, onsetSeconds: false })).toEqual({
      id: 'd',
      'details.sr.value': 30000,
      'details.sr.unit': 'Hz',
      'details.groups': '[{"channels":[0,2]}]',
      'details.startedAt': 1718445600000,
      'details.t.seconds': 5,
    });
  });

  it('a literal dotted key wins; the nested one gets the doubled separator', () => {
    expect(flattenRecord({ 'details.sr': 'literal', details: { sr: 1 } }, { separator: '.' })).toEqual({ 'details.sr': 'literal', 'details..sr': 1 });
  });
});

describe('redaction', () => {
  it('shared patterns: Bearer values and JWTs (HyperStudy keys as before)', () => {
    expect(redactSecrets('Authorization: Bearer 38d541204dc8c932c563ee472511e6afdcacaa71')).toBe('Authorization: Bearer [REDACTED]');
    expect(redactSecrets('token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl here')).toBe('token [REDACTED] here');
    expect(redactSecrets('key hst_live_abc123')).toBe('key hst_live_[REDACTED]');
    expect(redactSecrets('No active account found with the given credentials')).toBe('No active account found with the given credentials');
  });

  it('exact values a connection knows, in messages, fixes, details and log extras', () => {
    const r = createSecretRedactor();
    const pat = '0123456789abcdef0123456789abcdef01234567';
    r.add(pat);
    r.add('short'); // too short to be remembered: could match ordinary words
    const e = r.error(new StudyError({ code: 'INVALID_PARAMETER', message: `bad ${pat}`, fix: `not ${pat}`, details: { fields: { header: [pat] } } })) as StudyError;
    expect(JSON.stringify(e.toInfo())).not.toContain(pat);
    expect(e.message).toBe('bad [REDACTED]');
    const lines: string[] = [];
    const log = r.logger({ debug: (m, x) => lines.push(m + JSON.stringify(x)), info() {}, warn() {}, error() {} });
    log.debug(`sent ${pat}`, { nested: { value: pat }, password: 'hunter2!!' });
    expect(lines[0]).toBe('sent [REDACTED]{"nested":{"value":"[REDACTED]"},"password":"[REDACTED]"}');
    expect(r.text('short answer')).toBe('short answer');
  });
});
