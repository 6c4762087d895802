// Writes one table (a data type, or a listing or media table) in one format, whole or split into
// one folder per group (a source's split: HyperStudy's rooms or participants), from records it can
// read more than once (the saved raw pages).
// CSV makes two passes: the first collects the column union, the second writes rows. Output is a
// pure function of the input records, so a resumed job writes byte-identical files.
import path from 'node:path';
import type { ExportFormat } from '../../../../src-shared/model';
import { compareCodePoints, createUniqueNamer, type UniqueNamer } from '../naming';
import { createColumnSet, tableFileBase, type TableId } from './columns';
import { csvHeader, csvRow, type FormulaTally } from './csv';
import { flattenedNames, flattenRecord, type FlattenOptions } from './flatten';
import { JSON_ARRAY_OPEN, jsonArrayClose, jsonArrayItem } from './json';
import { ndjsonLine } from './ndjson';
import { createTextFilePool, type PooledFile } from './text-file';

export type JsonRecord = Record<string, unknown>;

/**
 * Records to write, in order: held in memory, or read as they come, one by one or a page (an
 * array) at a time. Pages save a promise per record: reading saved pages gives whole pages anyway.
 */
export type RecordSource = Iterable<JsonRecord> | AsyncIterable<JsonRecord | readonly JsonRecord[]>;

export interface WrittenFile {
  /** Path inside the export folder, always with "/" separators, e.g. "rooms/room_1/events.csv". */
  relPath: string;
  records: number;
  bytes: number;
  sha256: string;
  type: TableId;
  /**
   * The (possibly pseudonymized) group id this split file holds, and the name metadata.json gives
   * it ("roomId"); absent without a split and for the bucket of records that belong to no group.
   */
  group?: { field: string; id: string };
  /** CSV: text cells a spreadsheet would run as formulas (protected or not), counted while writing. */
  formulaCells?: number;
  /** CSV: the header's columns, in order. */
  columns?: string[];
}

/** How one table is split into folders: the source's split (SplitDescriptor) plus where a record goes. */
export interface SplitLayout {
  /** The split mode's id ("room"). */
  id: string;
  /** Top folder ("rooms"). */
  folder: string;
  /** Folder for records that belong to no group ("_no_room"). */
  noneFolder: string;
  /** metadata.json's name for the group id a file holds ("roomId"). */
  field: string;
  /** The group of a record, from the record as read and as written (after `transform`); null: none. */
  groupOf(raw: JsonRecord, written: JsonRecord): string | null;
}

export interface TypeOutputOptions {
  type: TableId;
  format: ExportFormat;
  /** One file, or one file per group. */
  split: 'none' | SplitLayout;
  /** A fresh iteration over the records each call (CSV iterates twice). Order is kept in the output. */
  records: () => RecordSource;
  /** The export folder; files go to `<outDir>/<type>.<ext>` or `<outDir>/rooms|participants/<id>/<type>.<ext>`. */
  outDir: string;
  bom: boolean;
  formulaProtection: boolean;
  /** Applied to every record before anything else (anonymization); null drops the record. Must be deterministic. */
  transform?: (r: JsonRecord) => JsonRecord | null;
  /** Folder namer for split mode; share one per split kind across all types (see createSplitNamer). */
  namer?: UniqueNamer;
  /** Split mode: group ids that get a file even when they have no records of this type. */
  knownGroups?: Iterable<string>;
  /** CSV: the table's documented columns, first and always present (default: the engine's list for HyperStudy's tables). */
  knownColumns?: readonly string[];
  /** CSV: documented columns to leave out (e.g. PII removed by anonymization). */
  omitColumns?: ReadonlySet<string>;
  /** CSV: how nested fields become columns (the source's descriptor says; default HyperStudy's "_"). */
  flatten?: FlattenOptions;
  /**
   * Only these (flattened) columns, in this order: what a table shows. CSV writes exactly these
   * columns; JSON and NDJSON write each record as an object of just these fields.
   */
  onlyColumns?: readonly string[];
  /** Open file handles at most (default 32). */
  maxOpenFiles?: number;
  signal?: AbortSignal;
  /** fsync files before renaming them (default true). */
  fsync?: boolean;
}

/** Longest split folder name, in UTF-8 bytes. */
export const SPLIT_FOLDER_MAX_BYTES = 64;

/** File extension per format. */
export function formatExtension(format: ExportFormat): string {
  return format;
}

/** File name of a table in a format: ("ratings-continuous", "csv") → "ratings_continuous.csv". */
export function tableFileName(type: TableId, format: ExportFormat): string {
  return `${tableFileBase(type)}.${formatExtension(format)}`;
}

/**
 * A folder namer for one split kind of one export: ids become safe, case-insensitively unique folder
 * names, seeded in sorted order (pass every group id you know) so names do not depend on record
 * order, with the split's "no group" bucket name reserved.
 */
export function createSplitNamer(split: Pick<SplitLayout, 'noneFolder'>, seedIds: Iterable<string> = []): UniqueNamer {
  // 64 bytes: long ids get a hash suffix, keeping whole paths well under Windows' 260 characters.
  return createUniqueNamer(seedIds, { reserved: [split.noneFolder], maxBytes: SPLIT_FOLDER_MAX_BYTES });
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) {
    const e = new Error('The operation was aborted.');
    e.name = 'AbortError';
    throw signal.reason ?? e;
  }
}

/**
 * Returns a function to await in hot loops: it yields to the event loop once ~10 ms of work has
 * passed, so converting a large page (flatten + anonymize) never stalls Electron's main process.
 */
export function createEventLoopYielder(budgetMs = 10): () => Promise<void> | void {
  let last = performance.now();
  return () => {
    const now = performance.now();
    if (now - last < budgetMs) return;
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        last = performance.now();
        resolve();
      }),
    );
  };
}

/**
 * Calls `each` for every record, awaiting only the promises it returns: records in memory, and
 * those of a page, are walked without a microtask per record.
 */
export async function forEachRecord(records: RecordSource, each: (r: JsonRecord) => Promise<void> | void): Promise<void> {
  if (Symbol.asyncIterator in records) {
    for await (const item of records) {
      if (!Array.isArray(item)) {
        const p = each(item as JsonRecord);
        if (p) await p;
        continue;
      }
      for (const r of item as readonly JsonRecord[]) {
        const p = each(r);
        if (p) await p;
      }
    }
    return;
  }
  for (const r of records) {
    const p = each(r);
    if (p) await p;
  }
}

interface Group extends FormulaTally {
  file: PooledFile;
  records: number;
  relPath: string;
  key: string | null;
}

/**
 * Writes the files of one table and returns what was written, sorted by path. Without a split
 * there is always exactly one file (an empty table gives a header-only CSV, "[]" JSON or an empty
 * NDJSON file). With a split there is one file per group that has records (plus `knownGroups`),
 * and records without a group go to the split's bucket folder (HyperStudy: `_no_room/`).
 * Every file is written as `<name>.part` and renamed once complete; on error none is left behind.
 */
export async function writeTypeOutputs(opts: TypeOutputOptions): Promise<WrittenFile[]> {
  const { format, split, type } = opts;
  const transform = opts.transform ?? ((r: JsonRecord) => r);
  const fileName = tableFileName(type, format);

  const breathe = createEventLoopYielder();
  const flattenOpts = opts.flatten ?? {};
  let columns: string[] = [];
  if (format === 'csv' && !opts.onlyColumns?.length) {
    const set = createColumnSet(type, { omit: opts.omitColumns, ...(opts.knownColumns ? { known: opts.knownColumns } : {}) });
    await forEachRecord(opts.records(), (raw) => {
      throwIfAborted(opts.signal);
      const r = transform(raw);
      if (r) flattenedNames(r, flattenOpts, set.addName);
      return breathe();
    });
    columns = set.columns();
  }
  // Columns anonymization empties are left out here too.
  const only = opts.onlyColumns?.length ? opts.onlyColumns.filter((c) => !opts.omitColumns?.has(c)) : null;
  if (only && format === 'csv') columns = only;
  const shape = only && format !== 'csv' ? (r: JsonRecord): JsonRecord => {
    const flat = flattenRecord(r, opts.flatten);
    return Object.fromEntries(only.map((c) => [c, flat[c] ?? null]));
  } : (r: JsonRecord) => r;

  const pool = createTextFilePool({ maxOpen: opts.maxOpenFiles, fsync: opts.fsync });
  const groups = new Map<string | null, Group>();
  const namer = split === 'none' ? null : (opts.namer ?? createSplitNamer(split));
  // Every file of the table starts with the same header, so its formula-looking cells count once per file.
  const headerTally: FormulaTally = { formulaCells: 0 };
  const header = format === 'csv' ? csvHeader(columns, { bom: opts.bom, formulaProtection: opts.formulaProtection }, headerTally) : format === 'json' ? JSON_ARRAY_OPEN : '';

  const newGroup = async (key: string | null): Promise<Group> => {
    let relPath = fileName;
    if (split !== 'none') {
      const folder = key === null ? split.noneFolder : namer!.name(key);
      relPath = `${split.folder}/${folder}/${fileName}`;
    }
    const g: Group = { file: pool.file(path.join(opts.outDir, ...relPath.split('/'))), records: 0, relPath, key, formulaCells: headerTally.formulaCells };
    groups.set(key, g);
    await pool.append(g.file, header);
    return g;
  };
  const groupFor = (key: string | null): Group | Promise<Group> => groups.get(key) ?? newGroup(key);

  const writeRecord = (r: JsonRecord, g: Group): Promise<void> | void => {
    let text: string;
    if (format === 'csv') text = csvRow(flattenRecord(r, opts.flatten), columns, opts.formulaProtection, g);
    else if (format === 'json') text = jsonArrayItem(shape(r), g.records);
    else text = ndjsonLine(shape(r));
    g.records++;
    return pool.append(g.file, text);
  };

  try {
    if (split === 'none') await groupFor(null);
    else for (const k of opts.knownGroups ?? []) await groupFor(k);

    await forEachRecord(opts.records(), (raw) => {
      throwIfAborted(opts.signal);
      const r = transform(raw);
      if (!r) return breathe();
      const key = split === 'none' ? null : split.groupOf(raw, r);
      const g = groupFor(key);
      // Awaited only when something is: a new file's header, a buffer's write, a yield.
      if (g instanceof Promise) return g.then((g2) => writeRecord(r, g2)).then(breathe);
      const written = writeRecord(r, g);
      return written ? written.then(breathe) : breathe();
    });
    if (format === 'json') for (const g of groups.values()) await pool.append(g.file, jsonArrayClose(g.records));
    throwIfAborted(opts.signal);
    const results = await pool.finish();

    const written: WrittenFile[] = [];
    for (const g of groups.values()) {
      const res = results.get(g.file.path)!;
      const w: WrittenFile = { relPath: g.relPath, records: g.records, bytes: res.bytes, sha256: res.sha256, type, ...(format === 'csv' ? { formulaCells: g.formulaCells, columns } : {}) };
      if (g.key !== null && split !== 'none') w.group = { field: split.field, id: g.key };
      written.push(w);
    }
    return written.sort((a, b) => compareCodePoints(a.relPath, b.relPath));
  } catch (e) {
    await pool.abort();
    throw e;
  }
}
