// Media benchmark: our resumable download (socket → reused slabs → .part → fsync → rename) against
// `curl` fetching the same signed URL of a large file (mediaScale makes it a few hundred MB) from
// the same simulator on loopback, plus a resume that must transfer only the missing bytes (counted
// by the simulator). The headline is ours ÷ curl, both to a file.
// Component breakdown, every client with the same sink as its curl peer: to a file, ours with the
// inline SHA-256 on, a plain node:http GET and undici.stream (the candidates the slabs replaced);
// to /dev/null, curl, our GET alone (no .part, sidecar, fsync), node:http and undici's dispatcher;
// and the fsync curl skips. On loopback these measure client CPU per byte.
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

type NodeVariant = 'ours' | 'ours-sha256' | 'node-http' | 'undici' | 'ours-get-null' | 'node-http-null' | 'undici-null';
type Variant = NodeVariant | 'curl' | 'curl-null';
const TO_NULL: ReadonlySet<Variant> = new Set(['curl-null', 'ours-get-null', 'node-http-null', 'undici-null']);
interface ChildCfg {
  variant: NodeVariant;
  url: string;
  recording: Record<string, unknown>;
  /** What the source says about the file (id, size, checksum). */
  fileInfo: { id: string; size: number | null; sha256: string | null };
  file: string;
  /** SHA-256 of the object (for ours-sha256). */
  sha256: string;
}
interface Timing {
  ms: number;
  bytes: number;
  /** CPU time of the client process during the transfer (ms), when known. */
  cpuMs?: number;
  /** Node clients: peak resident set size of the process (MB). */
  rssMB?: number;
  /** curl only: time to fsync its file afterwards (ms). */
  syncMs?: number;
}

/** Runs in a child process: one download, timed from the request to the file being complete. */
async function child(): Promise<void> {
  const cfg = JSON.parse(process.env.STUDYDL_BENCH_MEDIA_CHILD!) as ChildCfg;
  const { downloadRecordingFile } = await import('../../src-main/core/export/media/download-file');
  const { nodeMediaGet } = await import('../../src-main/core/export/media/media-http');
  const undici = await import('undici');
  // The URL was minted by the parent: the child only downloads (no API request).
  const links = { url: async () => ({ url: cfg.url, requests: 0 }), freshUrl: async () => ({ url: cfg.url, requests: 0 }) };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let bytes: number;
  const sink = cfg.variant.endsWith('-null') ? '/dev/null' : cfg.file;
  switch (cfg.variant) {
    case 'ours':
      bytes = (await downloadRecordingFile({ links, recording: cfg.recording, fileInfo: cfg.fileInfo, file: cfg.file })).bytes;
      break;
    case 'ours-sha256': {
      const r = await downloadRecordingFile({ links, recording: cfg.recording, fileInfo: { ...cfg.fileInfo, sha256: cfg.sha256 }, file: cfg.file });
      if (r.checksumBy !== 'inline') throw new Error(`checksum verified by ${r.checksumBy}, not inline`);
      bytes = r.bytes;
      break;
    }
    case 'ours-get-null': {
      // Our GET alone: no .part, sidecar, fsync or rename.
      let n = 0;
      await (await nodeMediaGet(cfg.url, {})).saveTo(sink, false, (k) => (n += k));
      bytes = n;
      break;
    }
    case 'node-http':
    case 'node-http-null':
      // The floor for any node:http client: GET → createWriteStream, no sidecar, no fsync.
      bytes = await new Promise<number>((resolve, reject) => {
        http
          .get(cfg.url, (res) => {
            let n = 0;
            res.on('data', (c: Buffer) => (n += c.length));
            pipeline(res, createWriteStream(sink, { highWaterMark: 1 << 20 })).then(() => resolve(n), reject);
          })
          .on('error', reject);
      });
      break;
    case 'undici': {
      // undici's fastest way to a file (performance notes §3.4): stream() into a file stream.
      await undici.stream(cfg.url, { method: 'GET', opaque: null }, () => createWriteStream(sink, { highWaterMark: 1 << 20 }));
      bytes = (await stat(sink)).size;
      break;
    }
    case 'undici-null': {
      // undici's lowest level: a dispatcher handler that only counts.
      bytes = await new Promise<number>((resolve, reject) => {
        let n = 0;
        const u = new URL(cfg.url);
        undici.getGlobalDispatcher().dispatch(
          { origin: u.origin, path: u.pathname + u.search, method: 'GET' },
          {
            onRequestStart() {},
            onResponseStart() {},
            onResponseData(_c: unknown, chunk: Buffer) {
              n += chunk.length;
            },
            onResponseEnd: () => resolve(n),
            onResponseError: (_c: unknown, e: Error) => reject(e),
          },
        );
      });
      break;
    }
  }
  const cpu = process.cpuUsage(cpu0);
  const out: Timing = { ms: performance.now() - t0, bytes, cpuMs: (cpu.user + cpu.system) / 1000, rssMB: process.resourceUsage().maxRSS / 1024 };
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
  // bash's `times` prints the CPU its children used (second line): curl's user and sys time.
  const { stdout } = await exec('bash', ['-c', 'curl -s -f -o "$1" -w "%{time_total} %{size_download}" "$2" && echo && times', 'curl', file, url]);
  const [result, , children] = stdout.trim().split('\n');
  const [secs, bytes] = result.trim().split(' ').map(Number);
  const cpuMs = (children ?? '')
    .trim()
    .split(/\s+/)
    .map((t) => /^(\d+)m([\d.]+)s$/.exec(t))
    .reduce((sum, m) => sum + (m ? (Number(m[1]) * 60 + Number(m[2])) * 1000 : NaN), 0);
  if (file === '/dev/null') return { ms: secs * 1000, bytes, cpuMs };
  // curl leaves the bytes in the page cache; ours fsyncs before the rename. Time an fsync of
  // curl's file too (coreutils `sync FILE`), reported separately as the like-for-like baseline.
  const t0 = performance.now();
  const synced = await exec('sync', [file]).then(
    () => true,
    () => false,
  );
  return { ms: secs * 1000, bytes, cpuMs, syncMs: synced ? performance.now() - t0 : undefined };
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

    // The reference copy (curl) gives the SHA-256 the inline-hash variant must match.
    const reference = path.join(dir, 'reference.bin');
    await runCurl(await mint(), reference);
    const sha256 = await sha256File(reference);

    const once = async (v: Variant): Promise<Timing> => {
      const url = await mint();
      const file = TO_NULL.has(v) ? '/dev/null' : path.join(dir, `${v}.bin`);
      const t = v === 'curl' || v === 'curl-null' ? await runCurl(url, file) : await runChild({ variant: v, url, recording, fileInfo, file, sha256 });
      if (t.bytes !== size) throw new Error(`${v} downloaded ${t.bytes} of ${size} bytes`);
      if (file !== '/dev/null') await rm(file, { force: true });
      return t;
    };
    const variants: Variant[] = ['curl', 'ours', 'ours-sha256', 'node-http', 'undici', 'curl-null', 'ours-get-null', 'node-http-null', 'undici-null'];
    for (const v of variants) await once(v); // warm-up: page cache, simulator JIT, curl and tsx caches
    const loadBefore = await loadAverage();
    const times = Object.fromEntries(variants.map((v) => [v, [] as Timing[]])) as Record<Variant, Timing[]>;
    for (let i = 0; i < rounds; i++) {
      const order = variants.map((_, k) => variants[(i + k) % variants.length]);
      for (const v of order) times[v].push(await once(v));
    }
    const loadAfter = await loadAverage();
    const ms = (v: Variant) => median(times[v].map((t) => t.ms));
    const mibps = (v: Variant) => size / 2 ** 20 / (ms(v) / 1000);
    const cpu = (v: Variant) => Math.round(median(times[v].map((t) => t.cpuMs ?? NaN)));
    const vsCurl = (v: Variant) => mibps(v) / mibps(TO_NULL.has(v) ? 'curl-null' : 'curl');
    const curlSynced = times.curl.every((t) => t.syncMs !== undefined) ? median(times.curl.map((t) => t.ms + (t.syncMs ?? 0))) : null;
    const curlSyncedMibps = curlSynced === null ? null : size / 2 ** 20 / (curlSynced / 1000);
    const row = (v: Variant) => `${mibps(v).toFixed(0)} MiB/s, ${vsCurl(v).toFixed(3)} of curl, CPU ${cpu(v)} ms`;

    // Resume: a .part holding the first 40 % (with the sidecar an interrupted run leaves, strong
    // ETag included so If-Range is exercised); the simulator counts the body bytes it sends.
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
    const same = (await sha256File(file)) === sha256;

    return [
      {
        name: 'Media download vs curl (large file, same signed URL, loopback)',
        figures: {
          'throughput ÷ curl': vsCurl('ours'),
          'ours ÷ (curl + fsync)': curlSyncedMibps === null ? 'n/a' : mibps('ours') / curlSyncedMibps,
          'client CPU, ours ÷ curl (to a file; less sensitive to load than time)': cpu('ours') / cpu('curl'),
          'ours (MiB/s, median)': mibps('ours'),
          'curl (MiB/s, median)': mibps('curl'),
          'curl + fsync (MiB/s, median)': curlSyncedMibps ?? 'n/a',
          'to a file: ours (.part, sidecar, fsync, rename)': row('ours'),
          'to a file: ours with the inline SHA-256': row('ours-sha256'),
          'to a file: plain node:http GET → createWriteStream': row('node-http'),
          'to a file: undici.stream → createWriteStream': row('undici'),
          'to a file: curl': row('curl'),
          'to /dev/null: our GET alone': row('ours-get-null'),
          'to /dev/null: node:http': row('node-http-null'),
          'to /dev/null: undici dispatcher, counting only': row('undici-null'),
          'to /dev/null: curl': row('curl-null'),
          'peak RSS of the whole process, ours / plain node:http (MB, median)': `${Math.round(median(times.ours.map((t) => t.rssMB ?? NaN)))} / ${Math.round(median(times['node-http'].map((t) => t.rssMB ?? NaN)))}`,
          'file size (MiB)': size / 2 ** 20,
          rounds,
        },
        notes:
          'Simulator in its own process; every client in its own process, one warm-up round discarded, then rounds strictly ' +
          'sequential with the order rotating over all variants; medians. "of curl" compares with curl writing to the same sink ' +
          '(a file, or /dev/null). Ours includes what the others do not: the .part sidecar, fsync and the atomic rename ' +
          '("curl + fsync" adds the fsync to curl, timed with coreutils sync). Our GET reads the socket into reused 1 MiB slabs ' +
          '(onread) framed by http-parser-js and writes each slab with one writev; node:http and undici read sockets in fresh ' +
          '64 KiB buffers through the stream machinery (undici also copies them into its wasm parser). CPU is user+sys of the ' +
          `client process (curl: of the curl child). Load average before: ${loadBefore}; after: ${loadAfter}.`,
        headlines: [
          {
            target: 'mediaVsCurl',
            value: vsCurl('ours'),
            method: `median throughput of our download (.part, fsync, rename) ÷ median of curl to a file, same ${(size / 2 ** 20).toFixed(0)} MiB signed URL on loopback, each in its own process, ${rounds} round${rounds === 1 ? '' : 's'} in rotating order`,
            why: `ours ${mibps('ours').toFixed(0)} MiB/s, curl ${mibps('curl').toFixed(0)} MiB/s; our GET alone to /dev/null reaches ${vsCurl('ours-get-null').toFixed(2)} of curl to /dev/null, node:http to a file ${vsCurl('node-http').toFixed(2)}${curlSyncedMibps === null ? '' : `, curl plus an fsync ${(curlSyncedMibps / mibps('curl')).toFixed(2)} of curl`}: what is left is the fsync and the machine's noise`,
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
