// CLI: npm run sim -- --source brainstem --port 8790 --scale small --seed 1 [shapes] [faults]
// The first two lines are a contract (issue 12's acceptance check, README, tests read them):
//   BrainSTEM simulator listening on http://127.0.0.1:8790/api
//   Token: <personal access token>
import { parseArgs } from 'node:util';
import { FAULT_FLAG_OPTIONS, FAULT_FLAG_USAGE, FlagError, faultsFromFlags, numberFlag } from '../fault-flags';
import { startBrainstemSimulator } from './index';
import type { BrainstemShapes, ScaleName } from './types';

export const BRAINSTEM_DEFAULT_PORT = 8790;

const USAGE = `Usage: npm run sim -- --source brainstem [options]
  --port N                 API port on 127.0.0.1 (default ${BRAINSTEM_DEFAULT_PORT}; 0 = random)
  --images-port N          port of the separate image origin (default random)
  --scale tiny|small|large dataset size (default small)
  --seed N                 data seed (default 1)
Shapes (default: the documented {"<plural>": [...], "meta": {...}}, related objects embedded):
  --paging keyed|results   "results": DRF {"count","next","previous","results"}
  --omit-meta              keyed lists without "meta"
  --add-count              keyed lists with "count" beside "meta"
  --sideloading            include[]=rel.* sideloads related objects under top-level keys
${FAULT_FLAG_USAGE}`;

/** Splits "--source X" / "--source=X" off a command line (default hyperstudy). */
export function takeSourceFlag(argv: string[]): { source: string; args: string[] } {
  const args: string[] = [];
  let source = 'hyperstudy';
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--source') source = argv[++i] ?? '';
    else if (argv[i].startsWith('--source=')) source = argv[i].slice('--source='.length);
    else args.push(argv[i]);
  }
  return { source, args };
}

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

/** Starts the simulator and serves until SIGINT/SIGTERM, then exits the process; never resolves. */
export async function runBrainstemCli(args: string[]): Promise<never> {
  let values;
  try {
    values = parseArgs({
      args,
      options: {
        port: { type: 'string', default: String(BRAINSTEM_DEFAULT_PORT) },
        'images-port': { type: 'string' },
        scale: { type: 'string', default: 'small' },
        seed: { type: 'string', default: '1' },
        paging: { type: 'string' },
        'omit-meta': { type: 'boolean' },
        'add-count': { type: 'boolean' },
        sideloading: { type: 'boolean' },
        ...FAULT_FLAG_OPTIONS,
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const scale = values.scale as ScaleName;
  if (!['tiny', 'small', 'large'].includes(scale)) fail('--scale must be tiny, small or large');
  if (values.paging !== undefined && values.paging !== 'keyed' && values.paging !== 'results') fail('--paging must be keyed or results');
  const shapes: Partial<BrainstemShapes> = {};
  if (values.paging) shapes.paging = values.paging as BrainstemShapes['paging'];
  if (values['omit-meta']) shapes.omitMeta = true;
  if (values['add-count']) shapes.addCount = true;
  if (values.sideloading) shapes.sideloading = true;
  let port, imagesPort, seed, faults;
  try {
    port = numberFlag('port', values.port);
    imagesPort = numberFlag('images-port', values['images-port']);
    seed = numberFlag('seed', values.seed);
    faults = faultsFromFlags(values);
  } catch (e) {
    if (e instanceof FlagError) fail(e.message);
    throw e;
  }

  const sim = await startBrainstemSimulator({ port, imagesPort, scale, seed, faults, shapes });
  const ds = sim.dataset;
  const projects = ds.projects();
  const [, other] = ds.users;
  const counts = ds.summary();
  console.log(`BrainSTEM simulator listening on ${sim.baseUrl}`);
  console.log(`Token: ${sim.token}`);
  console.log(`Second user's token (${other.email}, member of ${other.projectIds.length} of ${projects.length} projects): ${sim.otherToken}`);
  console.log(`Password login (POST /api/auth/token/): ${sim.credentials.email} / ${sim.credentials.password}`);
  console.log(`Device flow: approve at ${sim.origin}/account/authorize/ or POST ${sim.controlUrl}/device/approve`);
  console.log(`Images: ${sim.imagesOrigin}/images/`);
  console.log(`Control: ${sim.controlUrl} (GET /__sim/info lists the routes)`);
  console.log(
    `Data: scale ${ds.scale}, seed ${ds.seed}: ${projects.length} projects (${projects.filter((p) => p.isPublic).length} public), ` +
      Object.entries(counts)
        .filter(([k]) => k !== 'projects')
        .map(([k, n]) => `${n} ${k}`)
        .join(', '),
  );

  const stop = () => {
    sim.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return new Promise<never>(() => {});
}
