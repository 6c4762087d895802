// Paged rows for one preview query (target, type, sort, filters, search).
// The table asks for the visible window; the pager fetches only the missing pages from the core,
// keeps a bounded cache, and while the core is still fetching the stream (`complete: false`)
// refetches the first and visible pages until the total settles.
import { createStore } from 'zustand/vanilla';
import type { ErrorInfo } from '../../../src-shared/errors';
import type { DataTypeId, PreviewPage, PreviewQuery } from '../../../src-shared/model';
import { toTarget, type UiTarget as Target } from '../lib/ui-target';
import { toUiError } from '../lib/errors';

export type Row = Record<string, unknown>;

export interface PreviewParams {
  target: Target;
  type: DataTypeId;
  sort?: { key: string; dir: 'asc' | 'desc' };
  filters?: Record<string, string>;
  search?: string;
}

export interface PagerState {
  status: 'loading' | 'ready' | 'error';
  totalRows: number;
  unfilteredRows: number;
  columns: string[];
  complete: boolean;
  warnings: string[];
  error: ErrorInfo | null;
  /** Bumped whenever a page lands, so a table can re-render on one primitive. */
  version: number;
}

export interface PagerOptions {
  pageSize?: number;
  pollMs?: number;
  maxCachedPages?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export type GetPreview = (q: PreviewQuery) => Promise<PreviewPage>;

export function createPreviewPager(getPreview: GetPreview, params: PreviewParams, options: PagerOptions = {}) {
  const pageSize = options.pageSize ?? 200;
  const pollMs = options.pollMs ?? 1000;
  const maxCached = options.maxCachedPages ?? 60;
  const setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));

  const store = createStore<PagerState>()(() => ({
    status: 'loading', totalRows: 0, unfilteredRows: 0, columns: [], complete: false, warnings: [], error: null, version: 0,
  }));

  const pages = new Map<number, Row[]>();
  const inFlight = new Map<number, number>(); // page → generation requested
  let generation = 0;
  let visible = { first: 0, last: 0 };
  let pollHandle: unknown = null;
  let disposed = false;

  function query(page: number): PreviewQuery {
    return {
      target: toTarget(params.target),
      type: params.type,
      offset: page * pageSize,
      limit: pageSize,
      ...(params.sort ? { sort: params.sort } : {}),
      ...(params.filters && Object.keys(params.filters).length ? { filters: params.filters } : {}),
      ...(params.search ? { search: params.search } : {}),
    };
  }

  function evict(): void {
    if (pages.size <= maxCached) return;
    const centre = (visible.first + visible.last) / 2;
    const far = [...pages.keys()].sort((a, b) => Math.abs(b - centre) - Math.abs(a - centre));
    for (const p of far.slice(0, pages.size - maxCached)) pages.delete(p);
  }

  async function fetchPage(page: number): Promise<void> {
    const gen = generation;
    if (inFlight.get(page) === gen) return;
    inFlight.set(page, gen);
    try {
      const res = await getPreview(query(page));
      if (disposed || gen !== generation) return;
      pages.set(page, res.rows);
      evict();
      store.setState((s) => ({
        status: 'ready',
        totalRows: res.totalRows,
        unfilteredRows: res.unfilteredRows,
        columns: res.columns.length ? res.columns : s.columns,
        complete: res.complete,
        warnings: res.warnings,
        error: null,
        version: s.version + 1,
      }));
      if (!res.complete) schedulePoll();
    } catch (e) {
      if (disposed || gen !== generation) return;
      store.setState((s) => ({ status: pages.size ? s.status : 'error', error: toUiError(e), version: s.version + 1 }));
    } finally {
      if (inFlight.get(page) === gen) inFlight.delete(page);
    }
  }

  function schedulePoll(): void {
    if (pollHandle !== null || disposed) return;
    pollHandle = setTimer(() => {
      pollHandle = null;
      refresh();
    }, pollMs);
  }

  /** Refetch the first and visible pages (the stream grew or finished); old rows stay shown meanwhile. */
  function refresh(): void {
    if (disposed) return;
    generation += 1;
    const keep = new Set<number>([0]);
    for (let p = Math.floor(visible.first / pageSize); p <= Math.floor(visible.last / pageSize); p++) keep.add(p);
    for (const p of [...pages.keys()]) if (!keep.has(p)) pages.delete(p);
    for (const p of keep) void fetchPage(p);
  }

  /** The table's visible window (row indices, inclusive); fetches pages not yet loaded. */
  function ensureRange(first: number, last: number): void {
    visible = { first, last };
    const total = store.getState().totalRows;
    const lastRow = store.getState().status === 'loading' ? last : Math.min(last, Math.max(0, total - 1));
    for (let p = Math.floor(first / pageSize); p <= Math.floor(lastRow / pageSize); p++) {
      if (!pages.has(p)) void fetchPage(p);
    }
  }

  function rowAt(index: number): Row | undefined {
    return pages.get(Math.floor(index / pageSize))?.[index % pageSize];
  }

  function dispose(): void {
    disposed = true;
    if (pollHandle !== null) clearTimer(pollHandle);
    pollHandle = null;
  }

  void fetchPage(0);
  return { store, ensureRange, rowAt, refresh, dispose, pageSize };
}

export type PreviewPager = ReturnType<typeof createPreviewPager>;
