// What a HyperStudy key looks like. Only the prefix is documented reliably (the stated
// length disagrees with the docs' own example), so only the prefix and charset are checked.

const KEY_FORMAT = /^hst_(live|test)_[A-Za-z0-9_-]+$/;

export function isWellFormedKey(key: string): boolean {
  return KEY_FORMAT.test(key);
}

/** A masked hint safe to show and store, e.g. "hst_live_a3f2…". Never enough to use. */
export function keyHint(key: string): string | undefined {
  const m = /^hst_(live|test)_(.*)$/.exec(key);
  if (!m) return undefined;
  return `hst_${m[1]}_${m[2].slice(0, 4)}…`;
}
