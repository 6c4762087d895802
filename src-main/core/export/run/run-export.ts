// The export runner: plan → listings → fetch every stream to disk, download the recordings and
// write each type's files as soon as its pages are in (all three side by side) → ZIP or rename
// into place. Every step checkpoints in the job's workspace, so calling
// runExport again on the same workDir (after a pause, a crash, a kill -9 or a failure) continues
// where the last attempt stopped and produces the same bytes (only the manifest's times and
// request counts differ).
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { StudyError } from '../../../../src-shared/errors';
import type { DataTypeId, ExportRequest, LevelId, ManifestSummary, SourceDescriptor, Target } from '../../../../src-shared/model';
import { pathIdAt, targetItemId } from '../../../../src-shared/target';
import { silentLogger, systemClock, type Clock, type Logger } from '../../ports';
import type { ExportListings, RecordContext, RequestOptions, Source } from '../../sources/source';
import { createPlan, streamKey, type InternalPlan } from '../../plan/planner';
import { createAnonymizer, type Anonymizer } from '../anonymize/anonymizer';
import { openStudyCodeBook, type CodeBook } from '../anonymize/code-book';
import { downloadAllRecordings, type MediaOutcome } from '../media/download-all';
import type { MediaGet } from '../media/media-http';
import { exportName } from '../naming';
import { writeZipFromDir } from '../zip/zip-writer';
import { withDiskErrors } from './disk-errors';
import { fetchAllStreams } from './fetch-streams';
import { freeOutputName, publishFolder } from './finalize';
import { loadOrFetchListings, rootNameOf } from './listings';
import { mediaFailureWarning, mediaJobsFor, selectRecordings } from './media-phase';
import { createPageStore } from './page-store';
import { noProgress, type ProgressSink } from './progress';
import { readJson, removeWorkspace, workspaceAt, writeJson, type FinalizingRecord, type RunRecord } from './workspace';
import { writeExportTree } from './write-outputs';
import { isUnfinishedFile, removeUnfinishedFiles } from './unfinished-files';

export interface RunExportOptions {
  /** The open source the export reads (through its limiter). */
  source: Source;
  /** The API base URL for the manifest (never the key). */
  sourceUrl: string;
  request: ExportRequest;
  /** The job's staging dir; must be on the same volume as `destination`. */
  workDir: string;
  destination: string;
  appVersion: string;
  /** Page requests in flight (settings.concurrency, ~4). */
  concurrency: number;
  /** Media downloads in flight (settings.mediaConcurrency, ~3). */
  mediaConcurrency: number;
  clock?: Clock;
  logger?: Logger;
  /** GET for signed media URLs (default node:http; never sends the API key). */
  mediaGet?: MediaGet;
  signal?: AbortSignal;
  progress?: ProgressSink;
  /** Once the listings are in: the root item's name (HyperStudy: the experiment's) and the output folder's name. */
  onInfo?: (info: { rootName?: string; folderName: string }) => void;
  /** A plan already made for this request (e.g. the one shown to the user); saves its first pages. */
  plan?: InternalPlan;
  /** Media retry backoff base (tests shorten it). */
  mediaBackoffMs?: number;
  /** Requests this job has made over all its attempts (the manifest's count); default: the source's own count. */
  requestsUsed?: () => number;
  /**
   * Where the studies' participant code maps live (the app's data folder; one map per source and
   * root item). Pseudonymized exports take their codes from there, so a participant has the same
   * code in every export of the study. Without it, codes hold for this export only.
   */
  codeMaps?: { dir: string };
}

export interface ExportResult {
  /** Absolute path of the ZIP or folder. */
  outputPath: string;
  /** Its file name ("Emotion-Study_exp_1_2026-11-22.zip"). */
  outputName: string;
  manifest: ManifestSummary;
}

export function runExport(opts: RunExportOptions): Promise<ExportResult> {
  return withDiskErrors(() => runExportInner(opts), opts.signal, opts.destination);
}

/** Removes everything a (cancelled or abandoned) export left: its workspace and any ZIP `.part`. */
export async function discardExport(workDir: string): Promise<void> {
  await removeWorkspace(workDir);
}

async function runExportInner(opts: RunExportOptions): Promise<ExportResult> {
  const { request, signal } = opts;
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? silentLogger;
  const progress = opts.progress ?? noProgress;
  const ws = workspaceAt(opts.workDir);
  const reqOpts: RequestOptions = { signal, onWait: (w) => progress.wait(w) };
  // What the plan and the listings both read (HyperStudy: the rooms) is read once.
  const source = opts.source.forExport();

  // A crash during the final rename: the output may already be in place.
  const fin = await readJson<FinalizingRecord>(ws.finalizingFile);
  if (fin && (await pathExists(fin.outputPath)) && !(await pathExists(ws.outDir))) {
    await rm(ws.root, { recursive: true, force: true });
    return { outputPath: fin.outputPath, outputName: fin.outputName, manifest: fin.manifest };
  }

  await makeWorkspaceDir(opts.destination, ws.root);

  // 1. Plan (once; its first pages are the first pages of the streams).
  let run = await readJson<RunRecord>(ws.runFile);
  const store = createPageStore(ws.pagesDir);
  if (!run) {
    progress.phase('planning', 'Planning the export');
    const internal =
      opts.plan ??
      (await createPlan(
        source,
        { target: request.target, types: request.types, since: request.since, until: request.until, includeRecordings: request.includeRecordings, recordingIds: request.recordingIds, ...(request.mediaOnly ? { mediaOnly: true } : {}) },
        { ...reqOpts, concurrency: opts.concurrency },
      ));
    const streamKeys = internal.plan.streams.map((s) => streamKey(s));
    for (const s of internal.plan.streams) {
      const key = streamKey(s);
      const first = internal.firstPages.get(key);
      if (first) await store.stream(key).write({ ...first, offset: 0 });
      for (const page of internal.extraPages?.get(key) ?? []) await store.stream(key).write(page);
    }
    // The pages now live on disk. A plan is used once, and whoever passed it (and this frame) may
    // hold it for the whole export: let its pages go (about a page per stream, tens of MB).
    internal.firstPages.clear();
    internal.extraPages?.clear();
    run = { version: 1, plan: internal.plan, recordings: internal.recordings, startedAt: new Date(clock.now()).toISOString(), streamKeys };
    await writeJson(ws.runFile, run);
  }
  const { plan } = run;
  const keyOf = new Map(plan.streams.map((s, i) => [s, run.streamKeys[i]]));
  const media = source.media;
  const recordings = selectRecordings(run.recordings, request, media);
  const mediaBytes = recordings.reduce((n, r) => n + (media?.fileOf(r)?.size ?? 0), 0);
  progress.totals({ recordsTotal: plan.records, bytesTotal: mediaBytes, requestsPlanned: plan.requestsNeeded, filesTotal: recordings.length, fetchSeconds: plan.estimatedSeconds, zip: request.zip });

  // One recording (or a few) downloaded as themselves: no tables, no listings, no ZIP.
  if (request.mediaOnly) return finishMediaOnly({ opts, source, run, recordings, progress, ws, clock });

  // 2. Listings.
  signal?.throwIfAborted();
  progress.phase('fetching', `Reading ${listingsInWords(source.descriptor)}`);
  const listings = await loadOrFetchListings(source, request.target, ws.listingsDir, reqOpts);
  const rootName = rootNameOf(listings);

  // 3. Every stream, page by page, to disk, and (at the same time: their own endpoint, their own
  //    concurrency) the recordings, and (4.) the files. Media names depend on the anonymizer,
  //    made the same way on every attempt so a resumed job finds its own .part files.
  //    Pseudonyms come from the study's code map (per source and root item): the listed people
  //    (and those the media records name) get their codes first, in one locked update.
  const contextOf = source.recordContext(listings);
  let codes: CodeBook | undefined;
  if (request.anonymize !== 'keep' && opts.codeMaps) {
    codes = await openStudyCodeBook({ dir: opts.codeMaps.dir, source: source.id, studyId: listings.root.id });
    const named = media ? recordings.map((r) => contextOf(media.type, r).person).filter((p): p is string => typeof p === 'string' && p !== '') : [];
    await codes.ensure([...listings.people.map((p) => p.id), ...named]);
  }
  const anonymizer = createAnonymizer({ mode: request.anonymize, participants: listings.people, ...(codes ? { codes } : {}) });
  const folderName = exportName({
    study: { ...(rootName !== undefined ? { name: rootName } : {}), id: listings.root.id },
    level: levelWord(source.descriptor, request.target.level),
    item: exportItem(source.descriptor, request, listings, anonymizer),
    ...(request.view ? { detail: viewDetail(source.descriptor, request) } : {}),
    date: new Date(run.startedAt),
  });
  opts.onInfo?.({ ...(rootName !== undefined ? { rootName } : {}), folderName });
  const mediaJobs = media ? mediaJobsFor(recordings, anonymizer, media, (r) => contextOf(media.type, r)) : [];
  progress.phase('fetching', mediaJobs.length ? 'Fetching data and recordings' : 'Fetching data');
  const warnings = new Set<string>(listings.warnings);
  const typeTotals = new Map<string, number>();
  for (const s of plan.streams) typeTotals.set(s.type, (typeTotals.get(s.type) ?? 0) + s.total);
  // Fail fast: when one side fails, the others stop too (their progress stays on disk).
  const all = new AbortController();
  const inner = signal ? AbortSignal.any([signal, all.signal]) : all.signal;
  const stopOthers = (e: unknown) => {
    all.abort(e);
    throw e;
  };
  // Each data type's files are written as soon as its streams are on disk (see write-outputs).
  const typeFetched = perTypeCompletion(plan.streams.map((s) => s.type));
  const fetching = fetchAllStreams({
    source,
    plan,
    store,
    keyOf: (s) => keyOf.get(s) ?? streamKey(s),
    since: request.since,
    until: request.until,
    concurrency: opts.concurrency,
    signal: inner,
    onWait: (w) => progress.wait(w),
    onPage: (s, page) => {
      for (const w of page.warnings ?? []) warnings.add(w);
      progress.records(s.type, page.records.length, typeTotals.get(s.type) ?? 0);
    },
    typeOrder: request.types,
    onStreamDone: (s) => typeFetched.streamDone(s.type),
  }).catch((e: unknown) => {
    typeFetched.fail(e);
    return stopOthers(e);
  });
  const downloading = media && mediaJobs.length
    ? downloadAllRecordings({
        links: media,
        jobs: mediaJobs,
        root: ws.outDir,
        concurrency: opts.mediaConcurrency,
        mediaGet: opts.mediaGet,
        clock,
        signal: inner,
        onWait: (w) => progress.wait(w),
        onBytes: (n) => progress.bytes(n),
        onFileDone: () => progress.fileDone(),
        backoffMs: opts.mediaBackoffMs,
      }).catch(stopOthers)
    : Promise.resolve([] as MediaOutcome[]);
  const network = Promise.allSettled([fetching, downloading]);

  // 4. The files, alongside: while pages or recordings are still coming, the writer's steps show
  //    next to the fetching step; once the network part has ended, the phase is "writing".
  let networkDone = false;
  let writerStep = 'Writing files';
  const onStep = (t: string) => {
    writerStep = t;
    if (networkDone) progress.step(t);
    else progress.background?.(t.charAt(0).toLowerCase() + t.slice(1));
  };
  const finishedAt = () => new Date(clock.now()).toISOString();
  const writing = writeExportTree({
    source,
    request,
    plan,
    streamKeys: run.streamKeys,
    store,
    listings,
    anonymizer,
    recordings,
    mediaJobs,
    outDir: ws.outDir,
    appVersion: opts.appVersion,
    sourceUrl: opts.sourceUrl,
    startedAt: run.startedAt,
    finishedAt,
    whenTypeFetched: (type) => typeFetched.whenDone(type),
    whenRestDone: async () => {
      // Every type is written; what is left waits for the last pages and recordings.
      writerStep = media ? `Writing ${media.table.replace(/_/g, ' ')}, metadata.json and README.txt` : 'Writing metadata.json and README.txt';
      progress.background?.(undefined);
      const settled = await network;
      for (const r of settled) if (r.status === 'rejected') throw signal?.aborted ? (signal.reason ?? r.reason) : firstCause(settled);
      const mediaOutcomes = (settled[1] as PromiseFulfilledResult<MediaOutcome[]>).value;
      const mediaWarnings: string[] = [];
      const failedWarning = mediaFailureWarning(mediaOutcomes, media, `see ${media?.table ?? 'the media table'}.csv`);
      if (failedWarning) {
        logger.warn('some media files could not be downloaded', { failed: mediaOutcomes.filter((o) => o.status === 'failed').length });
        mediaWarnings.push(failedWarning);
      }
      return {
        mediaOutcomes,
        requestsUsed: opts.requestsUsed?.() ?? source.requestsMade(),
        warnings: [...plan.warnings, ...warnings, ...mediaWarnings].filter((w, i, all) => all.indexOf(w) === i),
      };
    },
    signal: inner,
    onStep,
    onWritten: (n) => progress.written?.(n),
  }).catch(stopOthers);
  void network.then(() => {
    networkDone = true;
    if (!inner.aborted) progress.phase('writing', writerStep);
  });
  const outcome = await Promise.allSettled([writing, network]);
  const netSettled = outcome[1].status === 'fulfilled' ? outcome[1].value : [];
  const everything = [outcome[0], ...netSettled];
  if (everything.some((r) => r.status === 'rejected')) throw signal?.aborted ? (signal.reason ?? firstCause(everything)) : firstCause(everything);
  const tree = (outcome[0] as PromiseFulfilledResult<Awaited<typeof writing>>).value;

  // 6. Into place.
  signal?.throwIfAborted();
  let outputPath: string;
  if (request.zip) {
    progress.phase('zipping', 'Packing the ZIP file');
    const name = await freeOutputName(opts.destination, folderName, '.zip');
    outputPath = path.join(opts.destination, name);
    await writeJson(ws.finalizingFile, { outputPath, outputName: name, zip: true, manifest: tree.manifest } satisfies FinalizingRecord);
    await writeZipFromDir({
      sourceDir: ws.outDir,
      outPath: outputPath,
      // One top folder named like the ZIP itself ("… (2).zip" unpacks into "… (2)/"), so
      // unpacking two exports side by side never mixes their files.
      rootName: name.slice(0, -'.zip'.length),
      signal,
      exclude: isUnfinishedFile,
      onProgress: (_bytes, done, total) => (progress.zipped ? progress.zipped(done, total) : progress.step(`Packing the ZIP file: ${done} of ${total} files`)),
    });
  } else {
    progress.phase('finalizing', 'Moving the folder into place');
    await removeUnfinishedFiles(ws.outDir);
    const name = await freeOutputName(opts.destination, folderName, '');
    outputPath = path.join(opts.destination, name);
    await writeJson(ws.finalizingFile, { outputPath, outputName: name, zip: false, manifest: tree.manifest } satisfies FinalizingRecord);
    outputPath = await publishFolder(ws.outDir, opts.destination, name);
  }
  progress.phase('finalizing', 'Finishing');
  await rm(ws.root, { recursive: true, force: true });
  return { outputPath, outputName: path.basename(outputPath), manifest: tree.manifest };
}

/** The level's own word ("room"), from the source's descriptor. */
function levelWord(descriptor: SourceDescriptor, level: LevelId): string {
  return descriptor.levels.find((l) => l.id === level)?.singular ?? level;
}

/** "the experiment and its rooms and participants": what the listings step reads, in the source's words. */
function listingsInWords(descriptor: SourceDescriptor): string {
  const root = descriptor.levels.find((l) => l.parent === null);
  const below = descriptor.levels.filter((l) => l.parent !== null).map((l) => l.label.toLowerCase());
  return `the ${root?.singular ?? 'study'}${below.length ? ` and its ${below.join(' and ')}` : ''}`;
}

/** "events-filtered" / "text-chat-table": what a table-view export holds. */
function viewDetail(descriptor: SourceDescriptor, request: ExportRequest): string {
  const v = request.view!;
  const narrowed = !!v.search?.trim() || Object.values(v.filters ?? {}).some((f) => f.trim() !== '');
  const label = descriptor.dataTypes.find((d) => d.id === request.types[0])?.label ?? request.types[0];
  return `${label.toLowerCase()}-${narrowed ? 'filtered' : 'table'}`;
}

/**
 * The media-only export: the chosen files are downloaded (with the same checkpoints as any
 * export) and put in place as themselves: one file under its own name, several in a folder.
 */
async function finishMediaOnly(a: {
  opts: RunExportOptions;
  source: Source;
  run: RunRecord;
  recordings: Array<Record<string, unknown>>;
  progress: ProgressSink;
  ws: ReturnType<typeof workspaceAt>;
  clock: Clock;
}): Promise<ExportResult> {
  const { opts, source, recordings, progress, ws } = a;
  const { request, signal } = opts;
  const media = source.media;
  if (!media || recordings.length === 0) {
    const noun = media?.noun.one ?? 'file';
    throw new StudyError({ code: 'NOT_FOUND', message: `That ${noun} is not in ${source.descriptor.label}’s list any more.`, fix: `Refresh the ${media?.noun.many ?? 'files'} and try again.` });
  }
  const anonymizer = createAnonymizer({ mode: request.anonymize === 'aggregate' ? 'keep' : request.anonymize, participants: [] });
  // No listings here: a record that names no group of its own belongs to the target's item at
  // that level (HyperStudy: a participant's recording without a roomId is in the participant's room).
  const context = source.recordContext();
  const contextOf = (r: Record<string, unknown>) => withTargetGroups(source.descriptor, request.target, context(media.type, r));
  const jobs = mediaJobsFor(recordings, anonymizer, media, contextOf);
  progress.phase('media', jobs.length === 1 ? `Downloading the ${media.noun.one}` : `Downloading ${jobs.length} ${media.noun.many}`);
  const outcomes = await downloadAllRecordings({
    links: media, jobs, root: ws.outDir, concurrency: opts.mediaConcurrency, mediaGet: opts.mediaGet, clock: a.clock, signal,
    onWait: (w) => progress.wait(w), onBytes: (n) => progress.bytes(n), onFileDone: () => progress.fileDone(), backoffMs: opts.mediaBackoffMs,
  });
  const done = outcomes.filter((o) => o.status !== 'failed');
  if (done.length === 0) {
    const why = outcomes.find((o) => o.error)?.error?.message;
    // The download's own error usually says it already ("The recording … could not be downloaded (…)").
    const message = why && /could not be downloaded/.test(why) ? why : `The ${media.noun.one} could not be downloaded${why ? `: ${why}` : '.'}`;
    throw new StudyError({ code: 'BAD_RESPONSE', message, fix: 'Try again in a moment; if it keeps failing, the file may still be processing on the server.' });
  }
  signal?.throwIfAborted();
  progress.phase('finalizing', 'Saving the file');
  await mkdir(opts.destination, { recursive: true });
  let outputPath: string;
  if (done.length === 1) {
    const rel = done[0].relativePath;
    const file = path.basename(rel);
    const dot = file.lastIndexOf('.');
    const name = await freeOutputName(opts.destination, dot > 0 ? file.slice(0, dot) : file, dot > 0 ? file.slice(dot) : '');
    outputPath = path.join(opts.destination, name);
    await rename(path.join(ws.outDir, ...rel.split('/')), outputPath);
  } else {
    await removeUnfinishedFiles(ws.outDir);
    outputPath = await publishFolder(path.join(ws.outDir, media.folder), opts.destination, `${media.folder}_${new Date(a.run.startedAt).toISOString().slice(0, 10)}`);
  }
  await rm(ws.root, { recursive: true, force: true });
  const bytes = done.reduce((n, o) => n + (o.bytes ?? 0), 0);
  const failed = outcomes.length - done.length;
  return {
    outputPath,
    outputName: path.basename(outputPath),
    manifest: {
      files: done.length,
      records: 0,
      bytes,
      requestsUsed: opts.requestsUsed?.() ?? source.requestsMade(),
      anonymization: anonymizer.mode,
      warnings: failed ? [`${failed} of ${outcomes.length} ${media.noun.many} could not be downloaded.`] : [],
    },
  };
}

/** A record's context with each split group it names none of taken from the target's path. */
function withTargetGroups(descriptor: SourceDescriptor, target: Target, c: RecordContext): RecordContext {
  const groups = { ...c.groups };
  for (const split of descriptor.splits) {
    if (groups[split.id] != null) continue;
    const id = pathIdAt(target.path, split.level);
    if (id !== undefined) groups[split.id] = id;
  }
  return { ...c, groups };
}

/**
 * The item below the root an export is named after (HyperStudy: its room or participant), by its
 * name, or by its code when it is a person and the export is pseudonymized.
 */
function exportItem(descriptor: SourceDescriptor, request: ExportRequest, listings: ExportListings, anonymizer: Anonymizer): { label?: string; id: string } | undefined {
  const t = request.target;
  if (t.path.length <= 1) return undefined;
  const id = listings.item?.id ?? targetItemId(t);
  const person = descriptor.splits.some((s) => s.level === t.level && s.person);
  if (person && anonymizer.mode !== 'keep') {
    const code = anonymizer.participant(id);
    return { label: code, id: code };
  }
  const name = listings.item?.name;
  return { ...(name ? { label: name } : {}), id };
}

/**
 * Creates the destination (recursively) and the workspace in it (not recursively: a recursive
 * mkdir on a read-only disk reports ENOENT, hiding the EROFS/EACCES the user needs to hear).
 */
async function makeWorkspaceDir(destination: string, root: string): Promise<void> {
  await mkdir(destination, { recursive: true });
  try {
    await mkdir(root);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
}

/**
 * Per data type: resolves once every stream of that type is on disk; rejects them all (handled,
 * so no unhandled rejection) when fetching fails. Types without streams resolve at once.
 */
function perTypeCompletion(streamTypes: DataTypeId[]) {
  const left = new Map<DataTypeId, number>();
  for (const t of streamTypes) left.set(t, (left.get(t) ?? 0) + 1);
  const waits = new Map<DataTypeId, { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void }>();
  const entry = (t: DataTypeId) => {
    let w = waits.get(t);
    if (!w) {
      let resolve!: () => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
      promise.catch(() => {});
      w = { promise, resolve, reject };
      waits.set(t, w);
      if (!left.get(t)) resolve();
    }
    return w;
  };
  return {
    whenDone: (t: DataTypeId) => entry(t).promise,
    streamDone(t: DataTypeId) {
      const n = (left.get(t) ?? 1) - 1;
      left.set(t, n);
      if (n <= 0) entry(t).resolve();
    },
    fail(e: unknown) {
      for (const t of left.keys()) entry(t).reject(e);
    },
  };
}

/** The error that started a failure (not the abort it caused on the other side). */
function firstCause(results: PromiseSettledResult<unknown>[]): unknown {
  const reasons = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason);
  return reasons.find((e) => !(e instanceof Error && e.name === 'AbortError')) ?? reasons[0];
}

async function pathExists(p: string): Promise<boolean> {
  try {
    await import('node:fs/promises').then((fs) => fs.access(p));
    return true;
  } catch {
    return false;
  }
}
