// The crash case, for real: `studydl export` runs as its own process against a simulator with
// some latency, is killed with SIGKILL once its first pages are on disk, and `studydl resume`
// finishes the job. The ZIP must hold exactly the files of an uninterrupted run.
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../sim/index';
import { baseRequest, execFileP, exportOnce, removeDir, tempDir, zipDigest } from './export-helpers';

const repo = path.resolve(import.meta.dirname, '../../..');
let sim: Simulator;
let root: string;
let expId: string;
const types = ['events', 'chat', 'ratings-continuous', 'recordings'] as const;

beforeAll(async () => {
  sim = await startSimulator({ scale: 'tiny', seed: 21 });
  root = await tempDir('export-kill-');
  expId = sim.dataset.experiments()[0].id;
});
afterAll(async () => {
  await sim?.close();
  await removeDir(root);
});

function cliEnv(home: string): NodeJS.ProcessEnv {
  return { ...process.env, STUDYDL_HOME: home, HYPERSTUDY_API_KEY: sim.apiKey, HYPERSTUDY_BASE_URL: sim.baseUrl, NO_COLOR: '1' };
}
const cliArgs = (...a: string[]) => ['--import', 'tsx', path.join(repo, 'src-main/cli/main.ts'), ...a];

/** Every page file (past the first) saved so far in the workspace under dest. */
async function pagesOnDisk(dest: string): Promise<string[]> {
  const out: string[] = [];
  for (const ws of (await readdir(dest).catch(() => [] as string[])).filter((n) => n.startsWith('.studydl-'))) {
    const pagesDir = path.join(dest, ws, 'pages');
    for (const s of await readdir(pagesDir).catch(() => [] as string[])) {
      for (const f of await readdir(path.join(pagesDir, s)).catch(() => [] as string[])) if (f.endsWith('.json') && !f.startsWith('000000000000')) out.push(`${s}/${f}`);
    }
  }
  return out;
}

describe('kill -9 mid-export, then studydl resume', { timeout: 240_000 }, () => {
  it('resumes from the checkpoints and produces the same files', async () => {
    // The uninterrupted run (in-process, same code, same request).
    const clean = await exportOnce(sim, baseRequest(expId, { types: [...types], includeRecordings: true, zip: true }), path.join(root, 'clean'));
    const cleanDigest = await zipDigest(clean.outputPath);

    const home = path.join(root, 'home');
    const dest = path.join(root, 'killed');
    sim.setFaults({ latencyMs: 120, jitterMs: 20 });
    const child = spawn(process.execPath, cliArgs('export', 'experiment', expId, '--types', types.join(','), '--format', 'csv', '--zip', '--recordings', '--out', dest, '--json', '--concurrency', '1'), {
      cwd: repo,
      env: cliEnv(home),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ? -1 : code)));

    // Wait for pages beyond the planner's first ones, then kill without warning.
    const started = Date.now();
    let seen: string[] = [];
    while (Date.now() - started < 60_000) {
      seen = await pagesOnDisk(dest);
      if (seen.length > 0) break;
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 15));
    }
    expect(child.exitCode, `the export finished before it could be killed: ${stderr}`).toBeNull();
    expect(seen.length).toBeGreaterThan(0);
    child.kill('SIGKILL');
    expect(await exited).toBe(-1);
    sim.resetFaults();

    // Nothing that looks finished: only the hidden workspace.
    const left = await readdir(dest);
    expect(left.every((n) => n.startsWith('.studydl-'))).toBe(true);
    const jobId = /"jobId":"([^"]+)"/.exec(stdout)?.[1];
    expect(jobId, stdout).toBeTruthy();

    // The queue shows it as interrupted and resumable.
    const listed = JSON.parse((await execFileP(process.execPath, cliArgs('jobs', '--json'), { cwd: repo, env: cliEnv(home) })).stdout) as Array<{ id: string; state: string; resumable: boolean }>;
    expect(listed.find((j) => j.id === jobId)).toMatchObject({ state: 'interrupted', resumable: true });

    const before = sim.counters().requests;
    const resumed = await execFileP(process.execPath, cliArgs('resume', jobId!, '--json'), { cwd: repo, env: cliEnv(home), maxBuffer: 64 << 20 });
    const done = resumed.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { event: string; path?: string; state?: string })
      .find((e) => e.event === 'done');
    expect(done?.state).toBe('completed');
    expect(path.dirname(done!.path!)).toBe(dest);
    expect(await readdir(dest)).toEqual([path.basename(done!.path!)]);
    await execFileP('unzip', ['-tqq', done!.path!]);
    expect(await zipDigest(done!.path!)).toEqual(
      new Map([...cleanDigest]),
    );
    // The resume did not start over: it cost fewer requests than the whole export.
    expect(sim.counters().requests - before).toBeLessThan(clean.manifest.requestsUsed);
  });
});
