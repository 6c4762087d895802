// Building a stream's record files from what was read: records split by group, a group's kept
// records followed by what was read after them, and a look at a record file from the end of its
// prefix (where a read from the cursor starts).
import { appendFile, mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { idOf, noteRecord, partitionFileName, readPartition, timeOf, writePartition, type PartitionFacts, type RawRecord } from './record-store';
import type { PartitionState } from './state';

export interface Fields {
  timeField: string | null;
  idField: string;
}

export async function* concat<T>(...parts: Array<AsyncIterable<T> | Iterable<T>>): AsyncGenerator<T> {
  for (const p of parts) yield* p;
}

/** The first n items. */
export async function* take<T>(items: AsyncIterable<T>, n: number): AsyncGenerator<T> {
  if (n <= 0) return;
  let i = 0;
  for await (const x of items) {
    yield x;
    if (++i >= n) return;
  }
}

/** Items after the first n. */
export async function* skip<T>(items: AsyncIterable<T>, n: number): AsyncGenerator<T> {
  let i = 0;
  for await (const x of items) if (i++ >= n) yield x;
}

/** What a read from the cursor needs to know of a record file. */
export interface CursorView {
  /** Records before the overlap window (the part a read from the cursor keeps). */
  before: number;
  /** The last of them: the anchor a read starting one earlier must meet first. */
  anchor: RawRecord | undefined;
  /** Its time (ms). */
  anchorTime: number | null;
  /** Ids of every record in the file (null when it was too large to keep them in memory). */
  ids: Set<string> | null;
  /** Ids of the records before the window. */
  idsBefore: Set<string> | null;
}

const MAX_IDS = 500_000;

/**
 * Reads a record file once: the records before `since` (ms; records come in time order, so it is
 * the first record at or after it that ends the prefix), or all of them when `since` is null.
 */
export async function cursorView(store: string, part: PartitionState, since: number | null, fields: Fields): Promise<CursorView> {
  let before = 0;
  let anchor: RawRecord | undefined;
  let anchorTime: number | null = null;
  let inPrefix = true;
  const keepIds = part.count <= MAX_IDS;
  const ids = keepIds ? new Set<string>() : null;
  const idsBefore = keepIds ? new Set<string>() : null;
  for await (const r of readPartition(store, part.file)) {
    const t = timeOf(r, fields.timeField);
    if (inPrefix && since !== null && t !== null && t >= since) inPrefix = false;
    const id = idOf(r, fields.idField);
    if (id !== null) ids?.add(id);
    if (inPrefix) {
      before++;
      anchor = r;
      anchorTime = t;
      if (id !== null) idsBefore?.add(id);
    }
  }
  return { before, anchor, anchorTime, ids, idsBefore };
}

/** A record file's facts as the state keeps them. */
export function partitionState(group: string | null, file: string, facts: PartitionFacts): PartitionState {
  return { group, file, count: facts.count, oldest: facts.oldest, newest: facts.newest, idsAtNewest: facts.idsAtNewest.slice(0, 50) };
}

/**
 * Records split into one new record file per group (in the order they come), written whole;
 * returns each group's file and facts.
 */
export async function splitByGroup(
  store: string,
  generation: number,
  streamKey: string,
  records: AsyncIterable<RawRecord>,
  groupOf: (r: RawRecord) => string | null,
  fields: Fields,
): Promise<Map<string | null, { file: string; facts: PartitionFacts }>> {
  type Out = { rel: string; tmp: string; buffer: string; facts: PartitionFacts };
  const outs = new Map<string | null, Out>();
  const flush = async (o: Out) => {
    if (!o.buffer) return;
    await appendFile(o.tmp, o.buffer);
    o.buffer = '';
  };
  try {
    for await (const r of records) {
      const g = groupOf(r);
      let o = outs.get(g);
      if (!o) {
        const rel = partitionFileName(generation, streamKey, g);
        const abs = path.join(store, ...rel.split('/'));
        await mkdir(path.dirname(abs), { recursive: true });
        o = { rel, tmp: `${abs}.${process.pid}.tmp`, buffer: '', facts: { count: 0, oldest: null, newest: null, idsAtNewest: [] } };
        await rm(o.tmp, { force: true });
        outs.set(g, o);
      }
      o.buffer += JSON.stringify(r) + '\n';
      noteRecord(o.facts, r, fields);
      if (o.buffer.length >= 1 << 18) await flush(o);
    }
    const result = new Map<string | null, { file: string; facts: PartitionFacts }>();
    for (const [g, o] of outs) {
      await flush(o);
      await rename(o.tmp, path.join(store, ...o.rel.split('/')));
      result.set(g, { file: o.rel, facts: o.facts });
    }
    return result;
  } catch (e) {
    for (const o of outs.values()) await rm(o.tmp, { force: true });
    throw e;
  }
}

/** A new record file for a group: `records`, written whole under this generation's name. */
export async function writeGroup(store: string, generation: number, streamKey: string, group: string | null, records: AsyncIterable<RawRecord>, fields: Fields): Promise<PartitionState> {
  const file = partitionFileName(generation, streamKey, group);
  const facts = await writePartition(store, file, records, fields);
  return partitionState(group, file, facts);
}

/** Whether every record has a readable time (a stream split by groups is merged back by time). */
export async function allTimed(records: AsyncIterable<RawRecord>, timeField: string | null): Promise<boolean> {
  if (!timeField) return false;
  for await (const r of records) if (timeOf(r, timeField) === null) return false;
  return true;
}
