import { describe, expect, it } from 'vitest';
import { createColumnSet, KNOWN_COLUMNS, tableFileBase } from '../../../src-main/core/export/format/columns';
import { csvCell, csvHeader, csvLine, csvRow, looksLikeFormula } from '../../../src-main/core/export/format/csv';
import { flattenRecord, firestoreTimestampToIso } from '../../../src-main/core/export/format/flatten';
import { jsonArrayClose, jsonArrayItem, JSON_ARRAY_OPEN } from '../../../src-main/core/export/format/json';
import { ndjsonLine } from '../../../src-main/core/export/format/ndjson';

describe('flattenRecord', () => {
  it('flattens nested objects with _, keeps arrays as JSON text, adds onset_sec after onset', () => {
    const row = flattenRecord({ id: 'e1', onset: 1500, response: { value: 7, responseTime: 820 }, recipientIds: ['a', 'b'], ok: true, missing: null });
    expect(row).toEqual({ id: 'e1', onset: 1500, onset_sec: 1.5, response_value: 7, response_responseTime: 820, recipientIds: '["a","b"]', ok: true, missing: null });
    expect(Object.keys(row).slice(0, 3)).toEqual(['id', 'onset', 'onset_sec']);
  });

  it('keeps negative onsets and computes onset_sec = onset / 1000', () => {
    expect(flattenRecord({ onset: -250 }).onset_sec).toBe(-0.25);
    expect(flattenRecord({ onset: 8520 }).onset_sec).toBe(8.52);
    expect('onset_sec' in flattenRecord({ onset: null })).toBe(false);
  });

  it('disambiguates a literal key that collides with a flattened path, deterministically', () => {
    const a = flattenRecord({ response: { value: 'nested' }, response_value: 'literal' });
    expect(a.response_value).toBe('literal');
    expect(a.response__value).toBe('nested');
    const b = flattenRecord({ response_value: 'literal', response: { value: 'nested' } });
    expect(b).toEqual({ response_value: 'literal', response__value: 'nested' });
    // Two nested paths meeting at the same name.
    const c = flattenRecord({ a: { b_c: 1 }, a_b: { c: 2 } });
    expect(c).toEqual({ a_b_c: 1, a_b__c: 2 });
  });

  it('converts timestamps to ISO 8601', () => {
    expect(firestoreTimestampToIso({ _seconds: 1718445601, _nanoseconds: 500_000_000 })).toBe('2024-06-15T10:00:01.500Z');
    expect(firestoreTimestampToIso({ seconds: 1718445601, nanos: 0 })).toBe('2024-06-15T10:00:01.000Z');
    const row = flattenRecord({
      timestamp: { _seconds: 1718445601, _nanoseconds: 0 },
      createdAt: 1718445690000,
      sparseRatingData: { pauseTimestamp: 1718445690000, videoRelativeTime: 5000 },
      stimulusTime: 5000,
      startTime: '2024-06-15T10:00:05.000Z',
      duration: 300000,
    });
    expect(row.timestamp).toBe('2024-06-15T10:00:01.000Z');
    expect(row.createdAt).toBe('2024-06-15T10:01:30.000Z');
    expect(row.sparseRatingData_pauseTimestamp).toBe('2024-06-15T10:01:30.000Z');
    expect(row.sparseRatingData_videoRelativeTime).toBe(5000); // relative times stay numbers
    expect(row.stimulusTime).toBe(5000);
    expect(row.startTime).toBe('2024-06-15T10:00:05.000Z'); // ISO strings kept
    expect(row.duration).toBe(300000);
  });

  it('keeps an empty object visible as {}', () => {
    expect(flattenRecord({ roles: {} })).toEqual({ roles: '{}' });
  });
});

describe('CSV encoding', () => {
  it('quotes fields with comma, quote, CR or LF and doubles quotes', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line1\nline2')).toBe('"line1\nline2"');
    expect(csvCell('cr\rhere')).toBe('"cr\rhere"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(true)).toBe('true');
    expect(csvCell(false)).toBe('false');
    expect(csvCell(0)).toBe('0');
    expect(csvCell(-3.5)).toBe('-3.5');
  });

  it('protects text formulas but never numbers', () => {
    expect(csvCell('=SUM(A1)', true)).toBe("'=SUM(A1)");
    expect(csvCell('+1 agree', true)).toBe("'+1 agree");
    expect(csvCell('-5 s', true)).toBe("'-5 s");
    expect(csvCell('@host', true)).toBe("'@host");
    expect(csvCell('\tx', true)).toBe("'\tx");
    expect(csvCell('\rx', true)).toBe('"\'\rx"');
    expect(csvCell(-5, true)).toBe('-5');
    expect(csvCell('=SUM(A1)', false)).toBe('=SUM(A1)');
    expect(csvCell('=HYPERLINK("x")', true)).toBe('"\'=HYPERLINK(""x"")"');
    // Text that is just a number is read as that number by a spreadsheet: it runs nothing, and stays as is.
    for (const n of ['-3.5', '+1', '-0', '-.5', '-1e-7', '+2.5E+10']) expect(csvCell(n, true)).toBe(n);
  });

  it('counts formula-looking text cells as it writes them, protected or not; numbers never count', () => {
    for (const protect of [false, true]) {
      const tally = { formulaCells: 0 };
      csvHeader(['id', '=col'], { formulaProtection: protect }, tally);
      csvRow({ id: '=1+1', a: '+x', b: -3.5, c: '-3.5', d: '@me', e: 'a=b', f: true, g: '-' }, ['id', 'a', 'b', 'c', 'd', 'e', 'f', 'g'], protect, tally);
      csvLine(['\tx', '\rx', ' =not-first', null, 0], protect, tally);
      // =col, =1+1, +x, @me, "-", tab, CR: seven; -3.5 (number and text), a=b and " =…" are not.
      expect(tally.formulaCells, `protection ${protect}`).toBe(7);
    }
    expect(looksLikeFormula('-')).toBe(true);
    expect(looksLikeFormula('-5 seconds')).toBe(true);
    expect(looksLikeFormula('-5')).toBe(false);
    expect(looksLikeFormula('')).toBe(false);
  });

  it('writes CRLF records with the same field count, BOM optional', () => {
    expect(csvLine(['a', 1, null, true])).toBe('a,1,,true\r\n');
    expect(csvHeader(['a', 'b'])).toBe('\ufeffa,b\r\n');
    expect(csvHeader(['a', 'b'], { bom: false })).toBe('a,b\r\n');
    expect(csvRow({ b: 2, extra: 'x' }, ['a', 'b'])).toBe(',2\r\n');
  });
});

describe('column sets', () => {
  it('puts the documented schema first, then new fields in first-seen order', () => {
    const set = createColumnSet('chat');
    set.add(flattenRecord({ zeta: 1, messageId: 'm1', alpha: { x: 1 } }));
    set.add(flattenRecord({ beta: 2, zeta: 3 }));
    const cols = set.columns();
    expect(cols.slice(0, KNOWN_COLUMNS.chat.length)).toEqual([...KNOWN_COLUMNS.chat]);
    expect(cols.slice(KNOWN_COLUMNS.chat.length)).toEqual(['zeta', 'alpha_x', 'beta']);
  });

  it('can omit documented columns, which keep their place if the data has them after all', () => {
    const set = createColumnSet('chat', { omit: new Set(['senderName']) });
    expect(set.columns()).not.toContain('senderName');
    set.add({ senderName: null, zz: 1 });
    const cols = set.columns();
    expect(cols.indexOf('senderName')).toBe(KNOWN_COLUMNS.chat.indexOf('senderName'));
    expect(cols.at(-1)).toBe('zz');
  });

  it('names table files with underscores', () => {
    expect(tableFileBase('ratings-continuous')).toBe('ratings_continuous');
    expect(tableFileBase('events')).toBe('events');
  });
});

describe('JSON array pieces', () => {
  it('escape U+2028/U+2029 so line-based readers see one record per line, same value', () => {
    const rec = { content: 'a\u2028b\u2029c' };
    const line = ndjsonLine(rec);
    expect(line).toBe('{"content":"a\\u2028b\\u2029c"}\n');
    expect(line.split(/\r\n|[\n\r\u2028\u2029]/).filter(Boolean)).toHaveLength(1);
    expect(JSON.parse(line)).toEqual(rec);
    expect(JSON.parse(JSON_ARRAY_OPEN + jsonArrayItem(rec, 0) + jsonArrayClose(1))).toEqual([rec]);
  });

  it('build a valid array, empty or not', () => {
    expect(JSON.parse(JSON_ARRAY_OPEN + jsonArrayClose(0))).toEqual([]);
    const text = JSON_ARRAY_OPEN + jsonArrayItem({ a: 1 }, 0) + jsonArrayItem({ b: 2 }, 1) + jsonArrayClose(2);
    expect(text).toBe('[\n{"a":1},\n{"b":2}\n]\n');
    expect(JSON.parse(text)).toEqual([{ a: 1 }, { b: 2 }]);
  });
});
