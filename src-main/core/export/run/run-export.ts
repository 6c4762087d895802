// The export runner: plan → listings → fetch every stream to disk → recordings → write the
// files → ZIP or rename into place. Every step checkpoints in the job's workspace, so calling
// runExport again on the same workDir (after a pause, a crash, a kill -9 or a failure) continues
// where the last attempt stopped and produces the same bytes (only the manifest's times and
// request counts differ).
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ExportRequest, ManifestSummary } from '../../../../src-shared/model';
import { silentLogger, systemClock, type Clock, type Logger } from '../../ports';
import type { HyperStudyClient, RequestOptions } from '../../sources/hyperstudy/client-types';
import { createPlan, streamKey, type InternalPlan } from '../../plan/planner';
import { createAnonymizer } from '../anonymize/anonymizer';
import { downloadAllRecordings, type MediaOutcome } from '../media/download-all';
import { expectedSizeOf } from '../media/recording-facts';
import type { MediaGet } from '../media/media-http';
import { exportFolderName } from '../naming';
import { writeZipFromDir } from '../zip/zip-writer';
import { asDiskError } from './disk-errors';
import { fetchAllStreams } from './fetch-streams';
import { freeOutputName, publishFolder } from './finalize';
import { experimentNameOf, loadOrFetchListings } from './listings';
import { mediaJobsFor, selectRecordings } from './media-phase';
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
}

export interface ExportResult {
  /** Absolute path of the ZIP or folder. */
  outputPath: string;
  /** Its file name ("Emotion-Study_exp_1_2026-11-22.zip"). */
  outputName: string;
  manifest: ManifestSummary;
}

const noProgress: ProgressSink = { phase() {}, totals() {}, records() {}, bytes() {}, fileDone() {}, step() {}, wait() {}, flush() {} };

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
        { target: request.target, types: request.types, since: request.since, until: request.until, includeRecordings: request.includeRecordings, recordingIds: request.recordingIds },
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
  progress.totals({ recordsTotal: plan.records, bytesTotal: mediaBytes, requestsPlanned: plan.requestsNeeded, filesTotal: recordings.length });

  // 2. Listings.
  signal?.throwIfAborted();
  const listings = await loadOrFetchListings(client, request.target, ws.listingsDir, reqOpts);
  const experimentName = experimentNameOf(listings.experiment);
  const folderName = exportFolderName(experimentName, request.target.experimentId, new Date(run.startedAt));
  opts.onInfo?.({ experimentName, folderName });

  // 3. Every stream, page by page, to disk, and (at the same time: their own endpoint, their own
  //    concurrency) the recordings. Media names depend on the anonymizer, made the same way on
  //    every attempt so a resumed job finds its own .part files.
  const anonymizer = createAnonymizer({
    mode: request.anonymize,
    participants: listings.participants.map((p) => ({ id: p.id, ...(p.name ? { name: p.name } : {}), ...(typeof (p as { email?: unknown }).email === 'string' ? { email: (p as { email?: string }).email } : {}) })),
  });
  const mediaJobs = mediaJobsFor(recordings, anonymizer);
  progress.phase('fetching', mediaJobs.length ? 'Fetching data and recordings' : 'Fetching data');
  const warnings = new Set<string>(listings.warnings);
  const typeTotals = new Map<string, number>();
  for (const s of plan.streams) typeTotals.set(s.type, (typeTotals.get(s.type) ?? 0) + s.total);
  // Fail fast: when one side fails, the other stops too (its progress stays on disk).
  const both = new AbortController();
  const inner = signal ? AbortSignal.any([signal, both.signal]) : both.signal;
  const stopOther = (e: unknown) => {
    both.abort(e);
    throw e;
  };
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
  }).catch(stopOther);
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
      }).catch(stopOther)
    : Promise.resolve([] as MediaOutcome[]);
  const settled = await Promise.allSettled([fetching, downloading]);
  for (const r of settled) if (r.status === 'rejected') throw signal?.aborted ? (signal.reason ?? r.reason) : firstCause(settled);
  const mediaOutcomes = (settled[1] as PromiseFulfilledResult<MediaOutcome[]>).value;
  const mediaWarnings: string[] = [];
  const failed = mediaOutcomes.filter((o) => o.status === 'failed');
  if (failed.length) {
    logger.warn('some recordings could not be downloaded', { failed: failed.length });
    const first = failed[0].error?.message ?? 'unknown error';
    mediaWarnings.push(`${failed.length} of ${mediaOutcomes.length} recordings could not be downloaded (first: ${first}); see recordings_metadata.csv.`);
  }

  // 5. The files.
  signal?.throwIfAborted();
  progress.phase('writing', 'Writing files');
  const finishedAt = () => new Date(clock.now()).toISOString();
  const tree = await writeExportTree({
    request,
    plan,
    streamKeys: run.streamKeys,
    store,
    listings,
    anonymizer,
    recordings,
    mediaJobs,
    mediaOutcomes,
    outDir: ws.outDir,
    appVersion: opts.appVersion,
    sourceUrl: opts.sourceUrl,
    startedAt: run.startedAt,
    finishedAt,
    requestsUsed: client.requestsMade(),
    warnings: [...plan.warnings, ...warnings, ...mediaWarnings].filter((w, i, all) => all.indexOf(w) === i),
    signal,
    onStep: (t) => progress.step(t),
  });

  // 6. Into place.
  signal?.throwIfAborted();
  let outputPath: string;
  if (request.zip) {
    progress.phase('zipping', 'Writing ZIP');
    const name = await freeOutputName(opts.destination, folderName, '.zip');
    outputPath = path.join(opts.destination, name);
    await writeJson(ws.finalizingFile, { outputPath, outputName: name, zip: true, manifest: tree.manifest } satisfies FinalizingRecord);
    await writeZipFromDir({
      sourceDir: ws.outDir,
      outPath: outputPath,
      rootName: folderName,
      signal,
      exclude: (rel) => rel.endsWith('.part') || rel.endsWith('.part.json'),
      onProgress: (_bytes, done, total) => progress.step(`Writing ZIP ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} files`),
    });
  } else {
    progress.phase('finalizing', 'Moving the folder into place');
    await removeLeftoverParts(ws.outDir, mediaOutcomes);
    const name = await freeOutputName(opts.destination, folderName, '');
    outputPath = path.join(opts.destination, name);
    await writeJson(ws.finalizingFile, { outputPath, outputName: name, zip: false, manifest: tree.manifest } satisfies FinalizingRecord);
    outputPath = await publishFolder(ws.outDir, opts.destination, name);
  }
  progress.phase('finalizing', 'Cleaning up');
  await rm(ws.root, { recursive: true, force: true });
  return { outputPath, outputName: path.basename(outputPath), manifest: tree.manifest };
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

/** A view of the client whose listRooms answers from memory after the first call per experiment. */
function withRoomsListedOnce(client: HyperStudyClient): HyperStudyClient {
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
