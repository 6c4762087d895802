// The issue's "Done when", with real processes: the simulator as `npm run sim -- --scale small
// --seed 4` runs it (its own process), `studydl sync experiment <first> --types events,chat
// --format csv --out DIR`, 1,500 events and 40 chat messages appended to the active room through
// the control route, `studydl sync DIR`: at most 10 requests (counted by the server), and DIR's
// events.csv and chat.csv byte-identical to a fresh `studydl export experiment <id> --types
// events,chat --format csv`.
import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimProcess, type SimProcess } from '../../bench/sim-process';
import { removeDir, tempDir } from './sync-helpers';

const exec = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../../..');
let sim: SimProcess;
let root: string;

beforeAll(async () => {
  sim = await startSimProcess({ scale: 'small', seed: 4 });
  root = await tempDir('sync-done-');
});
afterAll(async () => {
  await sim?.close();
  await removeDir(root);
});

function studydl(...args: string[]) {
  return exec(process.execPath, ['--import', 'tsx', path.join(repo, 'src-main/cli/main.ts'), ...args], {
    cwd: repo,
    env: { ...process.env, STUDYDL_HOME: path.join(root, 'home'), HYPERSTUDY_API_KEY: sim.apiKey, HYPERSTUDY_BASE_URL: sim.baseUrl, NO_COLOR: '1' },
    maxBuffer: 64 << 20,
  });
}

async function api(p: string): Promise<{ data: Array<Record<string, unknown>> }> {
  const res = await fetch(`${sim.baseUrl}${p}`, { headers: { 'X-API-Key': sim.apiKey } });
  return (await res.json()) as { data: Array<Record<string, unknown>> };
}

async function control(p: string, body: unknown): Promise<void> {
  const res = await fetch(`${sim.origin}/__sim${p}`, { method: 'POST', body: JSON.stringify(body) });
  expect(res.status).toBe(200);
}

describe('done when: small simulator, seed 4, real processes', { timeout: 300_000 }, () => {
  it('re-syncs 1,500 events and 40 chat messages in at most 10 requests, byte-identical to a fresh export', async () => {
    const experiments = await api('/experiments');
    const exp = String(experiments.data[0].id);
    const dir = path.join(root, 'DIR');
    const first = await studydl('sync', 'experiment', exp, '--types', 'events,chat', '--format', 'csv', '--out', dir);
    expect(first.stdout.trim().split('\n').at(-1)).toBe(dir);

    const rooms = await api(`/data/rooms/experiment/${exp}`);
    const active = rooms.data.filter((r) => r.status === 'active');
    expect(active).toHaveLength(1);
    await control('/append', { type: 'events', experimentId: exp, roomId: active[0].id, n: 1500 });
    await control('/append', { type: 'chat', experimentId: exp, roomId: active[0].id, n: 40 });

    await sim.resetCounters();
    const again = await studydl('sync', dir, '--json');
    const counted = (await sim.counters()).requests;
    const events = again.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; state?: string; sync?: { outcome?: { requests: number; newRecords: Record<string, number> }; plan?: { requests: number } } });
    const done = events.find((e) => e.event === 'done')!;
    expect(done.state).toBe('completed');
    expect(counted, 'requests the server saw for the re-sync').toBeLessThanOrEqual(10);
    expect(done.sync?.outcome?.requests).toBe(counted);
    expect(done.sync?.outcome?.newRecords).toEqual({ events: 1500, chat: 40 });
    expect(events.some((e) => e.event === 'plan')).toBe(true);

    const freshDir = path.join(root, 'fresh');
    const exported = await studydl('export', 'experiment', exp, '--types', 'events,chat', '--format', 'csv', '--out', freshDir);
    const fresh = exported.stdout.trim().split('\n').at(-1)!;
    for (const f of ['events.csv', 'chat.csv']) {
      const [a, b] = await Promise.all([readFile(path.join(dir, f)), readFile(path.join(fresh, f))]);
      expect(a.equals(b), `${f} byte-identical`).toBe(true);
    }
    // The rest of the folder too (README.txt and metadata.json differ by design).
    const names = (await readdir(dir)).filter((n) => n !== '.studydl-sync').sort();
    expect(names).toEqual((await readdir(fresh)).sort());
    for (const n of names.filter((x) => x !== 'README.txt' && x !== 'metadata.json')) {
      expect((await readFile(path.join(dir, n))).equals(await readFile(path.join(fresh, n))), n).toBe(true);
    }
    console.log(`done-when: re-sync ${counted} requests (planned ${done.sync?.plan?.requests})`);
  });
});
