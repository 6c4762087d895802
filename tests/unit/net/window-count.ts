// What a rate-limit test checks of a schedule, computed from the grant times alone.

/** Max number of times in any half-open window [t, t+W). */
export function maxInWindow(times: number[], windowMs: number): number {
  const t = [...times].sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[j] + windowMs <= t[i]) j++;
    max = Math.max(max, i - j + 1);
  }
  return max;
}
