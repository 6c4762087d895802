// Views compose room streams into what one API query returns: concatenation over rooms (rooms of an
// experiment seldom overlap in time, and then concatenation keeps timestamp order; when they do, a
// merge by timestamp, ties in room order, see timeOrderedView), time windows by binary search,
// predicate filters and onset sorting via cached index arrays, and reversal for order=desc.
import type { JsonRecord } from '../types';
import { lowerBound, upperBound, type RoomStream } from './streams';

export interface View {
  readonly length: number;
  get(i: number): JsonRecord;
  tsAt(i: number): number;
  /** Start of the room record i belongs to (onset = ts - roomStart). */
  roomStartAt(i: number): number;
}

export interface Segment {
  stream: RoomStream;
  from: number;
  to: number;
}

export class ConcatView implements View {
  private readonly prefix: number[] = [0];
  constructor(private readonly segments: Segment[]) {
    for (const s of segments) this.prefix.push(this.prefix[this.prefix.length - 1] + (s.to - s.from));
  }
  get length(): number {
    return this.prefix[this.prefix.length - 1];
  }
  private at(i: number): [Segment, number] {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.prefix[mid] <= i) lo = mid;
      else hi = mid - 1;
    }
    const seg = this.segments[lo];
    return [seg, seg.from + (i - this.prefix[lo])];
  }
  get(i: number): JsonRecord {
    const [s, k] = this.at(i);
    return s.stream.recordAt(k);
  }
  tsAt(i: number): number {
    const [s, k] = this.at(i);
    return s.stream.tsAt(k);
  }
  roomStartAt(i: number): number {
    return this.at(i)[0].stream.room.startMs;
  }
}

/**
 * Records of the segments in timestamp order, ties in segment (room) order: the concatenation when
 * the segments follow each other in time (the usual case, no index needed), else a merge.
 */
export function timeOrderedView(segments: Segment[]): View {
  const parts = segments.filter((s) => s.to > s.from);
  let ordered = true;
  for (let i = 1; i < parts.length && ordered; i++) ordered = parts[i].stream.tsAt(parts[i].from) >= parts[i - 1].stream.tsAt(parts[i - 1].to - 1);
  if (ordered) return new ConcatView(segments);
  return new MergedView(parts);
}

/** A k-way merge of segments by timestamp (stable: ties keep segment order), as an index. */
class MergedView implements View {
  private readonly seg: Uint32Array;
  private readonly pos: Uint32Array;
  constructor(private readonly segments: Segment[]) {
    const n = segments.reduce((a, s) => a + (s.to - s.from), 0);
    this.seg = new Uint32Array(n);
    this.pos = new Uint32Array(n);
    const next = segments.map((s) => s.from);
    for (let i = 0; i < n; i++) {
      let best = -1;
      for (let k = 0; k < segments.length; k++) {
        if (next[k] >= segments[k].to) continue;
        if (best < 0 || segments[k].stream.tsAt(next[k]) < segments[best].stream.tsAt(next[best])) best = k;
      }
      this.seg[i] = best;
      this.pos[i] = next[best]++;
    }
  }
  get length(): number {
    return this.seg.length;
  }
  get(i: number): JsonRecord {
    return this.segments[this.seg[i]].stream.recordAt(this.pos[i]);
  }
  tsAt(i: number): number {
    return this.segments[this.seg[i]].stream.tsAt(this.pos[i]);
  }
  roomStartAt(i: number): number {
    return this.segments[this.seg[i]].stream.room.startMs;
  }
}

export class IndexView implements View {
  constructor(
    private readonly base: View,
    private readonly index: Uint32Array,
  ) {}
  get length(): number {
    return this.index.length;
  }
  get(i: number): JsonRecord {
    return this.base.get(this.index[i]);
  }
  tsAt(i: number): number {
    return this.base.tsAt(this.index[i]);
  }
  roomStartAt(i: number): number {
    return this.base.roomStartAt(this.index[i]);
  }
}

export class ReversedView implements View {
  constructor(private readonly base: View) {}
  get length(): number {
    return this.base.length;
  }
  get(i: number): JsonRecord {
    return this.base.get(this.base.length - 1 - i);
  }
  tsAt(i: number): number {
    return this.base.tsAt(this.base.length - 1 - i);
  }
  roomStartAt(i: number): number {
    return this.base.roomStartAt(this.base.length - 1 - i);
  }
}

/** Segments of the given room streams restricted to (startMs, endMs), or [startMs, endMs] when inclusive. */
export function timeSegments(streams: RoomStream[], startMs: number | null, endMs: number | null, inclusive: boolean): Segment[] {
  return streams.map((stream) => ({
    stream,
    from: startMs === null ? 0 : inclusive ? lowerBound(stream, startMs) : upperBound(stream, startMs),
    to: endMs === null ? stream.length : inclusive ? upperBound(stream, endMs) : lowerBound(stream, endMs),
  }));
}

export function filterView(base: View, keep: (rec: JsonRecord) => boolean): View {
  const out: number[] = [];
  for (let i = 0; i < base.length; i++) if (keep(base.get(i))) out.push(i);
  return new IndexView(base, Uint32Array.from(out));
}

/** Stable sort by onset (ms from each room's start). */
export function sortByOnset(base: View): View {
  const n = base.length;
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = base.tsAt(i) - base.roomStartAt(i);
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  idx.sort((a, b) => keys[a] - keys[b] || a - b);
  return new IndexView(base, idx);
}
