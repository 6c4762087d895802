// A sync that dies is finished by the next one, with the same result as if nothing had happened:
//   - `kill -9` of a real `studydl sync` process while its first sync fetches, and while a
//     re-sync fetches and writes; then `studydl sync DIR`: the folder equals a fresh export;
//   - a crash half-way through putting the files in place (stopped after each step in turn):
//     every file in the folder is at every moment either its old or its new version, never a
//     mix, and the next sync completes the commit.
import { spawn } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../sim/index';
import { digest, expectSameAsFresh, freshExport, removeDir, selection, syncOnce, tempDir } from './sync-helpers';

const repo = path.resolve(import.meta.dirname, '../../..');
let sim: Simulator;
let root: string;
let expId: string;
let liveRoom: string;

beforeAll(async () => {
  sim = await startSimulator({ scale: 'tiny', seed: 31 });
  root = await tempDir('sync-crash-');
  expId = sim.dataset.experiments()[0].id;
  liveRoom = sim.dataset.rooms(expId).find((r) => r.status === 'active')!.id;
});
afterAll(async () => {
  await sim?.close();
  await removeDir(root);
});

const TYPES = ['events', 'chat', 'ratings-continuous'];

function cli(home: string, ...args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repo, 'src-main/cli/main.ts'), ...args], {
    cwd: repo,
    env: { ...process.env, STUDYDL_HOME: home, HYPERSTUDY_API_KEY: sim.apiKey, HYPERSTUDY_BASE_URL: sim.baseUrl, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ? -1 : code)));
  return { child, exited, output: () => out };
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(() => true, () => false);
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) if (e.isFile()) out.push(e.name);
  return out;
}

/** Waits until `ready()` holds (polling), then kills the process without warning. */
async function killWhen(run: ReturnType<typeof cli>, ready: () => Promise<boolean>, what: string): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < 60_000 && run.child.exitCode === null) {
    if (await ready()) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  expect(run.child.exitCode, `the sync finished before it could be killed ${what}: ${run.output()}`).toBeNull();
  run.child.kill('SIGKILL');
  expect(await run.exited).toBe(-1);
}

describe('kill -9, then sync again', { timeout: 300_000 }, () => {
  it('finishes a first sync killed while fetching, and a re-sync killed while fetching and while writing', async () => {
    const home = path.join(root, 'home');
    const dir = path.join(root, 'killed');
    const sel = selection(expId, { types: TYPES });
    sim.setFaults({ latencyMs: 150, jitterMs: 20 });
    // 1. The first sync, killed once pages of a whole read are on disk.
    const first = cli(home, 'sync', 'experiment', expId, '--types', TYPES.join(','), '--format', 'csv', '--out', dir, '--concurrency', '1');
    await killWhen(first, async () => (await filesUnder(path.join(dir, '.studydl-sync', 'work', 'pages'))).filter((f) => !f.startsWith('000000000000')).length > 0, 'in its first sync');
    expect((await readdir(dir)).filter((n) => n !== '.studydl-sync'), 'nothing that looks finished').toEqual([]);
    sim.resetFaults();
    const resumed = cli(home, 'sync', dir);
    expect(await resumed.exited, resumed.output()).toBe(0);
    expect(resumed.output()).toContain('Going on with the first sync');
    await expectSameAsFresh(dir, await freshExport(sim, sel, path.join(root, 'fresh1')), 'first sync after kill -9');

    // 2. A re-sync killed while it reads (the records it read are not in the store yet).
    sim.appendRecords('events', expId, liveRoom, 900);
    sim.appendRecords('chat', expId, liveRoom, 30);
    const before = await digest(dir);
    sim.setFaults({ latencyMs: 200 });
    const reading = cli(home, 'sync', dir, '--concurrency', '1');
    await killWhen(reading, () => exists(path.join(dir, '.studydl-sync', 'work', 'reads')), 'while reading');
    expect(await digest(dir), 'the folder as it was').toEqual(before);
    // 3. Again, killed once it writes its files.
    sim.setFaults({ latencyMs: 20 });
    const writing = cli(home, 'sync', dir);
    await killWhen(writing, () => exists(path.join(dir, '.studydl-sync', 'staging')), 'while writing');
    sim.resetFaults();
    const last = cli(home, 'sync', dir, '--json');
    expect(await last.exited, last.output()).toBe(0);
    await expectSameAsFresh(dir, await freshExport(sim, sel, path.join(root, 'fresh2')), 're-sync after kill -9');
  });

  it('a crash half-way through putting files in place is finished by the next sync; every file stays whole', async () => {
    const dir = path.join(root, 'commit');
    const sel = selection(expId, { types: TYPES, split: 'room' });
    await syncOnce(sim, dir, { create: { selection: sel } });
    for (let step = 0; step < 12; step++) {
      sim.appendRecords('events', expId, liveRoom, 50 + step);
      sim.appendRecords('ratings/continuous', expId, liveRoom, 20, { where: 'after' });
      const old = await digest(dir);
      let crashed = false;
      await syncOnce(sim, dir, {
        commitHooks: {
          afterStep: (n) => {
            if (n === step) {
              crashed = true;
              throw new Error(`simulated crash after commit step ${n}`);
            }
          },
        },
      }).catch((e: Error) => expect(e.message).toContain('simulated crash'));
      if (!crashed) break; // fewer steps than that: the commit completed
      // Every file is its old or its new version: compare with the state the next sync leaves.
      const mid = await digest(dir);
      await syncOnce(sim, dir, {}); // finishes the commit (and syncs: nothing new)
      const now = await digest(dir);
      for (const [rel, h] of mid) {
        if (rel === 'metadata.json' || rel === 'README.txt') continue;
        expect(h === old.get(rel) || h === now.get(rel), `step ${step}: ${rel} is whole`).toBe(true);
      }
      await expectSameAsFresh(dir, await freshExport(sim, sel, path.join(root, `fresh-commit-${step}`)), `after a crash at commit step ${step}`);
    }
  });
});
