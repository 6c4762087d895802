// "Export what the table shows": the records of one data type narrowed the way the preview table
// narrows them (the same column filters, search and sort, src-main/core/preview/preview-view),
// judged on the records as the source sent them, before any anonymization.
import type { DataTypeDescriptor, TableView } from '../../../../src-shared/model';
import { compileFilters, kindsFor, rowHaystack, rowPasses, sortIndices } from '../../preview/preview-view';
import { flattenRecord, type FlatRow } from '../format/flatten';
import type { JsonRecord } from '../format/type-writer';

/** The records a table view keeps, in its order (sorting holds the kept records in memory). */
export function viewRecords(type: Pick<DataTypeDescriptor, 'columns'> | undefined, view: TableView, all: () => AsyncIterable<JsonRecord>): () => AsyncGenerator<JsonRecord> {
  const filters = compileFilters([], view, kindsFor(type));
  const search = (view.search ?? '').trim().toLowerCase();
  const keep = (flat: FlatRow) => rowPasses(flat, filters, view.timeZone) && (!search || rowHaystack(flat).includes(search));
  return async function* () {
    if (!view.sort) {
      for await (const r of all()) if (keep(flattenRecord(r))) yield r;
      return;
    }
    const kept: JsonRecord[] = [];
    const flats: FlatRow[] = [];
    for await (const r of all()) {
      const flat = flattenRecord(r);
      if (!keep(flat)) continue;
      kept.push(r);
      flats.push(flat);
    }
    for (const i of sortIndices(flats, flats.map((_, i) => i), view.sort)) yield kept[i];
  };
}
