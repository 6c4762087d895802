// CLI: npm run sim -- --port 8787 --scale small --seed 1 [limits] [faults]
//      npm run sim -- --source brainstem … runs the BrainSTEM simulator instead (brainstem/cli.ts).
// The first two lines are a contract (README, demo and tests read them):
//   HyperStudy simulator listening on http://127.0.0.1:8787/api/v3
//   API key: hst_test_<…>
import { parseArgs } from 'node:util';
import { runBrainstemCli, takeSourceFlag } from './brainstem/cli';
import { startSimulator } from './index';
import { FAULT_FLAG_OPTIONS, FlagError, faultsFromFlags } from './fault-flags';
import { SHAPE_FLAG_OPTIONS, SHAPES_USAGE, shapesFromFlags } from './shape-flags';
import type { FaultConfig, ScaleName } from './types';

const USAGE = `Usage: npm run sim -- [options]
  --source hyperstudy|brainstem  which simulator (default hyperstudy; brainstem has its own --help)
  --port N                 port on 127.0.0.1 (default 8787; 0 = random)
  --storage-port N         port of the storage origin for signed media URLs (default: random)
  --scale tiny|small|large dataset size (default small)
  --seed N                 data seed (default 1)
  --key-limit N --key-window SEC            per-key limit (default 1000 per 3600 s)
  --endpoint-limit N --endpoint-window SEC  per-endpoint limit (default 100 per 60 s)
  --signed-url-ttl SEC     lifetime of minted media URLs (default 600)
  --media-scale X          multiply recording sizes
Faults:
  --latency-ms N --jitter-ms N
  --error-rate P --reset-rate P --truncate-rate P --html-rate P   (0..1, seeded by --fault-seed)
  --slow-ms N [--slow-pattern REGEX]       e.g. --slow-ms 35000 --slow-pattern recordings
  --storm-count N | --storm-seconds N, --storm-retry-after SEC [--storm-date]
  --expire-urls            every signed URL answers 403 (expired)
  --expire-after-bytes N   a signed URL expires after N bytes served through it
  --media-length-delta N   media Content-Length off by N bytes
  --warnings TEXT          add metadata._warnings (repeatable)
  --fail KIND:COUNT:REGEX  fail the next COUNT requests matching REGEX (repeatable)
${SHAPES_USAGE}`;

const { source, args } = takeSourceFlag(process.argv.slice(2));
if (source === 'brainstem') await runBrainstemCli(args); // serves until SIGTERM; never returns
if (source !== 'hyperstudy') {
  console.error(`--source must be hyperstudy or brainstem, got "${source}"\n\n${USAGE}`);
  process.exit(2);
}

const { values } = parseArgs({
  args,
  options: {
    port: { type: 'string', default: '8787' },
    'storage-port': { type: 'string' },
    scale: { type: 'string', default: 'small' },
    seed: { type: 'string', default: '1' },
    'key-limit': { type: 'string' },
    'key-window': { type: 'string' },
    'endpoint-limit': { type: 'string' },
    'endpoint-window': { type: 'string' },
    'signed-url-ttl': { type: 'string' },
    'media-scale': { type: 'string' },
    ...FAULT_FLAG_OPTIONS,
    'expire-urls': { type: 'boolean' },
    'expire-after-bytes': { type: 'string' },
    'media-length-delta': { type: 'string' },
    warnings: { type: 'string', multiple: true },
    ...SHAPE_FLAG_OPTIONS,
    help: { type: 'boolean', short: 'h' },
  },
  strict: true,
});

if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

function num(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) {
    console.error(`--${name} must be a number, got "${v}"\n\n${USAGE}`);
    process.exit(2);
  }
  return n;
}

const scale = values.scale as ScaleName;
if (!['tiny', 'small', 'large'].includes(scale)) {
  console.error(`--scale must be tiny, small or large\n\n${USAGE}`);
  process.exit(2);
}

let faults: Partial<FaultConfig>;
try {
  faults = faultsFromFlags(values);
} catch (e) {
  if (!(e instanceof FlagError)) throw e;
  console.error(`${e.message}\n\n${USAGE}`);
  process.exit(2);
}
const set = <K extends keyof FaultConfig>(k: K, v: FaultConfig[K] | undefined) => {
  if (v !== undefined) faults[k] = v;
};
set('expireSignedUrls', values['expire-urls']);
set('expireAfterBytes', num('expire-after-bytes', values['expire-after-bytes']));
set('mediaLengthDelta', num('media-length-delta', values['media-length-delta']));
if (values.warnings) faults.warnings = values.warnings;

const shapes = shapesFromFlags(values);
if (typeof shapes === 'string') {
  console.error(`${shapes}\n\n${USAGE}`);
  process.exit(2);
}

const sim = await startSimulator({
  port: num('port', values.port),
  storagePort: num('storage-port', values['storage-port']),
  scale,
  seed: num('seed', values.seed),
  keyLimit: num('key-limit', values['key-limit']),
  keyWindowSec: num('key-window', values['key-window']),
  endpointLimit: num('endpoint-limit', values['endpoint-limit']),
  endpointWindowSec: num('endpoint-window', values['endpoint-window']),
  signedUrlTtlSec: num('signed-url-ttl', values['signed-url-ttl']),
  mediaScale: num('media-scale', values['media-scale']),
  faults,
  shapes,
});

const ds = sim.dataset;
const experiments = ds.experiments();
console.log(`HyperStudy simulator listening on ${sim.baseUrl}`);
console.log(`API key: ${sim.apiKey}`);
console.log(`Limited key (read:events, read:experiments): ${sim.limitedKey}`);
console.log(`Organization id (X-Organization-Id, unlocks shared experiments): ${sim.orgId}`);
console.log(`Control: ${sim.controlUrl} (GET /__sim/info lists the routes)`);
console.log(`Storage (signed media URLs, no key): ${sim.storageOrigin}`);
console.log(
  `Data: scale ${ds.scale}, seed ${ds.seed}: ${experiments.length} experiments (${experiments.filter((e) => e.shared).length} shared), ` +
    `${ds.rooms().length} rooms, ${ds.participants().length} participants, ${ds.recordings().length} recordings`,
);

const stop = () => {
  sim.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
