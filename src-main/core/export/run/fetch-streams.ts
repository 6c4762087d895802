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
  /** Called once per page, as it is saved (fetched now) or when found on disk from before. */
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
  const inner = { ...opts, signal, endpointBlocked, lastWait, saving: { pages: 0 } };
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

/** Pages written at once before a fetched page holds its slot until it is on disk. */
const MAX_PAGES_SAVING = 8;

/** Where a page leads: all the schedule and the walk need of it, kept instead of the page. */
interface PageLink {
  offset: number;
  next: number | null;
  total: number | null;
}

const linkOf = (page: Page): PageLink => ({ offset: page.offset, next: nextOffsetOf(page), total: page.total });

async function fetchStream(stream: PlannedStream, pool: TaskPool, opts: FetchStreamsOptions & { endpointBlocked: Set<string>; lastWait: Map<string, string>; saving: { pages: number } }): Promise<void> {
  const key = opts.keyOf(stream);
  const pages = opts.store.stream(key);
  const group = stream.type; // one endpoint per data type
  // The pages on disk, by offset: each is read (or parsed) once, then only its link is kept.
  const links = new Map<number, PageLink>();

  await reportSaved(stream, pages, links, opts);

  /**
   * Saves a page. Not an async function on purpose: a suspended async function keeps its
   * parameters, and the page must not outlive the disk work (or V8 moves it to the old generation).
   */
  const save = (page: Page, fetchedNow: boolean): Promise<PageLink> => {
    const link = linkOf(page);
    const saving = pages.write(page);
    opts.saving.pages++;
    opts.onPage?.(stream, page, fetchedNow);
    return saving.then(
      () => {
        opts.saving.pages--;
        links.set(link.offset, link);
        return link;
      },
      (e: unknown) => {
        opts.saving.pages--;
        throw e;
      },
    );
  };

  const get = async (offset: number): Promise<PageLink> => {
    const known = links.get(offset);
    if (known) return known;
    if (offset === 0) {
      const planned = opts.firstPages?.get(key);
      if (planned) return save({ ...planned, offset: 0 }, false);
    }
    // Backpressure from the disk: while more than MAX_PAGES_SAVING pages wait for their write, a
    // slot keeps its page until it is written, so memory stays bounded (page size × (concurrency
    // + MAX_PAGES_SAVING)) when the disk is slower than the network; otherwise the slot is free as
    // soon as the page is in, and the next request need not wait for the disk.
    const { saved } = await pool.run(group, async () => {
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
      const saving = save({ ...fetched, offset }, true);
      if (opts.saving.pages > MAX_PAGES_SAVING) await saving;
      return { saved: saving }; // (wrapped: not awaited by the pool)
    });
    return saved;
  };

  const first = await get(0);
  await fetchScheduled(first, get, links);
  // The walk: follow the chain from the first page; every page is now (almost always) on disk.
  let current = first;
  for (let next = current.next; next !== null; next = current.next) {
    opts.signal?.throwIfAborted();
    current = await get(next);
  }
}

/**
 * Reports what an earlier attempt (or the plan) already saved, so progress resumes where it was,
 * and remembers where each page leads. Its own function: a suspended async function keeps its
 * locals, and the last page read must not stay alive while the stream is fetched.
 */
async function reportSaved(stream: PlannedStream, pages: StreamPages, links: Map<number, PageLink>, opts: FetchStreamsOptions): Promise<void> {
  for (const offset of await pages.offsets()) {
    const saved = await pages.read(offset);
    if (!saved) continue; // torn by a power loss: fetched again
    links.set(offset, linkOf(saved));
    opts.onPage?.(stream, saved, false);
  }
}

/** Fetches the offsets the first page's total implies, in parallel (the pool bounds it). */
async function fetchScheduled(first: PageLink, get: (offset: number) => Promise<PageLink>, onDisk: ReadonlyMap<number, PageLink>): Promise<void> {
  const next = first.next;
  if (next === null || first.total === null) return;
  const step = next - first.offset;
  const wanted: number[] = [];
  for (let o = next; o < first.total; o += step) if (!onDisk.has(o)) wanted.push(o);
  await Promise.all(wanted.map((o) => get(o)));
}
