// Export benchmark: a full export of the `large` experiment, recordings included, under
// compressed rate-limit windows, against the simulator on loopback. The export runs in a child
// process (so its peak RSS is the export's alone); the simulator runs here.
//
// Figures (ratios measured side by side in one run):
// - requests ÷ ideal: API requests the server saw ÷ Σ⌈records/1000⌉ per stream + listings + one
//   mint per recording (target 1.00); 429s (target 0);
// - wall time ÷ the limit-implied lower bound (per endpoint ⌊(R−1)/E⌋·W, for the key ⌊(R−1)/K⌋·W);
//   reported for the network part (pages + recordings) and for the whole export (+ writing, ZIP);
// - peak RSS of the export process (target ≤ 300 MB) and records per second converted;
// - event-loop lag p99 during the export (target < 50 ms).
// STUDYDL_BENCH_BIG=1 adds a run whose ZIP passes 4 GiB (media scaled up), checked with unzip -t.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { BenchResult } from './types';

const exec = promisify(execFile);
const here = fileURLToPath(import.meta.url);
const repo = path.resolve(path.dirname(here), '../..');

interface Windows {
  keyLimit: number;
  keyWindowSec: number;
  endpointLimit: number;
  endpointWindowSec: number;
}

interface ChildReport {
  wallMs: number;
  networkMs: number;
  writingMs: number;
  zipMs: number;
  records: number;
  peakRssMb: number;
  heapUsedAtPeakMb: number;
  lagP99Ms: number;
  lagMaxMs: number;
  outputPath: string;
  outputBytes: number;
}

// Compressed 3× (endpoint: 100 per 20 s instead of 60 s) and 18× (key: 1000 per 200 s instead of 3600 s): still
// tight enough that the limits, not local work, should set the pace, as they do for real.
const DEFAULT_WINDOWS: Windows = { keyLimit: 1000, keyWindowSec: 200, endpointLimit: 100, endpointWindowSec: 20 };

// ---------------------------------------------------------------- child: the export itself
async function child(): Promise<void> {
  const { runExport } = await import('../../src-main/core/export/run/run-export');
  const { createJointLimiter } = await import('../../src-main/core/net/limiter');
  const { createHyperStudyClient } = await import('../../src-main/core/sources/hyperstudy/client');
  const { systemClock } = await import('../../src-main/core/ports');
  const cfg = JSON.parse(process.env.STUDYDL_BENCH_CHILD!) as { baseUrl: string; apiKey: string; experimentId: string; dest: string; windows: Windows };
  const w = cfg.windows;
  const limiter = createJointLimiter({ keyLimit: w.keyLimit, keyWindowMs: w.keyWindowSec * 1000, endpointLimit: w.endpointLimit, endpointWindowMs: w.endpointWindowSec * 1000, clock: systemClock });
  const client = createHyperStudyClient({ connection: { baseUrl: cfg.baseUrl, apiKey: cfg.apiKey }, limiter });
  let peak = process.memoryUsage().rss;
  let heapAtPeak = 0;
  const poll = setInterval(() => {
    const m = process.memoryUsage();
    if (m.rss > peak) {
      peak = m.rss;
      heapAtPeak = m.heapUsed;
    }
  }, 20);
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const marks: Record<string, number> = {};
  const t0 = performance.now();
  const lagByPhase: Record<string, number> = {};
  let current = 'start';
  const phase = (p: string) => {
    if (p !== current) {
      lagByPhase[current] = Math.max(lagByPhase[current] ?? 0, lag.percentile(99) / 1e6);
      current = p;
    }
    marks[p] ??= performance.now() - t0;
  };
  const result = await runExport({
    client,
    sourceUrl: cfg.baseUrl,
    request: {
      target: { level: 'experiment', experimentId: cfg.experimentId },
      types: ['events', 'components', 'recordings', 'chat', 'videochat', 'ratings-continuous', 'ratings-sparse', 'sync', 'eyetracking', 'variables'],
      format: 'csv', zip: true, split: 'none', anonymize: 'keep', includeRecordings: true, bom: true, formulaProtection: false, destination: cfg.dest,
    },
    workDir: path.join(cfg.dest, '.studydl-bench'),
    destination: cfg.dest,
    appVersion: 'bench',
    concurrency: 4,
    mediaConcurrency: 3,
    progress: { phase, totals() {}, records() {}, bytes() {}, fileDone() {}, step() {}, wait() {}, flush() {} },
  });
  const wallMs = performance.now() - t0;
  lag.disable();
  if (process.env.STUDYDL_BENCH_DEBUG) console.error('cumulative lag p99 at the end of each phase (ms)', lagByPhase);
  clearInterval(poll);
  await limiter.close();
  const report: ChildReport = {
    wallMs,
    networkMs: (marks.writing ?? wallMs) - (marks.planning ?? 0),
    writingMs: (marks.zipping ?? wallMs) - (marks.writing ?? wallMs),
    zipMs: (marks.finalizing ?? wallMs) - (marks.zipping ?? wallMs),
    records: result.manifest.records,
    peakRssMb: peak / 2 ** 20,
    heapUsedAtPeakMb: heapAtPeak / 2 ** 20,
    lagP99Ms: lag.percentile(99) / 1e6,
    lagMaxMs: lag.max / 1e6,
    outputPath: result.outputPath,
    outputBytes: (await stat(result.outputPath)).size,
  };
  process.stdout.write(JSON.stringify(report) + '\n');
}

// ---------------------------------------------------------------- parent: simulator, figures
async function runOnce(opts: { mediaScale: number; windows: Windows; latencyMs: number; keep?: boolean }) {
  const { startSimulator } = await import('../sim/index');
  const { endpointTemplate } = await import('../sim/index');
  const w = opts.windows;
  const sim = await startSimulator({ scale: 'large', seed: 1, mediaScale: opts.mediaScale, ...w, faults: { latencyMs: opts.latencyMs } });
  const dest = await mkdtemp(path.join(os.tmpdir(), 'bench-export-'));
  try {
    const exp = sim.dataset.experiments().filter((e) => !e.shared)[0];
    // The ideal: Σ⌈N/1000⌉ per stream + experiment + rooms + participants listings + one mint per recording.
    const perEndpoint = new Map<string, number>();
    const add = (ep: string, n: number) => perEndpoint.set(ep, (perEndpoint.get(ep) ?? 0) + n);
    const types = ['events', 'components', 'recordings', 'chat', 'videochat', 'ratings/continuous', 'ratings/sparse', 'sync', 'eyetracking'] as const;
    for (const t of types) add(`/data/${t}/experiment/{id}`, Math.max(1, Math.ceil(sim.dataset.count(t, 'experiment', exp.id) / 1000)));
    add('/data/variables/room/{id}', exp.roomIds.length); // room-only type: one stream per room (each fits a page)
    add('/experiments/{id}', 1);
    add('/data/rooms/experiment/{id}', Math.max(1, Math.ceil(exp.roomIds.length / 1000)));
    add('/data/participants/experiment/{id}', Math.max(1, Math.ceil(exp.participantIds.length / 1000)));
    const recordings = sim.dataset.recordings(exp.id);
    add('/data/recordings/download/{id}/{id}', recordings.length);
    const ideal = [...perEndpoint.values()].reduce((a, b) => a + b, 0);
    const mediaBytes = recordings.reduce((n, r) => n + r.size, 0);
    // Limit-implied lower bound: the last request of each endpoint (and of the key) cannot start earlier.
    const lbEndpoint = Math.max(...[...perEndpoint.values()].map((r) => Math.floor((r - 1) / w.endpointLimit) * w.endpointWindowSec));
    const lbKey = Math.floor((ideal - 1) / w.keyLimit) * w.keyWindowSec;
    const lowerBoundSec = Math.max(lbEndpoint, lbKey) + opts.latencyMs / 1000;

    const cfg = { baseUrl: sim.baseUrl, apiKey: sim.apiKey, experimentId: exp.id, dest, windows: w };
    const report = await new Promise<ChildReport>((resolve, reject) => {
      const c = spawn(process.execPath, ['--import', 'tsx', here], { cwd: repo, env: { ...process.env, STUDYDL_BENCH_CHILD: JSON.stringify(cfg) }, stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      c.stdout.on('data', (d: Buffer) => (out += d.toString()));
      c.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!) as ChildReport) : reject(new Error(`export child exited with ${code}`))));
    });
    const counters = sim.counters();
    void endpointTemplate;
    let zipOk = 'not checked';
    if (opts.keep) {
      await exec('unzip', ['-tqq', report.outputPath], { maxBuffer: 64 << 20 });
      zipOk = 'unzip -t OK';
    }
    return { report, counters, ideal, lowerBoundSec, mediaBytes, recordings: recordings.length, rooms: exp.roomIds.length, zipOk };
  } finally {
    await sim.close();
    await rm(dest, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchResult[]> {
  const windows = DEFAULT_WINDOWS;
  const r = await runOnce({ mediaScale: 0.25, windows, latencyMs: 5 });
  const rep = r.report;
  const results: BenchResult[] = [
    {
      name: 'Full export of the large experiment (all types, recordings, CSV, ZIP)',
      figures: {
        'requests ÷ ideal': r.counters.requests / r.ideal,
        'requests (server) / ideal': `${r.counters.requests} / ${r.ideal}`,
        '429s': r.counters.rateLimited,
        'network wall time ÷ limit lower bound': rep.networkMs / 1000 / r.lowerBoundSec,
        'total wall time ÷ limit lower bound': rep.wallMs / 1000 / r.lowerBoundSec,
        'limit lower bound (s)': r.lowerBoundSec,
        'network part: pages + recordings (s)': rep.networkMs / 1000,
        'writing CSV (s)': rep.writingMs / 1000,
        'writing ZIP (s)': rep.zipMs / 1000,
        'total wall time (s)': rep.wallMs / 1000,
        'peak RSS of the export process (MB)': rep.peakRssMb,
        'V8 heap used at that peak (MB)': rep.heapUsedAtPeakMb,
        'records converted per second': rep.records / (rep.writingMs / 1000),
        'event-loop lag p99 (ms)': rep.lagP99Ms,
        'event-loop lag max (ms)': rep.lagMaxMs,
        records: rep.records,
        'recordings (files / MB)': `${r.recordings} / ${(r.mediaBytes / 2 ** 20).toFixed(0)}`,
        'ZIP size (MB)': rep.outputBytes / 2 ** 20,
      },
      notes:
        `Windows compressed to key ${windows.keyLimit} per ${windows.keyWindowSec} s and endpoint ${windows.endpointLimit} per ${windows.endpointWindowSec} s, 5 ms simulated latency, ` +
        `${r.rooms} rooms, media scaled ×0.25. The export runs in its own process (peak RSS polled every 20 ms there). ` +
        'Network part = planning + pages + recordings (fetched concurrently); the lower bound counts only what the limits force. ' +
        'Writing and zipping are local work that real (uncompressed) limits make negligible next to the hour-long window. ' +
        `Event-loop lag counts every stall of the export process, including time the OS gave the CPU to others: load average during the run ${os.loadavg().map((l) => l.toFixed(1)).join(', ')} on ${os.cpus().length} cores.`,
    },
  ];
  if (process.env.STUDYDL_BENCH_BIG === '1') {
    const big = await runOnce({ mediaScale: 19, windows, latencyMs: 1, keep: true });
    results.push({
      name: 'Opt-in: export whose ZIP passes 4 GiB',
      figures: {
        'ZIP size (GiB)': big.report.outputBytes / 2 ** 30,
        'passes 4 GiB': big.report.outputBytes > 4 * 2 ** 30 ? 'yes' : 'no',
        validation: big.zipOk,
        'peak RSS (MB)': big.report.peakRssMb,
        'total wall time (s)': big.report.wallMs / 1000,
        'event-loop lag p99 (ms)': big.report.lagP99Ms,
      },
    });
  }
  return results;
}

if (process.env.STUDYDL_BENCH_CHILD && import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  child().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
