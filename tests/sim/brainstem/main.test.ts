// `npm run sim -- --source brainstem` for real (npm, tsx, the CLI), read with the real curl binary:
// the two contract lines of issue 12, flags, and errors.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../../../', import.meta.url).pathname;

interface Started {
  child: ChildProcess;
  lines: string[];
}

/** Starts a command in its own process group and resolves once `until` lines were printed. */
async function start(cmd: string, args: string[], until: number): Promise<Started> {
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const lines: string[] = [];
  const rl = createInterface({ input: child.stdout! });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no output in time: ${lines.join('\n')}\n${stderr}`)), 25_000);
    rl.on('line', (l) => {
      lines.push(l);
      if (lines.length >= until) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${lines.join('\n')}\n${stderr}`)));
  });
  return { child, lines };
}

/** Ends the process group we started (npm → sh → node). */
function stop(s: Started | undefined): Promise<void> {
  if (!s || s.child.exitCode !== null || s.child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    s.child.once('exit', () => resolve());
    process.kill(-s.child.pid!, 'SIGTERM');
  });
}

function curl(args: string[]): { status: number; body: string } {
  const r = spawnSync('curl', ['-s', '-o', '-', '-w', '\n%{http_code}', ...args], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  const at = r.stdout.lastIndexOf('\n');
  return { status: Number(r.stdout.slice(at + 1)), body: r.stdout.slice(0, at) };
}

const hasCurl = spawnSync('curl', ['--version']).status === 0;

describe.skipIf(!hasCurl)('npm run sim -- --source brainstem', () => {
  let sim: Started | undefined;
  let base = '';
  let token = '';

  beforeAll(async () => {
    sim = await start('npm', ['run', 'sim', '--', '--source', 'brainstem', '--port', '0', '--scale', 'tiny', '--seed', '1', '--add-count'], 8);
  });
  afterAll(() => stop(sim));

  it('prints exactly the two contract lines first', () => {
    const m = /^BrainSTEM simulator listening on (http:\/\/127\.0\.0\.1:(\d+)\/api)$/.exec(sim!.lines[0]);
    expect(m, sim!.lines[0]).not.toBeNull();
    expect(Number(m![2])).toBeGreaterThan(0);
    base = m![1];
    expect(sim!.lines[1]).toMatch(/^Token: [0-9a-f]{40}$/);
    token = sim!.lines[1].slice('Token: '.length);
    const rest = sim!.lines.slice(2).join('\n');
    expect(rest).toContain('/__sim');
    expect(rest).toMatch(/Data: scale tiny, seed 1: 3 projects \(1 public\)/);
  });

  it('curl with the printed token lists the projects; without it the private portal says 401', () => {
    const ok = curl(['-H', `Authorization: Bearer ${token}`, `${base}/private/stem/project/`]);
    expect(ok.status).toBe(200);
    const body = JSON.parse(ok.body);
    expect(body.projects).toHaveLength(3);
    expect(body.count).toBe(3); // --add-count
    const denied = curl([`${base}/private/stem/project/`]);
    expect(denied.status).toBe(401);
    expect(JSON.parse(denied.body)).toEqual({ detail: 'Authentication credentials were not provided.' });
  });

  it('the public portal lists the public project with no token', () => {
    const r = curl([`${base}/public/stem/project/`]);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).projects).toHaveLength(1);
  });

  it('the control route reports the shapes set by flags', () => {
    const r = curl([`${base.replace(/\/api$/, '')}/__sim/shapes`]);
    expect(JSON.parse(r.body)).toEqual({ paging: 'keyed', omitMeta: false, addCount: true, sideloading: false });
  });
});

describe('CLI errors and the --source switch', () => {
  const run = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'tests/sim/main.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 25_000 });

  it('rejects a bad scale, paging or unknown flag with usage and exit code 2', () => {
    for (const [args, message] of [
      [['--scale', 'huge'], '--scale must be tiny, small or large'],
      [['--paging', 'pages'], '--paging must be keyed or results'],
      [['--nope'], "Unknown option '--nope'"],
      [['--latency-ms', 'x'], '--latency-ms must be a number'],
    ] as const) {
      const r = run(['--source', 'brainstem', ...args]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr).toContain('--source brainstem');
    }
  });

  it('rejects an unknown source', () => {
    const r = run(['--source', 'openneuro']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--source must be hyperstudy or brainstem');
  });

  it('--source hyperstudy still starts the HyperStudy simulator', async () => {
    const s = await start(process.execPath, ['--import', 'tsx', 'tests/sim/main.ts', '--source', 'hyperstudy', '--port', '0', '--scale', 'tiny'], 2);
    try {
      expect(s.lines[0]).toMatch(/^HyperStudy simulator listening on http:\/\/127\.0\.0\.1:\d+\/api\/v3$/);
      expect(s.lines[1]).toMatch(/^API key: hst_test_/);
    } finally {
      await stop(s);
    }
  });
});
