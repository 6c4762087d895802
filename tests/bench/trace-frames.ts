// Per-frame figures of a Chromium performance trace, for the preview benchmark.

export interface TraceEvent {
  name: string;
  cat?: string;
  ph: string;
  ts: number;
  dur?: number;
  tid: number;
  pid: number;
}

const SCRIPT = new Set(['FunctionCall', 'EventDispatch', 'TimerFire', 'FireAnimationFrame', 'RunMicrotasks', 'v8.callFunction', 'FireIdleCallback']);
const STYLE_LAYOUT = new Set(['UpdateLayoutTree', 'Layout']);

export interface FrameStats {
  /** Main-thread wall time per frame (ms). */
  busy: number[];
  /** Style recalculation + layout per frame (ms). */
  styleLayout: number[];
  /** Style or layout forced from inside script (layout thrash), per frame. */
  forced: number[];
}

/**
 * Per-frame figures from a Chromium trace (categories devtools.timeline and
 * disabled-by-default-devtools.timeline). A frame starts with the main-thread task that runs
 * its requestAnimationFrame callbacks and ends where the next frame's starts; its wall time is
 * the sum of the main-thread tasks (RunTask) that start in between.
 */
export function framesFromTrace(events: TraceEvent[]): FrameStats {
  const rafs = events.filter((e) => e.ph === 'X' && e.name === 'FireAnimationFrame').sort((a, b) => a.ts - b.ts);
  if (rafs.length < 2) return { busy: [], styleLayout: [], forced: [] };
  const { pid, tid } = rafs[0];
  const onMain = events.filter((e) => e.ph === 'X' && e.pid === pid && e.tid === tid);
  const tasks: TraceEvent[] = [];
  let end = -Infinity;
  for (const t of onMain.filter((e) => e.name === 'RunTask').sort((a, b) => a.ts - b.ts)) {
    if (t.ts < end) continue; // nested run loop: counted in its parent
    tasks.push(t);
    end = t.ts + (t.dur ?? 0);
  }
  const taskOf = (ts: number) => tasks.find((t) => t.ts <= ts && ts <= t.ts + (t.dur ?? 0));
  const starts = [...new Set(rafs.map((r) => taskOf(r.ts)?.ts ?? r.ts))].sort((a, b) => a - b);
  const scripts = onMain.filter((e) => SCRIPT.has(e.name));
  const insideScript = (e: TraceEvent) => scripts.some((s) => s.ts <= e.ts && e.ts + (e.dur ?? 0) <= s.ts + (s.dur ?? 0));
  const styleLayout = onMain.filter((e) => STYLE_LAYOUT.has(e.name));
  const out: FrameStats = { busy: [], styleLayout: [], forced: [] };
  for (let i = 0; i < starts.length - 1; i++) {
    const [from, to] = [starts[i], starts[i + 1]];
    const within = (e: TraceEvent) => e.ts >= from && e.ts < to;
    out.busy.push(tasks.filter(within).reduce((n, t) => n + (t.dur ?? 0), 0) / 1000);
    const sl = styleLayout.filter(within);
    out.styleLayout.push(sl.reduce((n, e) => n + (e.dur ?? 0), 0) / 1000);
    out.forced.push(sl.filter(insideScript).length);
  }
  return out;
}
