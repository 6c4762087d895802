// The paged preview over the real source and the simulator: partial answers while the stream
// arrives (complete: false), the full table once done, the row cap, and the sort/filter view.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJointLimiter } from '../../../src-main/core/net/limiter';
import { systemClock } from '../../../src-main/core/ports';
import { createPreviewService } from '../../../src-main/core/preview/preview-service';
import { buildView, compareCells, rowHaystack, viewKey } from '../../../src-main/core/preview/preview-view';
import { sourceModule } from '../../../src-main/core/sources/registry';
import { startSimulator, type Simulator } from '../../sim';
import { hsTarget } from '../../hs-paths';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ scale: 'small', faults: { latencyMs: 60 } });
});
afterAll(() => sim?.close());

function service(opts: { maxRows?: number; maxTables?: number } = {}) {
  const limiter = createJointLimiter({ keyLimit: 10_000, keyWindowMs: 3_600_000, endpointLimit: 10_000, endpointWindowMs: 60_000, clock: systemClock });
  const source = sourceModule('hyperstudy').open({ source: 'hyperstudy', baseUrl: sim.baseUrl, secret: sim.apiKey }, { limiter });
  return createPreviewService({ getSource: () => source, sourceGeneration: () => 1, pageConcurrency: () => 1, ...opts });
}

describe('preview service', () => {
  it('answers with what it has while fetching, then the whole stream', async () => {
    const exp = sim.dataset.experiments()[0];
    const total = sim.dataset.count('events', 'experiment', exp.id);
    expect(total).toBeGreaterThan(1000); // more than one page, so the first answer is partial
    const preview = service();
    const q = { target: hsTarget(exp.id), type: 'events' as const, offset: 0, limit: 100 };
    const first = await preview.getPage(q);
    expect(first.complete).toBe(false);
    expect(first.unfilteredRows).toBeGreaterThan(0);
    expect(first.unfilteredRows).toBeLessThan(total);
    expect(first.rows).toHaveLength(100);
    let page = first;
    while (!page.complete) {
      await new Promise((r) => setTimeout(r, 50));
      page = await preview.getPage(q);
    }
    expect(page.totalRows).toBe(total);
    const last = await preview.getPage({ ...q, offset: total - 10, limit: 100 });
    expect(last.rows).toHaveLength(10);
    const ids = new Set((await preview.getPage({ ...q, limit: 1000 })).rows.map((r) => r.id));
    expect(ids.size).toBe(Math.min(1000, total));
    preview.clear();
  });

  it('stops at the row cap and says so', async () => {
    const exp = sim.dataset.experiments()[0];
    const preview = service({ maxRows: 1500 });
    const q = { target: hsTarget(exp.id), type: 'events' as const, offset: 0, limit: 10 };
    let page = await preview.getPage(q);
    while (!page.complete) {
      await new Promise((r) => setTimeout(r, 20));
      page = await preview.getPage(q);
    }
    expect(page.unfilteredRows).toBeGreaterThanOrEqual(1500);
    expect(page.unfilteredRows).toBeLessThan(sim.dataset.count('events', 'experiment', exp.id));
    expect(page.warnings.join(' ')).toMatch(/first 1,500 rows/);
  });

  it('reports a failed stream as a typed error', async () => {
    const preview = service();
    const e = await preview.getPage({ target: hsTarget('exp_does_not_exist'), type: 'events', offset: 0, limit: 10 }).catch((x) => x);
    expect(e.code).toMatch(/NOT_FOUND|FORBIDDEN|INVALID_PARAMETER/);
    expect(e.message).toBeTruthy();
  });
});

describe('preview view (sort, filter, search)', () => {
  const rows = [
    { id: 'a', n: 3, cat: 'Click' },
    { id: 'b', n: null, cat: 'scroll' },
    { id: 'c', n: 1, cat: 'click' },
    { id: 'd', n: 2, cat: 'Key' },
  ];
  const hay = (i: number) => rowHaystack(rows[i]);
  it('filters case-insensitively by column and searches all columns', () => {
    expect(buildView(rows, { filters: { cat: 'CLICK' } }, hay)).toEqual([0, 2]);
    expect(buildView(rows, { search: 'key' }, hay)).toEqual([3]);
    expect(buildView(rows, { filters: { cat: '  ' } }, hay)).toEqual([0, 1, 2, 3]);
  });
  it('sorts numbers numerically, empties last in both directions, stable on ties', () => {
    expect(buildView(rows, { sort: { key: 'n', dir: 'asc' } }, hay)).toEqual([2, 3, 0, 1]);
    expect(buildView(rows, { sort: { key: 'n', dir: 'desc' } }, hay)).toEqual([0, 3, 2, 1]);
    expect(compareCells(10, 9)).toBeGreaterThan(0);
    expect(compareCells('a', 'b')).toBeLessThan(0);
  });
  it('keys views independently of filter order and blank filters', () => {
    expect(viewKey({ filters: { a: '1', b: '2' } })).toBe(viewKey({ filters: { b: '2', a: '1', c: '' } }));
    expect(viewKey({ search: 'X ' })).toBe(viewKey({ search: 'x' }));
  });
});
