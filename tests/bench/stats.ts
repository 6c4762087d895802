// Small statistics shared by the benchmarks.

/** Nearest-rank percentile (p in 0..100) of the values; NaN when there are none. */
export function percentile(values: ArrayLike<number>, p: number): number {
  const s = Array.from(values).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

export const median = (values: ArrayLike<number>) => percentile(values, 50);

/** The largest value (NaN when there are none); a loop, as spreading 100,000s of samples into Math.max overflows the stack. */
export function maxOf(values: ArrayLike<number>): number {
  if (values.length === 0) return NaN;
  let m = -Infinity;
  for (let i = 0; i < values.length; i++) if (values[i] > m) m = values[i];
  return m;
}

export const round = (n: number, digits = 1) => Number(n.toFixed(digits));

/** The 1-, 5- and 15-minute load averages, for notes: the machine is shared. */
export async function loadAverage(): Promise<string> {
  const { loadavg, cpus } = await import('node:os');
  return `${loadavg().map((l) => l.toFixed(1)).join(', ')} on ${cpus().length} cores`;
}
