// The fetching phase: every planned stream, page by page, through the source (and so through
// the joint limiter), at most `concurrency` requests in flight. The first page's `total`
// lets us schedule the later offsets in parallel; a final walk along hasMore/nextOffset
// fetches anything the schedule missed (a wrong total, a short page). Pages already on
// disk (from the planner or an earlier attempt) are never fetched again.
import type { Plan, PlannedStream } from '../../../../src-shared/model';
import { streamRefOf } from '../../plan/planner';
import type { Page, PageQuery, RequestOptions, Source } from '../../sources/source';
import { nextOffsetOf, type PageStore, type StreamPages } from './page-store';
import { createTaskPool, type TaskPool } from './task-pool';

export interface FetchStreamsOptions {
  source: Source;
  plan: Plan;
  store: PageStore;
  /** Stable key per stream (the planner's streamKey). */
  keyOf: (stream: PlannedStream) => string;
  /** First pages the planner already fetched, by stream key. Saved, never fetched again. */
  firstPages?: Map<string, Page>;
  since?: string;
  until?: string;
  concurrency: number;
  signal?: AbortSignal;
  onWait?: RequestOptions['onWait'];
  /** Called once per page that is on disk (fetched now or found from before). */
  onPage?: (stream: PlannedStream, page: Page, fetchedNow: boolean) => void;
  /** Types in the order they should be fetched (the order they are written); others go last, taking turns. */
  typeOrder?: readonly string[];
  /** Called once per stream when its whole page chain is on disk (its records can be written). */
  onStreamDone?: (stream: PlannedStream) => void;
}

export async function fetchAllStreams(opts: FetchStreamsOptions): Promise<void> {
  const rank = new Map((opts.typeOrder ?? []).map((t, i) => [t, i]));
  // Fetch in the order the types are written. A type whose request was told to wait for its
  // endpoint goes last until one of its requests gets through (no clock needed: the limiter knows
  // the time). A type may hold every slot only while it waits for the key, like everyone else:
  // otherwise its requests, once stuck on their endpoint, would starve the other types.
  const endpointBlocked = new Set<string>();
  const lastWait = new Map<string, string>();
  const pool = createTaskPool(
    opts.concurrency,
    opts.typeOrder
      ? { priority: (group) => rank.get(group) ?? rank.size, blocked: (group) => endpointBlocked.has(group), capped: (group) => lastWait.get(group) !== 'key' }
      : {},
  );
  // Fail fast: the first stream that fails stops the others (their pages stay on disk).
  const local = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, local.signal]) : local.signal;
  const inner = { ...opts, signal, endpointBlocked, lastWait };
  let firstError: unknown = null;
  await Promise.all(
    opts.plan.streams.map((s) =>
      fetchStream(s, pool, inner).then(
        () => opts.onStreamDone?.(s),
        (e: unknown) => {
          if (firstError === null) {
            firstError = e;
            local.abort(e);
          }
        },
      ),
    ),
  );
  if (firstError !== null) throw firstError;
}

function queryFor(opts: FetchStreamsOptions, offset: number): PageQuery {
  return {
    offset,
    ...(opts.since ? { since: opts.since } : {}),
    ...(opts.until ? { until: opts.until } : {}),
  };
}

async function fetchStream(stream: PlannedStream, pool: TaskPool, opts: FetchStreamsOptions & { endpointBlocked: Set<string>; lastWait: Map<string, string> }): Promise<void> {
  const key = opts.keyOf(stream);
  const pages = opts.store.stream(key);
  const group = stream.type; // one endpoint per data type

  // Report what an earlier attempt already saved, so progress resumes where it was.
  for (const offset of await pages.offsets()) {
    const saved = await pages.read(offset);
    if (saved) opts.onPage?.(stream, saved, false);
  }

  const get = async (offset: number): Promise<Page> => {
    const saved = await pages.read(offset);
    if (saved) return saved;
    if (offset === 0) {
      const planned = opts.firstPages?.get(key);
      if (planned) {
        const page = { ...planned, offset: 0 };
        await pages.write(page);
        opts.onPage?.(stream, page, false);
        return page;
      }
    }
    const page = await pool.run(group, async () => {
      opts.signal?.throwIfAborted();
      const fetched = await opts.source.fetchPage(streamRefOf(stream), queryFor(opts, offset), {
        signal: opts.signal,
        onWait: (w) => {
          if (w) opts.lastWait.set(group, w.scope);
          if (w?.scope === 'endpoint') opts.endpointBlocked.add(group);
          opts.onWait?.(w);
        },
      });
      opts.endpointBlocked.delete(group);
      return fetched;
    });
    const normalized: Page = { ...page, offset };
    await pages.write(normalized);
    opts.onPage?.(stream, normalized, true);
    return normalized;
  };

  const first = await get(0);
  await fetchScheduled(first, get, pages);
  // The walk: follow the chain from the first page; every page is now (almost always) on disk.
  let current = first;
  for (let next = nextOffsetOf(current); next !== null; next = nextOffsetOf(current)) {
    opts.signal?.throwIfAborted();
    current = (await pages.read(next)) ?? (await get(next));
  }
}

/** Fetches the offsets the first page's total implies, in parallel (the pool bounds it). */
async function fetchScheduled(first: Page, get: (offset: number) => Promise<Page>, pages: StreamPages): Promise<void> {
  const next = nextOffsetOf(first);
  if (next === null || first.total === null) return;
  const step = next - first.offset;
  const onDisk = new Set(await pages.offsets());
  const wanted: number[] = [];
  for (let o = next; o < first.total; o += step) if (!onDisk.has(o)) wanted.push(o);
  // Keep no page in memory: Promise.all would otherwise hold every page of the stream.
  await Promise.all(wanted.map((o) => get(o).then(() => undefined)));
}
