// Media benchmark: our resumable download (node:http → .part → fsync → rename) against `curl`
// fetching the same signed URL from the same simulator on loopback, alternated in one run
// (median of N each), plus a resume that must transfer only the missing bytes (counted by the
// simulator). Our download runs in a child process, like curl, so neither shares the
// simulator's event loop.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { BenchResult } from './types';

const exec = promisify(execFile);
const here = fileURLToPath(import.meta.url);
const repo = path.resolve(path.dirname(here), '../..');
const ROUNDS = 3;

async function child(): Promise<void> {
  const { downloadRecordingFile } = await import('../../src-main/core/export/media/download-file');
  const cfg = JSON.parse(process.env.STUDYDL_BENCH_MEDIA_CHILD!) as { url: string; recording: Record<string, unknown>; file: string };
  const client = { mintRecordingUrl: async () => cfg.url } as never;
  const t0 = performance.now();
  const r = await downloadRecordingFile({ client, recording: cfg.recording, file: cfg.file });
  process.stdout.write(JSON.stringify({ ms: performance.now() - t0, bytes: r.bytes }) + '\n');
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function run(): Promise<BenchResult[]> {
  const { startSimulator } = await import('../sim/index');
  const { createJointLimiter } = await import('../../src-main/core/net/limiter');
  const { createHyperStudyClient } = await import('../../src-main/core/sources/hyperstudy/client');
  const { systemClock } = await import('../../src-main/core/ports');
  const sim = await startSimulator({ scale: 'tiny', seed: 3, mediaScale: 800 });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-media-'));
  try {
    const limiter = createJointLimiter({ keyLimit: 100_000, keyWindowMs: 3_600_000, endpointLimit: 100_000, endpointWindowMs: 60_000, clock: systemClock });
    const client = createHyperStudyClient({ connection: { baseUrl: sim.baseUrl, apiKey: sim.apiKey }, limiter });
    const exp = sim.dataset.experiments().filter((e) => !e.shared)[0];
    const page = await client.fetchPage('recordings', 'experiment', exp.id, {});
    const recording = [...page.records].sort((a, b) => Number(b.fileSize) - Number(a.fileSize))[0];
    const size = Number(recording.fileSize);
    const ours: number[] = [];
    const curls: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const url = await client.mintRecordingUrl(recording);
      const curlOut = path.join(dir, `curl-${i}.mp4`);
      const { stdout } = await exec('curl', ['-s', '-f', '-o', curlOut, '-w', '%{time_total}', url]);
      curls.push(Number(stdout) * 1000);
      await rm(curlOut, { force: true });
      const file = path.join(dir, `ours-${i}.mp4`);
      const res = await new Promise<{ ms: number; bytes: number }>((resolve, reject) => {
        const c = spawn(process.execPath, ['--import', 'tsx', here], { cwd: repo, env: { ...process.env, STUDYDL_BENCH_MEDIA_CHILD: JSON.stringify({ url, recording, file }) }, stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        c.stdout.on('data', (d: Buffer) => (out += d.toString()));
        c.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim())) : reject(new Error(`download child exited with ${code}`))));
      });
      if (res.bytes !== size) throw new Error(`downloaded ${res.bytes} of ${size} bytes`);
      ours.push(res.ms);
      if (i < ROUNDS - 1) await rm(file, { force: true });
    }
    // Resume: keep the first 40 % as a .part (with its sidecar), count what the server sends.
    const complete = await readFile(path.join(dir, `ours-${ROUNDS - 1}.mp4`));
    const have = Math.floor(complete.length * 0.4);
    const file = path.join(dir, 'resume.mp4');
    await writeFile(`${file}.part`, complete.subarray(0, have));
    await writeFile(`${file}.part.json`, JSON.stringify({ recordId: recording.recordingId, expectedSize: size, etag: null, sha256: null }));
    const { downloadRecordingFile } = await import('../../src-main/core/export/media/download-file');
    sim.resetCounters();
    await downloadRecordingFile({ client, recording, file });
    const sent = sim.counters().bytesMedia;
    const same = createHash('sha256').update(await readFile(file)).digest('hex') === createHash('sha256').update(complete).digest('hex');
    await limiter.close();
    const mbps = (ms: number) => size / 2 ** 20 / (ms / 1000);
    return [
      {
        name: 'Media download vs curl (same signed URL, loopback)',
        figures: {
          'throughput ÷ curl': mbps(median(ours)) / mbps(median(curls)),
          'ours (MiB/s, median)': mbps(median(ours)),
          'curl (MiB/s, median)': mbps(median(curls)),
          'file size (MiB)': size / 2 ** 20,
          rounds: ROUNDS,
        },
        notes: 'Ours includes what curl does not: the .part sidecar, fsync and the atomic rename. Both processes fetch from the simulator in this process, alternately. Load average during the run: ' + os.loadavg().map((l) => l.toFixed(1)).join(', ') + '.',
      },
      {
        name: 'Media resume transfers only the missing bytes',
        figures: {
          'bytes on disk before (.part)': have,
          'bytes missing': size - have,
          'bytes sent by the server': sent,
          'sent ÷ missing': sent / (size - have),
          'result identical (SHA-256)': same ? 'yes' : 'no',
          'file size (bytes)': (await stat(file)).size,
        },
      },
    ];
  } finally {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.env.STUDYDL_BENCH_MEDIA_CHILD && import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  child().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
