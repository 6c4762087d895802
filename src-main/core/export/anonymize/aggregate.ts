// "Aggregate only" exports: no rows, just per participant and data type the record count, the
// first and last timestamp, and min/max/mean/sd of the numeric value fields. Streaming (Welford's
// algorithm), so memory grows with participants × fields, not with records.
import type { DataTypeId } from '../../../../src-shared/model';
import type { TableId } from '../format/columns';
import { flattenRecord, type FlatRow } from '../format/flatten';
import { compareCodePoints } from '../naming';

export type JsonRecord = Record<string, unknown>;

/** Numeric fields summarised per data type (flattened names). Others are counted only. */
export const AGGREGATE_VALUE_FIELDS: Readonly<Partial<Record<DataTypeId, readonly string[]>>> = {
  'ratings-continuous': ['value', 'normalizedValue', 'rawValue'],
  'ratings-sparse': ['value', 'rawValue', 'responseTime'],
  sync: ['timeDrift', 'syncQuality', 'latency', 'bufferHealth', 'playbackRate'],
  events: ['duration', 'response_value', 'response_responseTime'],
  components: ['response_value', 'response_responseTime'],
  recordings: ['duration', 'fileSize'],
  eyetracking: ['gazeX', 'gazeY', 'pupilDiameter', 'confidence'],
};

export interface CountRow {
  participant: string;
  type: TableId;
  records: number;
  first_timestamp: string;
  last_timestamp: string;
}

export interface StatRow {
  participant: string;
  type: TableId;
  field: string;
  n: number;
  min: number;
  max: number;
  mean: number;
  /** Sample standard deviation (n − 1); null when n < 2. */
  sd: number | null;
}

export interface Aggregator {
  /** Adds one (already pseudonymized) record of a type. */
  add(type: TableId, record: JsonRecord): void;
  /** One row per participant and type, sorted by participant then type. */
  counts(): CountRow[];
  /** One row per participant, type and numeric field with at least one value, sorted. */
  stats(): StatRow[];
}

/** Records without a participant are summarised under this key. */
export const NO_PARTICIPANT_KEY = '(none)';

interface Running {
  n: number;
  mean: number;
  m2: number;
  min: number;
  max: number;
}

interface Bucket {
  records: number;
  firstMs: number;
  lastMs: number;
  fields: Map<string, Running>;
}

function timeOf(row: FlatRow): number | null {
  for (const k of ['timestamp', 'startTime', 'createdAt']) {
    const v = row[k];
    if (typeof v === 'string') {
      const ms = Date.parse(v);
      if (!Number.isNaN(ms)) return ms;
    }
  }
  return null;
}

export interface AggregatorOptions {
  /** The person a (pseudonymized) record is about: the source's record context. */
  personOf: (type: TableId, record: JsonRecord) => string | null;
  valueFields?: Partial<Record<TableId, readonly string[]>>;
}

export function createAggregator(opts: AggregatorOptions): Aggregator {
  const fieldsOf = (t: TableId) => opts.valueFields?.[t] ?? AGGREGATE_VALUE_FIELDS[t as DataTypeId] ?? [];
  const buckets = new Map<string, Map<TableId, Bucket>>();
  return {
    add(type, record) {
      const who = opts.personOf(type, record) ?? NO_PARTICIPANT_KEY;
      let byType = buckets.get(who);
      if (!byType) buckets.set(who, (byType = new Map()));
      let b = byType.get(type);
      if (!b) byType.set(type, (b = { records: 0, firstMs: Infinity, lastMs: -Infinity, fields: new Map() }));
      b.records++;
      const row = flattenRecord(record);
      const t = timeOf(row);
      if (t !== null) {
        b.firstMs = Math.min(b.firstMs, t);
        b.lastMs = Math.max(b.lastMs, t);
      }
      for (const f of fieldsOf(type)) {
        const v = row[f];
        if (typeof v !== 'number' || !Number.isFinite(v)) continue;
        let s = b.fields.get(f);
        if (!s) b.fields.set(f, (s = { n: 0, mean: 0, m2: 0, min: Infinity, max: -Infinity }));
        s.n++;
        const d = v - s.mean;
        s.mean += d / s.n;
        s.m2 += d * (v - s.mean);
        s.min = Math.min(s.min, v);
        s.max = Math.max(s.max, v);
      }
    },
    counts() {
      const rows: CountRow[] = [];
      for (const who of [...buckets.keys()].sort(compareCodePoints)) {
        const byType = buckets.get(who)!;
        for (const type of [...byType.keys()].sort(compareCodePoints)) {
          const b = byType.get(type)!;
          const iso = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : '');
          rows.push({ participant: who, type, records: b.records, first_timestamp: iso(b.firstMs), last_timestamp: iso(b.lastMs) });
        }
      }
      return rows;
    },
    stats() {
      const rows: StatRow[] = [];
      for (const who of [...buckets.keys()].sort(compareCodePoints)) {
        const byType = buckets.get(who)!;
        for (const type of [...byType.keys()].sort(compareCodePoints)) {
          const b = byType.get(type)!;
          for (const field of fieldsOf(type)) {
            const s = b.fields.get(field);
            if (!s) continue;
            rows.push({ participant: who, type, field, n: s.n, min: s.min, max: s.max, mean: s.mean, sd: s.n >= 2 ? Math.sqrt(s.m2 / (s.n - 1)) : null });
          }
        }
      }
      return rows;
    },
  };
}
