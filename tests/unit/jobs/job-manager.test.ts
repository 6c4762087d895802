// The queue itself, with the export runner replaced by a controllable fake: states, order,
// persistence across a "restart" (a new manager on the same dataDir), pause/resume/cancel/retry,
// DISK failures kept resumable, and coalesced progress.
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExportRequest, JobProgress, JobSnapshot, Settings } from '../../../src-shared/model';
import { createJobManager, type JobManager } from '../../../src-main/core/jobs/job-manager';
import { OWNER_STALE_MS } from '../../../src-main/core/jobs/job-owner';
import type { ExportResult, RunExportOptions } from '../../../src-main/core/export/run/run-export';
import type { Source } from '../../../src-main/core/sources/source';
import { hsTarget } from '../../hs-paths';
import { sourceDescriptor } from '../../../src-main/core/sources/registry';
import { recordingLogger } from '../../recording-logger';


let dir: string;
let dest: string;
const managers: JobManager[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'jobs-'));
  dest = path.join(dir, 'downloads');
});
afterEach(async () => {
  for (const m of managers.splice(0)) await m.close();
  await rm(dir, { recursive: true, force: true });
});

const settings = (): Settings => ({
  downloadFolder: dest, defaultFormat: 'csv', bom: true, split: 'none', anonymize: 'keep', zip: true, concurrency: 4, mediaConcurrency: 3,
  keyLimit: 1000, keyWindowSec: 3600, endpointLimit: 100, endpointWindowSec: 60, formulaProtection: false, theme: 'system',
});

const request = (over: Partial<ExportRequest> = {}): ExportRequest => ({
  target: hsTarget('exp_1'), types: ['events'], format: 'csv', zip: false, split: 'none',
  anonymize: 'keep', includeRecordings: false, bom: true, formulaProtection: false, ...over,
});

const fakeSource = { id: 'hyperstudy', requestsMade: () => 7, whenQuiet: async () => {} } as unknown as Source;

/** A runner that waits until released (or aborted), writing a marker in the workDir like the real one. */
function controllableRunner() {
  const calls: RunExportOptions[] = [];
  let ready = 0;
  let release: (() => void) | null = null;
  let fail: unknown = null;
  const runner = async (o: RunExportOptions): Promise<ExportResult> => {
    calls.push(o);
    await mkdir(o.workDir, { recursive: true });
    await writeFile(path.join(o.workDir, 'checkpoint'), String(calls.length));
    o.progress?.phase('fetching', 'Fetching events');
    ready++;
    await new Promise<void>((resolve, reject) => {
      if (o.signal?.aborted) return reject(o.signal.reason);
      release = resolve;
      o.signal?.addEventListener('abort', () => reject(o.signal!.reason), { once: true });
    });
    if (fail) {
      const e = fail;
      fail = null;
      throw e;
    }
    const outputPath = path.join(o.destination, 'out.zip');
    await mkdir(o.destination, { recursive: true });
    await writeFile(outputPath, 'zip');
    await rm(o.workDir, { recursive: true, force: true });
    return { outputPath, outputName: 'out.zip', manifest: { files: 1, records: 3, bytes: 3, requestsUsed: 7, anonymization: 'keep', warnings: [] } };
  };
  return {
    runner,
    calls,
    release: async () => {
      while (!release) await new Promise((r) => setTimeout(r, 5));
      const r = release;
      release = null;
      r();
    },
    failNextWith: (e: unknown) => {
      fail = e;
    },
    started: async (n: number) => {
      while (ready < n) await new Promise((r) => setTimeout(r, 5));
    },
  };
}

function manager(runner: (o: RunExportOptions) => Promise<ExportResult>): JobManager {
  const m = createJobManager({ dataDir: dir, getSource: async () => ({ source: fakeSource, sourceUrl: 'http://127.0.0.1/api/v3' }), getSettings: settings, appVersion: '0.1.0', runner });
  managers.push(m);
  return m;
}

describe('job manager', () => {
  it('runs a job to completion, records the output and persists the snapshot (never a key)', async () => {
    const r = controllableRunner();
    const m = manager(r.runner);
    const states: string[] = [];
    m.on('state', (s) => states.push(s.state));
    const job = await m.start(request());
    expect(job.state === 'queued' || job.state === 'running').toBe(true);
    await r.started(1);
    expect(m.outputPath(job.id)).toBeNull();
    await r.release();
    const done = await m.settled(job.id);
    expect(done.state).toBe('completed');
    expect(done.outputName).toBe('out.zip');
    expect(m.outputPath(job.id)).toBe(path.join(dest, 'out.zip'));
    expect(states).toEqual(['queued', 'running', 'completed']);
    expect(r.calls[0].workDir.startsWith(path.join(dest, '.studydl-'))).toBe(true);
    const file = await readFile(path.join(dir, 'jobs.json'), 'utf8');
    expect(file).toContain(job.id);
    expect(file).not.toMatch(/hst_(live|test)_/);
  });

  it('runs one job at a time, in order', async () => {
    const r = controllableRunner();
    const m = manager(r.runner);
    const a = await m.start(request());
    const b = await m.start(request({ types: ['chat'] }));
    await r.started(1);
    expect(m.get(b.id)!.state).toBe('queued');
    await r.release();
    await m.settled(a.id);
    await r.started(2);
    expect(r.calls[1].request.types).toEqual(['chat']);
    await r.release();
    expect((await m.settled(b.id)).state).toBe('completed');
  });

  it('marks a job that was running when the process died as interrupted and resumable, and resumes it in the same workDir', async () => {
    const r = controllableRunner();
    const m1 = manager(r.runner);
    const job = await m1.start(request());
    await r.started(1);
    // Simulate a crash: no close(), just a second manager on the same dataDir.
    const r2 = controllableRunner();
    const m2 = manager(r2.runner);
    const found = m2.get(job.id)!;
    expect(found.state).toBe('interrupted');
    expect(found.resumable).toBe(true);
    await m2.resume(job.id);
    await r2.started(1);
    expect(r2.calls[0].workDir).toBe(r.calls[0].workDir);
    expect(await readFile(path.join(r2.calls[0].workDir, 'checkpoint'), 'utf8')).toBe('1');
    await r2.release();
    expect((await m2.settled(job.id)).state).toBe('completed');
  });

  it('pauses and resumes; cancel removes the workspace and leaves nothing finished', async () => {
    const r = controllableRunner();
    const m = manager(r.runner);
    const job = await m.start(request());
    await r.started(1);
    const paused = await m.pause(job.id);
    expect(paused.state).toBe('paused');
    await stat(r.calls[0].workDir); // checkpoint kept
    await m.resume(job.id);
    await r.started(2);
    const cancelled = await m.cancel(job.id);
    expect(cancelled.state).toBe('cancelled');
    await expect(stat(r.calls[0].workDir)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(m.outputPath(job.id)).toBeNull();
  });

  it('fails with a DISK error in plain words on ENOSPC, keeps the checkpoint, and retries', async () => {
    const r = controllableRunner();
    const m = manager(r.runner);
    const job = await m.start(request());
    await r.started(1);
    r.failNextWith(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
    await r.release();
    const failed = await m.settled(job.id);
    expect(failed.state).toBe('failed');
    expect(failed.error?.code).toBe('DISK');
    expect(failed.error?.message).toMatch(/The disk is full/);
    expect(failed.error?.fix).toMatch(/Free some space/);
    expect(failed.resumable).toBe(true);
    await stat(r.calls[0].workDir);
    await m.retry(job.id);
    await r.started(2);
    await r.release();
    expect((await m.settled(job.id)).state).toBe('completed');
  });

  it('rejects an invalid request with INVALID_ARGUMENT and refuses to remove a running job', async () => {
    const r = controllableRunner();
    const m = manager(r.runner);
    await expect(m.start({ ...request(), format: 'xlsx' } as unknown as ExportRequest)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const job = await m.start(request());
    await r.started(1);
    await expect(m.remove(job.id)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await m.cancel(job.id);
    const left = await m.remove(job.id);
    expect(left.find((j: JobSnapshot) => j.id === job.id)).toBeUndefined();
  });

  it('coalesces progress to about 10 events a second (fake clock)', async () => {
    let now = 1_000_000;
    const clock = { now: () => now, sleep: async () => {} };
    const runner = async (o: RunExportOptions): Promise<ExportResult> => {
      o.progress!.totals({ recordsTotal: 100_000 });
      // 1,000 updates over one (fake) second.
      for (let i = 0; i < 1000; i++) {
        now += 1;
        o.progress!.records('events', 10, 100_000);
        await Promise.resolve();
      }
      return { outputPath: path.join(dest, 'x'), outputName: 'x', manifest: { files: 0, records: 0, bytes: 0, requestsUsed: 0, anonymization: 'keep', warnings: [] } };
    };
    const m = createJobManager({ dataDir: dir, getSource: async () => ({ source: fakeSource, sourceUrl: 'http://x' }), getSettings: settings, appVersion: '0', runner, clock });
    managers.push(m);
    const events: JobProgress[] = [];
    m.on('progress', (p) => events.push(p));
    const job = await m.start(request());
    await m.settled(job.id);
    const fetching = events.filter((e) => e.step.startsWith('Fetching'));
    expect(fetching.length).toBeGreaterThanOrEqual(9);
    expect(fetching.length).toBeLessThanOrEqual(12);
    expect(fetching.at(-1)!.step).toMatch(/^Fetching events [\d,]+ \/ 100,000$/);
    expect(events.at(-1)!.fraction).toBe(1);
  });
});

describe('job manager: jobs owned by other processes', () => {
  /** A stored job as another process would have written it (raw JSON, not through the code under test). */
  async function writeForeignJob(id: string, owner: { pid: number; host: string; token: string; heartbeatAt: number }) {
    const snapshot = {
      id, title: 'Experiment exp_1 — events (CSV, ZIP)', request: { ...request(), destination: dest }, state: 'running', createdAt: '2026-01-01T00:00:00.000Z',
      progress: { jobId: id, state: 'running', phase: 'fetching', step: 'Fetching events', recordsDone: 5, recordsTotal: 10, bytesDone: 0, bytesTotal: 0, requestsUsed: 4, requestsPlanned: 8, etaSeconds: null, fraction: 0.4 },
      resumable: true,
    };
    const workDir = path.join(dest, `.studydl-${id}`);
    await mkdir(workDir, { recursive: true });
    await writeFile(path.join(dir, 'jobs.json'), JSON.stringify({ version: 2, jobs: { [id]: { snapshot, workDir, destination: dest, owner } } }));
  }

  it('a job running in a live process is listed as running there and left alone; once that process dies it is interrupted and resumes here', async () => {
    const other = spawn('sleep', ['60'], { stdio: 'ignore' });
    const exited = new Promise((r) => other.on('exit', r));
    try {
      await writeForeignJob('job_elsewhere', { pid: other.pid!, host: os.hostname(), token: 'other-process', heartbeatAt: Date.now() });
      const r = controllableRunner();
      const m = manager(r.runner);
      expect(m.get('job_elsewhere')).toMatchObject({ state: 'running', runningElsewhere: { pid: other.pid, host: os.hostname() } });
      await expect(m.resume('job_elsewhere')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining(`pid ${other.pid}`) });
      await expect(m.remove('job_elsewhere')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await m.flush();
      expect(JSON.parse(await readFile(path.join(dir, 'jobs.json'), 'utf8')).jobs.job_elsewhere.snapshot.state).toBe('running');
      expect(r.calls).toHaveLength(0);

      other.kill('SIGKILL');
      await exited;
      expect(m.get('job_elsewhere')).toMatchObject({ state: 'interrupted', resumable: true });
      expect(m.get('job_elsewhere')!.runningElsewhere).toBeUndefined();
      await m.resume('job_elsewhere');
      await r.started(1);
      expect(r.calls[0].workDir).toBe(path.join(dest, '.studydl-job_elsewhere'));
      await r.release();
      expect((await m.settled('job_elsewhere')).state).toBe('completed');
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('an owner silent past the stale time counts as gone even though its pid exists (a reused pid)', async () => {
    await writeForeignJob('job_stale', { pid: process.ppid, host: os.hostname(), token: 'old', heartbeatAt: Date.now() - OWNER_STALE_MS - 1000 });
    const m = manager(controllableRunner().runner);
    expect(m.get('job_stale')).toMatchObject({ state: 'interrupted', resumable: true });
  });

  it('an owner on another host is trusted while its heartbeat is fresh, and not after', async () => {
    await writeForeignJob('job_remote', { pid: 1, host: 'another-host.example', token: 'remote', heartbeatAt: Date.now() });
    const m = manager(controllableRunner().runner);
    expect(m.get('job_remote')).toMatchObject({ state: 'running', runningElsewhere: { host: 'another-host.example' } });
    await writeForeignJob('job_remote', { pid: 1, host: 'another-host.example', token: 'remote', heartbeatAt: Date.now() - OWNER_STALE_MS - 1000 });
    expect(m.get('job_remote')).toMatchObject({ state: 'interrupted' });
  });

  it('a manager whose job was taken over stops running it and leaves the new owner’s state alone', async () => {
    const r1 = controllableRunner();
    const m1 = createJobManager({ dataDir: dir, getSource: async () => ({ source: fakeSource, sourceUrl: 'http://127.0.0.1/api/v3' }), getSettings: settings, appVersion: '0.1.0', runner: r1.runner, heartbeatMs: 20 });
    managers.push(m1);
    const job = await m1.start(request());
    await r1.started(1);
    await m1.flush();
    // A second manager takes over (the first counts as gone: same process) and resumes the job.
    const r2 = controllableRunner();
    const m2 = manager(r2.runner);
    expect(m2.get(job.id)!.state).toBe('interrupted');
    await m2.resume(job.id);
    await r2.started(1);
    // The first manager's next heartbeat finds the new owner and stops its own run.
    await expect.poll(() => r1.calls[0].signal?.aborted, { timeout: 5_000 }).toBe(true);
    expect(r1.calls[0].signal?.reason).toBe('taken');
    await r2.release();
    expect((await m2.settled(job.id)).state).toBe('completed');
    await m1.close();
    await m2.flush();
    const onDisk = JSON.parse(await readFile(path.join(dir, 'jobs.json'), 'utf8')).jobs[job.id];
    expect(onDisk.snapshot.state).toBe('completed');
    expect(onDisk.owner).toBeUndefined();
  });
});

describe('job manager: waiting jobs, other processes and an unreadable jobs file', () => {
  const onDisk = async () => JSON.parse(await readFile(path.join(dir, 'jobs.json'), 'utf8')).jobs as Record<string, { snapshot: JobSnapshot }>;

  it('starts waiting jobs oldest first, whatever order they were queued in', async () => {
    let now = Date.UTC(2026, 0, 1);
    const r = controllableRunner();
    const m = createJobManager({ dataDir: dir, getSource: async () => ({ source: fakeSource, sourceUrl: 'http://x' }), getSettings: settings, appVersion: '0', runner: r.runner, clock: { now: () => (now += 1000), sleep: async () => {} } });
    managers.push(m);
    const first = await m.start(request());
    const older = await m.start(request({ types: ['chat'] }));
    const newer = await m.start(request({ types: ['components'] }));
    await r.started(1);
    // The older waiting job is paused and resumed: it joins the queue again behind the newer one,
    // but keeps its place by age.
    await m.pause(older.id);
    await m.resume(older.id);
    await r.release();
    await m.settled(first.id);
    await r.started(2);
    expect(r.calls[1].request.types).toEqual(['chat']);
    await r.release();
    await r.started(3);
    expect(r.calls[2].request.types).toEqual(['components']);
    await r.release();
    expect((await m.settled(newer.id)).state).toBe('completed');
  });

  it('pauses a waiting job (it does not start when its turn comes) and cancels a paused one, removing its workspace', async () => {
    const r = controllableRunner();
    const m = manager(r.runner);
    const a = await m.start(request());
    const b = await m.start(request({ types: ['chat'] }));
    await r.started(1);
    const paused = await m.pause(b.id);
    expect(paused).toMatchObject({ state: 'paused', resumable: true, progress: { state: 'paused' } });
    await r.release();
    expect((await m.settled(a.id)).state).toBe('completed');
    await m.flush();
    expect(m.get(b.id)!.state).toBe('paused');
    expect(r.calls).toHaveLength(1);
    expect((await onDisk())[b.id].snapshot.state).toBe('paused');

    // A paused job with a checkpoint on disk: cancelling it removes the checkpoint, and it cannot be resumed.
    await m.resume(b.id);
    await r.started(2);
    await m.pause(b.id);
    await stat(path.join(r.calls[1].workDir, 'checkpoint'));
    const cancelled = await m.cancel(b.id);
    expect(cancelled).toMatchObject({ state: 'cancelled', resumable: false, progress: { state: 'cancelled' } });
    await expect(stat(r.calls[1].workDir)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(m.resume(b.id)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: 'This download cannot be resumed.' });
    expect((await m.cancel(b.id)).state).toBe('cancelled'); // a second cancel changes nothing
    expect((await onDisk())[b.id].snapshot.state).toBe('cancelled');
    expect(r.calls).toHaveLength(2);
  });

  it('refuses to remove a job that a resume just queued again (both asked at once)', async () => {
    const r = controllableRunner();
    const m = manager(r.runner);
    const job = await m.start(request());
    await r.started(1);
    await m.pause(job.id);
    const [resumed, removed] = await Promise.allSettled([m.resume(job.id), m.remove(job.id)]);
    expect(resumed.status).toBe('fulfilled');
    expect(removed).toMatchObject({ status: 'rejected', reason: { code: 'INVALID_ARGUMENT', message: 'This download is still running.' } });
    await r.started(2);
    await r.release();
    expect((await m.settled(job.id)).state).toBe('completed');
  });

  it('a job another process removed is reported as not found, and dropped from the list', async () => {
    const r = controllableRunner();
    const m1 = manager(r.runner);
    const job = await m1.start(request());
    await r.started(1);
    await m1.pause(job.id);
    await m1.flush();
    const m2 = manager(controllableRunner().runner);
    await m2.remove(job.id);
    await expect(m1.resume(job.id)).rejects.toMatchObject({ code: 'NOT_FOUND', message: `There is no download with id ${job.id}.` });
    expect(m1.list().map((j) => j.id)).not.toContain(job.id);
    await expect(m1.cancel(job.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a listener that throws neither stops the job nor the other listeners', async () => {
    const r = controllableRunner();
    const m = manager(r.runner);
    const seen: string[] = [];
    m.on('state', () => {
      throw new Error('a broken window');
    });
    m.on('state', (s) => seen.push(s.state));
    const job = await m.start(request());
    await r.started(1);
    await r.release();
    expect((await m.settled(job.id)).state).toBe('completed');
    expect(seen).toEqual(['queued', 'running', 'completed']);
  });

  it('fails a job whose source is not the active connection’s, in words, and keeps it resumable', async () => {
    const r = controllableRunner();
    const hyperstudy = { ...fakeSource, descriptor: sourceDescriptor('hyperstudy') } as Source;
    const m = createJobManager({ dataDir: dir, getSource: async () => ({ source: hyperstudy, sourceUrl: 'http://x' }), getSettings: settings, appVersion: '0', runner: r.runner });
    managers.push(m);
    const job = await m.start(request(), { source: 'brainstem' });
    const failed = await m.settled(job.id);
    expect(failed).toMatchObject({ state: 'failed', resumable: true, error: { code: 'INVALID_ARGUMENT', message: 'This download reads BrainSTEM, but the active connection is to HyperStudy.' } });
    expect(r.calls).toHaveLength(0);
  });

  it('a sync that fails on disk records the failed outcome with the job', async () => {
    const blocker = path.join(dir, 'a-file');
    await writeFile(blocker, 'not a folder');
    const m = createJobManager({
      dataDir: dir, getSource: async () => ({ source: fakeSource, sourceUrl: 'http://x' }), getSettings: settings, appVersion: '0',
      // The folder to sync sits under a file: creating it fails as it would in the real sync.
      syncRunner: async (o) => {
        await mkdir(o.dir, { recursive: true });
        throw new Error('unreachable');
      },
    });
    managers.push(m);
    const job = await m.start(request(), { sync: { dir: path.join(blocker, 'study') } });
    const failed = await m.settled(job.id);
    expect(failed).toMatchObject({ state: 'failed', error: { code: 'DISK', details: { errno: 'ENOTDIR' } } });
    expect(failed.sync?.outcome).toMatchObject({ state: 'failed', kind: 'incremental', newRecords: {}, error: { code: 'DISK' } });
    await m.flush();
    expect((await onDisk())[job.id].snapshot.sync?.outcome?.state).toBe('failed');
  });

  it('keeps working while the jobs file cannot be read or written, and saves everything once it can', async () => {
    const r = controllableRunner();
    const logger = recordingLogger();
    const m = createJobManager({ dataDir: dir, getSource: async () => ({ source: fakeSource, sourceUrl: 'http://x' }), getSettings: settings, appVersion: '0', runner: r.runner, logger });
    managers.push(m);
    const job = await m.start(request());
    await r.started(1);
    await m.flush();
    // Something puts a folder where the jobs file should be.
    const file = path.join(dir, 'jobs.json');
    await rm(file);
    await mkdir(file);
    await r.release();
    expect((await m.settled(job.id)).state).toBe('completed');
    expect(m.list().map((j) => [j.id, j.state])).toEqual([[job.id, 'completed']]);
    await m.flush();
    expect(logger.lines.join('\n')).toMatch(/could not read the downloads list[\s\S]*could not save the downloads list[\s\S]*some download states could not be saved/);
    // The folder goes away: the next flush writes what was kept in memory.
    await rm(file, { recursive: true });
    await m.flush();
    expect((await onDisk())[job.id].snapshot.state).toBe('completed');
  });
});
