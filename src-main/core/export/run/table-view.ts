// "Export what the table shows": the records of one data type narrowed the way the preview table
// narrows them (the same column filters, search and sort, src-main/core/preview/preview-view),
// judged on the records as the source sent them, before any anonymization.
import type { DataTypeDescriptor, TableView } from '../../../../src-shared/model';
import { compileFilters, kindsFor, rowHaystack, rowPasses, sortIndices } from '../../preview/preview-view';
import { flattenRecord, type FlatRow } from '../format/flatten';
import { forEachRecord, type JsonRecord, type RecordSource } from '../format/type-writer';

/** The records a table view keeps, in its order (sorting holds the kept records in memory). */
export function viewRecords(type: Pick<DataTypeDescriptor, 'columns'> | undefined, view: TableView, all: () => RecordSource): () => AsyncGenerator<JsonRecord[]> {
  const filters = compileFilters([], view, kindsFor(type));
  const search = (view.search ?? '').trim().toLowerCase();
  const keep = (flat: FlatRow) => rowPasses(flat, filters, view.timeZone) && (!search || rowHaystack(flat).includes(search));
  return async function* () {
    if (!view.sort) {
      for await (const item of all()) yield (Array.isArray(item) ? item : [item]).filter((r: JsonRecord) => keep(flattenRecord(r)));
      return;
    }
    const kept: JsonRecord[] = [];
    const flats: FlatRow[] = [];
    await forEachRecord(all(), (r) => {
      const flat = flattenRecord(r);
      if (!keep(flat)) return;
      kept.push(r);
      flats.push(flat);
    });
    yield sortIndices(flats, flats.map((_, i) => i), view.sort).map((i) => kept[i]);
  };
}
