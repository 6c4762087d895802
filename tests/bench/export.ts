// Export benchmark: a full export of the `large` experiment, recordings included, under
// rate-limit windows chosen to keep it limit-bound (see DEFAULT_WINDOWS), against the simulator
// on loopback. The export runs in a child process (so its peak RSS is the export's alone; it
// plans first, as the app does, then exports with that plan); the simulator runs here.
//
// Figures (ratios measured side by side in one run):
// - requests ÷ ideal: API requests the server saw ÷ Σ⌈records/1000⌉ per stream + listings + one
//   mint per recording (target 1.00); 429s (target 0);
// - wall time ÷ the limit-implied lower bound, the largest of: per endpoint ⌊(R−1)/E⌋·W and for
//   the key ⌊(R−1)/K⌋·W over the ideal counts, the same over the plan's own counts per endpoint,
//   and the planner's estimateSeconds over the plan's counts (all three are reported); for the
//   network part (plan + pages + recordings) and for the whole export (+ what is left to write, ZIP);
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
import { measureConversionRate } from './convert-rate';
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
  /** Requests per endpoint, from the export's own plan (streams, listings, mints). */
  planRequestsByEndpoint: Record<string, number>;
  /** Event-loop lag p99 by phase (ms), each phase measured on its own. */
  lagP99ByPhase: Record<string, number>;
  records: number;
  peakRssMb: number;
  heapUsedAtPeakMb: number;
  lagP99Ms: number;
  lagMaxMs: number;
  outputPath: string;
  outputBytes: number;
}

// Why these windows. The workload is 371 requests (the `large` experiment: 285,579 records in
// 348 pages and listings, plus 20 recording mints). Real limits (100 per 60 s per endpoint, 1,000
// per hour per key) would make that an endpoint-bound export in which the key never binds. The
// issue's example (100 per 2 s, 1,000 per 20 s) gives a 2-second lower bound: the ~20 s of CSV
// and ZIP work on this 2-core machine would then be the bottleneck, and the ratio would measure
// our CPU, not how well we use the limits. So: the endpoint window is the real one (100 per
// 60 s) and the key is scaled down to 100 per 60 s, so that (as in a real multi-hour export) the
// key is the binding limit and spreads the fetching over several windows, and the largest type
// (events, 126 pages) also meets its endpoint limit. The limit-implied lower bound is then 180 s
// (the bench run ~3.5 min), and the local work (~20 s of CPU) fits inside it many times over:
// the run is limit-bound, and the ratio shows how much of that work the export hides behind the waits.
const DEFAULT_WINDOWS: Windows = { keyLimit: 100, keyWindowSec: 60, endpointLimit: 100, endpointWindowSec: 60 };

// ---------------------------------------------------------------- child: the export itself
async function child(): Promise<void> {
  const { runExport, withRoomsListedOnce } = await import('../../src-main/core/export/run/run-export');
  const { createJointLimiter } = await import('../../src-main/core/net/limiter');
  const { createHyperStudyClient } = await import('../../src-main/core/sources/hyperstudy/client');
  const { systemClock } = await import('../../src-main/core/ports');
  const { createPlan, streamEndpoint, MINT_ENDPOINT } = await import('../../src-main/core/plan/planner');
  const cfg = JSON.parse(process.env.STUDYDL_BENCH_CHILD!) as { baseUrl: string; apiKey: string; experimentId: string; dest: string; windows: Windows };
  const w = cfg.windows;
  const limiter = createJointLimiter({ keyLimit: w.keyLimit, keyWindowMs: w.keyWindowSec * 1000, endpointLimit: w.endpointLimit, endpointWindowMs: w.endpointWindowSec * 1000, clock: systemClock });
  const rawClient = createHyperStudyClient({ connection: { baseUrl: cfg.baseUrl, apiKey: cfg.apiKey }, limiter });
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
  const phaseLag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  phaseLag.enable();
  const marks: Record<string, number> = {};
  const t0 = performance.now();
  const lagP99ByPhase: Record<string, number> = {};
  let current = 'planning';
  const phase = (p: string) => {
    if (p !== current) {
      lagP99ByPhase[current] = Math.max(lagP99ByPhase[current] ?? 0, phaseLag.percentile(99) / 1e6);
      phaseLag.reset();
      current = p;
    }
    marks[p] ??= performance.now() - t0;
  };
  const fetched = new Map<string, number>();
  const debug = (text: string) => {
    if (process.env.STUDYDL_BENCH_DEBUG) console.error(`${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s  ${text}`);
  };
  // Debug: name the long stalls as they happen (between which progress events they fell).
  let lastTick = performance.now();
  const stallWatch = setInterval(() => {
    const now = performance.now();
    if (now - lastTick > 100) debug(`event loop stalled ${(now - lastTick).toFixed(0)} ms`);
    lastTick = now;
  }, 10);
  if (!process.env.STUDYDL_BENCH_DEBUG) clearInterval(stallWatch);
  const request = {
    target: { level: 'experiment' as const, experimentId: cfg.experimentId },
    types: ['events', 'components', 'recordings', 'chat', 'videochat', 'ratings-continuous', 'ratings-sparse', 'sync', 'eyetracking', 'variables'] as const,
    format: 'csv' as const, zip: true, split: 'none' as const, anonymize: 'keep' as const, includeRecordings: true, bom: true, formulaProtection: false, destination: cfg.dest,
  };
  // The plan first, as the app does (the dialog shows it); its request counts give the lower bound.
  // One rooms listing for plan and export, as in the app (the runner's own view does the same).
  const client = withRoomsListedOnce(rawClient);
  const plan = await createPlan(client, { target: request.target, types: [...request.types], includeRecordings: true }, { concurrency: 4 });
  const planRequestsByEndpoint: Record<string, number> = {};
  const addPlanned = (ep: string, n: number) => (planRequestsByEndpoint[ep] = (planRequestsByEndpoint[ep] ?? 0) + n);
  for (const st of plan.plan.streams) addPlanned(streamEndpoint(st), st.requests);
  if (plan.plan.mediaRequests) addPlanned(MINT_ENDPOINT, plan.plan.mediaRequests);
  // Experiment, rooms and participants listings: three endpoints, counted as one (stricter).
  addPlanned('listings', plan.plan.listingRequests);
  const result = await runExport({
    client,
    sourceUrl: cfg.baseUrl,
    plan,
    request: { ...request, types: [...request.types] },
    workDir: path.join(cfg.dest, '.studydl-bench'),
    destination: cfg.dest,
    appVersion: 'bench',
    concurrency: 4,
    mediaConcurrency: 3,
    progress: {
      phase: (p: string, step?: string) => (debug(`phase ${p}: ${step ?? ''}`), phase(p)),
      totals() {},
      records: (type: string, n: number, total: number) => {
        const done = (fetched.get(type) ?? 0) + n;
        fetched.set(type, done);
        if (done >= total && done - n < total) debug(`fetched all ${type}`);
      },
      bytes() {},
      fileDone() {},
      step: (t: string) => debug(`step: ${t}`),
      background: (t?: string) => debug(`alongside: ${t ?? '(none)'}`),
      wait() {},
      flush() {},
    },
  });
  const wallMs = performance.now() - t0;
  phase('end');
  clearInterval(stallWatch);
  lag.disable();
  phaseLag.disable();
  if (process.env.STUDYDL_BENCH_DEBUG) console.error('lag p99 per phase (ms)', lagP99ByPhase, 'marks (ms)', marks);
  clearInterval(poll);
  await limiter.close();
  const report: ChildReport = {
    wallMs,
    // From the start of planning to the last page and recording; then what is left to write.
    networkMs: marks.writing ?? wallMs,
    writingMs: (marks.zipping ?? wallMs) - (marks.writing ?? wallMs),
    planRequestsByEndpoint,
    lagP99ByPhase,
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
    const floorBound = (counts: number[]) => {
      const lbEndpoint = Math.max(...counts.map((r) => Math.floor((r - 1) / w.endpointLimit) * w.endpointWindowSec));
      const lbKey = Math.floor((counts.reduce((a, b) => a + b, 0) - 1) / w.keyLimit) * w.keyWindowSec;
      return Math.max(lbEndpoint, lbKey) + opts.latencyMs / 1000;
    };
    const idealBoundSec = floorBound([...perEndpoint.values()]);

    const cfg = { baseUrl: sim.baseUrl, apiKey: sim.apiKey, experimentId: exp.id, dest, windows: w };
    const report = await new Promise<ChildReport>((resolve, reject) => {
      const c = spawn(process.execPath, ['--import', 'tsx', here], { cwd: repo, env: { ...process.env, STUDYDL_BENCH_CHILD: JSON.stringify(cfg) }, stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      c.stdout.on('data', (d: Buffer) => (out += d.toString()));
      c.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!) as ChildReport) : reject(new Error(`export child exited with ${code}`))));
    });
    const counters = sim.counters();
    void endpointTemplate;
    // The same bound from the export's own plan, by the simple formula and by the planner's
    // estimateSeconds (a full key budget at the start); the ratio uses the largest of the three.
    const planned = Object.values(report.planRequestsByEndpoint);
    const planFloorSec = floorBound(planned);
    const { estimateSeconds } = await import('../../src-main/core/plan/estimate');
    const planEstimateSec = estimateSeconds({
      requestsByEndpoint: report.planRequestsByEndpoint,
      budget: { keyLimit: w.keyLimit, keyWindowSec: w.keyWindowSec, keyRemaining: w.keyLimit, endpointLimit: w.endpointLimit, endpointWindowSec: w.endpointWindowSec },
      latencySec: opts.latencyMs / 1000,
      concurrency: 4,
    });
    const lowerBoundSec = Math.max(idealBoundSec, planFloorSec, planEstimateSec);
    const plannedRequests = planned.reduce((a, b) => a + b, 0);
    let zipOk = 'not checked';
    if (opts.keep) {
      await exec('unzip', ['-tqq', report.outputPath], { maxBuffer: 64 << 20 });
      zipOk = 'unzip -t OK';
    }
    return { report, counters, ideal, lowerBoundSec, idealBoundSec, planFloorSec, planEstimateSec, plannedRequests, mediaBytes, recordings: recordings.length, rooms: exp.roomIds.length, zipOk };
  } finally {
    await sim.close();
    await rm(dest, { recursive: true, force: true });
  }
}

/** STUDYDL_BENCH_WINDOWS="keyLimit,keyWindowSec,endpointLimit,endpointWindowSec" overrides the windows (to compare regimes). */
function windowsFromEnv(): Windows {
  const v = process.env.STUDYDL_BENCH_WINDOWS?.split(',').map(Number);
  if (!v || v.length !== 4 || v.some((n) => !(n > 0))) return DEFAULT_WINDOWS;
  return { keyLimit: v[0], keyWindowSec: v[1], endpointLimit: v[2], endpointWindowSec: v[3] };
}

export async function run(): Promise<BenchResult[]> {
  const windows = windowsFromEnv();
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
        'lower bound: floor formula, ideal counts / plan counts; estimateSeconds, plan counts (s)': `${r.idealBoundSec.toFixed(1)} / ${r.planFloorSec.toFixed(1)}; ${r.planEstimateSec.toFixed(1)}`,
        'planned requests': r.plannedRequests,
        'network part: plan + pages + recordings (s)': rep.networkMs / 1000,
        'writing left after the network part (s)': rep.writingMs / 1000,
        'writing ZIP (s)': rep.zipMs / 1000,
        'total wall time (s)': rep.wallMs / 1000,
        'peak RSS of the export process (MB)': rep.peakRssMb,
        'V8 heap used at that peak (MB)': rep.heapUsedAtPeakMb,
        'event-loop lag p99 (ms)': rep.lagP99Ms,
        'event-loop lag max (ms)': rep.lagMaxMs,
        'event-loop lag p99 by phase (ms)': Object.entries(rep.lagP99ByPhase)
          .map(([p, v]) => `${p} ${v.toFixed(0)}`)
          .join(', '),
        records: rep.records,
        'recordings (files / MB)': `${r.recordings} / ${(r.mediaBytes / 2 ** 20).toFixed(0)}`,
        'ZIP size (MB)': rep.outputBytes / 2 ** 20,
      },
      notes:
        `Windows compressed to key ${windows.keyLimit} per ${windows.keyWindowSec} s and endpoint ${windows.endpointLimit} per ${windows.endpointWindowSec} s, 5 ms simulated latency, ` +
        `${r.rooms} rooms, media scaled ×0.25. The export runs in its own process (peak RSS polled every 20 ms there). ` +
        'Network part = planning + pages + recordings (fetched concurrently, with each type written as soon as its pages are in); the lower bound counts only what the limits force. ' +
        'Windows chosen so the run is limit-bound, not CPU-bound (see DEFAULT_WINDOWS in tests/bench/export.ts). ' +
        `Event-loop lag counts every stall of the export process, including time the OS gave the CPU to others: load average during the run ${os.loadavg().map((l) => l.toFixed(1)).join(', ')} on ${os.cpus().length} cores.`,
    },
  ];
  const conv = await measureConversionRate();
  results.push({
    name: 'Records converted per second (writers alone)',
    figures: {
      'records converted per second': Math.round(conv.perSecond),
      records: conv.records,
      'seconds': conv.seconds,
      'files written (split by participant)': conv.files,
    },
    notes: 'Events from the large simulator dataset, held in memory, written as CSV (flatten, two passes for the column union, BOM, formula protection) split by participant. The API delivers at most 1,000,000 records per hour (278 per second), so conversion is far from the bottleneck.',
  });
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
