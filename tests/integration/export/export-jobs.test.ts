// Jobs against the simulator: pause and resume give the uninterrupted run's files; cancel leaves
// nothing that looks finished; a full disk or a refused write fails the job with a DISK error in
// plain words, keeps the checkpoint, and a retry (after the problem is fixed) completes it.
//
// How the disk errors are produced (for real, no mocks): the destination is a tiny tmpfs
// (`mount -t tmpfs -o size=…`) that fills up → ENOSPC; the same tmpfs remounted read-only → EROFS
// (tests may run as root, where chmod does not stop writes); as a non-root user, a chmod 0555
// folder → EACCES. Without permission to mount, the tmpfs cases are skipped with that reason.
// A destination below a regular file (ENOTDIR) runs everywhere.
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportRequest, JobSnapshot, Settings } from '../../../src-shared/model';
import { createJobManager, type JobManager } from '../../../src-main/core/jobs/job-manager';
import { startSimulator, type Simulator } from '../../sim/index';
import { baseRequest, exportOnce, folderDigest, makeSource, removeDir, tempDir } from './export-helpers';

let sim: Simulator;
let root: string;
let expId: string;
let clean: Map<string, string>;
const managers: JobManager[] = [];
const isRoot = process.getuid?.() === 0;

function canMount(): boolean {
  const dir = path.join(root, 'probe');
  try {
    execFileSync('mkdir', ['-p', dir]);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
    execFileSync('umount', [dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
let mountable = false;

const request = (over: Partial<ExportRequest> = {}) => baseRequest(expId, { types: ['events', 'chat', 'recordings'], includeRecordings: true, ...over });

function settings(dest: string): Settings {
  return {
    downloadFolder: dest, defaultFormat: 'csv', bom: true, split: 'none', anonymize: 'keep', zip: false, concurrency: 2, mediaConcurrency: 2,
    keyLimit: 1000, keyWindowSec: 3600, endpointLimit: 100, endpointWindowSec: 60, formulaProtection: false, theme: 'system',
  };
}

function manager(dataDir: string, dest: string): JobManager {
  const source = makeSource(sim);
  const m = createJobManager({ dataDir, getSource: async () => ({ source, sourceUrl: sim.baseUrl }), getSettings: () => settings(dest), appVersion: '0.1.0' });
  managers.push(m);
  return m;
}

async function waitFor(m: JobManager, id: string, pred: (s: JobSnapshot) => boolean, timeoutMs = 60_000): Promise<JobSnapshot> {
  const start = Date.now();
  for (;;) {
    const s = m.get(id)!;
    if (pred(s)) return s;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting; job is ${s.state} (${s.progress.step})`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeAll(async () => {
  sim = await startSimulator({ scale: 'tiny', seed: 31 });
  root = await tempDir('export-jobs-');
  expId = sim.dataset.experiments()[0].id;
  mountable = isRoot && canMount();
  const r = await exportOnce(sim, request(), path.join(root, 'clean'));
  clean = await folderDigest(r.outputPath);
}, 120_000);
afterAll(async () => {
  for (const m of managers) await m.close();
  await sim?.close();
  for (const d of ['full', 'ro']) {
    try {
      execFileSync('umount', [path.join(root, d)], { stdio: 'ignore' });
    } catch {
      /* not mounted */
    }
  }
  await removeDir(root);
});

describe('export jobs against the simulator', { timeout: 180_000 }, () => {
  it('pause then resume gives the uninterrupted run’s files', async () => {
    const dest = path.join(root, 'pause');
    const m = manager(path.join(root, 'data-pause'), dest);
    sim.setFaults({ latencyMs: 80 });
    try {
      const job = await m.start(request({ destination: dest }));
      await waitFor(m, job.id, (s) => s.progress.recordsDone > 0);
      expect((await m.pause(job.id)).state).toBe('paused');
      expect((await readdir(dest)).every((n) => n.startsWith('.studydl-'))).toBe(true);
      sim.resetFaults();
      await m.resume(job.id);
      const done = await m.settled(job.id);
      expect(done.state).toBe('completed');
      expect(await folderDigest(m.outputPath(job.id)!)).toEqual(clean);
    } finally {
      sim.resetFaults();
    }
  });

  it('cancel removes the temporary output and leaves nothing that looks finished', async () => {
    const dest = path.join(root, 'cancel');
    const m = manager(path.join(root, 'data-cancel'), dest);
    sim.setFaults({ latencyMs: 80 });
    try {
      const job = await m.start(request({ destination: dest, zip: true }));
      await waitFor(m, job.id, (s) => s.progress.recordsDone > 0);
      const c = await m.cancel(job.id);
      expect(c.state).toBe('cancelled');
      expect(await readdir(dest)).toEqual([]);
      expect(m.outputPath(job.id)).toBeNull();
    } finally {
      sim.resetFaults();
    }
  });

  it('a destination below a file (ENOTDIR) fails as DISK, resumable', async () => {
    const blocker = path.join(root, 'not-a-folder');
    await writeFile(blocker, 'x');
    const dest = path.join(blocker, 'sub');
    const m = manager(path.join(root, 'data-notdir'), dest);
    const job = await m.start(request({ destination: dest }));
    const failed = await m.settled(job.id);
    expect(failed.state).toBe('failed');
    expect(failed.error?.code).toBe('DISK');
    expect(failed.error?.message).toMatch(/could not be written|not allowed/);
    expect(failed.resumable).toBe(true);
  });

  it('a full disk (ENOSPC, real tmpfs) fails in plain words, keeps the checkpoint, and retries to the same files', async (ctx) => {
    if (!mountable) ctx.skip(); // needs root and permission to mount a tmpfs
    const dest = path.join(root, 'full');
    await mkdir(dest, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=192k', 'tmpfs', dest]);
    const m = manager(path.join(root, 'data-full'), dest);
    const job = await m.start(request({ destination: dest }));
    const failed = await m.settled(job.id);
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatchObject({ code: 'DISK' });
    expect(failed.error!.message).toMatch(/^The disk is full/);
    expect(failed.error!.fix).toMatch(/Free some space/);
    expect(failed.resumable).toBe(true);
    // The checkpoint is still there (pages saved before the disk filled up).
    const ws = (await readdir(dest)).filter((n) => n.startsWith('.studydl-'));
    expect(ws.length).toBe(1);
    execFileSync('mount', ['-o', 'remount,size=64m', dest]);
    await m.retry(job.id);
    const done = await m.settled(job.id);
    expect(done.state).toBe('completed');
    expect(await folderDigest(m.outputPath(job.id)!)).toEqual(clean);
    expect(await readdir(dest)).toEqual([path.basename(m.outputPath(job.id)!)]);
  });

  it('a folder it may not write to (EACCES as a user; EROFS as root) fails as DISK and retries once writable', async (ctx) => {
    const dest = path.join(root, 'ro');
    await mkdir(dest, { recursive: true });
    let undo: () => void;
    if (!isRoot) {
      await chmod(dest, 0o555);
      undo = () => execFileSync('chmod', ['0755', dest]);
    } else {
      if (!mountable) ctx.skip(); // root ignores chmod, and without mount there is no read-only disk to use
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', dest]);
      execFileSync('mount', ['-o', 'remount,ro', dest]);
      undo = () => execFileSync('mount', ['-o', 'remount,rw', dest]);
    }
    const m = manager(path.join(root, 'data-ro'), dest);
    const job = await m.start(request({ destination: dest }));
    const failed = await m.settled(job.id);
    expect(failed.state).toBe('failed');
    expect(failed.error?.code, failed.error?.message).toBe('DISK');
    expect(failed.error?.message).toMatch(isRoot ? /read-only disk/ : /not allowed to write/);
    undo();
    await m.retry(job.id);
    const done = await m.settled(job.id);
    expect(done.state).toBe('completed');
    expect(await folderDigest(m.outputPath(job.id)!)).toEqual(clean);
  });
});
