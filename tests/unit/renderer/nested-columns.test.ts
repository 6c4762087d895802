// Nested fields as dotted columns: a listed item keeps `details` as an object (mixed schema
// versions: a scalar `sr` beside `{value, unit}`), a preview row arrives already flat. Both show
// one column per dotted path in the field's place; a field too wide to open stays one JSON column.
import { describe, expect, it } from 'vitest';
import type { ColumnDescriptor } from '../../../src-shared/model';
import { readField } from '../../../src-renderer/src/lib/cells';
import { expandNestedColumns, formatLeaf, MAX_NESTED_COLUMNS, mergeColumns } from '../../../src-renderer/src/lib/columns';

const known: ColumnDescriptor[] = [
  { key: 'type', label: 'Type', kind: 'text', defaultVisible: true },
  { key: 'details', label: 'Details', kind: 'json', defaultVisible: true },
  { key: 'order', label: 'Order', kind: 'number', defaultVisible: false },
];

const oldSchema = { type: 'ExtracellularEphys', details: { sr: 30000, nChannels: 64 }, order: 1 };
const newSchema = { type: 'ExtracellularEphys', details: { sr: { value: 20000, unit: 'Hz' }, electrode_groups: [{ label: 'a' }] }, order: 2 };

describe('listed items with nested objects', () => {
  it('open a JSON column into its dotted leaf paths, in its place, across schema versions', () => {
    const cols = expandNestedColumns(known, [oldSchema, newSchema]);
    expect(cols.map((c) => c.key)).toEqual(['type', 'details.sr', 'details.nChannels', 'details.sr.value', 'details.sr.unit', 'details.electrode_groups', 'order']);
    // Named by path, visible as the field was, kinds guessed from the first value found.
    expect(cols.find((c) => c.key === 'details.nChannels')).toMatchObject({ label: 'details.nChannels', kind: 'number', defaultVisible: true });
    expect(cols.find((c) => c.key === 'details.sr.unit')).toMatchObject({ kind: 'text' });
    expect(cols.find((c) => c.key === 'details.electrode_groups')).toMatchObject({ kind: 'json' });
  });

  it('read each cell by its path (keys with underscores too); a path a row lacks is empty', () => {
    expect(readField(newSchema, 'details.sr.value')).toBe(20000);
    expect(readField(newSchema, 'details.electrode_groups')).toEqual([{ label: 'a' }]);
    expect(readField(oldSchema, 'details.sr')).toBe(30000);
    expect(readField(oldSchema, 'details.sr.unit')).toBeUndefined();
  });

  it('leave a cell empty where another schema version holds an object at that path (its deeper columns show it)', () => {
    expect(formatLeaf(oldSchema, 'details.sr', 'number')).toBe('30,000');
    expect(formatLeaf(newSchema, 'details.sr', 'number')).toBe('');
    expect(formatLeaf(newSchema, 'details.sr.value', 'number')).toBe('20,000');
    expect(formatLeaf(newSchema, 'details.electrode_groups', 'json')).toBe('[{"label":"a"}]');
  });

  it('keep a JSON column whole when no row has an object there, or when it would open too wide', () => {
    expect(expandNestedColumns(known, [{ type: 'x', details: [1, 2] }, { type: 'y', details: null }]).map((c) => c.key)).toEqual(['type', 'details', 'order']);
    const wide = { details: Object.fromEntries(Array.from({ length: MAX_NESTED_COLUMNS + 1 }, (_, i) => [`k${i}`, i])) };
    expect(expandNestedColumns(known, [wide]).map((c) => c.key)).toEqual(['type', 'details', 'order']);
  });
});

describe('preview rows that arrive flat', () => {
  it('show the dotted keys where the known nested field was, then the extra keys', () => {
    const seen = ['type', 'details.sr', 'details.sr.value', 'details.sr.unit', 'order', 'notes'];
    expect(mergeColumns(known, seen, { notes: 'x' }).map((c) => c.key)).toEqual(['type', 'details.sr', 'details.sr.value', 'details.sr.unit', 'order', 'notes']);
  });

  it('keep the known column when the data has it under its own key', () => {
    const seen = ['type', 'details', 'order'];
    expect(mergeColumns(known, seen).map((c) => c.key)).toEqual(['type', 'details', 'order']);
  });
});
