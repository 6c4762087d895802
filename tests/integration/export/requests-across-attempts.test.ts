// requests.used of an export paused in one `studydl` process and resumed in another counts
// every attempt: the manifest (metadata.json), the done event and the job's progress all equal
// the requests the simulator answered for it.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobSnapshot } from '../../../src-shared/model';
import { startSimulator, type Simulator } from '../../sim/index';
import { cliEnv, REPO, runCli } from '../secrets/cli-run';
import { removeDir, tempDir } from './export-helpers';

let sim: Simulator;
let root: string;

beforeAll(async () => {
  sim = await startSimulator({ scale: 'tiny', seed: 12 });
  root = await tempDir('requests-used-');
});
afterAll(async () => {
  await sim?.close();
  await removeDir(root);
});

describe('requests.used across attempts', () => {
  it('a paused and resumed export counts the requests of both processes', { timeout: 120_000 }, async () => {
    const env = cliEnv(path.join(root, 'home'), { HYPERSTUDY_API_KEY: sim.apiKey, HYPERSTUDY_BASE_URL: sim.baseUrl, NO_COLOR: '1' });
    const exp = sim.dataset.experiments({ includeShared: false })[0];
    sim.resetCounters();
    sim.setFaults({ latencyMs: 250 });

    // First attempt: Ctrl-C (SIGINT) once some pages are in, which pauses the job.
    const first = spawn(process.execPath, ['--import', 'tsx', 'src-main/cli/main.ts', 'export', 'experiment', exp.id, '--types', 'events,chat,ratings-continuous,sync', '--out', path.join(root, 'out'), '--json', '--concurrency', '1'], {
      cwd: REPO,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let interrupted = false;
    first.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const used = [...out.matchAll(/"requestsUsed":(\d+)/g)].map((m) => Number(m[1]));
      if (!interrupted && used.some((n) => n >= 3)) {
        interrupted = true;
        first.kill('SIGINT');
      }
    });
    let errText = '';
    first.stderr.on('data', (c: Buffer) => (errText += c.toString()));
    const code = await new Promise<number | string | null>((resolve) => first.on('exit', (c, signal) => resolve(c ?? signal)));
    expect(code, errText + out).toBe(130);
    const jobId = /"jobId":"([^"]+)"/.exec(out)![1];
    const firstAttempt = sim.counters().requests;
    expect(firstAttempt).toBeGreaterThanOrEqual(3);
    sim.resetFaults();

    // Second attempt, another process.
    const resumed = await runCli(['resume', jobId, '--json'], { env, timeoutMs: 90_000 });
    expect(resumed.code, resumed.stderr).toBe(0);
    const total = sim.counters().requests;
    expect(total).toBeGreaterThan(firstAttempt);
    const done = resumed.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { event: string; path?: string; manifest?: { requestsUsed: number } })
      .find((e) => e.event === 'done')!;
    expect(done.manifest!.requestsUsed).toBe(total);
    const metadata = JSON.parse(await readFile(path.join(done.path!, 'metadata.json'), 'utf8')) as { requests: { used: number } };
    expect(metadata.requests.used).toBe(total);
    const listed = JSON.parse((await runCli(['jobs', '--json'], { env })).stdout) as JobSnapshot[];
    expect(listed.find((j) => j.id === jobId)!.progress.requestsUsed).toBe(total);
  });
});
