// Fetching under a disk slower than the network: pages waiting for their write are bounded (page
// size × (concurrency + a few)), not the whole stream, and every page still ends on disk.
// The page store is the real one; only its writes are held back until the test lets them go.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan, PlannedStream } from '../../../src-shared/model';
import { fetchAllStreams } from '../../../src-main/core/export/run/fetch-streams';
import { createPageStore, type PageStore } from '../../../src-main/core/export/run/page-store';
import type { Page, PageQuery, Source } from '../../../src-main/core/sources/source';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'studydl-backpressure-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const PAGE = 10;
const TOTAL = 600; // 60 pages

function pageAt(offset: number): Page {
  const n = Math.min(PAGE, TOTAL - offset);
  return {
    records: Array.from({ length: n }, (_, i) => ({ id: `r${offset + i}`, payload: 'x'.repeat(100) })),
    offset,
    returned: n,
    total: TOTAL,
    hasMore: offset + n < TOTAL,
    nextOffset: offset + n < TOTAL ? offset + n : null,
    warnings: [],
    metadata: {},
  };
}

/**
 * Lets the event loop (and the real disk writes behind the held ones) run until the counts stop
 * moving: the fetcher has asked for all it will. Waits, asserts no time.
 */
async function settle(counts: () => number, diskBusy: () => boolean): Promise<void> {
  let last = -1;
  for (let still = 0; still < 10; ) {
    await new Promise<void>((resolve) => setTimeout(resolve, 5));
    const now = counts();
    still = now === last && !diskBusy() ? still + 1 : 0;
    last = now;
  }
}

describe('fetchAllStreams', () => {
  it('holds at most concurrency + 8 fetched pages waiting for the disk, and saves them all', async () => {
    const real = createPageStore(path.join(dir, 'pages'));
    let fetched = 0;
    let written = 0;
    let onDisk = 0; // real writes finished (held or not)
    let started = 0;
    const held: Array<() => void> = [];
    const store: PageStore = {
      dir: real.dir,
      stream(key) {
        const pages = real.stream(key);
        return {
          ...pages,
          dir: pages.dir,
          write: (page) => {
            started++;
            const writing = pages.write(page).finally(() => onDisk++);
            return new Promise<void>((resolve, reject) => held.push(() => writing.then(resolve, reject))).then(() => {
              written++;
            });
          },
        };
      },
    };
    const source = {
      fetchPage: async (_stream: unknown, query: PageQuery) => {
        fetched++;
        return pageAt(query.offset ?? 0);
      },
    } as unknown as Source;
    const stream: PlannedStream = { type: 'events', scope: 'experiment', scopeId: 'e1', total: TOTAL, requests: TOTAL / PAGE };
    const concurrency = 4;
    const done = fetchAllStreams({ source, plan: { streams: [stream] } as unknown as Plan, store, keyOf: () => 'events:e1', concurrency });

    const counts = () => fetched * 1000 + written * 10 + held.length;
    const diskBusy = () => onDisk < started;
    // The first page comes alone; let it through, then hold every write.
    await settle(counts, diskBusy);
    held.splice(0).forEach((go) => go());
    await settle(counts, diskBusy);
    expect(fetched).toBeGreaterThan(1);
    expect(fetched - written).toBeLessThanOrEqual(concurrency + 8 + 1);
    expect(fetched).toBeLessThan(TOTAL / PAGE);

    // Let the disk go: everything ends on disk, each page fetched once.
    while (written < TOTAL / PAGE) {
      held.splice(0).forEach((go) => go());
      await settle(counts, diskBusy);
    }
    await done;
    expect(fetched).toBe(TOTAL / PAGE);
    expect(await real.stream('events:e1').offsets()).toEqual(Array.from({ length: TOTAL / PAGE }, (_, i) => i * PAGE));
  });
});
