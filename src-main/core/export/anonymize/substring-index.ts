// Finds and replaces any of many known strings inside text in one left-to-right scan, longest
// match first. A regex alternation of thousands of ids costs O(text × ids); this costs
// about one Set lookup per text position (a prefix check), which stays fast for thousands of
// participants.

export interface SubstringIndex {
  /** Replaces every non-overlapping occurrence (longest first at each position) with replace(match). */
  replaceIn(text: string, replace: (match: string) => string): string;
  readonly size: number;
}

export function createSubstringIndex(needles: Iterable<string>, opts: { caseInsensitive?: boolean; minLength?: number } = {}): SubstringIndex {
  const fold = opts.caseInsensitive ? (s: string) => s.toLowerCase() : (s: string) => s;
  const minLength = Math.max(1, opts.minLength ?? 1);
  const set = new Set<string>();
  for (const n of needles) if (n.length >= minLength) set.add(fold(n));
  const lengths = [...new Set([...set].map((s) => s.length))].sort((a, b) => b - a);
  const shortest = lengths.length ? lengths[lengths.length - 1] : Infinity;
  // Every needle starts with one of these: one lookup per position rules most positions out.
  const prefixes = new Set([...set].map((s) => s.slice(0, shortest)));
  // ...and with one of these characters: a cheaper test first, with no string allocated
  // (a table indexed by UTF-16 code unit: one load per position of the text).
  const firstChars = new Uint8Array(65536);
  for (const s of set) firstChars[s.charCodeAt(0)] = 1;
  return {
    size: set.size,
    replaceIn(text, replace) {
      if (text.length < shortest) return text;
      let hay = fold(text);
      // Case folding that changes length (rare scripts) would misalign positions: match exactly then.
      if (hay.length !== text.length) hay = text;
      let out = '';
      let last = 0;
      for (let i = 0; i + shortest <= hay.length; ) {
        let hit = 0;
        if (firstChars[hay.charCodeAt(i)] === 0 || !prefixes.has(hay.substr(i, shortest))) {
          i++;
          continue;
        }
        for (const len of lengths) {
          if (i + len <= hay.length && set.has(hay.substr(i, len))) {
            hit = len;
            break;
          }
        }
        if (hit) {
          out += text.slice(last, i) + replace(text.substr(i, hit));
          i += hit;
          last = i;
        } else i++;
      }
      return last === 0 ? text : out + text.slice(last);
    },
  };
}
