// The reads a sync makes, each through the source (and so its limiter), each landing on disk:
//   - whole: a stream from its first page to its last, pages side by side (the export's fetcher,
//     with its checkpoints: a crashed first sync goes on from the pages it has);
//   - from a position: the records from offset N to the end (the tail past a cursor);
//   - a prefix: the records before offset N (a repair that reuses the tail already read).
// Records are de-duplicated by id within a read (offsets shift when records arrive mid-read).
import type { PlannedStream, Plan } from '../../../src-shared/model';
import { fetchAllStreams } from '../export/run/fetch-streams';
import { createPageStore, readStreamRecords, type PageStore } from '../export/run/page-store';
import { streamKey } from '../plan/planner';
import type { Page, RequestOptions, Source, StreamRef } from '../sources/source';
import { idOf, readPartition, writePartition, type RawRecord } from './record-store';

export interface ReadContext {
  source: Source;
  /** Where reads keep their pages and records (the attempt's work folder). */
  workDir: string;
  signal?: AbortSignal;
  onWait?: RequestOptions['onWait'];
  /** Page requests in flight per read. */
  concurrency: number;
  /** Called per page read (records in it), for progress. */
  onPage?: (type: string, records: number) => void;
}

/** Records read, kept on disk. */
export interface ReadResult {
  /** The first record the server sent (the anchor check reads it). */
  first: RawRecord | undefined;
  /** The last one. */
  last: RawRecord | undefined;
  count: number;
  records(): AsyncIterable<RawRecord>;
}

let readSerial = 0;

function planOf(streams: PlannedStream[]): Plan {
  return {
    target: { level: '', path: [] },
    streams,
    listingRequests: 0,
    mediaRequests: 0,
    mediaReserve: 0,
    requestsNeeded: streams.length,
    requestsSpentPlanning: 0,
    records: 0,
    mediaFiles: 0,
    mediaBytes: 0,
    estimatedSeconds: 0,
    budget: { keyLimit: 0, keyWindowSec: 0, keyRemaining: 0, keyResetSec: 0, endpointLimit: 0, endpointWindowSec: 0, summary: '' },
    warnings: [],
  };
}

/** The page store of whole reads: its streams are named `whole:<stream key>` so a later attempt reuses them. */
export function wholeReadStore(workDir: string): PageStore {
  return createPageStore(`${workDir}/pages`);
}

/**
 * Whole streams, every page (side by side up to `concurrency`, pages already on disk from an
 * earlier attempt not fetched again). `firstPages` are pages the source already read (its plan's
 * prefetched pages). Returns each stream's records in server order, de-duplicated.
 */
export async function readWhole(ctx: ReadContext, refs: StreamRef[], idFieldOf: (type: string) => string, firstPages?: Map<string, Page>, prefetched?: Map<string, Page[]>): Promise<Map<string, ReadResult>> {
  const store = wholeReadStore(ctx.workDir);
  const streams: PlannedStream[] = refs.map((r) => ({ type: r.type, scope: r.scope, scopeId: r.scopeId, ...(r.params ? { params: r.params } : {}), total: 0, requests: 1 }));
  const keyOf = (s: Pick<StreamRef, 'type' | 'scope' | 'scopeId' | 'params'>) => `whole:${streamKey(s)}`;
  const first = new Map<string, Page>();
  for (const [k, p] of firstPages ?? []) first.set(`whole:${k}`, p);
  // Pages the source read while planning (BrainSTEM's sessions) are on disk before the fetcher
  // looks: it reads them from there, and fetches only what they leave out.
  for (const s of streams) for (const page of prefetched?.get(streamKey(s)) ?? []) await store.stream(keyOf(s)).write(page);
  await fetchAllStreams({
    source: ctx.source,
    plan: planOf(streams),
    store,
    keyOf,
    firstPages: first,
    concurrency: ctx.concurrency,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    ...(ctx.onWait ? { onWait: ctx.onWait } : {}),
    onPage: (s, page, fetchedNow) => {
      if (fetchedNow) ctx.onPage?.(s.type, page.records.length);
    },
  });
  const out = new Map<string, ReadResult>();
  for (const s of streams) {
    const pages = store.stream(keyOf(s));
    const idField = idFieldOf(s.type);
    // One pass to learn the first, last and count (the records stay on disk).
    let count = 0;
    let firstRecord: RawRecord | undefined;
    let lastRecord: RawRecord | undefined;
    for await (const r of readStreamRecords(pages, idField)) {
      if (count === 0) firstRecord = r;
      lastRecord = r;
      count++;
    }
    out.set(streamKey(s), { first: firstRecord, last: lastRecord, count, records: () => readStreamRecords(pages, idField) });
  }
  return out;
}

/** Records of a read, as they come, written to one record file of the work folder. */
async function keep(ctx: ReadContext, type: string, idField: string, pages: AsyncIterable<Page>): Promise<ReadResult> {
  const rel = `reads/${++readSerial}-${process.pid}.ndjson`;
  let first: RawRecord | undefined;
  let last: RawRecord | undefined;
  async function* records(): AsyncGenerator<RawRecord> {
    for await (const page of pages) {
      ctx.onPage?.(type, page.records.length);
      for (const r of page.records) {
        first ??= r;
        last = r;
        yield r;
      }
    }
  }
  const facts = await writePartition(ctx.workDir, rel, records(), { timeField: null, idField });
  return { first, last, count: facts.count, records: () => readPartition(ctx.workDir, rel) };
}

/** The records from offset `from` to the end of the stream. */
export function readFrom(ctx: ReadContext, ref: StreamRef, from: number, idField: string): Promise<ReadResult> {
  const pages = ctx.source.pages(ref, { offset: from }, { signal: ctx.signal, onWait: ctx.onWait, concurrency: ctx.concurrency, seenIds: new Set<string>() });
  return keep(ctx, ref.type, idField, pages);
}

/** The records at offsets [0, end), in pages of the source's size, side by side. */
export async function readPrefix(ctx: ReadContext, ref: StreamRef, end: number, idField: string): Promise<ReadResult> {
  const size = ctx.source.policy.pageSize;
  const offsets: number[] = [];
  for (let o = 0; o < end; o += size) offsets.push(o);
  const source = ctx.source;
  async function* pages(): AsyncGenerator<Page> {
    const seen = new Set<string>();
    // A few requests ahead of the one being written, in order.
    const inFlight: Array<Promise<Page>> = [];
    let next = 0;
    const launch = () => {
      const offset = offsets[next++];
      const p = source.fetchPage(ref, { offset, limit: Math.min(size, end - offset) }, { signal: ctx.signal, onWait: ctx.onWait });
      p.catch(() => undefined);
      inFlight.push(p);
    };
    while (next < offsets.length && inFlight.length < Math.max(1, ctx.concurrency)) launch();
    while (inFlight.length) {
      const page = await inFlight.shift()!;
      if (next < offsets.length) launch();
      const records = page.records.filter((r) => {
        const id = idOf(r, idField);
        if (id === null) return true;
        if (seen.has(id)) return false;
        seen.add(id);
        return true;
      });
      yield { ...page, records };
      if (!page.hasMore) break;
    }
  }
  return keep(ctx, ref.type, idField, pages());
}
