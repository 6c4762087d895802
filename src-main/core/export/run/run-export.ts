// The export runner: plan → listings → fetch every stream to disk, download the recordings and
// write each type's files as soon as its pages are in (all three side by side) → ZIP or rename
// into place. Every step checkpoints in the job's workspace, so calling
// runExport again on the same workDir (after a pause, a crash, a kill -9 or a failure) continues
// where the last attempt stopped and produces the same bytes (only the manifest's times and
// request counts differ).
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { StudyError } from '../../../../src-shared/errors';
import type { DataTypeId, ExportRequest, ManifestSummary } from '../../../../src-shared/model';
import { silentLogger, systemClock, type Clock, type Logger } from '../../ports';
import type { HyperStudyClient, RequestOptions } from '../../sources/hyperstudy/client-types';
import { createPlan, streamKey, type InternalPlan } from '../../plan/planner';
import { dataTypeDescriptor } from '../../sources/hyperstudy/descriptors';
import { createAnonymizer, type Anonymizer } from '../anonymize/anonymizer';
import { openStudyCodeBook, type CodeBook } from '../anonymize/code-book';
import { downloadAllRecordings, type MediaOutcome } from '../media/download-all';
import { expectedSizeOf } from '../media/recording-facts';
import type { MediaGet } from '../media/media-http';
import { exportName } from '../naming';
import { writeZipFromDir } from '../zip/zip-writer';
import { asDiskError } from './disk-errors';
import { fetchAllStreams } from './fetch-streams';
import { freeOutputName, publishFolder } from './finalize';
import { experimentNameOf, loadOrFetchListings, type Listings } from './listings';
import { RECORDINGS_FOLDER, mediaJobsFor, selectRecordings } from './media-phase';
import { participantRooms } from '../../sources/hyperstudy/record-room';
import { createPageStore } from './page-store';
import type { ProgressSink } from './progress';
import { readJson, removeWorkspace, workspaceAt, writeJson, type FinalizingRecord, type RunRecord } from './workspace';
import { writeExportTree } from './write-outputs';

export interface RunExportOptions {
  client: HyperStudyClient;
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
  onInfo?: (info: { experimentName?: string; folderName: string }) => void;
  /** A plan already made for this request (e.g. the one shown to the user); saves its first pages. */
  plan?: InternalPlan;
  /** Media retry backoff base (tests shorten it). */
  mediaBackoffMs?: number;
  /** Requests this job has made over all its attempts (the manifest's count); default: the client's own count. */
  requestsUsed?: () => number;
  /**
   * Where the studies' participant code maps live (the app's data folder) and the source they
   * belong to. Pseudonymized exports take their codes from there, so a participant has the same
   * code in every export of the study. Without it, codes hold for this export only.
   */
  codeMaps?: { dir: string; source: string };
}

export interface ExportResult {
  /** Absolute path of the ZIP or folder. */
  outputPath: string;
  /** Its file name ("Emotion-Study_exp_1_2026-11-22.zip"). */
  outputName: string;
  manifest: ManifestSummary;
}

const noProgress: ProgressSink = { phase() {}, totals() {}, records() {}, bytes() {}, fileDone() {}, step() {}, wait() {}, flush() {}, written() {}, zipped() {} };

export async function runExport(opts: RunExportOptions): Promise<ExportResult> {
  try {
    return await runExportInner(opts);
  } catch (e) {
    if (opts.signal?.aborted) throw opts.signal.reason ?? e;
    throw asDiskError(e, opts.destination);
  }
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
  // The planner lists rooms (for room-only types) and so do the listings: ask the server once.
  const client = withRoomsListedOnce(opts.client);

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
        client,
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
    run = { version: 1, plan: internal.plan, recordings: internal.recordings, startedAt: new Date(clock.now()).toISOString(), streamKeys };
    await writeJson(ws.runFile, run);
  }
  const { plan } = run;
  const keyOf = new Map(plan.streams.map((s, i) => [s, run.streamKeys[i]]));
  const recordings = selectRecordings(run.recordings, request);
  const mediaBytes = recordings.reduce((n, r) => n + (expectedSizeOf(r) ?? 0), 0);
  progress.totals({ recordsTotal: plan.records, bytesTotal: mediaBytes, requestsPlanned: plan.requestsNeeded, filesTotal: recordings.length, fetchSeconds: plan.estimatedSeconds, zip: request.zip });

  // One recording (or a few) downloaded as themselves: no tables, no listings, no ZIP.
  if (request.mediaOnly) return finishMediaOnly({ opts, client, run, recordings, progress, ws, clock });

  // 2. Listings.
  signal?.throwIfAborted();
  progress.phase('fetching', 'Reading the experiment, its rooms and its participants');
  const listings = await loadOrFetchListings(client, request.target, ws.listingsDir, reqOpts);
  const experimentName = experimentNameOf(listings.experiment);

  // 3. Every stream, page by page, to disk, and (at the same time: their own endpoint, their own
  //    concurrency) the recordings, and (4.) the files. Media names depend on the anonymizer,
  //    made the same way on every attempt so a resumed job finds its own .part files.
  //    Pseudonyms come from the study's code map: the listed participants (and those the
  //    recordings name) get their codes first, in one locked update.
  let codes: CodeBook | undefined;
  if (request.anonymize !== 'keep' && opts.codeMaps) {
    codes = await openStudyCodeBook({ dir: opts.codeMaps.dir, source: opts.codeMaps.source, studyId: request.target.experimentId });
    const named = recordings.map((r) => r.participantId).filter((p): p is string => typeof p === 'string' && p !== '');
    await codes.ensure([...listings.participants.map((p) => p.id), ...named]);
  }
  const anonymizer = createAnonymizer({
    mode: request.anonymize,
    participants: listings.participants.map((p) => ({ id: p.id, ...(p.name ? { name: p.name } : {}), ...(typeof (p as { email?: unknown }).email === 'string' ? { email: (p as { email?: string }).email } : {}) })),
    ...(codes ? { codes } : {}),
  });
  const folderName = exportName({
    study: { name: experimentName, id: request.target.experimentId },
    level: request.target.level,
    item: exportItem(request, listings, anonymizer),
    ...(request.view ? { detail: viewDetail(request) } : {}),
    date: new Date(run.startedAt),
  });
  opts.onInfo?.({ experimentName, folderName });
  const mediaJobs = mediaJobsFor(recordings, anonymizer, participantRooms(listings.participants));
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
    client,
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
  const downloading = mediaJobs.length
    ? downloadAllRecordings({
        client,
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
      writerStep = 'Writing recordings metadata, metadata.json and README.txt';
      progress.background?.(undefined);
      const settled = await network;
      for (const r of settled) if (r.status === 'rejected') throw signal?.aborted ? (signal.reason ?? r.reason) : firstCause(settled);
      const mediaOutcomes = (settled[1] as PromiseFulfilledResult<MediaOutcome[]>).value;
      const mediaWarnings: string[] = [];
      const failed = mediaOutcomes.filter((o) => o.status === 'failed');
      if (failed.length) {
        logger.warn('some recordings could not be downloaded', { failed: failed.length });
        const first = failed[0].error?.message ?? 'unknown error';
        mediaWarnings.push(`${failed.length} of ${mediaOutcomes.length} recordings could not be downloaded (first: ${first}); see recordings_metadata.csv.`);
      }
      return {
        mediaOutcomes,
        requestsUsed: opts.requestsUsed?.() ?? client.requestsMade(),
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
  const mediaOutcomes = (netSettled[1] as PromiseFulfilledResult<MediaOutcome[]>).value;

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
      exclude: (rel) => rel.endsWith('.part') || rel.endsWith('.part.json'),
      onProgress: (_bytes, done, total) => (progress.zipped ? progress.zipped(done, total) : progress.step(`Packing the ZIP file: ${done} of ${total} files`)),
    });
  } else {
    progress.phase('finalizing', 'Moving the folder into place');
    await removeLeftoverParts(ws.outDir, mediaOutcomes);
    const name = await freeOutputName(opts.destination, folderName, '');
    outputPath = path.join(opts.destination, name);
    await writeJson(ws.finalizingFile, { outputPath, outputName: name, zip: false, manifest: tree.manifest } satisfies FinalizingRecord);
    outputPath = await publishFolder(ws.outDir, opts.destination, name);
  }
  progress.phase('finalizing', 'Finishing');
  await rm(ws.root, { recursive: true, force: true });
  return { outputPath, outputName: path.basename(outputPath), manifest: tree.manifest };
}

/** "events-filtered" / "text-chat-table": what a table-view export holds. */
function viewDetail(request: ExportRequest): string {
  const v = request.view!;
  const narrowed = !!v.search?.trim() || Object.values(v.filters ?? {}).some((f) => f.trim() !== '');
  return `${dataTypeDescriptor(request.types[0]).label.toLowerCase()}-${narrowed ? 'filtered' : 'table'}`;
}

/**
 * The media-only export: the chosen recordings are downloaded (with the same checkpoints as any
 * export) and put in place as themselves: one file under its own name, several in a folder.
 */
async function finishMediaOnly(a: {
  opts: RunExportOptions;
  client: HyperStudyClient;
  run: RunRecord;
  recordings: Array<Record<string, unknown>>;
  progress: ProgressSink;
  ws: ReturnType<typeof workspaceAt>;
  clock: Clock;
}): Promise<ExportResult> {
  const { opts, client, recordings, progress, ws } = a;
  const { request, signal } = opts;
  if (recordings.length === 0) {
    throw new StudyError({ code: 'NOT_FOUND', message: 'That recording is not in HyperStudy’s list any more.', fix: 'Refresh the recordings tab and try again.' });
  }
  const anonymizer = createAnonymizer({ mode: request.anonymize === 'aggregate' ? 'keep' : request.anonymize, participants: [] });
  // No participants listing here: a record that names no room of its own gets the target's (for a fresh link).
  const t = request.target;
  const jobs = mediaJobsFor(recordings, anonymizer, t.participantId && t.roomId ? participantRooms([{ id: t.participantId, roomId: t.roomId }]) : undefined);
  progress.phase('media', jobs.length === 1 ? 'Downloading the recording' : `Downloading ${jobs.length} recordings`);
  const outcomes = await downloadAllRecordings({
    client, jobs, root: ws.outDir, concurrency: opts.mediaConcurrency, mediaGet: opts.mediaGet, clock: a.clock, signal,
    onWait: (w) => progress.wait(w), onBytes: (n) => progress.bytes(n), onFileDone: () => progress.fileDone(), backoffMs: opts.mediaBackoffMs,
  });
  const done = outcomes.filter((o) => o.status !== 'failed');
  if (done.length === 0) {
    const why = outcomes.find((o) => o.error)?.error?.message;
    throw new StudyError({ code: 'BAD_RESPONSE', message: `The recording could not be downloaded${why ? `: ${why}` : '.'}`, fix: 'Try again in a moment; if it keeps failing, the file may still be processing on the server.' });
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
    await removeLeftoverParts(ws.outDir, outcomes);
    outputPath = await publishFolder(path.join(ws.outDir, RECORDINGS_FOLDER), opts.destination, `recordings_${new Date(a.run.startedAt).toISOString().slice(0, 10)}`);
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
      requestsUsed: opts.requestsUsed?.() ?? client.requestsMade(),
      anonymization: anonymizer.mode,
      warnings: failed ? [`${failed} of ${outcomes.length} recordings could not be downloaded.`] : [],
    },
  };
}

/** The room or participant an export is named after (the participant by code when pseudonymized). */
function exportItem(request: ExportRequest, listings: Listings, anonymizer: Anonymizer): { label?: string; id: string } | undefined {
  const t = request.target;
  if (t.level === 'participant' && t.participantId) {
    if (anonymizer.mode !== 'keep') return { label: anonymizer.participant(t.participantId), id: anonymizer.participant(t.participantId) };
    const p = listings.participants.find((x) => x.id === t.participantId);
    return { ...(p?.name ? { label: p.name } : {}), id: t.participantId };
  }
  if (t.level === 'room' && t.roomId) {
    const r = listings.rooms.find((x) => x.id === t.roomId);
    return { ...(r?.name ? { label: r.name } : {}), id: t.roomId };
  }
  return undefined;
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
 * A view of the client whose listRooms answers from memory after the first call per experiment.
 * Make the plan through it too when planning before the export (then rooms are listed once).
 */
export function withRoomsListedOnce(client: HyperStudyClient): HyperStudyClient {
  const rooms = new Map<string, ReturnType<HyperStudyClient['listRooms']>>();
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === 'listRooms') {
        return (experimentId: string, o?: RequestOptions) => {
          let p = rooms.get(experimentId);
          if (!p) {
            p = target.listRooms(experimentId, o);
            rooms.set(experimentId, p);
            p.catch(() => rooms.delete(experimentId));
          }
          return p;
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
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

/** Failed recordings leave `.part` files: not part of a finished folder. */
async function removeLeftoverParts(outDir: string, outcomes: MediaOutcome[]): Promise<void> {
  for (const o of outcomes) {
    if (o.status !== 'failed') continue;
    const file = path.join(outDir, ...o.relativePath.split('/'));
    await rm(`${file}.part`, { force: true });
    await rm(`${file}.part.json`, { force: true });
  }
}
