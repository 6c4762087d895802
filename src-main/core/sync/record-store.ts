// The sync folder's memory: every record of every stream, raw (as the API sent it), in server
// order, one NDJSON file per stream or, for a stream split by groups, per group. A file is
// written whole under a temporary name and never changed after: a sync writes new files for what
// changed, and the state names the files that count (so a crash leaves the previous set intact).
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { streamDirName } from '../export/run/page-store';

export type RawRecord = Record<string, unknown>;

/** Facts about a record file, collected while it is written. */
export interface PartitionFacts {
  count: number;
  /** The oldest time among the records (ms), null when none has one. */
  oldest: number | null;
  newest: number | null;
  idsAtNewest: string[];
}

/** Notes one record in a file's facts (its count, time span and cursor). */
export function noteRecord(facts: PartitionFacts, r: RawRecord, fields: { timeField: string | null; idField: string }): void {
  facts.count++;
  const t = timeOf(r, fields.timeField);
  if (t === null) return;
  if (facts.oldest === null || t < facts.oldest) facts.oldest = t;
  const id = idOf(r, fields.idField);
  if (facts.newest === null || t > facts.newest) {
    facts.newest = t;
    facts.idsAtNewest = id !== null ? [id] : [];
  } else if (t === facts.newest && id !== null) facts.idsAtNewest.push(id);
}

/** A record's time in ms (ISO text or epoch ms), or null when it has none that can be read. */
export function timeOf(record: RawRecord, timeField: string | null): number | null {
  if (!timeField) return null;
  const v = record[timeField];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v !== '') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? null : t;
  }
  return null;
}

/** A record's id as text, or null when it has none (HyperStudy's components). */
export function idOf(record: RawRecord, idField: string): string | null {
  const v = record[idField];
  return typeof v === 'string' || typeof v === 'number' ? String(v) : null;
}

/** The same record? By id when both have one, else by content (records without ids). */
export function sameRecord(a: RawRecord | undefined, b: RawRecord | undefined, idField: string): boolean {
  if (!a || !b) return false;
  const ia = idOf(a, idField);
  const ib = idOf(b, idField);
  if (ia !== null || ib !== null) return ia === ib;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Path of a new record file, relative to the store: <generation>/<stream>/<group>.ndjson. */
export function partitionFileName(generation: number, streamKey: string, group: string | null): string {
  return `g${generation}/${streamDirName(streamKey)}/${group === null ? '_' : streamDirName(group)}.ndjson`;
}

const WRITE_CHUNK = 1 << 20;

/**
 * Writes records to `<store>/<rel>` as NDJSON, whole (a temporary file renamed at the end), and
 * returns their count and cursor.
 */
export async function writePartition(store: string, rel: string, records: Iterable<RawRecord> | AsyncIterable<RawRecord>, fields: { timeField: string | null; idField: string }): Promise<PartitionFacts> {
  const file = path.join(store, ...rel.split('/'));
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fh = await open(tmp, 'w');
  const facts: PartitionFacts = { count: 0, oldest: null, newest: null, idsAtNewest: [] };
  let buffer = '';
  try {
    for await (const r of records) {
      buffer += JSON.stringify(r) + '\n';
      noteRecord(facts, r, fields);
      if (buffer.length >= WRITE_CHUNK) {
        await fh.write(buffer);
        buffer = '';
      }
    }
    if (buffer) await fh.write(buffer);
    await fh.sync();
    await fh.close();
    await rename(tmp, file);
  } catch (e) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw e;
  }
  return facts;
}

/** The records of a record file, in order. */
export async function* readPartition(store: string, rel: string): AsyncGenerator<RawRecord> {
  const input = createReadStream(path.join(store, ...rel.split('/')), { encoding: 'utf8', highWaterMark: 1 << 20 });
  const lines = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of lines) if (line) yield JSON.parse(line) as RawRecord;
  } finally {
    lines.close();
    input.destroy();
  }
}

/** One input of a merge: a record file and its group's place in the listing (ties between groups go in that order). */
export interface MergeInput {
  records: AsyncIterable<RawRecord>;
  rank: number;
}

/**
 * Records of several groups merged into the order the API sends them at the wider scope: by
 * time, records at the same time in group order, each group's own order kept. Records without a
 * readable time sort first within their group's run, as they came.
 */
export async function* mergeByTime(inputs: MergeInput[], timeField: string | null): AsyncGenerator<RawRecord> {
  const its = inputs.map((i) => ({ it: i.records[Symbol.asyncIterator](), rank: i.rank }));
  type Head = { record: RawRecord; t: number; rank: number; k: number };
  const heads: Head[] = [];
  let lastT = -Infinity;
  const pull = async (k: number): Promise<void> => {
    const n = await its[k].it.next();
    if (n.done) return;
    const t = timeOf(n.value, timeField) ?? lastT;
    heads.push({ record: n.value, t, rank: its[k].rank, k });
  };
  await Promise.all(its.map((_, k) => pull(k)));
  const before = (a: Head, b: Head) => a.t < b.t || (a.t === b.t && a.rank < b.rank);
  let sinceYield = 0;
  while (heads.length) {
    // Few groups are live at once in practice; a linear scan keeps it simple.
    let best = 0;
    for (let i = 1; i < heads.length; i++) if (before(heads[i], heads[best])) best = i;
    const h = heads[best];
    heads.splice(best, 1);
    lastT = h.t;
    yield h.record;
    await pull(h.k);
    if (++sinceYield >= 200) {
      sinceYield = 0;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}
