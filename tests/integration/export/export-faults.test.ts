// The fault matrix: each case runs the same export against a misbehaving simulator and must
// complete with exactly the files of a clean run (SHA-256 per file; metadata.json compared with
// its times and request count blanked, since retries honestly cost requests).
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type FaultConfig, type Simulator } from '../../sim/index';
import { baseRequest, exportOnce, folderDigest, removeDir, tempDir } from './export-helpers';

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
