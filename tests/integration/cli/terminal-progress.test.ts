// `studydl export` on a terminal draws one progress bar, redrawn in place, and ends its line before
// printing where the export went. A real pseudo-terminal (util-linux `script`) stands in for the
// user's: the CLI decides from process.stdout.isTTY, which no pipe can fake.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSimulator, type Simulator } from '../../sim/index';
import { cliEnv, REPO } from '../secrets/cli-run';

vi.setConfig({ testTimeout: 120_000 });

const hasScript = spawnSync('script', ['--version']).status === 0;
let hs: Simulator;
let root = '';

beforeAll(async () => {
  hs = await startSimulator({ scale: 'tiny' });
  root = await mkdtemp(path.join(os.tmpdir(), 'sd-cli-tty-'));
});
afterAll(async () => {
  await hs?.close();
  await rm(root, { recursive: true, force: true });
});

describe.skipIf(!hasScript)('studydl export on a terminal', () => {
  it('redraws one progress bar in place, then prints the export’s path on a line of its own', async () => {
    const exp = hs.dataset.experiments()[0];
    const out = path.join(root, 'out');
    const env = cliEnv(path.join(root, 'home'), { HYPERSTUDY_API_KEY: hs.apiKey, HYPERSTUDY_BASE_URL: hs.baseUrl, DBUS_SESSION_BUS_ADDRESS: undefined });
    // Ids and paths here are plain ([A-Za-z0-9/_.-]), so they need no shell quoting.
    const command = [process.execPath, '--import', 'tsx', 'src-main/cli/main.ts', 'export', 'experiment', exp.id, '--types', 'events', '--out', out].join(' ');
    expect(command).toMatch(/^[\w/.\- ]+$/);
    // Asynchronously: the simulator answers from this process.
    const child = spawn('script', ['--quiet', '--return', '--command', command, '/dev/null'], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let screen = '';
    let errors = '';
    child.stdout.on('data', (c) => (screen += c));
    child.stderr.on('data', (c) => (errors += c));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, screen + errors).toBe(0);

    const redraws = screen.split('\r\x1b[2K').slice(1);
    expect(redraws.length).toBeGreaterThan(0);
    for (const line of redraws) expect(line).toMatch(/^\[[#-]{24}\] +\d+%/);
    // The last bar's line is ended before anything else is printed (notes, then the path of a folder that exists).
    expect(redraws[redraws.length - 1].split(/\r?\n/)[0]).toMatch(/^\[#{24}\] 100% .*requests \d+\/\d+$/);
    const printed = screen.trimEnd().split(/\r?\n/).pop()!;
    expect(printed.startsWith(out)).toBe(true);
    expect((await stat(printed)).isDirectory()).toBe(true);
  });
});
