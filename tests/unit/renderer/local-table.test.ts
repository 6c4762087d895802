import { describe, expect, it } from 'vitest';
import { nextSort, searchRows, sortRows } from '../../../src-renderer/src/lib/local-table';
import { buildSeries, categoriesOf } from '../../../src-renderer/src/lib/plot-data';
import { isoToLocal, localToIso, rangeInverted, splitChoicesAt } from '../../../src-renderer/src/lib/export-options';
import { sourceDescriptor } from '../../../src-main/core/sources/registry';

/** The split ids the export dialog offers at a HyperStudy level (from its descriptor). */
const splitOptionsFor = (level: string) => splitChoicesAt(sourceDescriptor('hyperstudy'), level).map((c) => c.id);

const rows = [
  { id: 'b', name: 'Beta study', n: 10, created: '2024-03-01T00:00:00Z' },
  { id: 'a', name: 'alpha study', n: 2, created: '2024-01-01T00:00:00Z' },
  { id: 'c', name: 'Gamma', n: undefined, created: undefined },
  { id: 'd', name: 'Study 10', n: 100, created: '2023-12-31T00:00:00Z' },
  { id: 'e', name: 'Study 9', n: 1, created: '2024-02-01T00:00:00Z' },
];

describe('local table', () => {
  it('sorts text case-insensitively and numerically, empties last in both directions', () => {
    expect(sortRows(rows, { key: 'name', dir: 'asc' }).map((r) => r.id)).toEqual(['a', 'b', 'c', 'e', 'd']);
    expect(sortRows(rows, { key: 'n', dir: 'asc' }).map((r) => r.id)).toEqual(['e', 'a', 'b', 'd', 'c']);
    expect(sortRows(rows, { key: 'n', dir: 'desc' }).map((r) => r.id)).toEqual(['d', 'b', 'a', 'e', 'c']);
    expect(sortRows(rows, { key: 'created', dir: 'desc' }).map((r) => r.id)).toEqual(['b', 'e', 'a', 'd', 'c']);
    expect(sortRows(rows, null)).toBe(rows);
  });
  it('searches every word across the given keys', () => {
    expect(searchRows(rows, 'study', ['name']).map((r) => r.id)).toEqual(['b', 'a', 'd', 'e']);
    expect(searchRows(rows, 'STUDY 1', ['name']).map((r) => r.id)).toEqual(['d']);
    expect(searchRows(rows, '  ', ['name'])).toBe(rows);
  });
  it('cycles sort none → asc → desc → none per column', () => {
    expect(nextSort(null, 'x')).toEqual({ key: 'x', dir: 'asc' });
    expect(nextSort({ key: 'x', dir: 'asc' }, 'x')).toEqual({ key: 'x', dir: 'desc' });
    expect(nextSort({ key: 'x', dir: 'desc' }, 'x')).toBeNull();
    expect(nextSort({ key: 'x', dir: 'desc' }, 'y')).toEqual({ key: 'y', dir: 'asc' });
  });
});

describe('plot data', () => {
  it('builds one series per participant, sorted by x', () => {
    const { series, categories } = buildSeries([
      { onset: 2, value: 5, participantId: 'p1' },
      { onset: 1, value: 3, participantId: 'p1' },
      { onset: 1, value: 7, participantId: 'p2' },
      { onset: 3, value: 'n/a', participantId: 'p2' },
    ], 'onset', 'value', 'participantId');
    expect(categories).toBeNull();
    expect(series).toEqual([
      { name: 'p1', points: [[1, 3], [2, 5]] },
      { name: 'p2', points: [[1, 7]] },
    ]);
  });
  it('plots quality words on an ordinal scale, worst first', () => {
    const data = [
      { onset: 1, q: 'good', p: 'a' }, { onset: 2, q: 'poor', p: 'a' }, { onset: 3, q: 'fair', p: 'a' },
    ];
    expect(categoriesOf(data, 'q')).toEqual(['poor', 'fair', 'good']);
    const { series } = buildSeries(data, 'onset', 'q', 'p');
    expect(series[0].points).toEqual([[1, 2], [2, 0], [3, 1]]);
  });
  it('shifts absolute timestamps to seconds from the first point', () => {
    const { series } = buildSeries([
      { t: '2024-03-04T09:00:10Z', y: 1, p: 'a' },
      { t: '2024-03-04T09:00:00Z', y: 2, p: 'a' },
    ], 't', 'y', 'p');
    expect(series[0].points).toEqual([[0, 2], [10, 1]]);
  });
});

describe('export options', () => {
  it('offers only the splits that make sense at a level', () => {
    expect(splitOptionsFor('experiment')).toEqual(['none', 'room', 'participant']);
    expect(splitOptionsFor('room')).toEqual(['none', 'participant']);
    expect(splitOptionsFor('participant')).toEqual(['none']);
  });
  it('converts the time range and spots an inverted one', () => {
    expect(localToIso('')).toBeUndefined();
    expect(localToIso('2024-03-04T09:00')).toMatch(/^2024-03-0[34]T\d\d:00:00.000Z$/);
    expect(rangeInverted('2024-03-05T00:00:00Z', '2024-03-04T00:00:00Z')).toBe(true);
    expect(rangeInverted('2024-03-04T00:00:00Z', '2024-03-05T00:00:00Z')).toBe(false);
    expect(rangeInverted(undefined, '2024-03-05T00:00:00Z')).toBe(false);
  });
  it('fills the time range back in from a request (export again), to the second', () => {
    expect(isoToLocal(undefined)).toBe('');
    expect(isoToLocal('not a date')).toBe('');
    for (const iso of ['2024-03-04T09:00:00.000Z', '2024-03-04T09:15:42.000Z']) expect(localToIso(isoToLocal(iso))).toBe(iso);
    expect(isoToLocal('2024-03-04T09:15:00.000Z')).toMatch(/^2024-03-0[34]T\d\d:15$/);
  });
});
