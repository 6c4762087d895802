// The targets of issue 15 ("Performance, round 2"), in the order of its table, then issue 14's (sync). Each benchmark
// reports its figures against these ids; BENCHMARKS.md shows them with meets / misses, and why.

interface Target {
  figure: string;
  /** As written in the issue. */
  target: string;
  unit: string;
  meets(value: number): boolean;
}

export const TARGETS = {
  pagingBound: { figure: 'paging wall ÷ true lower bound (limit-bound windows)', target: '≤ 1.15', unit: '', meets: (v: number) => v <= 1.15 },
  exportBound: { figure: 'full `large` export total ÷ true bound at 100/2 s and 1000/20 s', target: '≤ 1.15', unit: '', meets: (v: number) => v <= 1.15 },
  cpuPerRecord: { figure: 'client CPU per record, CSV export, no limits (user+sys ÷ records)', target: '≤ 15 µs', unit: ' µs', meets: (v: number) => v <= 15 },
  writersRate: { figure: 'writers alone', target: '≥ 150k records/s', unit: ' records/s', meets: (v: number) => v >= 150_000 },
  peakRss: { figure: 'peak RSS of that export', target: '≤ 200 MB', unit: ' MB', meets: (v: number) => v <= 200 },
  sequentialPeer: { figure: 'no limits, 150 ms latency: wall ÷ sequential pager', target: '≤ 0.25', unit: '', meets: (v: number) => v <= 0.25 },
  mediaVsCurl: { figure: 'media throughput ÷ curl, loopback', target: '≥ 0.9', unit: '', meets: (v: number) => v >= 0.9 },
  eventLoopLag: { figure: 'event-loop lag p99, every phase', target: '< 50 ms', unit: ' ms', meets: (v: number) => v < 50 },
  previewCold: { figure: '100k-row preview, cold: click → painted', target: '≤ 200 ms', unit: ' ms', meets: (v: number) => v <= 200 },
  previewFrame: { figure: '100k-row preview: p95 frame, wall clock', target: '≤ 16 ms', unit: ' ms', meets: (v: number) => v <= 16 },
  syncRequests: { figure: 're-sync requests ÷ (new pages + listings), +1 % new records in one active room of `large` (issue 14)', target: '≤ 1.1', unit: '', meets: (v: number) => v <= 1.1 },
} satisfies Record<string, Target>;

export type TargetId = keyof typeof TARGETS;
export const TARGET_IDS = Object.keys(TARGETS) as TargetId[];

/** Three significant digits at most, thousands separated: 1.236, 28,331, 0.39. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : Math.abs(v) >= 1 ? 2 : 3;
  return v.toLocaleString('en-US', { maximumFractionDigits: digits });
}
