// Export benchmark: a full export of the `large` experiment (all types, recordings, CSV, ZIP),
// started through the core's public API (startExport, as the app does), in a child process of
// its own so its peak RSS and event loop are the export's alone; the simulator runs in another.
//
// At two window sets:
//   - the documented windows compressed 30× (endpoint 100 per 2 s, key 1000 per 20 s): the
//     limits allow finishing in about 2 s, so the figure shows how much of the local work
//     (fetch handling, CSV, ZIP) stays on the critical path;
//   - a limit-bound set (endpoint and key both 100 per 60 s; see LIMIT_BOUND): the limits force
//     three minutes, and the figure shows how well the export uses them.
// For each: total ÷ the true lower bound (tests/bench/lower-bound.ts: the earliest any schedule
// could finish the ideal requests under both windows), requests ÷ ideal, 429s, peak RSS, and
// event-loop lag at 1 ms resolution minus the idle baseline, p99 and max per phase (from the
// job's progress events).
// STUDYDL_BENCH_BIG=1 adds a run whose ZIP passes 4 GiB (media scaled up), checked with unzip -t.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { ScaleName } from '../sim/types';
import { lagByPhase, type PhaseLag } from './lag-probe';
import { earliestFinish, type Windows } from './lower-bound';
import { repoRoot, startSimProcess } from './sim-process';
import { loadAverage, maxOf, percentile } from './stats';
import type { BenchContext, BenchResult, Headline } from './types';
import { exportWorkload, requestsByEndpoint, totalRequests } from './workload';

const exec = promisify(execFile);
const here = fileURLToPath(import.meta.url);
const SEED = 1;
const LATENCY_MS = 5;

export const DOCUMENTED_30X: Windows = { keyLimit: 1000, keyWindowSec: 20, endpointLimit: 100, endpointWindowSec: 2 };
// Why this set. The workload is 371 requests (the large experiment: 285,579 records in 348 pages
// and listings, plus 20 recording mints). With the real limits the key never binds on an export
// this size; scaled to 100 per 60 s like the endpoint, the key binds (as in a real multi-hour
// export) and the largest type (events, 126 pages) also meets its endpoint limit. The bound is
// then 180 s, and the local work (~20 s of CPU) fits inside it many times over.
const LIMIT_BOUND: Windows = { keyLimit: 100, keyWindowSec: 60, endpointLimit: 100, endpointWindowSec: 60 };
const LIMIT_BOUND_QUICK: Windows = { keyLimit: 15, keyWindowSec: 5, endpointLimit: 15, endpointWindowSec: 5 };

const TYPES = ['events', 'components', 'recordings', 'chat', 'videochat', 'ratings-continuous', 'ratings-sparse', 'sync', 'eyetracking', 'variables'] as const;

interface ChildConfig {
  baseUrl: string;
  apiKey: string;
  orgId: string;
  experimentId: string;
  dir: string;
  windows: Windows;
  baselineMs: number;
}

interface ChildReport {
  state: string;
  error?: string;
  wallMs: number;
  records: number;
  requestsUsed: number;
  outputPath: string;
  outputBytes: number;
  peakRssMb: number;
  heapUsedAtPeakMb: number;
  baseline: { p50: number; p99: number; max: number };
  lagOverall: { p99: number; max: number };
  phases: Array<{ phase: string; atMs: number }>;
  lag: PhaseLag[];
}

// ---------------------------------------------------------------- child: the export itself
async function child(): Promise<void> {
  const { createNodeCore } = await import('../../src-main/server/node-core');
  const { idleBaseline, startLagProbe } = await import('./lag-probe');
  const cfg = JSON.parse(process.env.STUDYDL_BENCH_EXPORT_CHILD!) as ChildConfig;
  const w = cfg.windows;
  const downloads = path.join(cfg.dir, 'downloads');
  const core = createNodeCore({
    configDir: path.join(cfg.dir, 'config'),
    dataDir: path.join(cfg.dir, 'jobs'),
    keyStore: 'memory',
    settingsDefaults: { downloadFolder: downloads, keyLimit: w.keyLimit, keyWindowSec: w.keyWindowSec, endpointLimit: w.endpointLimit, endpointWindowSec: w.endpointWindowSec },
    demo: { baseUrl: cfg.baseUrl, apiKey: cfg.apiKey, organizationId: cfg.orgId },
    env: {},
  });
  await core.ready;
  // The probe's own interval with nothing running, in this process, right before the export.
  const baseline = await idleBaseline(cfg.baselineMs);

  let peak = process.memoryUsage().rss;
  let heapAtPeak = 0;
  const poll = setInterval(() => {
    const m = process.memoryUsage();
    if (m.rss > peak) {
      peak = m.rss;
      heapAtPeak = m.heapUsed;
    }
  }, 20);
  const probe = startLagProbe();
  const phases: Array<{ phase: string; at: number }> = [];
  let jobId = '';
  const settled = new Promise<{ state: string; error?: string; records: number; requestsUsed: number }>((resolve) => {
    core.on('jobState', (s) => {
      if (s.id !== jobId || ['queued', 'running', 'waiting'].includes(s.state)) return;
      resolve({ state: s.state, ...(s.error ? { error: s.error.message } : {}), records: s.manifest?.records ?? 0, requestsUsed: s.progress.requestsUsed });
    });
  });
  core.on('jobProgress', (p) => {
    if (p.jobId === jobId && phases.at(-1)?.phase !== p.phase) phases.push({ phase: p.phase, at: performance.now() });
  });
  const t0 = performance.now();
  phases.push({ phase: 'planning', at: t0 }); // the job plans first; its first progress event may come later
  const snap = await core.api.startExport({
    target: { level: 'experiment', path: [{ level: 'experiment', id: cfg.experimentId }] },
    types: [...TYPES],
    format: 'csv',
    zip: true,
    split: 'none',
    anonymize: 'keep',
    includeRecordings: true,
    bom: true,
    formulaProtection: false,
  });
  jobId = snap.id;
  const end = await settled;
  const t1 = performance.now();
  const samples = probe.stop();
  clearInterval(poll);
  const outputPath = end.state === 'completed' ? (await core.outputs.resolve(jobId)).path : '';
  await core.close();
  const lag = lagByPhase(samples, phases.filter((p) => p.phase !== 'done'), baseline.p50, t1);
  const overall = samples.filter((s) => s.at > t0).map((s) => Math.max(0, s.ms - baseline.p50));
  const report: ChildReport = {
    ...end,
    wallMs: t1 - t0,
    outputPath,
    outputBytes: outputPath ? (await stat(outputPath)).size : 0,
    peakRssMb: peak / 2 ** 20,
    heapUsedAtPeakMb: heapAtPeak / 2 ** 20,
    baseline,
    lagOverall: { p99: percentile(overall, 99), max: maxOf(overall) },
    phases: phases.map((p) => ({ phase: p.phase, atMs: p.at - t0 })),
    lag,
  };
  process.stdout.write(JSON.stringify(report) + '\n');
}

// ---------------------------------------------------------------- parent: simulator, figures
export async function runOnce(opts: { scale: ScaleName; mediaScale: number; windows: Windows; baselineMs: number; checkZip?: boolean }) {
  const { Dataset } = await import('../sim/dataset/index');
  const ds = new Dataset(opts.scale, SEED, opts.mediaScale).accessor();
  const exp = ds.experiments().filter((e) => !e.shared)[0];
  const work = exportWorkload(ds, exp.id, { recordings: true });
  const bound = earliestFinish({ streams: work, windows: opts.windows, latencySec: LATENCY_MS / 1000, firstPageFirst: true });
  const sim = await startSimProcess({ scale: opts.scale, seed: SEED, mediaScale: opts.mediaScale, ...opts.windows, latencyMs: LATENCY_MS });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-export-'));
  try {
    const cfg: ChildConfig = { baseUrl: sim.baseUrl, apiKey: sim.apiKey, orgId: sim.orgId, experimentId: exp.id, dir, windows: opts.windows, baselineMs: opts.baselineMs };
    const report = await new Promise<ChildReport>((resolve, reject) => {
      const c = spawn(process.execPath, ['--import', 'tsx', here], { cwd: repoRoot, env: { ...process.env, STUDYDL_BENCH_EXPORT_CHILD: JSON.stringify(cfg) }, stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      c.stdout.on('data', (d: Buffer) => (out += d.toString()));
      c.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!) as ChildReport) : reject(new Error(`export child exited with ${code}`))));
    });
    if (report.state !== 'completed') throw new Error(`the export ended ${report.state}: ${report.error ?? 'no error given'}`);
    const counters = await sim.counters();
    let zipCheck = 'not checked';
    if (opts.checkZip) {
      await exec('unzip', ['-tqq', report.outputPath], { maxBuffer: 64 << 20 });
      zipCheck = 'unzip -t OK';
    }
    const recordings = ds.recordings(exp.id);
    // Requests above (or below) the ideal, by endpoint template, as the server counted them.
    const idealBy = requestsByEndpoint(work);
    const diff = [...new Set([...idealBy.keys(), ...Object.keys(counters.byEndpoint)])]
      .map((ep) => ({ ep, d: (counters.byEndpoint[ep] ?? 0) - (idealBy.get(ep) ?? 0) }))
      .filter((x) => x.d !== 0)
      .map((x) => `${x.ep} ${x.d > 0 ? '+' : ''}${x.d}`);
    return { report, counters, bound, ideal: totalRequests(work), offIdeal: diff.join(', ') || 'none', rooms: exp.roomIds.length, recordings: recordings.length, mediaMb: recordings.reduce((n, r) => n + r.size, 0) / 2 ** 20, zipCheck };
  } finally {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  }
}

type Run = Awaited<ReturnType<typeof runOnce>>;

const boundOf = (r: Run) => (r.bound.exact ? r.bound.finishSec : r.bound.floorSec);
const worstPhase = (r: Run) => [...r.report.lag].sort((a, b) => b.p99 - a.p99)[0];

function figuresOf(r: Run, w: Windows): Record<string, string | number> {
  const rep = r.report;
  const phaseAt = (p: string) => rep.phases.find((x) => x.phase === p)?.atMs;
  const fetchedAt = phaseAt('writing') ?? phaseAt('zipping') ?? rep.wallMs;
  return {
    windows: `endpoint ${w.endpointLimit} per ${w.endpointWindowSec} s, key ${w.keyLimit} per ${w.keyWindowSec} s`,
    'requests (server) / ideal': `${r.counters.requests} / ${r.ideal}`,
    'requests ÷ ideal': r.counters.requests / r.ideal,
    'requests off the ideal, by endpoint': r.offIdeal,
    '429s': r.counters.rateLimited,
    'total wall time (s)': rep.wallMs / 1000,
    'true lower bound (s)': boundOf(r),
    'true lower bound proven optimal': r.bound.exact ? `yes (${r.bound.proof})` : `no: optimum in [${r.bound.floorSec}, ${r.bound.finishSec}] s, dividing by the floor`,
    'total ÷ true lower bound': rep.wallMs / 1000 / boundOf(r),
    'until the last page and recording (s)': fetchedAt / 1000,
    'phases entered at (s)': rep.phases.map((p) => `${p.phase} ${(p.atMs / 1000).toFixed(1)}`).join(', '),
    records: rep.records,
    'recordings (files / MB)': `${r.recordings} / ${r.mediaMb.toFixed(0)}`,
    'ZIP size (MB)': rep.outputBytes / 2 ** 20,
    'peak RSS of the export process (MB)': rep.peakRssMb,
    'V8 heap used at that peak (MB)': rep.heapUsedAtPeakMb,
    'probe interval when idle, p50 / p99 / max (ms)': `${rep.baseline.p50.toFixed(2)} / ${rep.baseline.p99.toFixed(2)} / ${rep.baseline.max.toFixed(2)}`,
    'event-loop lag over idle, whole export, p99 / max (ms)': `${rep.lagOverall.p99.toFixed(1)} / ${rep.lagOverall.max.toFixed(1)}`,
    'event-loop lag over idle by phase, p99 / max (ms)': rep.lag.map((l) => `${l.phase} ${l.p99.toFixed(1)} / ${l.max.toFixed(0)}`).join('; '),
    'share of each phase stalled ≥ 50 ms': rep.lag.map((l) => `${l.phase} ${(l.stalledShare * 100).toFixed(1)} %`).join('; '),
  };
}

export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const scale: ScaleName = ctx.quick ? 'small' : 'large';
  const baselineMs = ctx.quick ? 500 : 2000;
  const load0 = await loadAverage();
  const documented = await runOnce({ scale, mediaScale: 0.25, windows: DOCUMENTED_30X, baselineMs });
  const load1 = await loadAverage();
  const limitWindows = ctx.quick ? LIMIT_BOUND_QUICK : LIMIT_BOUND;
  const limited = await runOnce({ scale, mediaScale: 0.25, windows: limitWindows, baselineMs });
  const load2 = await loadAverage();

  const common =
    `The ${scale} dataset's first own experiment (${documented.rooms} rooms), every data type, recordings (media scaled ×0.25), CSV in a ZIP, through the core's startExport with its default settings; ` +
    `${LATENCY_MS} ms simulated latency; simulator and export each in their own process (peak RSS polled every 20 ms in the export's, which runs the TypeScript sources through tsx; the cpu section measures the bundled CLI). ` +
    'The true lower bound counts the ideal requests (one stream per data type, ⌈N/1000⌉ pages each, variables one request per room, the experiment, rooms and participants listings, one signed-URL request per recording) with first pages answered before the rest of their stream; it ignores the media bytes and that the mints need the recordings listing first. ' +
    'Event-loop lag: a 1 ms timer in the export process, each interval minus the median interval measured idle in that process just before; a sample counts for the phase in force when it ended (phases from the job\'s progress events). ' +
    'Lag includes time the OS gave the CPU to other processes: ';

  const lagWorst = [documented, limited].map((r) => ({ r, ph: worstPhase(r) })).sort((a, b) => b.ph.p99 - a.ph.p99)[0];
  const exportRatio = documented.report.wallMs / 1000 / boundOf(documented);
  const docFetchEnd = (documented.report.phases.find((p) => p.phase === 'writing')?.atMs ?? documented.report.wallMs) / 1000;
  const headlines: Headline[] = [
    {
      target: 'exportBound',
      value: exportRatio,
      method: `total wall time of the whole export (plan, fetch, write, ZIP) ÷ earliest possible finish of its ${documented.ideal} ideal requests at 100/2 s and 1000/20 s`,
      why: `the limits allow ${boundOf(documented).toFixed(2)} s; the last page and recording are in after ${docFetchEnd.toFixed(1)} s and writing and ZIP take the export to ${(documented.report.wallMs / 1000).toFixed(1)} s: local CPU work, not the limits, sets the pace (see the cpu section)`,
    },
    {
      target: 'eventLoopLag',
      value: lagWorst.ph.p99,
      method: 'largest per-phase p99 of event-loop lag over the idle baseline (1 ms timer probe) in the export process, over both window sets',
      why: `${lagWorst.ph.phase} at ${lagWorst.r === documented ? '100/2 s, 1000/20 s' : 'the limit-bound windows'}: p99 ${lagWorst.ph.p99.toFixed(0)} ms, longest stall ${lagWorst.ph.max.toFixed(0)} ms, ${(lagWorst.ph.stalledShare * 100).toFixed(0)} % of the phase in stalls ≥ 50 ms (load average ${load2})`,
    },
  ];
  const results: BenchResult[] = [
    {
      name: `Full export of the ${scale} experiment at the documented windows compressed 30×`,
      figures: figuresOf(documented, DOCUMENTED_30X),
      notes: common + `load average before ${load0}, after ${load1}.`,
      headlines,
    },
    {
      name: `Full export of the ${scale} experiment at limit-bound windows`,
      figures: figuresOf(limited, limitWindows),
      notes: common + `load average after ${load2}.`,
    },
  ];
  if (process.env.STUDYDL_BENCH_BIG === '1') {
    const big = await runOnce({ scale, mediaScale: 19, windows: DOCUMENTED_30X, baselineMs, checkZip: true });
    results.push({
      name: 'Opt-in: export whose ZIP passes 4 GiB',
      figures: {
        'ZIP size (GiB)': big.report.outputBytes / 2 ** 30,
        'passes 4 GiB': big.report.outputBytes > 4 * 2 ** 30 ? 'yes' : 'no',
        validation: big.zipCheck,
        'peak RSS (MB)': big.report.peakRssMb,
        'total wall time (s)': big.report.wallMs / 1000,
      },
    });
  }
  return results;
}

if (process.env.STUDYDL_BENCH_EXPORT_CHILD && import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  child().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
