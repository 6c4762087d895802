// Preview benchmark: the events preview of the `large` dataset's biggest experiment (125,936 rows)
// in headless Chromium, browser mode, real core, simulator without limits.
//   - Cold click → painted: for each measurement a fresh simulator and core and a fresh page; the
//     measured click is "Browse all data", which opens the data view on the events tab. The
//     simulator's counters must show no events request before the click (nothing prefetched).
//     Painted: the frame after the first loaded row is in the DOM.
//   - Warm click → painted: back to the events tab once its stream is cached in the core.
//   - Frames while scrolling (3 of 4 frames fling 20 rows, every 4th jumps like a dragged
//     scrollbar), from a Chromium trace: per frame, the wall time of every main-thread task from
//     the start of that frame's task (the one running its requestAnimationFrame callbacks) to the
//     next frame's: script, style, layout, paint, and pages arriving over the WebSocket alike.
//     Also the requestAnimationFrame intervals seen by the page.
import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser, Page } from '@playwright/test';
import { launchBrowser } from '../e2e/fixtures';
import type { ScaleName, SimCounters } from '../sim/types';
import { repoRoot } from './sim-process';
import { loadAverage, maxOf, median, percentile, round } from './stats';
import { framesFromTrace, type TraceEvent } from './trace-frames';
import type { BenchContext, BenchResult } from './types';

const BIG = 1_000_000;
const here = fileURLToPath(import.meta.url);

/** Clicks the element and resolves with ms until a loaded row of the preview grid is painted (the frame after it appears). */
const CLICK_TO_ROWS = `(async ({ selector, tab }) => {
  const target = document.querySelector(selector);
  if (!target) throw new Error('nothing to click at ' + selector);
  const t0 = performance.now();
  target.click();
  return await new Promise((resolve) => {
    const check = () => {
      const row = document.querySelector('[data-testid="preview-grid"] .grid-body [role="row"][data-loaded]');
      const selected = document.querySelector('[role="tab"][aria-selected="true"]');
      if (row && selected && selected.getAttribute('data-tab') === tab) {
        requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0), 0));
      } else requestAnimationFrame(check);
    };
    check();
  });
})`;

/** Scrolls the grid one step per frame and returns the requestAnimationFrame intervals. */
const SCROLL_FRAMES = `(async ({ frames }) => {
  const el = document.querySelector('[data-testid="preview-grid"] [role="grid"]');
  const max = el.scrollHeight - el.clientHeight;
  const intervals = [];
  let seed = 7;
  const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  let last = await new Promise((r) => requestAnimationFrame(r));
  for (let i = 0; i < frames; i++) {
    const now = await new Promise((r) => requestAnimationFrame(r));
    intervals.push(now - last);
    last = now;
    el.scrollTop = i % 4 === 3 ? Math.floor(rand() * max) : Math.min(max, el.scrollTop + 600);
  }
  await new Promise((r) => setTimeout(r, 300));
  return { intervals, rowsInDom: el.querySelectorAll('.grid-body [role="row"]').length };
})`;

/** Browser mode with a simulator and a fresh core, in a process of its own (so its JIT is cold too). */
interface AppProcess {
  url: string;
  /** The simulator's control routes (counters). */
  simOrigin: string;
  experiment: { name: string; rows: number };
  close(): Promise<void>;
}

async function startAppProcess(scale: ScaleName): Promise<AppProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', here], { cwd: repoRoot, env: { ...process.env, STUDYDL_BENCH_PREVIEW_APP: scale }, stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`preview app exited with ${code} before it was ready`)));
    createInterface({ input: child.stdout }).once('line', resolve);
  });
  child.removeAllListeners('exit');
  const info = JSON.parse(line) as Omit<AppProcess, 'close'>;
  return {
    ...info,
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The child: the e2e fixture's app server (simulator + core + browser-mode server) until SIGTERM. */
async function appChild(scale: ScaleName): Promise<void> {
  const { startAppServer } = await import('../e2e/fixtures');
  const app = await startAppServer({ scale, sim: { keyLimit: BIG, endpointLimit: BIG }, settings: { keyLimit: BIG, endpointLimit: BIG } });
  const ds = app.sim.dataset;
  const exp = ds.experiments().sort((a, b) => ds.count('events', 'experiment', b.id) - ds.count('events', 'experiment', a.id))[0];
  const info: Omit<AppProcess, 'close'> = { url: app.url, simOrigin: app.sim.origin, experiment: { name: exp.name, rows: ds.count('events', 'experiment', exp.id) } };
  process.stdout.write(JSON.stringify(info) + '\n');
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

async function openExperiment(page: Page, app: AppProcess): Promise<void> {
  await page.goto(app.url);
  await page.getByRole('grid', { name: 'Experiments' }).waitFor();
  await page.getByText(app.experiment.name, { exact: true }).first().dblclick();
  await page.getByRole('button', { name: 'Browse all data' }).waitFor();
}

const EVENTS_ENDPOINT = '/data/events/experiment/{id}';

/** One cold measurement: fresh simulator, core, process and page; returns ms, or throws if events were fetched before the click. */
async function coldClick(browser: Browser, scale: ScaleName): Promise<number> {
  const app = await startAppProcess(scale);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    await openExperiment(page, app);
    const counters = (await (await fetch(`${app.simOrigin}/__sim/counters`)).json()) as SimCounters;
    const before = counters.byEndpoint[EVENTS_ENDPOINT] ?? 0;
    if (before !== 0) throw new Error(`${before} events requests before the cold click: the preview was prefetched`);
    await page.getByRole('button', { name: 'Browse all data' }).evaluate((b) => b.setAttribute('data-bench-click', ''));
    return (await page.evaluate(`${CLICK_TO_ROWS}({ selector: '[data-bench-click]', tab: 'events' })`)) as number;
  } finally {
    await context.close();
    await app.close();
  }
}

export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const scale: ScaleName = ctx.quick ? 'small' : 'large';
  const frames = ctx.quick ? 60 : 400;
  const coldRuns = ctx.quick ? 1 : 3;
  const warmRuns = ctx.quick ? 2 : 7;
  // Measure the current renderer: build it as `npm run build` does (a few seconds).
  execFileSync('npx', ['electron-vite', 'build'], { cwd: repoRoot, stdio: 'ignore' });
  const browser = await launchBrowser();
  try {
    const cold: number[] = [];
    for (let i = 0; i < coldRuns; i++) cold.push(await coldClick(browser, scale));

    // Warm clicks and the scroll on one more app, once the whole stream is in the core.
    const app = await startAppProcess(scale);
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await openExperiment(page, app);
      const rows = app.experiment.rows;
      await page.getByRole('button', { name: 'Browse all data' }).click();
      const count = page.getByTestId('preview-count');
      const allRows = new RegExp(`^${rows.toLocaleString('en-US')} rows$`);
      await count.filter({ hasText: allRows }).waitFor({ timeout: 300_000 });
      const warm: number[] = [];
      for (let i = 0; i < warmRuns; i++) {
        await page.locator('[role="tab"][data-tab="chat"]').click();
        await count.filter({ hasText: /rows/ }).waitFor();
        warm.push((await page.evaluate(`${CLICK_TO_ROWS}({ selector: '[role="tab"][data-tab="events"]', tab: 'events' })`)) as number);
        await count.filter({ hasText: allRows }).waitFor();
      }

      const load = await loadAverage();
      await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
      const scroll = (await page.evaluate(`${SCROLL_FRAMES}({ frames: ${frames} })`)) as { intervals: number[]; rowsInDom: number };
      const trace = JSON.parse((await browser.stopTracing()).toString()) as { traceEvents: TraceEvent[] };
      const f = framesFromTrace(trace.traceEvents);
      const vsync = median(scroll.intervals);
      const dropped = scroll.intervals.filter((x) => x > vsync * 1.5).length;
      const p95 = percentile(f.busy, 95);
      const coldMedian = median(cold);
      return [
        {
          name: `Events preview, ${rows.toLocaleString('en-US')} rows (experiment scope, headless Chromium, browser mode)`,
          figures: {
            'rows in table': rows,
            'click → rows painted, cold, fresh simulator, core and process (ms)': cold.map((c) => round(c)).join(', '),
            'click → rows painted, cold, median (ms)': round(coldMedian),
            'click → rows painted, warm, median / max (ms)': `${round(median(warm))} / ${round(maxOf(warm))}`,
            'scroll frames (trace)': f.busy.length,
            'main-thread wall time per frame, p50 / p95 / max (ms)': `${round(percentile(f.busy, 50), 2)} / ${round(p95, 2)} / ${round(maxOf(f.busy), 2)}`,
            'style + layout per frame, p50 / p95 (ms)': `${round(percentile(f.styleLayout, 50), 2)} / ${round(percentile(f.styleLayout, 95), 2)}`,
            'style or layout forced from script, per frame, mean': round(f.forced.reduce((a, b) => a + b, 0) / Math.max(1, f.forced.length), 2),
            'requestAnimationFrame interval, p50 / p95 / max (ms)': `${round(vsync, 2)} / ${round(percentile(scroll.intervals, 95), 2)} / ${round(maxOf(scroll.intervals), 2)}`,
            'frames longer than 1.5 intervals (dropped)': `${dropped} of ${scroll.intervals.length}`,
            'row elements in DOM after scrolling': scroll.rowsInDom,
          },
          notes:
            'Cold: each measurement starts a fresh simulator and core in a new process and opens a fresh page; the simulator counts no events request before the click, so nothing was prefetched; the click is "Browse all data", which opens the data view on the events tab; the time runs until the frame after the first loaded row is in the DOM, the page fetching its first 200 rows while the core fetches the stream. ' +
            'Warm: the stream is cached in the core; the click switches back to the events tab. ' +
            'Frames: main-thread wall time from the start of the task that runs a frame\'s requestAnimationFrame callbacks (where the page scrolls) to the start of the next one, summing every task in between: script, style, layout and paint of the frame and any page arriving over the WebSocket. Wall time includes the renderer being preempted on a busy machine. ' +
            `Each app (simulator, core and browser-mode server: the e2e fixture) runs in a fresh process of its own. Tracing itself adds some overhead. Load average before the scroll: ${load}.`,
          headlines: [
            {
              target: 'previewCold',
              value: coldMedian,
              method: `median of ${coldRuns} click${coldRuns === 1 ? '' : 's'} on "Browse all data", each with a fresh simulator and core in a new process, a fresh page and no events request before it, until the frame after the first loaded row (in-page clock, Chromium)`,
              why: `cold clicks took ${cold.map((c) => round(c)).join(', ')} ms; warm ones (stream cached in the core) ${round(median(warm))} ms median: the difference is the core fetching the stream's first page and the data view mounting`,
            },
            {
              target: 'previewFrame',
              value: p95,
              method: `p95 over ${f.busy.length} scroll frames of main-thread wall time per frame (all tasks: script, style, layout, paint), from a Chromium trace`,
              why: `style + layout alone is ${round(percentile(f.styleLayout, 95), 1)} ms at p95 per frame, with ${round(f.forced.reduce((a, b) => a + b, 0) / Math.max(1, f.forced.length), 1)} forced style/layout updates from script per frame; ${dropped} of ${scroll.intervals.length} frames dropped (load average ${load})`,
            },
          ],
        },
      ];
    } finally {
      await app.close();
    }
  } finally {
    await browser.close();
  }
}

if (process.env.STUDYDL_BENCH_PREVIEW_APP && import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  appChild(process.env.STUDYDL_BENCH_PREVIEW_APP as ScaleName).catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
