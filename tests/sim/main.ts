// CLI: npm run sim -- --port 8787 --scale small --seed 1 [limits] [faults]
// The first two lines are a contract (README, demo and tests read them):
//   HyperStudy simulator listening on http://127.0.0.1:8787/api/v3
//   API key: hst_test_<…>
import { parseArgs } from 'node:util';
import { startSimulator } from './index';
import { SHAPE_FLAG_OPTIONS, SHAPES_USAGE, shapesFromFlags } from './shape-flags';
import type { FaultConfig, FaultKind, FaultRule, ScaleName } from './types';

const USAGE = `Usage: npm run sim -- [options]
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

const { values } = parseArgs({
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
    'latency-ms': { type: 'string' },
    'jitter-ms': { type: 'string' },
    'error-rate': { type: 'string' },
    'reset-rate': { type: 'string' },
    'truncate-rate': { type: 'string' },
    'html-rate': { type: 'string' },
    'fault-seed': { type: 'string' },
    'slow-ms': { type: 'string' },
    'slow-pattern': { type: 'string' },
    'storm-count': { type: 'string' },
    'storm-seconds': { type: 'string' },
    'storm-retry-after': { type: 'string' },
    'storm-date': { type: 'boolean' },
    'expire-urls': { type: 'boolean' },
    'expire-after-bytes': { type: 'string' },
    'media-length-delta': { type: 'string' },
    warnings: { type: 'string', multiple: true },
    fail: { type: 'string', multiple: true },
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

const faults: Partial<FaultConfig> = {};
const set = <K extends keyof FaultConfig>(k: K, v: FaultConfig[K] | undefined) => {
  if (v !== undefined) faults[k] = v;
};
set('seed', num('fault-seed', values['fault-seed']));
set('latencyMs', num('latency-ms', values['latency-ms']));
set('jitterMs', num('jitter-ms', values['jitter-ms']));
set('errorRate', num('error-rate', values['error-rate']));
set('resetRate', num('reset-rate', values['reset-rate']));
set('truncateRate', num('truncate-rate', values['truncate-rate']));
set('htmlRate', num('html-rate', values['html-rate']));
set('slowMs', num('slow-ms', values['slow-ms']));
set('slowPattern', values['slow-pattern']);
set('expireSignedUrls', values['expire-urls']);
set('expireAfterBytes', num('expire-after-bytes', values['expire-after-bytes']));
set('mediaLengthDelta', num('media-length-delta', values['media-length-delta']));
if (values.warnings) faults.warnings = values.warnings;
const stormCount = num('storm-count', values['storm-count']);
const stormSeconds = num('storm-seconds', values['storm-seconds']);
if (stormCount !== undefined || stormSeconds !== undefined) {
  faults.storm = {
    count: stormCount,
    untilMs: stormSeconds !== undefined ? Date.now() + stormSeconds * 1000 : undefined,
    retryAfterSec: num('storm-retry-after', values['storm-retry-after']) ?? 5,
    retryAfterAsDate: values['storm-date'] ?? false,
  };
}
if (values.fail) {
  faults.rules = values.fail.map((spec): FaultRule => {
    const m = /^([A-Za-z0-9]+):(\d+):(.*)$/.exec(spec);
    if (!m) {
      console.error(`--fail expects KIND:COUNT:REGEX, got "${spec}"`);
      process.exit(2);
    }
    return { kind: m[1] as FaultKind, count: Number(m[2]), match: m[3] };
  });
}

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
