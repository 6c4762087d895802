// Media benchmark: our resumable download (node:http → .part → fsync → rename) against `curl`
// and against plain node:http (GET → file, nothing else) fetching the same signed URL of a large
// file (mediaScale makes it a few hundred MB) from the same simulator on loopback, plus a resume
// that must transfer only the missing bytes (counted by the simulator).
// Fairness: the simulator runs in its own process (in-process it shares an event loop and a core
// with whoever measures), every client is a separate process, one warm-up round is discarded,
// then ROUNDS rounds run strictly one after another with the order rotating each round; medians.
// Sizes: STUDYDL_BENCH_MEDIA_SCALE (default 2400 → largest recording ≈ 385 MiB),
// STUDYDL_BENCH_MEDIA_ROUNDS (default 5).
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { startSimProcess } from './sim-process';
import { loadAverage, median } from './stats';
import type { BenchContext, BenchResult } from './types';

const exec = promisify(execFile);
const here = fileURLToPath(import.meta.url);
const repo = path.resolve(path.dirname(here), '../..');
const ROUNDS = Number(process.env.STUDYDL_BENCH_MEDIA_ROUNDS ?? 5);
const MEDIA_SCALE = Number(process.env.STUDYDL_BENCH_MEDIA_SCALE ?? 2400);
// Smoke test: a file of about 30 MiB, one round.
const QUICK = { rounds: 1, mediaScale: 200 };

type Variant = 'ours' | 'node-http' | 'curl';
interface ChildCfg {
  variant: Exclude<Variant, 'curl'>;
  url: string;
  recording: Record<string, unknown>;
  /** What the source says about the file (id, size, checksum). */
  fileInfo: { id: string; size: number | null; sha256: string | null };
  file: string;
}
interface Timing {
  ms: number;
  bytes: number;
  /** CPU time of the client process during the transfer (ms), when known. */
  cpuMs?: number;
  /** curl only: time to fsync its file afterwards (ms). */
  syncMs?: number;
}

/** Runs in a child process: one download, timed from the request to the file being complete. */
async function child(): Promise<void> {
  const cfg = JSON.parse(process.env.STUDYDL_BENCH_MEDIA_CHILD!) as ChildCfg;
  const { downloadRecordingFile } = await import('../../src-main/core/export/media/download-file');
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let bytes: number;
  if (cfg.variant === 'ours') {
    // The URL was minted by the parent: the child only downloads (no API request).
    const links = { url: async () => ({ url: cfg.url, requests: 0 }), freshUrl: async () => ({ url: cfg.url, requests: 0 }) };
    bytes = (await downloadRecordingFile({ links, recording: cfg.recording, fileInfo: cfg.fileInfo, file: cfg.file })).bytes;
  } else {
    // The floor for any node:http client: GET → createWriteStream, no sidecar, no fsync.
    bytes = await new Promise<number>((resolve, reject) => {
      http
        .get(cfg.url, (res) => {
          pipeline(res, createWriteStream(cfg.file, { highWaterMark: 1 << 20 })).then(async () => resolve((await stat(cfg.file)).size), reject);
        })
        .on('error', reject);
    });
  }
  const cpu = process.cpuUsage(cpu0);
  const out: Timing = { ms: performance.now() - t0, bytes, cpuMs: (cpu.user + cpu.system) / 1000 };
  process.stdout.write(JSON.stringify(out) + '\n');
}

function runChild(cfg: ChildCfg): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ['--import', 'tsx', here], { cwd: repo, env: { ...process.env, STUDYDL_BENCH_MEDIA_CHILD: JSON.stringify(cfg) }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.on('error', reject);
    c.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim()) as Timing) : reject(new Error(`${cfg.variant} child exited with ${code}`))));
  });
}

async function runCurl(url: string, file: string): Promise<Timing> {
  const { stdout } = await exec('curl', ['-s', '-f', '-o', file, '-w', '%{time_total} %{size_download}', url]);
  const [secs, bytes] = stdout.trim().split(' ').map(Number);
  // curl leaves the bytes in the page cache; ours fsyncs before the rename. Time an fsync of
  // curl's file too (coreutils `sync FILE`), reported separately as the like-for-like baseline.
  const t0 = performance.now();
  const synced = await exec('sync', [file]).then(
    () => true,
    () => false,
  );
  return { ms: secs * 1000, bytes, syncMs: synced ? performance.now() - t0 : undefined };
}

async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), h);
  return h.digest('hex');
}

export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const rounds = ctx.quick ? QUICK.rounds : ROUNDS;
  const { createJointLimiter } = await import('../../src-main/core/net/limiter');
  const { sourceModule } = await import('../../src-main/core/sources/registry');
  const { downloadRecordingFile } = await import('../../src-main/core/export/media/download-file');
  const { systemClock } = await import('../../src-main/core/ports');
  const sim = await startSimProcess({ scale: 'tiny', seed: 3, mediaScale: ctx.quick ? QUICK.mediaScale : MEDIA_SCALE });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-media-'));
  const limiter = createJointLimiter({ keyLimit: 100_000, keyWindowMs: 3_600_000, endpointLimit: 100_000, endpointWindowMs: 60_000, clock: systemClock });
  try {
    const source = sourceModule('hyperstudy').open({ source: 'hyperstudy', baseUrl: sim.baseUrl, secret: sim.apiKey }, { limiter });
    const media = source.media!;
    const exp = (await source.listLevel('experiment', [])).items.filter((e) => e.origin === 'own')[0];
    const page = await source.fetchPage({ type: 'recordings', scope: 'experiment', scopeId: exp.id }, {});
    const recording = [...page.records].sort((a, b) => Number(b.fileSize) - Number(a.fileSize))[0];
    const fileInfo = media.fileOf(recording)!;
    const size = Number(recording.fileSize);
    const mint = async () => (await media.url(recording)).url;

    const once = async (v: Variant): Promise<Timing> => {
      const url = await mint();
      const file = path.join(dir, `${v}.bin`);
      const t = v === 'curl' ? await runCurl(url, file) : await runChild({ variant: v, url, recording, fileInfo, file });
      if (t.bytes !== size) throw new Error(`${v} downloaded ${t.bytes} of ${size} bytes`);
      await rm(file, { force: true });
      return t;
    };
    const variants: Variant[] = ['curl', 'ours', 'node-http'];
    for (const v of variants) await once(v); // warm-up: page cache, simulator JIT, curl and tsx caches
    const loadBefore = await loadAverage();
    const times: Record<Variant, Timing[]> = { curl: [], ours: [], 'node-http': [] };
    for (let i = 0; i < rounds; i++) {
      const order = variants.map((_, k) => variants[(i + k) % variants.length]);
      for (const v of order) times[v].push(await once(v));
    }
    const loadAfter = await loadAverage();
    const ms = (v: Variant) => median(times[v].map((t) => t.ms));
    const mibps = (v: Variant) => size / 2 ** 20 / (ms(v) / 1000);
    const cpu = (v: Variant) => median(times[v].map((t) => t.cpuMs ?? 0));
    const curlSynced = times.curl.every((t) => t.syncMs !== undefined) ? median(times.curl.map((t) => t.ms + (t.syncMs ?? 0))) : null;
    const curlSyncedMibps = curlSynced === null ? null : size / 2 ** 20 / (curlSynced / 1000);

    // Resume: a .part holding the first 40 % (with the sidecar an interrupted run leaves, strong
    // ETag included so If-Range is exercised); the simulator counts the body bytes it sends.
    const reference = path.join(dir, 'reference.bin');
    await runCurl(await mint(), reference);
    const etag = await new Promise<string | null>((resolve, reject) => {
      void mint().then((u) => {
        const req = http.request(u, { method: 'HEAD' }, (res) => {
          res.resume();
          resolve(typeof res.headers.etag === 'string' ? res.headers.etag : null);
        });
        req.on('error', reject);
        req.end();
      }, reject);
    });
    const have = Math.floor(size * 0.4);
    const file = path.join(dir, 'resume.bin');
    await pipeline(createReadStream(reference, { end: have - 1 }), createWriteStream(`${file}.part`));
    await writeFile(`${file}.part.json`, JSON.stringify({ recordId: recording.recordingId, expectedSize: size, etag, sha256: null }));
    await sim.resetCounters();
    await downloadRecordingFile({ links: media, recording, fileInfo, file });
    const counters = await sim.counters();
    const same = (await sha256File(file)) === (await sha256File(reference));

    return [
      {
        name: 'Media download vs curl (large file, same signed URL, loopback)',
        figures: {
          'throughput ÷ curl': mibps('ours') / mibps('curl'),
          'plain node:http ÷ curl': mibps('node-http') / mibps('curl'),
          'ours ÷ (curl + fsync)': curlSyncedMibps === null ? 'n/a' : mibps('ours') / curlSyncedMibps,
          'ours ÷ plain node:http': mibps('ours') / mibps('node-http'),
          'ours (MiB/s, median)': mibps('ours'),
          'plain node:http (MiB/s, median)': mibps('node-http'),
          'curl (MiB/s, median)': mibps('curl'),
          'curl + fsync (MiB/s, median)': curlSyncedMibps ?? 'n/a',
          'ours CPU (ms, median)': Math.round(cpu('ours')),
          'plain node:http CPU (ms, median)': Math.round(cpu('node-http')),
          'file size (MiB)': size / 2 ** 20,
          rounds,
        },
        notes:
          'Simulator in its own process; curl, ours and plain node:http each in their own process, one warm-up round discarded, ' +
          'then rounds strictly sequential with the order rotating; medians. Ours includes what the others do not: the .part ' +
          'sidecar, fsync and the atomic rename ("curl + fsync" adds the fsync to curl). On loopback this measures client CPU per byte: Node reads sockets in fresh ' +
          `64 KiB buffers through the stream machinery, curl into one reused buffer. Load average before: ${loadBefore}; after: ${loadAfter}.`,
        headlines: [
          {
            target: 'mediaVsCurl',
            value: mibps('ours') / mibps('curl'),
            method: `median throughput of our download (.part, fsync, rename) ÷ median of curl, same ${(size / 2 ** 20).toFixed(0)} MiB signed URL on loopback, each in its own process, ${rounds} round${rounds === 1 ? '' : 's'} in rotating order`,
            why: `ours ${mibps('ours').toFixed(0)} MiB/s, curl ${mibps('curl').toFixed(0)} MiB/s; a plain node:http GET to a file reaches ${(mibps('node-http') / mibps('curl')).toFixed(2)} of curl${curlSyncedMibps === null ? '' : `, and curl plus an fsync ${(curlSyncedMibps / mibps('curl')).toFixed(2)}`}: on loopback this is client CPU per byte`,
          },
        ],
      },
      {
        name: 'Media resume transfers only the missing bytes',
        figures: {
          'bytes on disk before (.part)': have,
          'bytes missing': size - have,
          'bytes sent by the server': counters.bytesMedia,
          'sent ÷ missing': counters.bytesMedia / (size - have),
          'result identical (SHA-256)': same ? 'yes' : 'no',
          'file size (bytes)': (await stat(file)).size,
        },
      },
    ];
  } finally {
    await limiter.close();
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
