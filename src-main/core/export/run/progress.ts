// Progress of one export attempt, coalesced to about 10 events a second. The runner reports
// facts (pages, bytes, records written, ZIP entries, waits, phases); this turns them into
// JobProgress with a step in plain words, ONE fraction and an ETA. The last state is always
// delivered (trailing emit), so a UI never shows a stale "99 %".
//
// The fraction weighs each part of the work by the time the plan says it takes (fetching the
// planned requests, downloading the media bytes, writing the records, packing the ZIP), so the
// bar moves evenly through phases, and it never goes backwards. The ETA adds up what is left of
// each part at the speed measured so far (the plan's speeds until there is a measurement), never
// less than the rate limits allow for the requests still to send.
import type { DataTypeDescriptor, DataTypeId, JobPhase, JobProgress, JobState } from '../../../../src-shared/model';
import { systemClock, type Clock } from '../../ports';

export interface WaitNotice {
  seconds: number;
  scope: 'key' | 'endpoint' | 'server';
  reason: string;
}

export interface ProgressTotals {
  recordsTotal?: number;
  bytesTotal?: number;
  requestsPlanned?: number;
  filesTotal?: number;
  /** Seconds the rate limits need for the planned requests (the plan's estimate). */
  fetchSeconds?: number;
  /** The export ends in a ZIP (one more part of the work). */
  zip?: boolean;
}

export interface ProgressSink {
  phase(phase: JobPhase, step?: string): void;
  totals(t: ProgressTotals): void;
  records(type: DataTypeId, n: number, typeTotal: number): void;
  bytes(delta: number): void;
  fileDone(): void;
  step(text: string): void;
  /** Work running alongside the main step (writing a type while others are fetched); undefined clears it. */
  background?(text: string | undefined): void;
  /** Records written to their files (a data type finished). */
  written?(records: number): void;
  /** ZIP entries packed so far, of all. */
  zipped?(done: number, total: number): void;
  wait(w: WaitNotice | undefined): void;
  /** Delivers the current state now (state changes, the end). */
  flush(): void;
}

/** A sink that ignores everything (runs without a listener). */
export const noProgress: ProgressSink = { phase() {}, totals() {}, records() {}, bytes() {}, fileDone() {}, step() {}, wait() {}, flush() {}, written() {}, zipped() {} };

export interface ProgressTrackerOptions {
  jobId: string;
  state: () => JobState;
  requestsUsed: () => number;
  emit: (p: JobProgress) => void;
  clock?: Clock;
  intervalMs?: number;
  /** Starting point when resuming (records and bytes already on disk are re-counted by the runner). */
  initial?: Partial<JobProgress>;
  /** Seconds the rate limits need for `requests` more requests (the limiter's lower bound). */
  limitSeconds?: (requests: number) => number;
  /** The source's data types, for their labels in steps ("Fetching text chat …"); ids otherwise. */
  dataTypes?: ReadonlyArray<Pick<DataTypeDescriptor, 'id' | 'label'>>;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');


/** Assumed speeds until measured: a request's round trip, media download, writing, packing. */
const ASSUMED = { requestSec: 0.25, mediaBytesPerSec: 20e6, writeRecordsPerSec: 60_000, zipBytesPerSec: 50e6, bytesPerRecord: 150 };

/** Work done per second since `since` (null until there is enough to measure). */
function rate(done: number, since: { at: number; done: number } | null, now: number): number | null {
  if (!since || now - since.at < 500 || done <= since.done) return null;
  return (done - since.done) / ((now - since.at) / 1000);
}

export function waitStep(w: WaitNotice): string {
  const what = w.scope === 'key' ? 'rate limit for this API key' : w.scope === 'endpoint' ? 'rate limit for this endpoint' : 'the server asked us to slow down';
  return `Waiting ${Math.ceil(w.seconds)} s: ${what}`;
}

export function createProgressTracker(opts: ProgressTrackerOptions): ProgressSink & { snapshot(): JobProgress } {
  /** "continuous ratings", "text chat": data types in the words the app shows them. */
  const typeWords = (type: DataTypeId): string => (opts.dataTypes?.find((d) => d.id === type)?.label ?? type).toLowerCase();
  const clock = opts.clock ?? systemClock;
  const interval = opts.intervalMs ?? 100;
  let phase: JobPhase = opts.initial?.phase ?? 'planning';
  let stepText = opts.initial?.step ?? 'Planning the export';
  let recordsDone = 0;
  let recordsTotal = opts.initial?.recordsTotal ?? 0;
  let bytesDone = 0;
  let bytesTotal = opts.initial?.bytesTotal ?? 0;
  let requestsPlanned = opts.initial?.requestsPlanned ?? 0;
  let filesDone = 0;
  let filesTotal = 0;
  let fetchSeconds = 0;
  let zip = false;
  /** The plan's totals arrived (before that, nothing can be weighed). */
  let totalsKnown = (opts.initial?.recordsTotal ?? 0) > 0;
  let recordsWritten = 0;
  let zipDone = 0;
  let zipTotal = 0;
  let wait: (WaitNotice & { until: number }) | undefined;
  let backgroundText: string | undefined;
  const typeDone = new Map<DataTypeId, number>();
  let lastEmit = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let shown = opts.initial?.fraction ?? 0;
  // When each measured part began (and how much was done then), for its speed.
  const began: Record<'records' | 'bytes' | 'written' | 'zip', { at: number; done: number } | null> = { records: null, bytes: null, written: null, zip: null };
  const mark = (k: keyof typeof began, done: number) => {
    if (!began[k]) began[k] = { at: clock.now(), done };
  };

  const PHASES: JobPhase[] = ['planning', 'fetching', 'media', 'writing', 'zipping', 'finalizing', 'done'];
  const past = (p: JobPhase) => PHASES.indexOf(phase) > PHASES.indexOf(p);

  /** Expected seconds of each part (weights) and how far along each is (0..1). */
  const parts = () => {
    const fetchW = Math.max(fetchSeconds, requestsPlanned * ASSUMED.requestSec, recordsTotal > 0 ? 0.5 : 0);
    const mediaW = bytesTotal / ASSUMED.mediaBytesPerSec;
    const writeW = recordsTotal / ASSUMED.writeRecordsPerSec + 0.3;
    const zipW = zip ? (recordsTotal * ASSUMED.bytesPerRecord + bytesTotal) / ASSUMED.zipBytesPerSec + 0.2 : 0;
    const fetchF = past('writing') ? 1 : recordsTotal > 0 ? recordsDone / recordsTotal : requestsPlanned > 0 ? Math.min(1, opts.requestsUsed() / requestsPlanned) : 0;
    const mediaF = bytesTotal > 0 ? Math.max(0, bytesDone) / bytesTotal : past('fetching') ? 1 : 0;
    const writeF = past('writing') ? 1 : recordsTotal > 0 ? recordsWritten / recordsTotal : 0;
    const zipF = past('zipping') ? 1 : zipTotal > 0 ? zipDone / zipTotal : 0;
    const clamp = (x: number) => Math.max(0, Math.min(1, x));
    return [
      { w: fetchW, f: clamp(fetchF) },
      { w: mediaW, f: clamp(mediaF) },
      { w: writeW, f: clamp(writeF) },
      { w: zipW, f: clamp(zipF) },
    ];
  };

  const fraction = (): number => {
    if (phase === 'done') return 1;
    if (!totalsKnown) return shown;
    const ps = parts();
    const total = ps.reduce((a, p) => a + p.w, 0);
    const f = total > 0 ? ps.reduce((a, p) => a + p.w * p.f, 0) / total : 0;
    // Never backwards (totals can grow as the plan is read), never 100 % before the end.
    shown = Math.max(shown, Math.min(0.99, f));
    return shown;
  };

  /** Seconds left: each part at its measured speed (the assumed one until measured), the limits as a floor. */
  const etaSeconds = (now: number): number | null => {
    if (phase === 'done') return 0;
    if (phase === 'planning' || !totalsKnown) return null;
    const left = (remaining: number, r: number | null, assumed: number) => (remaining <= 0 ? 0 : remaining / (r ?? assumed));
    const requestsLeft = Math.max(0, requestsPlanned - opts.requestsUsed());
    const fetchSpeed = rate(recordsDone, began.records, now);
    let fetchLeft = past('fetching') && past('media') ? 0 : recordsTotal > 0 ? left(recordsTotal - recordsDone, fetchSpeed, recordsTotal / Math.max(0.5, fetchSeconds || requestsPlanned * ASSUMED.requestSec)) : requestsLeft * ASSUMED.requestSec;
    if (opts.limitSeconds && requestsLeft > 0) fetchLeft = Math.max(fetchLeft, opts.limitSeconds(requestsLeft));
    const mediaLeft = left(bytesTotal - bytesDone, rate(bytesDone, began.bytes, now), ASSUMED.mediaBytesPerSec);
    const writeLeft = past('writing') ? 0 : left(recordsTotal - recordsWritten, rate(recordsWritten, began.written, now), ASSUMED.writeRecordsPerSec) + 0.3;
    const zipLeft = !zip || past('zipping') ? 0 : zipTotal > 0 ? left(zipTotal - zipDone, rate(zipDone, began.zip, now), zipTotal / Math.max(0.2, (recordsTotal * ASSUMED.bytesPerRecord + bytesTotal) / ASSUMED.zipBytesPerSec)) : (recordsTotal * ASSUMED.bytesPerRecord + bytesTotal) / ASSUMED.zipBytesPerSec + 0.2;
    // Fetching and downloading run side by side; writing finishes after them; packing after that.
    let eta = Math.max(fetchLeft, mediaLeft) + writeLeft + zipLeft;
    if (wait) eta = Math.max(eta, (wait.until - now) / 1000);
    return Math.max(1, Math.round(eta));
  };

  const snapshot = (): JobProgress => {
    const now = clock.now();
    if (wait && wait.until <= now) wait = undefined;
    const f = fraction();
    const p: JobProgress = {
      jobId: opts.jobId,
      state: opts.state(),
      phase,
      step: (wait ? waitStep({ ...wait, seconds: (wait.until - now) / 1000 }) : stepText) + (backgroundText ? ` · ${backgroundText}` : ''),
      recordsDone,
      recordsTotal,
      bytesDone: Math.max(0, bytesDone),
      bytesTotal,
      requestsUsed: opts.requestsUsed(),
      requestsPlanned,
      etaSeconds: etaSeconds(now),
      fraction: f,
    };
    if (wait) p.wait = { seconds: Math.max(0, Math.ceil((wait.until - now) / 1000)), scope: wait.scope, reason: wait.reason };
    return p;
  };

  const emitNow = () => {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    lastEmit = clock.now();
    opts.emit(snapshot());
  };
  const changed = () => {
    const since = clock.now() - lastEmit;
    if (since >= interval) return emitNow();
    if (!timer) {
      timer = setTimeout(emitNow, interval - since);
      timer.unref?.();
    }
  };

  return {
    snapshot,
    phase(p, s) {
      if (p !== phase) backgroundText = undefined;
      // Speeds are measured from the start of the phase that does the work.
      if (p === 'fetching' && phase !== 'fetching') {
        began.records = { at: clock.now(), done: recordsDone };
        began.bytes = { at: clock.now(), done: bytesDone };
      }
      if (p === 'writing' && phase !== 'writing') began.written = { at: clock.now(), done: recordsWritten };
      phase = p;
      if (s) stepText = s;
      wait = undefined;
      emitNow();
    },
    totals(t) {
      totalsKnown = true;
      if (t.recordsTotal !== undefined) recordsTotal = t.recordsTotal;
      if (t.bytesTotal !== undefined) bytesTotal = t.bytesTotal;
      if (t.requestsPlanned !== undefined) requestsPlanned = t.requestsPlanned;
      if (t.filesTotal !== undefined) filesTotal = t.filesTotal;
      if (t.fetchSeconds !== undefined) fetchSeconds = t.fetchSeconds;
      if (t.zip !== undefined) zip = t.zip;
      changed();
    },
    records(type, n, typeTotal) {
      recordsDone += n;
      const done = (typeDone.get(type) ?? 0) + n;
      typeDone.set(type, done);
      stepText = `Fetching ${typeWords(type)} ${fmt(Math.min(done, Math.max(done, typeTotal)))} / ${fmt(Math.max(done, typeTotal))}`;
      wait = undefined;
      changed();
    },
    bytes(delta) {
      bytesDone += delta;
      changed();
    },
    written(n) {
      recordsWritten += n;
      changed();
    },
    zipped(done, total) {
      mark('zip', 0);
      zipDone = done;
      zipTotal = total;
      stepText = `Packing the ZIP file: ${fmt(done)} of ${fmt(total)} files`;
      changed();
    },
    fileDone() {
      filesDone++;
      stepText = `Downloading recordings ${fmt(filesDone)} / ${fmt(filesTotal)}`;
      changed();
    },
    step(text) {
      stepText = text;
      changed();
    },
    background(text) {
      backgroundText = text;
      changed();
    },
    wait(w) {
      wait = w ? { ...w, until: clock.now() + w.seconds * 1000 } : undefined;
      emitNow();
    },
    flush: emitNow,
  };
}
