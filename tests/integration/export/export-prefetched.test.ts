// A source may read a stream while planning (BrainSTEM reads the sessions to batch their
// behaviors by session id) and hand the pages back (SourceStreamPlan.prefetched): the export uses
// them as they are, reads no page twice, and writes the same files as when nothing was prefetched.
// HyperStudy never prefetches, so here its source is wrapped to prefetch every page of events.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamKey } from '../../../src-main/core/plan/planner';
import type { Page, Source } from '../../../src-main/core/sources/source';
import { startSimulator, type Simulator } from '../../sim/index';
import { baseRequest, exportOnce, folderDigest, makeSource, removeDir, tempDir } from './export-helpers';

let sim: Simulator;
let root: string;
beforeAll(async () => {
  sim = await startSimulator({ scale: 'tiny', seed: 1, keyLimit: 100_000, endpointLimit: 100_000 });
  root = await tempDir('export-prefetched-');
});
afterAll(async () => {
  await sim?.close();
  await removeDir(root);
});

/** The source, planning as before but reading every page of `type`'s streams while it plans. */
function prefetching(source: Source, type: string, limit?: number): Source {
  const wrap = (s: Source): Source => ({
    ...s,
    forExport: () => wrap(s.forExport()),
    async planStreams(target, types, o) {
      const plan = await s.planStreams(target, types, o);
      const prefetched = new Map<string, Page[]>();
      for (const stream of plan.streams.filter((x) => x.type === type)) {
        const pages: Page[] = [];
        for await (const p of s.pages(stream, { offset: 0, ...(limit ? { limit } : {}) }, o)) pages.push(p);
        prefetched.set(streamKey(stream), pages);
      }
      return { ...plan, prefetched };
    },
  });
  return wrap(source);
}

describe('pages read while planning', () => {
  it('are used, not read again, and the files are the same', async () => {
    const exp = sim.dataset.experiments()[0];
    const events = sim.dataset.count('events', 'experiment', exp.id);
    expect(events).toBeGreaterThan(1000); // several pages
    const request = baseRequest(exp.id, { types: ['events', 'chat'], includeRecordings: true });
    const endpoint = '/data/events/experiment/{id}';

    sim.resetCounters();
    const plain = await exportOnce(sim, request, path.join(root, 'plain'), { source: makeSource(sim) });
    const plainRequests = sim.counters().byEndpoint[endpoint];

    sim.resetCounters();
    const pre = await exportOnce(sim, request, path.join(root, 'prefetched'), { source: prefetching(makeSource(sim), 'events') });
    expect(sim.counters().byEndpoint[endpoint]).toBe(Math.ceil(events / 1000));
    expect(sim.counters().byEndpoint[endpoint]).toBe(plainRequests);

    expect(await folderDigest(pre.outputPath)).toEqual(await folderDigest(plain.outputPath));
    const manifest = JSON.parse(await readFile(path.join(pre.outputPath, 'metadata.json'), 'utf8'));
    expect(manifest.requests.used).toBeLessThanOrEqual(manifest.requests.planned);
  });

  it('of the media type are the media listing too: nothing is listed twice', async () => {
    const exp = [...sim.dataset.experiments()].sort((a, b) => sim.dataset.recordings(b.id).length - sim.dataset.recordings(a.id).length)[0];
    const recordings = sim.dataset.recordings(exp.id).length;
    expect(recordings).toBeGreaterThan(1); // several pages of one
    const request = baseRequest(exp.id, { types: ['recordings'], includeRecordings: true });
    const plain = await exportOnce(sim, request, path.join(root, 'media-plain'), { source: makeSource(sim) });
    sim.resetCounters();
    const r = await exportOnce(sim, request, path.join(root, 'media'), { source: prefetching(makeSource(sim), 'recordings', 1) });
    expect(sim.counters().byEndpoint['/data/recordings/experiment/{id}']).toBe(recordings);
    const manifest = JSON.parse(await readFile(path.join(r.outputPath, 'metadata.json'), 'utf8'));
    expect(manifest.recordings).toMatchObject({ total: recordings, downloaded: recordings, failed: 0 });
    expect(await folderDigest(r.outputPath)).toEqual(await folderDigest(plain.outputPath));
  });
});
