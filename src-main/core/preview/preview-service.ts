// The paged preview behind getPreview. For each (target, type) the stream is fetched once,
// page by page through the source (so it obeys the limiter), into a bounded in-memory cache;
// windows are then cut from it with sort, filters and search applied here. While the stream is
// still arriving, answers carry what is there and `complete: false` (the renderer re-asks).
import { StudyError, toErrorInfo } from '../../../src-shared/errors';
import type { DataTypeId, PreviewPage, PreviewQuery, Target } from '../../../src-shared/model';
import { pathKey } from '../../../src-shared/target';
import { createColumnSet, KNOWN_COLUMNS, type ColumnSet } from '../export/format/columns';
import { flattenRecord, type FlatRow } from '../export/format/flatten';
import { silentLogger, type Logger } from '../ports';
import type { Source } from '../sources/source';
import { buildView, guessKindOf, kindsFor, rowHaystack, viewKey, type KindOf } from './preview-view';

export interface PreviewServiceOptions {
  /** The source of the active profile; throws (or rejects) NO_PROFILE when there is none. */
  getSource(): Source | Promise<Source>;
  /** Page requests in flight per stream (the settings' concurrency). */
  pageConcurrency?: () => number;
  /** Changes whenever the source is replaced (profile or limits changed): cached tables are dropped. */
  sourceGeneration(): number;
  /** Tables kept (least recently used are dropped). */
  maxTables?: number;
  /** Rows kept per table; beyond that the preview stops and says so. */
  maxRows?: number;
  logger?: Logger;
}

export interface PreviewService {
  getPage(query: PreviewQuery): Promise<PreviewPage>;
  /** Drops every cached table and stops their fetches. */
  clear(): void;
}

interface Table {
  key: string;
  raw: Array<Record<string, unknown>>;
  rows: FlatRow[];
  haystacks: Array<string | undefined>;
  columns: ColumnSet;
  warnings: Set<string>;
  done: boolean;
  error?: unknown;
  truncated: boolean;
  abort: AbortController;
  /** Resolves once the first page (or the end, or an error) has arrived. */
  firstBatch: Promise<void>;
  lastUsed: number;
  view?: { key: string; size: number; indices: number[] };
  /** Column kinds for filters: the data type's descriptor where it names the column, else guessed. */
  kindOf: KindOf;
}

export function createPreviewService(opts: PreviewServiceOptions): PreviewService {
  const maxTables = opts.maxTables ?? 6;
  const maxRows = opts.maxRows ?? 250_000;
  const logger = opts.logger ?? silentLogger;
  const tables = new Map<string, Table>();
  let useCounter = 0;

  const drop = (t: Table) => {
    t.abort.abort();
    tables.delete(t.key);
  };

  const evict = () => {
    while (tables.size > maxTables) {
      const oldest = [...tables.values()].sort((a, b) => a.lastUsed - b.lastUsed)[0];
      drop(oldest);
    }
  };

  const open = (key: string, type: DataTypeId, target: Target): Table => {
    let markFirst!: () => void;
    const table: Table = {
      key,
      raw: [],
      rows: [],
      haystacks: [],
      columns: createColumnSet(type, { known: KNOWN_COLUMNS[type] ?? [] }),
      warnings: new Set(),
      done: false,
      truncated: false,
      abort: new AbortController(),
      firstBatch: new Promise<void>((r) => (markFirst = r)),
      lastUsed: ++useCounter,
      kindOf: guessKindOf,
    };
    const run = async () => {
      const source = await opts.getSource();
      const known = source.csvColumns?.(type);
      if (known && table.rows.length === 0) table.columns = createColumnSet(type, { known });
      const stream = source.previewStream(target, type);
      if (!stream) {
        const label = source.descriptor.dataTypes.find((d) => d.id === type)?.label ?? type;
        throw new StudyError({ code: 'INVALID_ARGUMENT', message: `${label} cannot be previewed for a ${target.level}.`, fix: 'Open it at a level that offers it.' });
      }
      const concurrency = opts.pageConcurrency?.();
      // A type the source cannot page at the target's own level (HyperStudy's variables, kept per
      // room) is shown as the export reads it: the streams the source plans for it (room after
      // room), each record as the export writes it (naming its room).
      const d = source.descriptor.dataTypes.find((x) => x.id === type);
      table.kindOf = kindsFor(d);
      const widened = !!d && !d.scopes.includes(stream.scope);
      const streams = widened ? await source.planStreams(target, [type], { signal: table.abort.signal }) : null;
      for (const w of streams?.warnings ?? []) table.warnings.add(w);
      for (const s of streams?.streams ?? [stream]) {
        const pages = source.pages(s, {}, {
          signal: table.abort.signal,
          ...(concurrency ? { concurrency } : {}),
        });
        for await (const page of pages) {
          for (const w of page.warnings) table.warnings.add(w);
          for (const r of page.records) {
            const record = widened ? source.exportRecord(type, r, s) : r;
            const row = flattenRecord(record, source.flatten);
            table.raw.push(record);
            table.rows.push(row);
            table.columns.add(row);
          }
          markFirst();
          if (table.rows.length >= maxRows) {
            table.truncated = true;
            table.warnings.add(`The preview shows the first ${maxRows.toLocaleString('en-US')} rows. Export to get all of them.`);
            table.abort.abort();
            return;
          }
        }
      }
    };
    run()
      .catch((e) => {
        if (table.abort.signal.aborted && table.truncated) return;
        if (table.abort.signal.aborted && !tables.has(key)) return; // evicted or cleared
        table.error = e;
        logger.warn('preview fetch failed', { type, error: toErrorInfo(e).message });
      })
      .finally(() => {
        table.done = true;
        markFirst();
      });
    tables.set(key, table);
    evict();
    return table;
  };

  const viewOf = (t: Table, q: PreviewQuery): number[] => {
    const key = viewKey(q);
    // a view stays valid while no rows were added
    if (t.view && t.view.key === key && t.view.size === t.rows.length) return t.view.indices;
    const indices = buildView(t.rows, q, (i) => (t.haystacks[i] ??= rowHaystack(t.rows[i])), t.kindOf);
    t.view = { key, size: t.rows.length, indices };
    return indices;
  };

  return {
    async getPage(q) {
      const key = JSON.stringify([opts.sourceGeneration(), q.type, q.target.level, pathKey(q.target.path)]);
      let table = tables.get(key);
      if (table?.done && table.error) {
        // report a failure once, then let the next request try again
        drop(table);
        if (table.rows.length === 0) throw table.error;
      } else if (!table) {
        table = open(key, q.type, q.target);
      }
      table.lastUsed = ++useCounter;
      await table.firstBatch;
      if (table.done && table.error && table.rows.length === 0) {
        drop(table);
        throw table.error;
      }
      const indices = viewOf(table, q);
      const rows = indices.slice(q.offset, q.offset + q.limit).map((i) => ({ ...table.rows[i], __raw: table.raw[i] }));
      const warnings = [...table.warnings];
      if (table.done && table.error) warnings.push(`The preview stopped early: ${toErrorInfo(table.error).message}`);
      return {
        rows,
        totalRows: indices.length,
        unfilteredRows: table.rows.length,
        columns: table.columns.columns(),
        complete: table.done,
        warnings,
      };
    },
    clear() {
      for (const t of [...tables.values()]) drop(t);
    },
  };
}
