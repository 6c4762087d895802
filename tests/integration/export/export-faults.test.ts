// The fault matrix: each case runs the same export against a misbehaving simulator and must
// complete with exactly the files of a clean run (SHA-256 per file; metadata.json compared with
// its times and request count blanked, since retries honestly cost requests).
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type FaultConfig, type Simulator } from '../../sim/index';
import { noProgress, type ProgressSink, type WaitNotice } from '../../../src-main/core/export/run/progress';
import { baseRequest, exportOnce, folderDigest, makeSource, removeDir, tempDir } from './export-helpers';

let sim: Simulator;
let root: string;
let expId: string;
let clean: Map<string, string>;
const mediaFiles = () => [...clean.keys()].filter((k) => k.startsWith('recordings/')).length;
const request = () => baseRequest(expId, { types: ['events', 'chat', 'ratings-continuous', 'recordings'], includeRecordings: true });

beforeAll(async () => {
  sim = await startSimulator({ scale: 'tiny', seed: 11 });
  root = await tempDir('export-faults-');
  expId = sim.dataset.experiments()[0].id;
  const r = await exportOnce(sim, request(), path.join(root, 'clean'));
  clean = await folderDigest(r.outputPath);
  expect([...clean.keys()].filter((k) => k.startsWith('recordings/')).length).toBeGreaterThan(0);
}, 120_000);
afterEach(() => {
  sim.resetFaults();
  sim.resetRateLimits();
});
afterAll(async () => {
  await sim?.close();
  await removeDir(root);
});

const cases: Array<[string, Partial<FaultConfig>, (c: ReturnType<Simulator['counters']>) => void]> = [
  ['5% random 5xx', { seed: 3, errorRate: 0.05 }, (c) => expect(c.faults.error ?? 0).toBeGreaterThan(0)],
  ['connection resets mid-body', { seed: 4, resetRate: 0.08 }, (c) => expect(c.faults.reset ?? 0).toBeGreaterThan(0)],
  ['truncated JSON', { seed: 5, truncateRate: 0.1, rules: [{ match: '/data/events/', kind: 'truncate', count: 2 }] }, (c) => expect(c.faults.truncate ?? 0).toBeGreaterThanOrEqual(2)],
  ['a 429 storm', { storm: { count: 6, retryAfterSec: 1 } }, (c) => expect(c.rateLimitedBy.storm).toBe(6)],
  // Expired downloadUrls come back fresh from listing the recording's room again.
  ['signed URLs expiring mid-file', { expireAfterBytes: 48 * 1024 }, (c) => expect(c.byEndpoint['/data/recordings/room/{id}'] ?? 0).toBeGreaterThan(mediaFiles())],
  ['a Content-Length larger than the body', { mediaLengthDelta: 1024 }, (c) => expect(c.faults.wrongLength ?? 0).toBeGreaterThan(0)],
  // A server that *always* under-states the length can never deliver the last bytes; a proxy that
  // does it now and then is the realistic case.
  ['a Content-Length smaller than the body (some responses)', { rules: [{ match: '/storage/', kind: 'wrongLength', lengthDelta: -1024, count: 3 }] }, (c) => expect(c.faults.wrongLength ?? 0).toBe(3)],
];

describe('fault matrix: every case gives the clean run’s files', { timeout: 180_000 }, () => {
  it.each(cases)('%s', async (name, faults, injected) => {
    sim.resetCounters();
    sim.setFaults(faults);
    const r = await exportOnce(sim, request(), path.join(root, name.replace(/\W+/g, '-')));
    injected(sim.counters());
    expect(await folderDigest(r.outputPath)).toEqual(clean);
  });
});

describe('faults that do not heal, a tight endpoint limit, and a crash at the very end', { timeout: 180_000 }, () => {
  it('a data stream that keeps failing after its first page fails the export with the server’s error, leaving nothing that looks finished', async () => {
    // The plan reads each stream's first page; the events' later pages (offset 1000, 2000) always fail.
    sim.setFaults({ rules: [{ match: '/data/events/.*offset=[1-9]', kind: 'error', status: 500, count: 10_000 }] });
    const dest = path.join(root, 'events-down');
    sim.resetCounters();
    await expect(exportOnce(sim, request(), dest)).rejects.toMatchObject({ code: 'SERVER', status: 500 });
    expect(sim.counters().faults.error ?? 0).toBeGreaterThan(0);
    expect((await readdir(dest)).filter((n) => !n.startsWith('.studydl-'))).toEqual([]);
  });

  it('a recording the storage never serves: the export completes without it, and says so in the manifest', async () => {
    const recordings = (await makeSource(sim).fetchPage({ type: 'recordings', scope: 'experiment', scopeId: expId }, {})).records;
    const lost = String(recordings[0].recordingId);
    sim.setFaults({ rules: [{ match: `/storage/.*${lost}`, kind: 'error', status: 404, count: 10_000 }] });
    const r = await exportOnce(sim, request(), path.join(root, 'one-recording-lost'));
    const files = await folderDigest(r.outputPath);
    const mediaNow = [...files.keys()].filter((k) => k.startsWith('recordings/'));
    expect(mediaNow).toHaveLength(mediaFiles() - 1);
    expect(mediaNow.some((k) => k.includes(lost))).toBe(false);
    for (const k of mediaNow) expect(files.get(k), k).toBe(clean.get(k));
    expect(r.manifest.warnings).toContainEqual(expect.stringMatching(new RegExp(`^1 of ${mediaFiles()} recordings could not be downloaded \\(first: The recording ${lost} could not be downloaded \\(the storage server answered 404\\)\\); see recordings_metadata\\.csv\\.$`)));
  });

  it('a tight per-endpoint limit: the export waits for the endpoint’s window, says so, and gives the clean run’s files', async () => {
    const waits: WaitNotice[] = [];
    const watching: ProgressSink = { ...noProgress, wait: (w) => void (w && waits.push(w)) };
    // Two requests per endpoint per 300 ms: the events' later pages wait for their endpoint.
    const r = await exportOnce(sim, request(), path.join(root, 'tight-endpoint'), { source: makeSource(sim, { endpointLimit: 2, windowMs: 300 }), progress: watching });
    expect(waits.some((w) => w.scope === 'endpoint' && w.seconds > 0 && w.reason.length > 0)).toBe(true);
    expect(await folderDigest(r.outputPath)).toEqual(clean);
  });

  it('a crash after the folder was put in place: the next attempt finds it, sends nothing, and clears the workspace', async () => {
    const dest = path.join(root, 'crash-at-the-end');
    const crash = new Error('the process died here');
    // The last step before the workspace goes: the process "dies" there (the folder is already in place).
    const dying: ProgressSink = { ...noProgress, phase: (phase, step) => { if (phase === 'finalizing' && step === 'Finishing') throw crash; } };
    await expect(exportOnce(sim, request(), dest, { progress: dying })).rejects.toBe(crash);
    const left = await readdir(dest);
    expect(left).toHaveLength(2);
    expect(left).toContain('.studydl-test');
    sim.resetCounters();
    const again = await exportOnce(sim, request(), dest);
    expect(sim.counters().requests).toBe(0);
    expect(await readdir(dest)).toEqual(left.filter((n) => n !== '.studydl-test'));
    expect(again.outputPath).toBe(path.join(dest, left.find((n) => n !== '.studydl-test')!));
    expect(await folderDigest(again.outputPath)).toEqual(clean);
  });
});
