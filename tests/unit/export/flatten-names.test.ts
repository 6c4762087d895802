// flattenRecord against a plain reading of its documented naming rule, on thousands of random
// records built from keys chosen to collide ("a_b" beside a.b, "", "_", integer-like keys,
// "onset"/"onset_sec", "__proto__"), with one- and two-character and empty separators.
// The reference below is written from the rule, not from the code under test.
import { describe, expect, it } from 'vitest';
import { flattenedNames, flattenRecord, type FlatRow, type FlatValue } from '../../../src-main/core/export/format/flatten';
import { mulberry32 as rng } from '../../sim/prng';

const KEYS = ['a', 'b', 'c', 'a_b', 'b_c', 'a__b', '_', '_a', 'b_', '', 'a.b', '.', '7', '12', 'onset', 'onset_sec', 'response', 'value', 'response_value', 'x__y', '__proto__'];

function randomJson(next: () => number, depth: number): string {
  const n = 1 + Math.floor(next() * 5);
  const parts: string[] = [];
  const used = new Set<string>();
  for (let i = 0; i < n; i++) {
    const k = KEYS[Math.floor(next() * KEYS.length)];
    if (used.has(k)) continue;
    used.add(k);
    const r = next();
    let v: string;
    if (depth < 3 && r < 0.35) v = randomJson(next, depth + 1);
    else if (r < 0.45) v = '{}';
    else if (r < 0.55) v = '[1,{"z":2}]';
    else if (r < 0.65) v = 'null';
    else if (r < 0.75) v = 'true';
    else if (r < 0.9) v = String(Math.round((next() - 0.5) * 1e5));
    else v = JSON.stringify(`s${i}`);
    parts.push(`${JSON.stringify(k)}:${v}`);
  }
  return `{${parts.join(',')}}`;
}

/** The rule as documented in flatten.ts, written plainly. */
function reference(record: Record<string, unknown>, sep: string): FlatRow {
  const leaves: Array<{ path: string[]; value: FlatValue }> = [];
  const walk = (o: Record<string, unknown>, path: string[]) => {
    for (const k of Object.keys(o)) {
      const v = o[k];
      const p = [...path, k];
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
        if (Object.keys(v).length === 0) leaves.push({ path: p, value: '{}' });
        else walk(v as Record<string, unknown>, p);
      } else leaves.push({ path: p, value: Array.isArray(v) ? JSON.stringify(v) : (v as FlatValue) });
    }
  };
  walk(record, []);
  const taken = new Set(leaves.filter((l) => l.path.length === 1).map((l) => l.path[0]));
  const row: FlatRow = {};
  for (const { path, value } of leaves) {
    let name = path[0];
    if (path.length > 1) {
      name = path.join(sep);
      if (taken.has(name)) {
        let n = 1;
        const alt = path.join(sep + sep);
        name = alt;
        while (taken.has(name)) name = `${alt}_${++n}`;
      }
      taken.add(name);
    }
    row[name] = value;
    if (name === 'onset' && typeof value === 'number' && !Object.hasOwn(record, 'onset_sec')) row.onset_sec = value / 1000;
  }
  return row;
}

function namesOf(record: Record<string, unknown>, opts: Parameters<typeof flattenedNames>[1]): string[] {
  const names: string[] = [];
  flattenedNames(record, opts, (n) => names.push(n));
  return names;
}

describe('flattenRecord naming', () => {
  it('matches the rule where a longer separator makes two paths meet', () => {
    const cases: Array<[string, string]> = [
      ['{"_":{"a":1},"":{"_a":2}}', '__'],
      ['{"":{"ab":1},"a":{"b":2}}', 'aa'],
      ['{"a":{"b_c":1},"a_b":{"c":2}}', '_'],
      ['{"":{"a":1},"_a":2}', '_'],
    ];
    for (const [json, sep] of cases) {
      const record = JSON.parse(json) as Record<string, unknown>;
      expect(Object.entries(flattenRecord(record, { separator: sep }))).toEqual(Object.entries(reference(record, sep)));
    }
  });

  for (const sep of ['_', '.', '', '__']) {
    it(`matches the documented rule on 3,000 random records (separator "${sep}")`, () => {
      const next = rng(1 + sep.length * 7919 + (sep.charCodeAt(0) || 0));
      let nested = 0;
      for (let i = 0; i < 3000; i++) {
        const record = JSON.parse(randomJson(next, 0)) as Record<string, unknown>;
        const got = flattenRecord(record, { separator: sep, convertTimestamps: false });
        const want = reference(record, sep);
        // Same names in the same order, same cells.
        expect(Object.keys(got)).toEqual(Object.keys(want));
        expect(got).toEqual(want);
        if (Object.keys(got).some((k) => !Object.hasOwn(record, k))) nested++;
        // The column pass asks for the names alone: the same, in the same order.
        expect(namesOf(record, { separator: sep, convertTimestamps: false })).toEqual(Object.keys(got));
        expect(namesOf(record, { separator: sep })).toEqual(Object.keys(flattenRecord(record, { separator: sep })));
      }
      expect(nested).toBeGreaterThan(1000);
    });
  }
});

describe('flattenedNames', () => {
  it('gives the names of flattenRecord where values decide them: times, Firestore times, onset, dates, arrays', () => {
    const records: Array<Record<string, unknown>> = [
      { onset: 1500, createdAt: 1.7e12, t: { _seconds: 5, _nanoseconds: 0 }, u: { seconds: 1, nanos: 2 }, v: { seconds: 1, other: 2 }, when: new Date(0), list: [{ a: 1 }], empty: {}, n: null },
      { onset: 'late', onset_sec: 2, x: { y: { z: [] } } },
      { 7: 'seven', a: { b: 1 }, 0: { c: 2 } },
      { onset: Number.NaN, deep: { _seconds: 'no' } },
    ];
    for (const record of records) {
      for (const opts of [{}, { convertTimestamps: false }, { separator: '.' }, { onsetSeconds: false }, { timestampFields: new Set(['onset']) }]) {
        expect(namesOf(record, opts)).toEqual(Object.keys(flattenRecord(record, opts)));
      }
    }
  });
});
