// A sync: the folder brought up to date with its selection, through the Source port.
//   1. lock the folder; finish a commit a crash interrupted; read the state
//   2. the listings (as a fresh export reads them) and the streams an export would read
//   3. the plan (plan.ts), shown before anything else is fetched
//   4. each stream read as planned (stream-sync.ts) into new record files
//   5. media: new files downloaded in place, renamed ones moved, gone ones removed
//   6. every file written whole in staging/ by the export's own writers, in the order a fresh
//      export uses (records merged back by time across groups)
//   7. the journal, the renames, the new state (commit.ts); old record files pruned
// The first sync is the same with every stream read whole.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { StudyError } from '../../../src-shared/errors';
import type { DataTypeId, LevelId, ManifestSummary, Plan, PlannedStream, SyncPlan } from '../../../src-shared/model';
import { silentLogger, systemClock } from '../ports';
import { createAnonymizer } from '../export/anonymize/anonymizer';
import { openStudyCodeBook, type CodeBook } from '../export/anonymize/code-book';
import { downloadAllRecordings, type MediaOutcome } from '../export/media/download-all';
import { sha256File } from '../export/media/download-file';
import { MANIFEST_FILE_NAME } from '../export/manifest/manifest';
import { withDiskErrors } from '../export/run/disk-errors';
import type { RunExportOptions } from '../export/run/run-export';
import { mediaFailureWarning, mediaJobsFor, selectRecordings } from '../export/run/media-phase';
import { createPageStore } from '../export/run/page-store';
import { readJson, writeJson } from '../export/run/workspace';
import { noProgress } from '../export/run/progress';
import { writeExportTree } from '../export/run/write-outputs';
import { streamKey } from '../plan/planner';
import { sourceLabel } from '../sources/registry';
import type { Page, RequestOptions, StreamRef } from '../sources/source';
import { commit, listFiles, pruneStore, recoverJournal, type CommitHooks } from './commit';
import { externalStoreDir, hasOtherFiles, lockSyncFolder, syncPaths, type SyncPaths } from './folder';
import { groupRanks, groupTarget } from './layout';
import { planSync } from './plan';
import { readWhole, wholeReadStore } from './reads';
import { syncReadmeNote } from './readme-note';
import { mergeByTime, readPartition, type RawRecord } from './record-store';
import {
  HISTORY_LIMIT, STATE_FORMAT, STATE_VERSION, readSyncState, requestOf, sameSelection,
  type FileState, type MediaState, type StreamState, type SyncRecord, type SyncSelection, type SyncState,
} from './state';
import { syncStream, type StreamOutcome } from './stream-sync';

/** Records newer than a stream's newest time minus this are read again each sync (late arrivals of a few seconds). */
export const DEFAULT_OVERLAP_MS = 5_000;
/** Seconds a request takes, for the plan's time until measured (the progress tracker's assumption too). */
const ASSUMED_LATENCY_SEC = 0.25;
/** A room that has just finished is read again at every sync for this long (uploads that come after the end). */
export const DEFAULT_SETTLE_MS = 60 * 60_000;

/** What a sync takes as an export does: the source, the manifest's facts, the pace, the hooks. */
type SharedWithExport = Pick<
  RunExportOptions,
  'source' | 'sourceUrl' | 'appVersion' | 'concurrency' | 'mediaConcurrency' | 'clock' | 'logger' | 'mediaGet' | 'signal' | 'progress' | 'requestsUsed' | 'codeMaps' | 'mediaBackoffMs'
>;

export interface RunSyncOptions extends SharedWithExport {
  dir: string;
  /** A new sync folder: its selection (a folder that already is one must have the same). */
  create?: { selection: SyncSelection; profileId?: string };
  /** Rebuild from scratch: every stream read whole. */
  full?: boolean;
  /** Check every group, settled ones too (anything found changed is read again). */
  verify?: boolean;
  /** Where pseudonymized and aggregate folders keep their raw records (the app's data folder, not the shared folder). */
  storesDir?: string;
  settleMs?: number;
  overlapMs?: number;
  /** Seconds per request for the plan's estimate (default 0.25). */
  latencySec?: number;
  /** The plan, once it is made (before the data is read). */
  onPlan?: (plan: SyncPlan) => void;
  /** Tests: stop a commit half-way. */
  commitHooks?: CommitHooks;
}

export interface SyncResult {
  outputPath: string;
  outputName: string;
  manifest: ManifestSummary;
  plan: SyncPlan;
  record: SyncRecord;
  state: SyncState;
}

export function runSync(opts: RunSyncOptions): Promise<SyncResult> {
  return withDiskErrors(() => runSyncInner(opts), opts.signal, opts.dir);
}

/** What to say when the folder is not (yet) what the caller thinks. */
function notASyncFolder(dir: string): StudyError {
  return new StudyError({
    code: 'NOT_FOUND',
    message: `${dir} is not a folder kept up to date (it has no sync state).`,
    fix: 'Start one with `studydl sync <level> <id> --out <folder>` (or “Keep up to date” in the app).',
  });
}

const sameUrl = (a: string, b: string) => a.replace(/\/+$/, '') === b.replace(/\/+$/, '');

/** Ready to read: the folder locked, a crashed commit finished, and its state (or a new one). */
async function openFolder(p: SyncPaths, opts: RunSyncOptions): Promise<{ prev: SyncState | null }> {
  await recoverJournal(p);
  let prev: SyncState | null;
  try {
    prev = await readSyncState(p.state);
  } catch (e) {
    // A damaged state cannot be trusted; a full rebuild with the selection given again can do without it.
    if (!(opts.create && opts.full)) throw e;
    prev = null;
  }
  if (opts.create) {
    if (prev && !sameSelection(prev.selection, opts.create.selection)) {
      throw new StudyError({
        code: 'INVALID_ARGUMENT',
        message: `${p.dir} is already kept up to date with another selection (other data types, format, split or anonymization).`,
        fix: 'Choose a new folder, or bring this one up to date with `studydl sync <folder>` (it keeps its own selection).',
      });
    }
    if (!prev && !opts.full && (await hasOtherFiles(p.dir))) {
      throw new StudyError({
        code: 'INVALID_ARGUMENT',
        message: `${p.dir} already holds files; a folder kept up to date is written by Study Downloader alone.`,
        fix: 'Choose an empty or new folder. (To turn a finished export into one, use “Keep up to date” on it, or add --full to rewrite this folder.)',
      });
    }
  } else if (!prev) {
    throw notASyncFolder(p.dir);
  }
  return { prev };
}

async function runSyncInner(opts: RunSyncOptions): Promise<SyncResult> {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? silentLogger;
  const progress = opts.progress ?? noProgress;
  const { signal } = opts;
  const ro: RequestOptions = { signal, onWait: (w) => progress.wait(w) };
  const p = syncPaths(path.resolve(opts.dir));
  await mkdir(p.dir, { recursive: true });
  const release = await lockSyncFolder(p);
  try {
    const { prev } = await openFolder(p, opts);
    const selection = prev?.selection ?? opts.create!.selection;
    const source = opts.source;
    if (prev && prev.source !== source.id) {
      throw new StudyError({ code: 'INVALID_ARGUMENT', message: `This folder is kept up to date from ${sourceLabel(prev.source)}, not ${source.descriptor.label}.`, fix: `Use a ${sourceLabel(prev.source)} connection to sync it.` });
    }
    if (prev && !sameUrl(prev.baseUrl, source.baseUrl)) {
      throw new StudyError({
        code: 'INVALID_ARGUMENT',
        message: `This folder is kept up to date from ${prev.baseUrl}; the connection in use is to ${source.baseUrl}.`,
        fix: 'Sync it with a connection (profile or key) for the server it came from.',
      });
    }
    const startedMs = clock.now();
    const startedAt = new Date(startedMs).toISOString();
    const requestsAtStart = source.requestsMade();
    const requestsNow = () => opts.requestsUsed?.() ?? source.requestsMade() - requestsAtStart;
    const full = !!opts.full || !prev;
    const settleMs = prev?.settleMs ?? opts.settleMs ?? DEFAULT_SETTLE_MS;
    const overlapMs = opts.overlapMs ?? DEFAULT_OVERLAP_MS;
    const descriptor = source.descriptor;
    const target = selection.target;
    // Where the raw records live: in the folder, or (pseudonymized, aggregate) in the app's data
    // folder, with the attempt's work files beside them, so no name or id reaches the folder.
    const pending = prev ? null : await readPendingSync(p.dir);
    const id = prev?.id ?? pending?.id ?? newFolderId();
    const anonymized = selection.anonymize !== 'keep';
    let storeDir = prev?.storeDir ?? (prev ? p.localStore : undefined);
    if (!storeDir) {
      if (anonymized && !opts.storesDir) throw new StudyError({ code: 'INTERNAL', message: 'A pseudonymized folder needs a place for its raw records outside the folder.' });
      storeDir = anonymized ? externalStoreDir(opts.storesDir!, id) : p.localStore;
    }
    const localStore = storeDir === p.localStore;
    const workDir = localStore ? p.work : `${storeDir}-work`;
    // Until the first sync has finished, the folder remembers what it is for.
    if (!prev) await writeJson(p.pending, { id, source: source.id, baseUrl: source.baseUrl, selection, ...(opts.create?.profileId ? { profileId: opts.create.profileId } : {}) } satisfies PendingSync);
    // What an earlier, interrupted attempt left: its staged files are discarded. The pages of a
    // first (or full) sync's whole reads are kept for the same kind of attempt on the same state
    // to go on from; anything else is read again (it would be stale).
    await rm(p.staging, { recursive: true, force: true });
    const attemptFile = path.join(workDir, 'attempt.json');
    const attempt = await readJson<{ generation: number; full: boolean }>(attemptFile);
    // When the pages are kept, workDir exists (attempt.json was just read from it).
    if (!(full && attempt && attempt.full && attempt.generation === (prev?.generation ?? 0))) await rm(workDir, { recursive: true, force: true });
    else for (const n of await readdir(workDir)) if (n !== 'pages' && n !== 'attempt.json') await rm(path.join(workDir, n), { recursive: true, force: true });
    await writeJson(attemptFile, { generation: prev?.generation ?? 0, full });

    // 2. Listings and streams, through one view of the connection (the rooms are listed once).
    const view = source.forExport();
    const beforeListings = view.requestsMade();
    progress.phase('planning', 'Reading the listings');
    // In the export's order: the plan first, then the listings (what both need is read once).
    const media = selection.includeRecordings ? view.media : undefined;
    const types = [...new Set([...selection.types, ...(media ? [media.type] : [])])];
    const planned = await view.planStreams(target, types, ro);
    const listings = await view.exportListings(target, ro);
    // What the listings took (the export's files and what the source read to plan its streams).
    const listingRequests = view.requestsMade() - beforeListings;
    if (!prev) await rm(storeDir, { recursive: true, force: true }); // a first sync starts from nothing
    await mkdir(storeDir, { recursive: true });
    // Orphans of an attempt that never committed.
    for (const n of await readdir(storeDir)) if (/^g(\d+)$/.test(n) && Number(n.slice(1)) > (prev?.generation ?? 0)) await rm(path.join(storeDir, n), { recursive: true, force: true });

    // 3. The plan. Streams to read whole get their first page now (it says how many pages follow, and is kept).
    const pageSize = view.policy.pageSize;
    const firstPages = new Map<string, Page>();
    const knownTotals = new Map<string, number>();
    const streamsBefore = full ? {} : (prev?.streams ?? {});
    const wholeNow = planned.streams.filter((s) => !streamsBefore[streamKey(s)]);
    await Promise.all(
      wholeNow.map(async (s) => {
        const key = streamKey(s);
        const page = planned.prefetched?.get(key)?.[0] ?? (await wholeReadStore(workDir).stream(`whole:${key}`).read(0)) ?? (await view.fetchPage(s, { offset: 0, limit: pageSize }, ro));
        firstPages.set(key, page);
        knownTotals.set(key, page.total ?? page.records.length);
      }),
    );
    const { plan, decisions } = planSync({
      descriptor, target, state: full ? (prev ? { ...prev, streams: {} } : null) : prev, streams: planned.streams, listings, now: startedMs,
      full: !!opts.full, verify: !!opts.verify, pageSize, listingRequests, knownTotals, readWhilePlanning: new Set(planned.prefetched?.keys() ?? []), budget: view.budget(), concurrency: opts.concurrency, latencySec: opts.latencySec ?? ASSUMED_LATENCY_SEC, overlapMs,
    });
    const kind: SyncRecord['kind'] = !prev ? 'first' : opts.full ? 'full' : opts.verify ? 'verify' : 'incremental';
    plan.kind = kind;
    plan.warnings.push(...planned.warnings, ...listings.warnings);
    opts.onPlan?.(plan);
    progress.totals({ requestsPlanned: plan.requests, fetchSeconds: plan.estimatedSeconds });

    // The items seen, and since when each is settled (the plan above used what the last sync knew).
    const levels = structuredClone(prev?.levels ?? {});
    const newItems: Record<LevelId, number> = {};
    const note = (level: LevelId, ids: string[], settledIds?: Set<string>) => {
      const settled = settledIds ?? new Set(listings.settled?.[level] ?? []);
      const seen = (levels[level] ??= {});
      for (const itemId of ids) {
        let item = seen[itemId];
        const isNew = !item;
        if (!item) {
          item = seen[itemId] = { firstSeen: startedAt };
          if (prev) newItems[level] = (newItems[level] ?? 0) + 1;
        }
        if (settled.has(itemId) && !item.settledSince) item.settledSince = isNew ? new Date(startedMs - settleMs).toISOString() : startedAt;
        if (!settled.has(itemId)) delete item.settledSince;
      }
    };
    // Levels of people are noted once codes are known (a pseudonymized folder names people by code only).
    const personLevels = new Set(descriptor.splits.filter((x) => x.person).map((x) => x.level));
    note(listings.root.level, [listings.root.id]);
    if (listings.item && !personLevels.has(listings.item.level)) note(listings.item.level, [listings.item.id]);
    for (const split of descriptor.splits) if (!split.person) note(split.level, listings.groups[split.id] ?? []);

    // 4. Each stream, as planned.
    progress.phase('fetching', 'Fetching what is new');
    const generation = (prev?.generation ?? 0) + 1;
    const contextOf = view.recordContext(listings);
    const fieldsOf = (type: string) => {
      const d = descriptor.dataTypes.find((t) => t.id === type);
      // A time is a cursor only where the API sorts by it; elsewhere the end of the stream is.
      return { timeField: d?.sortedByTime ? (d.timeField ?? null) : null, idField: d?.idField ?? 'id' };
    };
    const readCtx = { source: view, workDir, concurrency: opts.concurrency, ...(signal ? { signal } : {}), onWait: ro.onWait, onPage: (type: string, n: number) => progress.records(type, n, 0) };
    const groupRefs = new Map<string, Promise<StreamRef>>();
    const ctx = {
      read: readCtx, store: storeDir, generation, descriptor, target, listings, contextOf, overlapMs, pageSize, fieldsOf, now: startedAt,
      groupRef(type: string, group: string): Promise<StreamRef> {
        const k = `${type}\u0000${group}`;
        let r = groupRefs.get(k);
        if (!r) {
          const grouping = decisions.find((d) => d.spec.type === type && d.grouping)?.grouping;
          r = view.planStreams(groupTarget(target, grouping!, group), [type], ro).then((x) => {
            const s = x.streams[0];
            if (!s) throw new StudyError({ code: 'INTERNAL', message: `${descriptor.label} cannot read ${type} of ${group} on its own.` });
            return { type: s.type, scope: s.scope, scopeId: s.scopeId, ...(s.params ? { params: s.params } : {}) };
          });
          groupRefs.set(k, r);
        }
        return r;
      },
    };
    const wholeDecisions = decisions.filter((d) => d.action.kind === 'whole');
    const wholeReads = await readWhole(readCtx, wholeDecisions.map((d) => d.spec), (type) => fieldsOf(type).idField, firstPages, planned.prefetched);
    const outcomes = new Map<string, StreamOutcome>();
    for (const d of wholeDecisions) outcomes.set(d.key, await syncStream(ctx, d, streamsBefore[d.key], wholeReads.get(d.key)));
    const others = decisions.filter((d) => d.action.kind !== 'whole');
    await inTurns(others, Math.max(1, Math.min(4, opts.concurrency)), async (d) => {
      outcomes.set(d.key, await syncStream(ctx, d, prev?.streams[d.key], undefined));
    });
    signal?.throwIfAborted();

    const streams: Record<string, StreamState> = {};
    for (const d of decisions) streams[d.key] = outcomes.get(d.key)!.state;
    const newRecords: Record<DataTypeId, number> = {};
    const people = new Set<string>();
    const repaired: string[] = [];
    for (const d of decisions) {
      const o = outcomes.get(d.key)!;
      newRecords[d.spec.type] = (newRecords[d.spec.type] ?? 0) + o.added;
      for (const x of o.people) people.add(x);
      repaired.push(...o.repaired);
    }

    // The records of a stream in the order a fresh export writes them.
    const recordsOf = (key: string): AsyncIterable<RawRecord> => {
      const s = streams[key];
      if (!s) return (async function* () {})();
      if (!s.groupedBy) return readPartition(storeDir, s.partitions[0]?.file ?? '') as AsyncIterable<RawRecord>;
      const rank = groupRanks(listings, s.groupedBy, s.partitions.map((x) => x.group));
      const timeField = fieldsOf(s.ref.type).timeField;
      return mergeByTime(s.partitions.map((x) => ({ records: readPartition(storeDir, x.file), rank: rank(x.group) })), timeField);
    };
    const emptyOr = (key: string) => (streams[key]?.partitions.length ? recordsOf(key) : (async function* () {})());

    // 5. Pseudonyms (from the study's code map) and media.
    const request = requestOf(selection, p.dir);
    const mediaRecords: RawRecord[] = [];
    if (media) for (const s of planned.streams.filter((x) => x.type === media.type)) for await (const r of emptyOr(streamKey(s))) mediaRecords.push(r);
    let codes: CodeBook | undefined;
    if (anonymized && opts.codeMaps) {
      codes = await openStudyCodeBook({ dir: opts.codeMaps.dir, source: source.id, studyId: listings.root.id });
      const named = media ? mediaRecords.map((r) => contextOf(media.type, r).person).filter((x): x is string => typeof x === 'string' && x !== '') : [];
      await codes.ensure([...listings.people.map((x) => x.id), ...named]);
    }
    const anonymizer = createAnonymizer({ mode: selection.anonymize, participants: listings.people, ...(codes ? { codes } : {}) });
    const personKey = (x: string) => (anonymized ? anonymizer.participant(x) : x);
    for (const split of descriptor.splits) {
      if (!split.person) continue;
      const ids = (listings.groups[split.id] ?? []).map(personKey);
      const settledIds = (listings.settled?.[split.level] ?? []).map(personKey);
      note(split.level, ids, new Set(settledIds));
    }
    if (listings.item && personLevels.has(listings.item.level)) note(listings.item.level, [personKey(listings.item.id)], new Set((listings.settled?.[listings.item.level] ?? []).map(personKey)));
    const recordings = selectRecordings(mediaRecords, request, media);
    const mediaJobs = media ? mediaJobsFor(recordings, anonymizer, media, (r) => contextOf(media.type, r)) : [];
    let mediaOutcomes: MediaOutcome[] = [];
    if (media && mediaJobs.length + (prev?.media.length ?? 0) > 0) {
      progress.phase('media', mediaJobs.length ? `Checking ${mediaJobs.length} ${media.noun.many}` : `Tidying ${media.noun.many}`);
      await placeMedia(p.dir, prev?.media ?? [], mediaJobs.map((j) => ({ id: j.file.id, path: j.relativePath })));
      mediaOutcomes = await downloadAllRecordings({
        links: media, jobs: mediaJobs, root: p.dir, concurrency: opts.mediaConcurrency, mediaGet: opts.mediaGet, clock, ...(signal ? { signal } : {}),
        onWait: ro.onWait, onBytes: (n) => progress.bytes(n), onFileDone: () => progress.fileDone(), ...(opts.mediaBackoffMs !== undefined ? { backoffMs: opts.mediaBackoffMs } : {}),
      });
    }

    // 6. Every file, whole, in staging/.
    progress.phase('writing', 'Writing files');
    const mediaStates: MediaState[] = [];
    const byPath = new Map((prev?.media ?? []).map((m) => [m.path, m]));
    const jobByPath = new Map(mediaJobs.map((j) => [j.relativePath, j]));
    const hashMedia = async (abs: string) => {
      const rel = path.relative(p.dir, abs).split(path.sep).join('/');
      const st = await stat(abs);
      const old = byPath.get(rel);
      const sha256 = old && old.bytes === st.size && old.mtimeMs === st.mtimeMs ? old.sha256 : await sha256File(abs);
      mediaStates.push({ path: rel, id: jobByPath.get(rel)?.file.id ?? old?.id ?? rel, bytes: st.size, mtimeMs: st.mtimeMs, sha256 });
      return { bytes: st.size, sha256 };
    };
    const plannedStreams: PlannedStream[] = planned.streams.map((s) => ({
      type: s.type, scope: s.scope, scopeId: s.scopeId, ...(s.params ? { params: s.params } : {}), ...(s.context ? { context: s.context } : {}),
      total: (streams[streamKey(s)]?.partitions ?? []).reduce((n, x) => n + x.count, 0), requests: 0,
    }));
    const shapePlan: Plan = {
      target, streams: plannedStreams, listingRequests, mediaRequests: 0, mediaReserve: 0, requestsNeeded: plan.requests, requestsSpentPlanning: 0,
      records: plannedStreams.reduce((n, s) => n + s.total, 0), mediaFiles: mediaJobs.length, mediaBytes: 0, estimatedSeconds: plan.estimatedSeconds, budget: view.budget(), warnings: plan.warnings,
    };
    const record: SyncRecord = { at: startedAt, finishedAt: startedAt, kind, requests: 0, plannedRequests: plan.requests, listingRequests, newRecords, peopleWithNewData: people.size, newItems, repaired, newColumns: {} };
    const manifestExtra: Record<string, unknown> = {};
    const tree = await writeExportTree({
      source: view, request, plan: shapePlan, streamKeys: plannedStreams.map((s) => streamKey(s)), store: createPageStore(path.join(workDir, 'unused')), listings, anonymizer,
      recordings, mediaJobs, outDir: p.staging, appVersion: opts.appVersion, sourceUrl: opts.sourceUrl, startedAt, finishedAt: () => new Date(clock.now()).toISOString(),
      whenRestDone: async () => {
        record.requests = requestsNow();
        record.finishedAt = new Date(clock.now()).toISOString();
        manifestExtra.sync = { folderId: id, createdAt: prev?.createdAt ?? startedAt, last: record, history: [...(prev?.syncs ?? []), record].slice(-HISTORY_LIMIT) };
        const warnings = [...plan.warnings];
        const failedWarning = mediaFailureWarning(mediaOutcomes, media, 'the next sync tries again');
        if (failedWarning) warnings.push(failedWarning);
        return { mediaOutcomes, requestsUsed: record.requests, warnings: [...new Set(warnings)] };
      },
      ...(signal ? { signal } : {}),
      onStep: (t) => progress.step(t),
      onWritten: (n) => progress.written?.(n),
      readStream: (_stream, key) => emptyOr(key),
      mediaRoot: p.dir,
      hashMedia,
      manifestExtra,
      readmeAppendix: syncReadmeNote(descriptor, target),
    });
    signal?.throwIfAborted();

    // 7. In place: the journal, the renames, the state.
    progress.phase('finalizing', 'Putting the files in place');
    const manifestFiles = (JSON.parse(await readFile(path.join(p.staging, MANIFEST_FILE_NAME), 'utf8')) as { files: Array<{ path: string; bytes: number; sha256: string; records?: number; type: string }> }).files;
    const columnsOf = new Map(tree.files.map((f) => [f.relPath, f.columns]));
    const staged = (await listFiles(p.staging)).filter((f) => !f.endsWith('.tmp'));
    const textFiles: FileState[] = manifestFiles
      .filter((f) => f.type !== 'recording')
      .map((f) => ({ path: f.path, bytes: f.bytes, sha256: f.sha256, ...(f.records !== undefined ? { records: f.records } : {}), ...(columnsOf.get(f.path) ? { columns: columnsOf.get(f.path) } : {}) }));
    const oldColumns = new Map((prev?.files ?? []).map((f) => [f.path, f.columns ?? []]));
    for (const f of textFiles) {
      const before = oldColumns.get(f.path);
      const added = before && f.columns ? f.columns.filter((c) => !before.includes(c)) : [];
      if (added.length) record.newColumns[f.path] = added;
    }
    const keep = new Set(staged);
    const removals = (prev?.files ?? []).map((f) => f.path).filter((f) => !keep.has(f));
    const order = (f: string) => (f === MANIFEST_FILE_NAME ? 2 : f === 'README.txt' ? 1 : 0);
    const moves = [...staged].sort((a, b) => order(a) - order(b) || (a < b ? -1 : a > b ? 1 : 0));
    const state: SyncState = {
      format: STATE_FORMAT,
      version: STATE_VERSION,
      id,
      createdAt: prev?.createdAt ?? startedAt,
      source: source.id,
      baseUrl: source.baseUrl,
      ...((opts.create?.profileId ?? prev?.profileId) ? { profileId: opts.create?.profileId ?? prev?.profileId } : {}),
      selection,
      root: { level: listings.root.level, id: listings.root.id, ...(listings.root.name !== undefined ? { name: listings.root.name } : {}) },
      ...(anonymized ? { codeMap: { source: source.id, studyId: listings.root.id } } : {}),
      ...(localStore ? {} : { storeDir }),
      generation,
      streams,
      levels,
      files: textFiles,
      media: mediaStates.sort((a, b) => (a.path < b.path ? -1 : 1)),
      syncs: [...(prev?.syncs ?? []), record].slice(-HISTORY_LIMIT),
      settleMs,
    };
    await commit(p, { version: 1, moves, removals, state }, opts.commitHooks);
    await rm(p.pending, { force: true });
    await pruneStore(storeDir, state).catch((e: unknown) => logger.warn('could not remove old record files', { error: String(e) }));
    await rm(workDir, { recursive: true, force: true });
    progress.phase('done', 'Done');
    return { outputPath: p.dir, outputName: path.basename(p.dir), manifest: tree.manifest, plan, record, state };
  } finally {
    await release();
  }
}

/** A first sync that has not finished: what it was started with. */
export interface PendingSync {
  /** The folder's id from its first attempt on (names its store outside the folder). */
  id?: string;
  source: string;
  baseUrl: string;
  selection: SyncSelection;
  profileId?: string;
}

/** The selection of a folder's unfinished first sync, or null. */
export async function readPendingSync(dir: string): Promise<PendingSync | null> {
  const v = await readJson<PendingSync>(syncPaths(path.resolve(dir)).pending);
  return v && typeof v.source === 'string' && v.selection && typeof v.selection === 'object' ? v : null;
}

function newFolderId(): string {
  return `sync_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

async function inTurns<T>(items: T[], n: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  }));
}

/**
 * Media files where this sync's names say: a file whose name changed (names are made unique in
 * record order, so a new recording can shift one) is moved, through a temporary name so two
 * files can swap; files of recordings no longer listed are removed.
 */
async function placeMedia(dir: string, before: MediaState[], now: Array<{ id: string; path: string }>): Promise<void> {
  const wanted = new Map(now.map((x) => [x.id, x.path]));
  const moving: Array<{ tmp: string; to: string }> = [];
  for (const m of before) {
    const to = wanted.get(m.id);
    const from = path.join(dir, ...m.path.split('/'));
    if (to === undefined) {
      await rm(from, { force: true });
      continue;
    }
    if (to === m.path) continue;
    const tmp = `${from}.moving-${randomBytes(3).toString('hex')}`;
    try {
      await rename(from, tmp);
      moving.push({ tmp, to: path.join(dir, ...to.split('/')) });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; // gone: downloaded again under its new name
    }
  }
  for (const m of moving) {
    await mkdir(path.dirname(m.to), { recursive: true });
    await rename(m.tmp, m.to);
  }
}

