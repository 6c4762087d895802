// The writing phase: from the pages and listings in the workspace to the export tree in `out/`,
// with the source's rules for what a record looks like in a file and which group it belongs to.
// It is a pure function of what is on disk (records in chain order, a fresh anonymizer made the
// same way every attempt), so a resumed job writes the same bytes. Text files from an earlier,
// interrupted attempt are removed first; downloaded recordings are kept.
// It can start while pages are still being fetched: data types are written one after the other
// in the request's fixed order (the anonymizer hands out codes in first-seen order, so the order
// must never depend on which fetch finishes first), each once `whenTypeFetched` says its pages
// are all on disk; the media table, the code map and the manifest wait for `whenRestDone`.
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { DataTypeId, ExportRequest, ManifestSummary, Plan, PlannedStream } from '../../../../src-shared/model';
import { createAggregator } from '../anonymize/aggregate';
import type { Anonymizer } from '../anonymize/anonymizer';
import { writeAggregateOutputs } from '../anonymize/outputs';
import { createSplitNamer, forEachRecord, writeTypeOutputs, type JsonRecord, type WrittenFile } from '../format/type-writer';
import type { MediaJob, MediaOutcome } from '../media/download-all';
import { streamRefOf } from '../../plan/planner';
import type { ExportListings, SourceLinks, SourceMedia, SourceRules } from '../../sources/source';
import { descriptorIdField } from './id-fields';
import { writeManifestAndReadme, type MediaFileEntry } from './manifest-step';
import { readStreamPages, writeFileAtomic, type PageStore } from './page-store';
import { splitDescriptor, splitLayout } from './split-layout';
import { viewRecords } from './table-view';

export interface WriteTreeOptions {
  /** The source's rules, and its media and links when it has them. */
  source: SourceRules & { media?: SourceMedia; links?: SourceLinks };
  request: ExportRequest;
  plan: Plan;
  streamKeys: string[];
  store: PageStore;
  listings: ExportListings;
  anonymizer: Anonymizer;
  recordings: Array<Record<string, unknown>>;
  mediaJobs: MediaJob[];
  outDir: string;
  appVersion: string;
  sourceUrl: string;
  startedAt: string;
  finishedAt: () => string;
  /** Resolves once every stream of `type` is on disk (default: at once, everything is). */
  whenTypeFetched?: (type: DataTypeId) => Promise<void>;
  /** Awaited after the data types are written: what the rest of the tree needs (media outcomes, final counts). */
  whenRestDone: () => Promise<RestOfTree>;
  signal?: AbortSignal;
  onStep?: (text: string) => void;
  /** Records of a data type written (or summarized), once that type is done. */
  onWritten?: (records: number) => void;
  /** A stream's raw records in server order from elsewhere than the page store (incremental sync's record store). */
  readStream?: (stream: PlannedStream, key: string) => AsyncIterable<Record<string, unknown>>;
  /** Where the media files are, when not in `outDir` (a sync folder keeps them in place). */
  mediaRoot?: string;
  /** The manifest's SHA-256 of a media file (a sync reuses the ones of files it did not touch). */
  hashMedia?: (abs: string, signal?: AbortSignal) => Promise<{ bytes: number; sha256: string }>;
  /** More members for metadata.json (a sync's history). */
  manifestExtra?: Record<string, unknown>;
  /** A paragraph added to README.txt (a sync folder's limits). */
  readmeAppendix?: string;
}

/** What the files after the data types need, known only once fetching and downloading have ended. */
export interface RestOfTree {
  mediaOutcomes: MediaOutcome[];
  requestsUsed: number;
  warnings: string[];
}

export interface WrittenTree {
  files: WrittenFile[];
  manifest: ManifestSummary;
}

/** Empties `out/` except the media folder (the media checkpoints). */
async function clearTextOutputs(outDir: string, keep: string | undefined): Promise<void> {
  let names: string[];
  try {
    names = await readdir(outDir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  for (const n of names) if (n !== keep) await rm(path.join(outDir, n), { recursive: true, force: true });
}

export async function writeExportTree(opts: WriteTreeOptions): Promise<WrittenTree> {
  const { request, anonymizer, outDir, signal, source, listings } = opts;
  const descriptor = source.descriptor;
  /** "continuous ratings" for ratings-continuous: step texts name data in plain words. */
  const typeLabel = (type: DataTypeId): string => (descriptor.dataTypes.find((d) => d.id === type)?.label ?? type).toLowerCase();
  await clearTextOutputs(outDir, source.media?.folder);
  const transform = anonymizer.mode === 'keep' ? undefined : (r: JsonRecord) => anonymizer.transform(r);
  const omitColumns = anonymizer.mode === 'keep' ? undefined : anonymizer.removedColumns;
  const common = { outDir, bom: request.bom, formulaProtection: request.formulaProtection, transform, omitColumns, signal, ...(source.flatten ? { flatten: source.flatten } : {}) };
  const files: WrittenFile[] = [];
  /** The source's documented columns of a table, when it names them. */
  const known = (table: string) => {
    const cols = source.csvColumns?.(table);
    return cols ? { knownColumns: cols } : {};
  };

  const aggregate = anonymizer.mode === 'aggregate';
  const extraFiles: Array<{ relPath: string; abs: string }> = [];

  // Listings (not in aggregate mode: that writes summaries only; not for one table's view: that
  // is the table alone), e.g. HyperStudy's experiment.json, rooms.csv, participants.csv.
  if (!aggregate && !request.view && listings.files.length) {
    opts.onStep?.(`Writing ${listings.filesLabel}`);
    await mkdir(outDir, { recursive: true });
    for (const f of listings.files) {
      if (f.kind === 'json') {
        const abs = path.join(outDir, ...f.path.split('/'));
        const value = transform ? transform(f.value) : f.value;
        await writeFileAtomic(abs, JSON.stringify(value, null, 2) + '\n');
        extraFiles.push({ relPath: f.path, abs });
      } else {
        files.push(...(await writeTypeOutputs({ ...common, type: f.table, format: 'csv', split: 'none', records: () => f.records as JsonRecord[] })));
      }
    }
  }

  // Data types, in the order the user listed them.
  const streamsByType = new Map<DataTypeId, Array<{ stream: PlannedStream; key: string }>>();
  opts.plan.streams.forEach((stream, i) => {
    const list = streamsByType.get(stream.type) ?? [];
    list.push({ stream, key: opts.streamKeys[i] });
    streamsByType.set(stream.type, list);
  });
  // Every group id the listings know gets a folder name up front (names must not depend on record order).
  const split = request.split === 'none' ? null : splitDescriptor(descriptor, request.split);
  const seeds = split ? (listings.groups[split.id] ?? []).map((id) => (split.person ? anonymizer.participant(id) : id)) : [];
  const namer = split ? createSplitNamer(split, seeds) : undefined;
  // A record's group and person, as the source decides them (HyperStudy: roomId, sessionId, or its participant's room).
  const contextOf = source.recordContext(listings);
  // A page at a time: a promise per page, not per record.
  const streamRecords = (type: DataTypeId) =>
    async function* (): AsyncGenerator<JsonRecord[]> {
      for (const { stream, key } of streamsByType.get(type) ?? []) {
        const ref = streamRefOf(stream);
        if (opts.readStream) {
          // Records from another store (incremental sync), in batches like a page.
          const batch: JsonRecord[] = [];
          for await (const raw of opts.readStream(stream, key)) {
            batch.push(source.exportRecord(type, raw, ref));
            if (batch.length >= 64) yield batch.splice(0);
          }
          if (batch.length) yield batch;
        } else for await (const page of readStreamPages(opts.store.stream(key), descriptorIdField(descriptor, type))) yield page.map((raw) => source.exportRecord(type, raw, ref));
      }
    };
  // What a table showed: its filters, search and sort decide which records go out, and in which order.
  const typeRecords = (type: DataTypeId) =>
    request.view ? viewRecords(descriptor.dataTypes.find((d) => d.id === type), request.view, streamRecords(type)) : streamRecords(type);

  const aggregator = aggregate ? createAggregator({ personOf: (type, r) => contextOf(type, r).person }) : null;
  for (const type of request.types) {
    signal?.throwIfAborted();
    if (!streamsByType.has(type)) continue;
    await opts.whenTypeFetched?.(type);
    signal?.throwIfAborted();
    if (aggregator) {
      opts.onStep?.(`Summarizing ${typeLabel(type)}`);
      let n = 0;
      await forEachRecord(typeRecords(type)(), (r) => {
        aggregator.add(type, anonymizer.transform(r));
        n++;
      });
      opts.onWritten?.(n);
      continue;
    }
    opts.onStep?.(`Writing ${typeLabel(type)} (${request.format.toUpperCase()})`);
    const written = await writeTypeOutputs({
      ...common, ...known(type), type, format: request.format, split: splitLayout(descriptor, request.split, type, contextOf), namer, records: typeRecords(type),
      ...(request.view?.columns ? { onlyColumns: request.view.columns } : {}),
    });
    files.push(...written);
    opts.onWritten?.(written.reduce((n, f) => n + f.records, 0));
    // Links the source lists but never fetches (BrainSTEM: session download links), one table.
    if (source.links?.type === type) {
      const links = source.links;
      const rows = async function* (): AsyncGenerator<JsonRecord[]> {
        const batch: JsonRecord[] = [];
        for await (const item of typeRecords(type)()) {
          for (const r of Array.isArray(item) ? item : [item]) batch.push(...links.rows(r));
          yield batch.splice(0);
        }
      };
      files.push(...(await writeTypeOutputs({ ...common, ...known(links.table), type: links.table, format: 'csv', split: 'none', records: rows })));
    }
  }

  const rest = await opts.whenRestDone();
  signal?.throwIfAborted();
  if (aggregator) files.push(...(await writeAggregateOutputs(aggregator, { outDir, format: request.format, bom: request.bom, formulaProtection: request.formulaProtection })));

  // The media table (HyperStudy: recordings_metadata.csv): every selected file with where it went and how it went.
  const media: MediaFileEntry[] = [];
  const sourceMedia = source.media;
  if (request.includeRecordings && !aggregate && sourceMedia) {
    const byPath = new Map(rest.mediaOutcomes.map((o) => [o.relativePath, o]));
    const rows = opts.mediaJobs.map((job) => {
      const o = byPath.get(job.relativePath);
      const status = o?.status ?? 'failed';
      return { ...source.exportRecord(sourceMedia.type, job.recording), local_path: status === 'failed' ? '' : job.relativePath, download_status: status === 'skipped' ? 'downloaded' : status };
    });
    files.push(...(await writeTypeOutputs({ ...common, ...known(sourceMedia.table), type: sourceMedia.table, format: 'csv', split: 'none', records: () => rows })));
    for (const job of opts.mediaJobs) {
      const o = byPath.get(job.relativePath);
      if (!o || o.status === 'failed') continue;
      const abs = path.join(opts.mediaRoot ?? outDir, ...job.relativePath.split('/'));
      media.push({ relPath: job.relativePath, abs, bytes: (await stat(abs)).size });
    }
  }

  // The code map re-identifies participants: it never goes into an export. It stays in the app's
  // data folder (see code-book); the user saves a copy apart from the data when they need it.
  const codeMapWritten = false;

  opts.onStep?.('Writing metadata.json and README.txt');
  const manifest = await writeManifestAndReadme({
    source,
    request,
    plan: opts.plan,
    outDir,
    appVersion: opts.appVersion,
    sourceUrl: opts.sourceUrl,
    root: listings.root,
    nonDataTables: [...listings.files.flatMap((f) => (f.kind === 'table' ? [f.table] : [])), ...(sourceMedia ? [sourceMedia.table] : []), ...(source.links ? [source.links.table] : [])],
    anonymizer,
    startedAt: opts.startedAt,
    finishedAt: opts.finishedAt,
    requestsUsed: rest.requestsUsed,
    warnings: rest.warnings,
    files,
    extraFiles,
    media,
    mediaOutcomes: rest.mediaOutcomes,
    codeMapWritten,
    signal,
    ...(opts.hashMedia ? { hashMedia: opts.hashMedia } : {}),
    ...(opts.manifestExtra ? { manifestExtra: opts.manifestExtra } : {}),
    ...(opts.readmeAppendix ? { readmeAppendix: opts.readmeAppendix } : {}),
  });
  return { files, manifest };
}
