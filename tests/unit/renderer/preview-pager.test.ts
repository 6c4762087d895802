// The pager's own logic with a scripted preview source: refetching while the core is still
// fetching the stream (complete: false), and discarding answers for a query it no longer shows.
import { describe, expect, it } from 'vitest';
import type { PreviewPage, PreviewQuery } from '../../../src-shared/model';
import { createPreviewPager } from '../../../src-renderer/src/stores/preview-pager';
import { hsTarget } from '../../hs-paths';

const target = hsTarget('e1');
const page = (rows: number, total: number, complete: boolean, offset = 0): PreviewPage => ({
  rows: Array.from({ length: rows }, (_, i) => ({ id: `r${offset + i}` })),
  totalRows: total, unfilteredRows: total, columns: ['id'], complete, warnings: [],
});
const flush = () => new Promise((r) => setTimeout(r, 0));

describe('preview pager', () => {
  it('keeps refetching the first and visible pages until the stream is complete', async () => {
    const timers: Array<() => void> = [];
    let known = 30;
    const asked: PreviewQuery[] = [];
    const pager = createPreviewPager(
      async (q) => {
        asked.push(q);
        const n = Math.max(0, Math.min(q.limit, known - q.offset));
        return page(n, known, known >= 100, q.offset);
      },
      { target, type: 'events' },
      { pageSize: 20, setTimer: (fn) => { timers.push(fn); return timers.length; }, clearTimer: () => undefined },
    );
    await flush();
    expect(pager.store.getState()).toMatchObject({ totalRows: 30, complete: false, status: 'ready' });
    expect(timers).toHaveLength(1);
    pager.ensureRange(0, 25);
    await flush();
    expect(pager.rowAt(25)).toEqual({ id: 'r25' });

    known = 100; // the core fetched the rest
    timers.shift()!();
    await flush();
    expect(pager.store.getState()).toMatchObject({ totalRows: 100, complete: true });
    expect(asked.slice(-2).map((q) => q.offset).sort((a, b) => a - b)).toEqual([0, 20]); // first + visible pages only
    expect(timers).toHaveLength(0); // complete: polling stops
    pager.ensureRange(80, 99);
    await flush();
    expect(pager.rowAt(99)).toEqual({ id: 'r99' });
    pager.dispose();
  });

  it('passes sort, filters and search through, and drops empty filters', async () => {
    let seen: PreviewQuery | null = null;
    const pager = createPreviewPager(
      async (q) => { seen = q; return page(0, 0, true); },
      { target, type: 'chat', sort: { key: 'timestamp', dir: 'desc' }, filters: {}, search: 'hello' },
    );
    await flush();
    // the renderer's target goes to the contract as its generic path
    expect(seen).toEqual({ target: { level: 'experiment', path: [{ level: 'experiment', id: 'e1' }] }, type: 'chat', offset: 0, limit: 200, sort: { key: 'timestamp', dir: 'desc' }, search: 'hello' });
    pager.dispose();
  });

  it('ignores answers that arrive after it was disposed', async () => {
    let release!: (p: PreviewPage) => void;
    const pager = createPreviewPager(() => new Promise<PreviewPage>((r) => { release = r; }), { target, type: 'events' });
    pager.dispose();
    release(page(5, 5, true));
    await flush();
    expect(pager.store.getState().status).toBe('loading');
    expect(pager.rowAt(0)).toBeUndefined();
  });
});
