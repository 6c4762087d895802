// A job running in process A while process B starts. A is a real `studydl export`, held in its
// run by a tight key budget (4 requests per 5 minutes). B is every other kind of process: a
// `studydl jobs`, a `studydl resume`, and a long-lived job manager (this test process, as the
// app or browser mode would hold one). B lists A's job as running in A's pid, never as
// interrupted, and refuses to resume it. Once A is killed with SIGKILL, the same long-lived B
// sees it interrupted, and `studydl resume` finishes it from its checkpoints.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StudyError } from '../../../src-shared/errors';
import type { JobSnapshot } from '../../../src-shared/model';
import { createJobManager } from '../../../src-main/core/jobs/job-manager';
import { defaultSettings } from '../../../src-main/core/settings';
import { startSimulator, type Simulator } from '../../sim/index';
import { removeDir, tempDir } from '../export/export-helpers';
import { runPythonJson } from '../export/writers-helpers';
import { cliEnv, REPO, runCli } from '../secrets/cli-run';

let sim: Simulator;
let root: string;

beforeAll(async () => {
  sim = await startSimulator({ scale: 'tiny', seed: 9 });
  root = await tempDir('job-owner-');
});
afterAll(async () => {
  await sim?.close();
  await removeDir(root);
});

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A job's state and owner pid as the file holds them (the older format kept the pid as ownerPid). */
async function jobOnDisk(home: string, id: string): Promise<{ state: string; pid?: number } | null> {
  const file = JSON.parse(await readFile(path.join(home, 'jobs.json'), 'utf8')) as {
    jobs: Record<string, { snapshot: { state: string }; owner?: { pid: number }; ownerPid?: number }>;
  };
  const j = file.jobs[id];
  return j ? { state: j.snapshot.state, pid: j.owner?.pid ?? j.ownerPid } : null;
}

describe('a job running in another process', () => {
  it('is listed as running there, never interrupted; after SIGKILL it is interrupted and resumes', { timeout: 180_000 }, async () => {
    const home = path.join(root, 'home');
    const out = path.join(root, 'out');
    const env = cliEnv(home, { HYPERSTUDY_API_KEY: sim.apiKey, HYPERSTUDY_BASE_URL: sim.baseUrl, NO_COLOR: '1' });
    const exp = sim.dataset.experiments({ includeShared: false })[0];
    const types = ['events', 'chat', 'ratings-continuous', 'sync'];

    // Process A: its 5th request waits for minutes on the key budget.
    const a = spawn(process.execPath, ['--import', 'tsx', 'src-main/cli/main.ts', 'export', 'experiment', exp.id, '--types', types.join(','), '--out', out, '--json', '--concurrency', '1'], {
      cwd: REPO,
      env: { ...env, STUDYDL_KEY_LIMIT: '4', STUDYDL_KEY_WINDOW_SEC: '300' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let aOut = '';
    let aErr = '';
    a.stdout.on('data', (c: Buffer) => (aOut += c.toString()));
    a.stderr.on('data', (c: Buffer) => (aErr += c.toString()));
    const aExit = new Promise<string>((resolve) => a.on('exit', (code, signal) => resolve(signal ?? String(code))));
    try {
      const jobId = await until('A to start its job', async () => /"jobId":"([^"]+)"/.exec(aOut)?.[1]);
      // The file (read here, not through the code under test) shows A as the owner of a running job.
      await until('A to record itself as the owner', async () => {
        const j = (await jobOnDisk(home, jobId)) ?? undefined;
        return j?.state === 'running' && j.pid === a.pid ? true : undefined;
      });
      // ...and it is held in its run by the budget.
      await until('A to wait on the key budget', async () => (/"wait":\{[^}]*"scope":"key"/.test(aOut) ? true : undefined));

      // Process B: `studydl jobs` lists it as running in A.
      const listed = await runCli(['jobs', '--json'], { env });
      expect(listed.code, listed.stderr).toBe(0);
      const seen = (JSON.parse(listed.stdout) as JobSnapshot[]).find((j) => j.id === jobId)!;
      expect(seen.state).toBe('running');
      expect(seen.runningElsewhere).toEqual({ pid: a.pid, host: os.hostname() });

      // Process B: `studydl resume` refuses to run it a second time.
      const resumedTwice = await runCli(['resume', jobId], { env });
      expect(resumedTwice.code).toBe(2);
      expect(resumedTwice.stderr).toMatch(/still running in another|running in another/);

      // A long-lived B (this process), opened while A runs.
      const b = createJobManager({
        dataDir: home,
        getSource: async () => {
          throw new StudyError({ code: 'INTERNAL', message: 'not used' });
        },
        getSettings: () => ({ ...defaultSettings(), downloadFolder: out }),
        appVersion: '0.0.0-test',
      });
      try {
        expect(b.get(jobId)).toMatchObject({ state: 'running', runningElsewhere: { pid: a.pid } });
        await expect(b.resume(jobId)).rejects.toThrow(/running in another .* \(pid \d+ on /);
        await expect(b.cancel(jobId)).rejects.toThrow(/running in another/);
        await b.flush();
        expect(await jobOnDisk(home, jobId)).toEqual({ state: 'running', pid: a.pid });
        expect(a.exitCode).toBeNull();

        // A dies without a word.
        a.kill('SIGKILL');
        expect(await aExit).toBe('SIGKILL');

        // The same B now sees it interrupted and resumable.
        const after = b.get(jobId)!;
        expect(after.state).toBe('interrupted');
        expect(after.resumable).toBe(true);
        expect(after.runningElsewhere).toBeUndefined();
      } finally {
        await b.close();
      }

      const list2 = JSON.parse((await runCli(['jobs', '--json'], { env })).stdout) as JobSnapshot[];
      expect(list2.find((j) => j.id === jobId)).toMatchObject({ state: 'interrupted', resumable: true });

      // Any process can resume it now (the default budget has room): it finishes, whole.
      const resumed = await runCli(['resume', jobId, '--json'], { env, timeoutMs: 120_000 });
      expect(resumed.code, resumed.stderr).toBe(0);
      const done = resumed.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { event: string; state?: string; path?: string })
        .find((e) => e.event === 'done')!;
      expect(done.state).toBe('completed');
      const rows = await runPythonJson<Record<string, number>>(
        'import csv, json, sys\nprint(json.dumps({n: sum(1 for _ in csv.reader(open(sys.argv[1] + "/" + n, encoding="utf-8-sig", newline=""))) - 1 for n in sys.argv[2:]}))',
        [done.path!, 'events.csv', 'chat.csv', 'sync.csv'],
      );
      expect(rows).toEqual({
        'events.csv': sim.dataset.count('events', 'experiment', exp.id),
        'chat.csv': sim.dataset.count('chat', 'experiment', exp.id),
        'sync.csv': sim.dataset.count('sync', 'experiment', exp.id),
      });
    } finally {
      if (a.exitCode === null && a.signalCode === null) a.kill('SIGKILL');
      void aErr;
    }
  });
});
