// The writing phase: from the pages and listings in the workspace to the export tree in `out/`.
// It is a pure function of what is on disk (records in chain order, a fresh anonymizer made the
// same way every attempt), so a resumed job writes the same bytes. Text files from an earlier,
// interrupted attempt are removed first; downloaded recordings are kept.
// It can start while pages are still being fetched: data types are written one after the other
// in the request's fixed order (the anonymizer hands out codes in first-seen order, so the order
// must never depend on which fetch finishes first), each once `whenTypeFetched` says its pages
// are all on disk; recordings_metadata, the code map and the manifest wait for `whenRestDone`.
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { DataTypeId, ExportRequest, ManifestSummary, Plan, PlannedStream } from '../../../../src-shared/model';
import { createAggregator } from '../anonymize/aggregate';
import type { Anonymizer } from '../anonymize/anonymizer';
import { writeAggregateOutputs } from '../anonymize/outputs';
import { createSplitNamer, writeTypeOutputs, type JsonRecord, type WrittenFile } from '../format/type-writer';
import type { MediaJob, MediaOutcome } from '../media/download-all';
import { dataTypeDescriptor } from '../../sources/hyperstudy/descriptors';
import { participantRooms, roomOfRecord } from '../../sources/hyperstudy/record-room';
import { withoutSignedLinks } from '../../sources/hyperstudy/recording-links';
import { descriptorIdField } from './id-fields';
import type { Listings } from './listings';
import { RECORDINGS_FOLDER } from './media-phase';
import { writeManifestAndReadme, type MediaFileEntry } from './manifest-step';
import { readStreamRecords, writeFileAtomic, type PageStore } from './page-store';
import { viewRecords } from './table-view';

export interface WriteTreeOptions {
  request: ExportRequest;
  plan: Plan;
  streamKeys: string[];
  store: PageStore;
  listings: Listings;
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
}

/** What the files after the data types need, known only once fetching and downloading have ended. */
export interface RestOfTree {
  mediaOutcomes: MediaOutcome[];
  requestsUsed: number;
  warnings: string[];
}

export const EXPERIMENT_FILE_NAME = 'experiment.json';

/** "continuous ratings" for ratings-continuous: step texts name data in plain words. */
const typeLabel = (type: DataTypeId): string => dataTypeDescriptor(type).label.toLowerCase();

export interface WrittenTree {
  files: WrittenFile[];
  manifest: ManifestSummary;
}

/** Empties `out/` except the recordings folder (the media checkpoints). */
async function clearTextOutputs(outDir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(outDir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  for (const n of names) if (n !== RECORDINGS_FOLDER) await rm(path.join(outDir, n), { recursive: true, force: true });
}

export async function writeExportTree(opts: WriteTreeOptions): Promise<WrittenTree> {
  const { request, anonymizer, outDir, signal } = opts;
  await clearTextOutputs(outDir);
  const transform = anonymizer.mode === 'keep' ? undefined : (r: JsonRecord) => anonymizer.transform(r);
  const omitColumns = anonymizer.mode === 'keep' ? undefined : anonymizer.removedColumns;
  const common = { outDir, bom: request.bom, formulaProtection: request.formulaProtection, transform, omitColumns, signal };
  const files: WrittenFile[] = [];

  const aggregate = anonymizer.mode === 'aggregate';
  const extraFiles: Array<{ relPath: string; abs: string }> = [];

  // Listings (not in aggregate mode: that writes summaries only; not for one table's view: that
  // is the table alone): experiment.json, rooms.csv, participants.csv.
  if (!aggregate && !request.view) {
    opts.onStep?.('Writing the experiment, rooms and participants');
    const experimentJson = path.join(outDir, EXPERIMENT_FILE_NAME);
    const experiment = transform ? transform(opts.listings.experiment) : opts.listings.experiment;
    await mkdir(outDir, { recursive: true });
    await writeFileAtomic(experimentJson, JSON.stringify(experiment, null, 2) + '\n');
    extraFiles.push({ relPath: EXPERIMENT_FILE_NAME, abs: experimentJson });
    files.push(...(await writeTypeOutputs({ ...common, type: 'rooms', format: 'csv', split: 'none', records: () => opts.listings.rooms as unknown as JsonRecord[] })));
    files.push(...(await writeTypeOutputs({ ...common, type: 'participants', format: 'csv', split: 'none', records: () => opts.listings.participants as unknown as JsonRecord[] })));
  }

  // Data types, in the order the user listed them.
  const streamsByType = new Map<DataTypeId, Array<{ stream: PlannedStream; key: string }>>();
  opts.plan.streams.forEach((stream, i) => {
    const list = streamsByType.get(stream.type) ?? [];
    list.push({ stream, key: opts.streamKeys[i] });
    streamsByType.set(stream.type, list);
  });
  const seeds = request.split === 'room' ? opts.listings.rooms.map((r) => r.id) : opts.listings.participants.map((p) => anonymizer.participant(p.id));
  const namer = request.split === 'none' ? undefined : createSplitNamer(request.split, seeds);
  // A record's room, as the HyperStudy source decides it (roomId, sessionId, or its participant's room).
  const rooms = participantRooms(opts.listings.participants);
  const roomOf = (r: JsonRecord) => roomOfRecord(r, rooms);
  // Records of a type kept only per room (variables) do not name their room; add it so they can
  // be told apart (and split by room) once several rooms share one file. Signed links are
  // temporary credentials: they stay out of the files.
  const streamRecords = (type: DataTypeId) =>
    async function* (): AsyncGenerator<JsonRecord> {
      const roomOnly = !dataTypeDescriptor(type).scopes.includes('experiment');
      for (const { stream, key } of streamsByType.get(type) ?? []) {
        const addRoom = roomOnly && stream.scope === 'room';
        for await (const raw of readStreamRecords(opts.store.stream(key), descriptorIdField(type))) {
          const r = type === 'recordings' ? withoutSignedLinks(raw) : raw;
          yield addRoom && roomOfRecord(r) === null ? { roomId: stream.scopeId, ...r } : r;
        }
      }
    };
  // What a table showed: its filters, search and sort decide which records go out, and in which order.
  const typeRecords = (type: DataTypeId) => (request.view ? viewRecords(type, request.view, streamRecords(type)) : streamRecords(type));

  const aggregator = aggregate ? createAggregator() : null;
  for (const type of request.types) {
    signal?.throwIfAborted();
    if (!streamsByType.has(type)) continue;
    await opts.whenTypeFetched?.(type);
    signal?.throwIfAborted();
    if (aggregator) {
      opts.onStep?.(`Summarizing ${typeLabel(type)}`);
      let n = 0;
      for await (const r of typeRecords(type)()) {
        aggregator.add(type, anonymizer.transform(r));
        n++;
      }
      opts.onWritten?.(n);
      continue;
    }
    opts.onStep?.(`Writing ${typeLabel(type)} (${request.format.toUpperCase()})`);
    const written = await writeTypeOutputs({
      ...common, type, format: request.format, split: request.split, namer, roomOf, records: typeRecords(type),
      ...(request.view?.columns ? { onlyColumns: request.view.columns } : {}),
    });
    files.push(...written);
    opts.onWritten?.(written.reduce((n, f) => n + f.records, 0));
  }

  const rest = await opts.whenRestDone();
  signal?.throwIfAborted();
  if (aggregator) files.push(...(await writeAggregateOutputs(aggregator, { outDir, format: request.format, bom: request.bom, formulaProtection: request.formulaProtection })));

  // recordings_metadata.csv: every selected recording with where it went and how it went.
  const media: MediaFileEntry[] = [];
  if (request.includeRecordings && !aggregate) {
    const byPath = new Map(rest.mediaOutcomes.map((o) => [o.relativePath, o]));
    const rows = opts.mediaJobs.map((job) => {
      const o = byPath.get(job.relativePath);
      const status = o?.status ?? 'failed';
      return { ...withoutSignedLinks(job.recording), local_path: status === 'failed' ? '' : job.relativePath, download_status: status === 'skipped' ? 'downloaded' : status };
    });
    files.push(...(await writeTypeOutputs({ ...common, type: 'recordings_metadata', format: 'csv', split: 'none', records: () => rows })));
    for (const job of opts.mediaJobs) {
      const o = byPath.get(job.relativePath);
      if (!o || o.status === 'failed') continue;
      const abs = path.join(outDir, ...job.relativePath.split('/'));
      media.push({ relPath: job.relativePath, abs, bytes: (await stat(abs)).size });
    }
  }

  // The code map re-identifies participants: it never goes into an export. It stays in the app's
  // data folder (see code-book); the user saves a copy apart from the data when they need it.
  const codeMapWritten = false;

  opts.onStep?.('Writing metadata.json and README.txt');
  const experimentName = typeof opts.listings.experiment.name === 'string' ? opts.listings.experiment.name : undefined;
  const manifest = await writeManifestAndReadme({
    request,
    plan: opts.plan,
    outDir,
    appVersion: opts.appVersion,
    sourceUrl: opts.sourceUrl,
    experiment: { id: request.target.experimentId, ...(experimentName !== undefined ? { name: experimentName } : {}) },
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
  });
  return { files, manifest };
}
