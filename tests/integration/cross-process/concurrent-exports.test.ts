// Two `studydl export` processes on one key at once, against a simulator with the tight
// limits (the same as `npm run sim -- --key-limit 12 --key-window 30 --endpoint-limit 4
// --endpoint-window 10`). Both processes share the key's limiter log, so together they stay
// inside both windows: both finish, and the simulator's counters show no 429 at all.
// About 19 requests in all, so the run needs a second key window (~35 s).
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../sim/index';
import { runPythonJson } from '../export/writers-helpers';
import { cliEnv, runCli } from '../secrets/cli-run';
import { removeDir, tempDir } from '../export/export-helpers';

const LIMITS = { keyLimit: 12, keyWindowSec: 30, endpointLimit: 4, endpointWindowSec: 10 };
const TYPES = ['events', 'chat', 'ratings-continuous', 'sync', 'components'] as const;

let sim: Simulator;
let root: string;

beforeAll(async () => {
  sim = await startSimulator({ scale: 'tiny', seed: 1, ...LIMITS });
  root = await tempDir('two-exports-');
});
afterAll(async () => {
  await sim?.close();
  await removeDir(root);
});

/** Data rows per CSV, read by Python's csv module (an independent reader). */
const countRows = (dir: string) =>
  runPythonJson<Record<string, number>>(
    [
      'import csv, json, os, sys',
      'd = sys.argv[1]',
      'out = {}',
      'for n in sorted(os.listdir(d)):',
      '    if n.endswith(".csv"):',
      '        with open(os.path.join(d, n), encoding="utf-8-sig", newline="") as f:',
      '            out[n] = sum(1 for _ in csv.reader(f)) - 1',
      'print(json.dumps(out))',
    ].join('\n'),
    [dir],
  );

describe('two studydl export processes on one key', () => {
  it('both finish inside the key and endpoint windows together: 0 × 429', { timeout: 240_000 }, async () => {
    const env = cliEnv(path.join(root, 'home'), {
      HYPERSTUDY_API_KEY: sim.apiKey,
      HYPERSTUDY_BASE_URL: sim.baseUrl,
      STUDYDL_KEY_LIMIT: String(LIMITS.keyLimit),
      STUDYDL_KEY_WINDOW_SEC: String(LIMITS.keyWindowSec),
      STUDYDL_ENDPOINT_LIMIT: String(LIMITS.endpointLimit),
      STUDYDL_ENDPOINT_WINDOW_SEC: String(LIMITS.endpointWindowSec),
      NO_COLOR: '1',
    });
    const experiments = sim.dataset.experiments({ includeShared: false }).slice(0, 2);
    expect(experiments).toHaveLength(2);
    sim.resetCounters();

    const runs = await Promise.all(
      experiments.map((e, i) =>
        runCli(['export', 'experiment', e.id, '--types', TYPES.join(','), '--out', path.join(root, `out-${i}`), '--json'], { env, timeoutMs: 200_000 }),
      ),
    );
    for (const r of runs) expect(r.code, r.stderr).toBe(0);

    const c = sim.counters();
    expect(c.byStatus['429'] ?? 0).toBe(0);
    expect(c.rateLimited).toBe(0);
    // The two runs really had to share: together they need more than one key window allows.
    expect(c.requests).toBeGreaterThan(LIMITS.keyLimit);
    expect(c.requests).toBeLessThanOrEqual(30);

    // Each manifest counts its own requests; together they are every request the simulator saw.
    const done = runs.map((r) => r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { event: string; path?: string; manifest?: { requestsUsed: number } }).find((e) => e.event === 'done')!);
    expect(done.map((d) => d.manifest!.requestsUsed).reduce((a, b) => a + b, 0)).toBe(c.requests);

    // And the outputs are whole: every record of every type, per the simulator's own data.
    for (const [i, e] of experiments.entries()) {
      const rows = await countRows(done[i].path!);
      expect(rows['events.csv']).toBe(sim.dataset.count('events', 'experiment', e.id));
      expect(rows['chat.csv']).toBe(sim.dataset.count('chat', 'experiment', e.id));
      expect(rows['ratings_continuous.csv']).toBe(sim.dataset.count('ratings/continuous', 'experiment', e.id));
      expect(rows['sync.csv']).toBe(sim.dataset.count('sync', 'experiment', e.id));
      expect(rows['components.csv']).toBe(sim.dataset.count('components', 'experiment', e.id));
    }
  });
});
