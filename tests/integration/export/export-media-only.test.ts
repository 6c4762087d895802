// The media-only export (the recordings dialog's download): several files land in one folder,
// byte for byte; a recording gone from the list, or one the storage never serves, fails in words
// and leaves nothing in the destination that looks finished.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../sim/index';
import { baseRequest, exportOnce, makeSource, removeDir, tempDir } from './export-helpers';

let sim: Simulator;
let root: string;
let expId: string;
let recordings: Array<Record<string, unknown>>;
beforeAll(async () => {
  sim = await startSimulator({ scale: 'tiny', seed: 11 });
  root = await tempDir('export-media-only-');
  expId = sim.dataset.experiments()[0].id;
  recordings = (await makeSource(sim).fetchPage({ type: 'recordings', scope: 'experiment', scopeId: expId }, {})).records;
  expect(recordings.length).toBeGreaterThanOrEqual(2);
});
afterEach(() => sim.resetFaults());
afterAll(async () => {
  await sim?.close();
  await removeDir(root);
});

const mediaOnly = (recordingIds: string[]) => baseRequest(expId, { types: ['recordings'], includeRecordings: true, mediaOnly: true, recordingIds });
const idOf = (r: Record<string, unknown>) => String(r.recordingId);
const finishedLooking = async (dest: string) => (await readdir(dest)).filter((n) => !n.startsWith('.studydl-'));

describe('media-only export', { timeout: 120_000 }, () => {
  it('several recordings go into one folder, each the storage’s exact bytes', async () => {
    const two = recordings.slice(0, 2);
    const dest = path.join(root, 'two');
    const r = await exportOnce(sim, mediaOnly(two.map(idOf)), dest);
    expect(path.dirname(r.outputPath)).toBe(dest);
    expect(r.outputName).toMatch(/^recordings_\d{4}-\d{2}-\d{2}$/);
    expect(await readdir(dest)).toEqual([r.outputName]);
    // The files themselves, side by side (named after their recordings), nothing else.
    const names = await readdir(r.outputPath);
    expect(names).toHaveLength(2);
    for (const rec of two) expect(names.filter((n) => n.endsWith(`_${idOf(rec)}.mp4`))).toHaveLength(1);
    const contents = await Promise.all(names.map((n) => readFile(path.join(r.outputPath, n))));
    const expected = two.map((rec) => sim.dataset.mediaBytes(String(rec.roomId), idOf(rec)));
    expect(contents.map((b) => b.length).sort()).toEqual(expected.map((b) => b.length).sort());
    for (const want of expected) expect(contents.some((b) => b.equals(want))).toBe(true);
    expect(r.manifest).toMatchObject({ files: 2, records: 0, warnings: [] });
  });

  it('a recording no longer in the list: NOT_FOUND in words, nothing downloaded', async () => {
    const dest = path.join(root, 'gone');
    sim.resetCounters();
    await expect(exportOnce(sim, mediaOnly(['rec_that_was_deleted']), dest)).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'That recording is not in HyperStudy’s list any more.' });
    expect(sim.counters().mediaRequests).toBe(0);
    expect(await finishedLooking(dest)).toEqual([]);
  });

  it('a recording the storage never serves: BAD_RESPONSE with the reason, nothing that looks finished', async () => {
    const rec = recordings[0];
    sim.setFaults({ rules: [{ match: `/storage/.*${idOf(rec)}`, kind: 'error', status: 404, count: 10_000 }] });
    const dest = path.join(root, 'never');
    await expect(exportOnce(sim, mediaOnly([idOf(rec)]), dest)).rejects.toMatchObject({
      code: 'BAD_RESPONSE',
      message: `The recording ${idOf(rec)} could not be downloaded (the storage server answered 404).`,
    });
    expect(await finishedLooking(dest)).toEqual([]);
  });
});
