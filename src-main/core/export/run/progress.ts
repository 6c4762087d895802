// Progress of one export attempt, coalesced to about 10 events a second. The runner reports
// facts (pages, bytes, waits, phases); this turns them into JobProgress with a step text,
// a fraction and an ETA. The last state is always delivered (trailing emit), so a UI never
// shows a stale "99 %".
import type { DataTypeId, JobPhase, JobProgress, JobState } from '../../../../src-shared/model';
import { systemClock, type Clock } from '../../ports';

export interface WaitNotice {
  seconds: number;
  scope: 'key' | 'endpoint' | 'server';
  reason: string;
}

export interface ProgressSink {
  phase(phase: JobPhase, step?: string): void;
  totals(t: { recordsTotal?: number; bytesTotal?: number; requestsPlanned?: number; filesTotal?: number }): void;
  records(type: DataTypeId, n: number, typeTotal: number): void;
  bytes(delta: number): void;
  fileDone(): void;
  step(text: string): void;
  /** Work running alongside the main step (writing a type while others are fetched); undefined clears it. */
  background?(text: string | undefined): void;
  wait(w: WaitNotice | undefined): void;
  /** Delivers the current state now (state changes, the end). */
  flush(): void;
}

export interface ProgressTrackerOptions {
  jobId: string;
  state: () => JobState;
  requestsUsed: () => number;
  emit: (p: JobProgress) => void;
  clock?: Clock;
  intervalMs?: number;
  /** Starting point when resuming (records and bytes already on disk are re-counted by the runner). */
  initial?: Partial<JobProgress>;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

const TYPE_LABELS: Partial<Record<DataTypeId, string>> = {
  'ratings-continuous': 'continuous ratings',
  'ratings-sparse': 'sparse ratings',
  chat: 'chat messages',
  videochat: 'video chat',
  sync: 'sync metrics',
  eyetracking: 'eye tracking',
};

export function waitStep(w: WaitNotice): string {
  const what = w.scope === 'key' ? 'rate limit for this API key' : w.scope === 'endpoint' ? 'rate limit for this endpoint' : 'the server asked us to slow down';
  return `Waiting ${Math.ceil(w.seconds)} s: ${what}`;
}

export function createProgressTracker(opts: ProgressTrackerOptions): ProgressSink & { snapshot(): JobProgress } {
  const clock = opts.clock ?? systemClock;
  const interval = opts.intervalMs ?? 100;
  const startedAt = clock.now();
  let phase: JobPhase = opts.initial?.phase ?? 'planning';
  let stepText = opts.initial?.step ?? 'Planning the export';
  let recordsDone = 0;
  let recordsTotal = opts.initial?.recordsTotal ?? 0;
  let bytesDone = 0;
  let bytesTotal = opts.initial?.bytesTotal ?? 0;
  let requestsPlanned = opts.initial?.requestsPlanned ?? 0;
  let filesDone = 0;
  let filesTotal = 0;
  let wait: (WaitNotice & { until: number }) | undefined;
  let backgroundText: string | undefined;
  const typeDone = new Map<DataTypeId, number>();
  let lastEmit = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let firstProgressAt: number | null = null;
  let fractionAtFirst = 0;

  const fraction = (): number => {
    if (phase === 'done') return 1;
    const hasMedia = bytesTotal > 0;
    const fetchShare = hasMedia ? 0.6 : 0.85;
    const mediaShare = hasMedia ? 0.3 : 0;
    const fetchF = recordsTotal > 0 ? Math.min(1, recordsDone / recordsTotal) : phase === 'planning' ? 0 : 1;
    const mediaF = hasMedia ? Math.min(1, Math.max(0, bytesDone) / bytesTotal) : 1;
    let f = fetchShare * fetchF + mediaShare * mediaF;
    if (phase === 'writing') f += 0.03;
    if (phase === 'zipping') f += 0.06;
    if (phase === 'finalizing') f += 0.09;
    return Math.max(0, Math.min(0.99, f));
  };

  const snapshot = (): JobProgress => {
    const now = clock.now();
    if (wait && wait.until <= now) wait = undefined;
    const f = fraction();
    if (firstProgressAt === null && f > 0) {
      firstProgressAt = now;
      fractionAtFirst = f;
    }
    let eta: number | null = null;
    if (firstProgressAt !== null && f > fractionAtFirst && now > firstProgressAt) {
      const rate = (f - fractionAtFirst) / (now - firstProgressAt);
      eta = Math.max(0, Math.round((1 - f) / rate / 1000));
    }
    if (wait) eta = Math.max(eta ?? 0, Math.ceil((wait.until - now) / 1000));
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
      etaSeconds: phase === 'done' ? 0 : eta,
      fraction: f,
    };
    if (wait) p.wait = { seconds: Math.max(0, Math.ceil((wait.until - now) / 1000)), scope: wait.scope, reason: wait.reason };
    void startedAt;
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
      phase = p;
      if (s) stepText = s;
      wait = undefined;
      emitNow();
    },
    totals(t) {
      if (t.recordsTotal !== undefined) recordsTotal = t.recordsTotal;
      if (t.bytesTotal !== undefined) bytesTotal = t.bytesTotal;
      if (t.requestsPlanned !== undefined) requestsPlanned = t.requestsPlanned;
      if (t.filesTotal !== undefined) filesTotal = t.filesTotal;
      changed();
    },
    records(type, n, typeTotal) {
      recordsDone += n;
      const done = (typeDone.get(type) ?? 0) + n;
      typeDone.set(type, done);
      stepText = `Fetching ${TYPE_LABELS[type] ?? type} ${fmt(Math.min(done, Math.max(done, typeTotal)))} / ${fmt(Math.max(done, typeTotal))}`;
      wait = undefined;
      changed();
    },
    bytes(delta) {
      bytesDone += delta;
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
