// CPU benchmark, the issue's "done when": the simulator at `--scale large --key-limit 1000000
// --endpoint-limit 1000000` in its own process, and the built CLI
//   studydl export experiment <first> --types all --format csv --out DIR
// under /usr/bin/time -v with STUDYDL_KEY_LIMIT / STUDYDL_ENDPOINT_LIMIT raised to match:
// user+sys ÷ exported records (µs) and peak RSS. The exported records are counted in the CSV
// files by Python's csv module and checked against the manifest.
// Then the writers alone (our CSV writers over records held in memory) against a plain
// hand-written CSV writer doing the same job (tests/bench/plain-csv.ts), alternating, medians.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { writeTypeOutputs, type SplitLayout } from '../../src-main/core/export/format/type-writer';
import { splitLayout } from '../../src-main/core/export/run/split-layout';
import { sourceModule } from '../../src-main/core/sources/registry';

const hs = sourceModule('hyperstudy');
/** HyperStudy's split by participant, as an export uses it. */
const participantSplit = splitLayout(hs.descriptor, 'participant', 'events', hs.recordContext()) as SplitLayout;
import { Dataset } from '../sim/dataset/index';
import type { ScaleName } from '../sim/types';
import { writePlainCsv } from './plain-csv';
import { NO_LIMITS, repoRoot, startSimProcess } from './sim-process';
import { loadAverage, median } from './stats';
import type { BenchContext, BenchResult } from './types';

const exec = promisify(execFile);
const TIME = '/usr/bin/time';
const CLI = path.join(repoRoot, 'out', 'cli', 'studydl.js');

interface TimeV {
  userSec: number;
  sysSec: number;
  maxRssKb: number;
  wallSec: number;
}

/** The figures of GNU time's -v report. */
function parseTimeV(stderr: string): TimeV {
  const num = (label: string) => {
    const m = new RegExp(`${label}:\\s*([\\d.:]+)`).exec(stderr);
    if (!m) throw new Error(`/usr/bin/time -v printed no "${label}"`);
    return m[1];
  };
  const wall = num('Elapsed \\(wall clock\\) time \\(h:mm:ss or m:ss\\)').split(':').map(Number);
  return {
    userSec: Number(num('User time \\(seconds\\)')),
    sysSec: Number(num('System time \\(seconds\\)')),
    maxRssKb: Number(num('Maximum resident set size \\(kbytes\\)')),
    wallSec: wall.reduce((acc, x) => acc * 60 + x, 0),
  };
}

async function timed(args: string[], env: NodeJS.ProcessEnv): Promise<{ time: TimeV; stdout: string }> {
  try {
    const { stdout, stderr } = await exec(TIME, ['-v', process.execPath, ...args], { cwd: repoRoot, env, maxBuffer: 64 << 20 });
    return { time: parseTimeV(stderr), stdout };
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${args.join(' ')} failed: ${err.stderr?.split('\n').slice(-8).join(' ') ?? err.message}`);
  }
}

/** Data rows of every CSV file in `dir` except the rooms and participants listings, read by Python's csv module. */
async function countCsvRecords(dir: string): Promise<number> {
  const script = [
    'import csv, glob, os, sys',
    'n = 0',
    "for f in glob.glob(os.path.join(sys.argv[1], '**', '*.csv'), recursive=True):",
    "    if os.path.basename(f) in ('rooms.csv', 'participants.csv'): continue",
    "    with open(f, newline='', encoding='utf-8-sig') as fh: n += sum(1 for _ in csv.reader(fh)) - 1",
    'print(n)',
  ].join('\n');
  const { stdout } = await exec('python3', ['-c', script, dir], { maxBuffer: 1 << 20 });
  return Number(stdout.trim());
}

async function manifestRecords(dir: string): Promise<number | null> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const m = path.join(dir, entry.name, 'metadata.json');
    if (entry.isDirectory() && existsSync(m)) return (JSON.parse(await readFile(m, 'utf8')) as { totals?: { records?: number } }).totals?.records ?? null;
  }
  return null;
}

async function cliExport(scale: ScaleName) {
  if (!existsSync(TIME)) throw new Error(`${TIME} is missing: install Debian's "time" package (apt-get install time)`);
  // Always measure the current code: bundle the CLI as `npm run build` does.
  await exec(process.execPath, ['scripts/build-node.mjs'], { cwd: repoRoot });
  const sim = await startSimProcess({ scale, seed: 1, ...NO_LIMITS });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-cpu-'));
  try {
    const listing = (await (await fetch(`${sim.baseUrl}/experiments`, { headers: { 'X-API-Key': sim.apiKey } })).json()) as { data: Array<{ id: string }> };
    const first = listing.data[0].id;
    const env = {
      ...process.env,
      HYPERSTUDY_API_KEY: sim.apiKey,
      HYPERSTUDY_BASE_URL: sim.baseUrl,
      STUDYDL_HOME: path.join(dir, 'home'),
      STUDYDL_NO_KEYCHAIN: '1',
      STUDYDL_KEY_LIMIT: String(NO_LIMITS.keyLimit),
      STUDYDL_ENDPOINT_LIMIT: String(NO_LIMITS.endpointLimit),
    };
    const out = path.join(dir, 'out');
    const startup = await timed([CLI, '--version'], env);
    const run = await timed([CLI, 'export', 'experiment', first, '--types', 'all', '--format', 'csv', '--out', out], env);
    const records = await countCsvRecords(out);
    const manifest = await manifestRecords(out);
    return { first, run: run.time, startup: startup.time, records, manifest };
  } finally {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function writersAlone(scale: ScaleName, n: number, rounds: number) {
  const ds = new Dataset(scale, 1).accessor();
  const exp = ds.experiments().filter((e) => !e.shared)[0];
  const records: Array<Record<string, unknown>> = [];
  for (const r of ds.records('events', 'experiment', exp.id)) {
    records.push(r);
    if (records.length >= n) break;
  }
  const once = async (which: 'ours' | 'plain') => {
    const dir = await mkdtemp(path.join(os.tmpdir(), `bench-writers-${which}-`));
    try {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const files =
        which === 'ours'
          ? (await writeTypeOutputs({ type: 'events', format: 'csv', split: participantSplit, outDir: dir, bom: true, formulaProtection: true, records: () => records })).length
          : await writePlainCsv(records, dir, 'events');
      const sec = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const rows = await countCsvRecords(dir);
      if (rows !== records.length) throw new Error(`${which} writer wrote ${rows} rows for ${records.length} records`);
      return { sec, cpuSec: (cpu.user + cpu.system) / 1e6, files };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
  const ours: Array<Awaited<ReturnType<typeof once>>> = [];
  const plain: typeof ours = [];
  for (let i = 0; i < rounds; i++) {
    // Alternate which goes first, so neither always meets a warmer JIT or page cache.
    if (i % 2 === 0) {
      ours.push(await once('ours'));
      plain.push(await once('plain'));
    } else {
      plain.push(await once('plain'));
      ours.push(await once('ours'));
    }
  }
  const rate = (xs: typeof ours, k: 'sec' | 'cpuSec') => records.length / median(xs.map((x) => x[k]));
  return { n: records.length, rounds, files: ours[0].files, plainFiles: plain[0].files, ours: { wall: rate(ours, 'sec'), cpu: rate(ours, 'cpuSec') }, plain: { wall: rate(plain, 'sec'), cpu: rate(plain, 'cpuSec') } };
}

export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const scale: ScaleName = ctx.quick ? 'small' : 'large';
  const loadBefore = await loadAverage();
  const cli = await cliExport(scale);
  const loadAfter = await loadAverage();
  const cpuSec = cli.run.userSec + cli.run.sysSec;
  const perRecordUs = (cpuSec / cli.records) * 1e6;
  const startupSec = cli.startup.userSec + cli.startup.sysSec;
  const rssMb = cli.run.maxRssKb / 1024;
  const w = await writersAlone(scale, ctx.quick ? 20_000 : 100_000, ctx.quick ? 2 : 5);
  const cmd = `studydl export experiment ${cli.first} --types all --format csv --out DIR`;
  return [
    {
      name: `CPU per record: the CLI's CSV export of the ${scale} dataset's first experiment, no limits`,
      figures: {
        command: `\`${cmd}\``,
        'records exported (CSV rows, Python csv) / manifest': `${cli.records} / ${cli.manifest ?? 'no manifest'}`,
        'user + sys (s)': cpuSec,
        'user / sys (s)': `${cli.run.userSec} / ${cli.run.sysSec}`,
        'wall (s)': cli.run.wallSec,
        'CPU per record, user+sys ÷ records (µs)': perRecordUs,
        'peak RSS (MB)': rssMb,
        'CLI start-up alone (studydl --version): user+sys (s) / peak RSS (MB)': `${startupSec.toFixed(2)} / ${(cli.startup.maxRssKb / 1024).toFixed(0)}`,
      },
      notes:
        `Simulator (scale ${scale}, key and endpoint limits 1,000,000, no latency) in its own process; the CLI bundled by scripts/build-node.mjs from the current code and run as \`node out/cli/studydl.js\` under \`/usr/bin/time -v\` with STUDYDL_KEY_LIMIT and STUDYDL_ENDPOINT_LIMIT at 1,000,000, so user+sys and peak RSS are the CLI process's alone (start-up included). ` +
        `Records: data rows of every CSV except the rooms and participants listings. Load average before ${loadBefore}, after ${loadAfter}.`,
      headlines: [
        {
          target: 'cpuPerRecord',
          value: perRecordUs,
          method: `user+sys of \`${cmd}\` under /usr/bin/time -v ÷ CSV rows exported (${cli.records.toLocaleString('en-US')}), simulator without limits in its own process`,
          why: `${cpuSec.toFixed(1)} s of user+sys for ${cli.records.toLocaleString('en-US')} records, of which ${startupSec.toFixed(2)} s is start-up; the writers alone run at ${Math.round(w.ours.cpu).toLocaleString('en-US')} records per CPU second (${((1 / w.ours.cpu) * 1e6).toFixed(1)} µs each) against ${Math.round(w.plain.cpu).toLocaleString('en-US')} for the plain writer`,
        },
        {
          target: 'peakRss',
          value: rssMb,
          method: `maximum resident set size of the same CLI run (/usr/bin/time -v)`,
          why: `${rssMb.toFixed(0)} MB for an export of ${cli.records.toLocaleString('en-US')} records; start-up alone peaks at ${(cli.startup.maxRssKb / 1024).toFixed(0)} MB`,
        },
        {
          target: 'writersRate',
          value: w.ours.wall,
          method: `${w.n.toLocaleString('en-US')} events held in memory written as CSV split by participant (flatten, column union, BOM, formula protection) by our writers, wall clock, median of ${w.rounds} rounds alternating with a plain hand-written writer`,
          why: `${Math.round(w.ours.wall).toLocaleString('en-US')} records/s against ${Math.round(w.plain.wall).toLocaleString('en-US')} for a plain hand-written writer doing the same job in the same run (${(w.plain.wall / w.ours.wall).toFixed(1)}× faster)`,
        },
      ],
    },
    {
      name: 'Writers alone against a plain hand-written CSV writer',
      figures: {
        records: w.n,
        rounds: w.rounds,
        'ours: records/s, wall (median)': Math.round(w.ours.wall),
        'plain: records/s, wall (median)': Math.round(w.plain.wall),
        'ours: records per CPU second (median)': Math.round(w.ours.cpu),
        'plain: records per CPU second (median)': Math.round(w.plain.cpu),
        'plain ÷ ours, wall': w.plain.wall / w.ours.wall,
        'files written, ours / plain (split by participant)': `${w.files} / ${w.plainFiles}`,
      },
      notes:
        'Events of the first experiment, generated by the simulator\'s dataset beforehand and held in memory, so neither the network nor record generation is in the figure. ' +
        'Both write CSV split by participant, flattening nested objects, with the union of columns per file, a BOM, CRLF and formula protection; each output is read back with Python\'s csv module and must hold every record. ' +
        'The plain writer (tests/bench/plain-csv.ts) shares no code with ours. Rounds alternate which goes first; medians. The API delivers at most 1,000,000 records per hour (278 per second).',
    },
  ];
}
