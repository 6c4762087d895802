// Per-room record streams. A lazy stream computes the timestamp and record at any index without
// materialising the others; records appended at run time (a live experiment) are merged in by time.
// Records are generated when read, under the shapes in force at that moment.
import { hash32 } from '../prng';
import type { JsonRecord, ShapeConfig } from '../types';
import { generateRecord, recordSalt } from './records';
import type { LazyStreamType } from './scales';
import type { RoomM } from './world';

/** A room's records of one type in timestamp order. */
export interface RoomStream {
  readonly room: RoomM;
  readonly length: number;
  /** Timestamp (ms since epoch) of record i; non-decreasing in i. */
  tsAt(i: number): number;
  recordAt(i: number): JsonRecord;
}

const SEC = 1000;
const MIN = 60 * SEC;

/** The time window a type's records occupy, relative to the room start. */
function windowFor(type: LazyStreamType, room: RoomM, n: number, seed: number): [number, number] {
  const dur = room.endMs - room.startMs;
  const nP = room.participants.length;
  switch (type) {
    case 'events':
      return [-90 * SEC, dur + 30 * SEC];
    case 'chat':
      return [-30 * SEC, dur];
    case 'videochat':
      return [-10 * SEC, dur];
    case 'ratings/continuous': {
      const hz = 5 + (hash32(seed, 'hz', room.id) % 6); // 5–10 Hz per participant
      return [5 * MIN, 5 * MIN + Math.ceil((Math.ceil(n / nP) / hz) * SEC)];
    }
    case 'ratings/sparse':
      return [5 * MIN, dur - 5 * MIN];
    case 'sync':
      return [0, dur];
    case 'components':
      return [-60 * SEC, dur];
    case 'eyetracking':
      return [2 * MIN, 2 * MIN + Math.ceil((Math.ceil(n / nP) / 30) * SEC)];
  }
}

export class LazyRoomStream implements RoomStream {
  readonly length: number;
  private readonly start: number;
  private readonly step: number;
  private readonly salt: number;
  private readonly recSalt: number;
  constructor(
    readonly type: LazyStreamType,
    readonly room: RoomM,
    private readonly seed: number,
    private readonly shapes: () => ShapeConfig,
  ) {
    this.length = room.counts[type];
    const [ws, we] = windowFor(type, room, this.length, seed);
    this.start = room.startMs + ws;
    this.step = (we - ws) / Math.max(1, this.length);
    this.salt = hash32(seed, 'ts', type, room.id);
    this.recSalt = recordSalt(seed, type, room);
  }
  tsAt(i: number): number {
    const frac = (hash32(this.salt, i) & 1023) / 1138; // < 0.9, so timestamps never go backwards
    return this.start + Math.floor((i + frac) * this.step);
  }
  recordAt(i: number): JsonRecord {
    return generateRecord(this.type, { seed: this.seed, room: this.room, k: i, ts: this.tsAt(i), shapes: this.shapes() }, this.recSalt);
  }
}

/** A base stream plus records appended at run time, merged by timestamp (appended ones after equal times). */
export class MergedRoomStream implements RoomStream {
  private extraTs: number[] = [];
  private extraRecs: Array<() => JsonRecord> = [];
  private mergedPos: number[] = [];
  constructor(readonly base: RoomStream) {}
  get room(): RoomM {
    return this.base.room;
  }
  get length(): number {
    return this.base.length + this.extraTs.length;
  }
  get extras(): number {
    return this.extraTs.length;
  }
  add(ts: number, rec: () => JsonRecord): void {
    this.addMany([{ ts, rec }]);
  }
  /** Adds records at once (appended ones after equal times, in the order given). */
  addMany(items: Array<{ ts: number; rec: () => JsonRecord }>): void {
    const all = [...this.extraTs.map((ts, i) => ({ ts, rec: this.extraRecs[i] })), ...items];
    all.sort((a, b) => a.ts - b.ts); // stable: earlier additions first among equal times
    this.extraTs = all.map((x) => x.ts);
    this.extraRecs = all.map((x) => x.rec);
    this.mergedPos = this.extraTs.map((t, idx) => upperBound(this.base, t) + idx);
  }
  private locate(i: number): { extra: number } | { base: number } {
    // Largest j with mergedPos[j] <= i.
    let lo = 0;
    let hi = this.mergedPos.length - 1;
    let j = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.mergedPos[mid] <= i) {
        j = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (j >= 0 && this.mergedPos[j] === i) return { extra: j };
    return { base: i - (j + 1) };
  }
  tsAt(i: number): number {
    const at = this.locate(i);
    return 'extra' in at ? this.extraTs[at.extra] : this.base.tsAt(at.base);
  }
  recordAt(i: number): JsonRecord {
    const at = this.locate(i);
    return 'extra' in at ? this.extraRecs[at.extra]() : this.base.recordAt(at.base);
  }
}

/** A fixed list of records (recordings), already sorted by time. */
export class ArrayRoomStream implements RoomStream {
  constructor(
    readonly room: RoomM,
    private readonly times: number[],
    private readonly make: (i: number) => JsonRecord,
  ) {}
  get length(): number {
    return this.times.length;
  }
  tsAt(i: number): number {
    return this.times[i];
  }
  recordAt(i: number): JsonRecord {
    return this.make(i);
  }
}

/** Number of records with tsAt(i) <= t. */
export function upperBound(s: { length: number; tsAt(i: number): number }, t: number, from = 0, to = s.length): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (s.tsAt(mid) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Number of records with tsAt(i) < t. */
export function lowerBound(s: { length: number; tsAt(i: number): number }, t: number, from = 0, to = s.length): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (s.tsAt(mid) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function recordTime(rec: JsonRecord): number {
  return Date.parse(String(rec.timestamp ?? rec.startTime));
}
export const SIM_EXTRA_BASE = 1_000_000_000;
export { generateRecord };
