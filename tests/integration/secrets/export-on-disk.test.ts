// After full exports through the real CLI (finished as a folder and as a ZIP, and one paused
// mid-download so its checkpoints stay on disk), no file under the config dir or the output
// folder, no ZIP entry and no line of output contains the key.
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSimulator, type Simulator } from '../../sim/index';
import { cliEnv, filesContaining, runCli, zipEntriesContaining, probeTestKeychain, type CliResult } from './cli-run';

vi.setConfig({ testTimeout: 240_000 });

let sim: Simulator;
let root = '';
let experimentId = '';
const outputs: CliResult[] = [];
const record = (r: CliResult) => (outputs.push(r), r);

beforeAll(async () => {
  sim = await startSimulator({ scale: 'tiny' });
  root = await mkdtemp(path.join(os.tmpdir(), 'sd-export-keys-'));
  const res = await fetch(`${sim.baseUrl}/experiments?limit=1`, { headers: { 'X-API-Key': sim.apiKey } });
  experimentId = ((await res.json()) as { data: Array<{ id: string }> }).data[0].id;
});
afterAll(async () => {
  await sim?.close();
  await rm(root, { recursive: true, force: true });
});

const keychain = await probeTestKeychain();

async function expectNoKeyAnywhere(dirs: string[]): Promise<void> {
  for (const dir of dirs) {
    expect(await filesContaining(dir, sim.apiKey), `key found under ${dir}`).toEqual([]);
    for (const name of (await readdir(dir, { recursive: true }).catch(() => [])).map(String)) {
      if (name.endsWith('.zip')) expect(zipEntriesContaining(path.join(dir, name), sim.apiKey)).toEqual([]);
    }
  }
}

describe('the key never lands on disk during an export (env key)', () => {
  it('a finished folder export, a finished ZIP export, and a paused export’s checkpoints', async () => {
    const home = path.join(root, 'env-home');
    const out = path.join(root, 'env-out');
    const env = cliEnv(home, { HYPERSTUDY_API_KEY: sim.apiKey, HYPERSTUDY_BASE_URL: sim.baseUrl, DBUS_SESSION_BUS_ADDRESS: undefined });

    const folder = record(await runCli(['export', 'experiment', experimentId, '--types', 'all', '--recordings', '--out', path.join(out, 'folder')], { env }));
    expect(folder.code, folder.stderr).toBe(0);
    const zip = record(await runCli(['export', 'experiment', experimentId, '--types', 'all', '--recordings', '--zip', '--out', path.join(out, 'zip')], { env }));
    expect(zip.code, zip.stderr).toBe(0);
    expect((await readdir(path.join(out, 'zip'))).some((n) => n.endsWith('.zip'))).toBe(true);
    expect((await readdir(path.join(out, 'folder'), { recursive: true })).map(String).some((n) => n.endsWith('metadata.json'))).toBe(true);

    // Pause one mid-download: hold back a later events page, wait until fetching, then Ctrl-C.
    sim.setFaults({ rules: [{ match: '/data/events/.*offset=[1-9]', kind: 'slow', delayMs: 30_000, count: 50 }] });
    let signalled = false;
    const paused = record(
      await runCli(['export', 'experiment', experimentId, '--types', 'all', '--json', '--out', path.join(out, 'paused')], {
        env,
        onStdout: (soFar, child) => {
          if (!signalled && /"phase":"fetching"/.test(soFar)) {
            signalled = true;
            setTimeout(() => child.kill('SIGINT'), 300);
          }
        },
      }),
    );
    sim.resetFaults();
    expect(signalled).toBe(true);
    // Ctrl-C pauses: exit 130 and the checkpoints stay. (Whether the final JSON "done" line makes it
    // out is the export command's business and flaky under load, so it is not asserted here.)
    expect(paused.code, paused.stderr).toBe(130);
    expect(paused.stderr).toMatch(/Pausing/);
    const left = (await readdir(path.join(out, 'paused'), { recursive: true })).map(String);
    expect(left.some((n) => n.startsWith('.studydl-'))).toBe(true); // checkpoints kept
    const checkpointFiles = [];
    for (const n of left) if (n.startsWith('.studydl-') && (await stat(path.join(out, 'paused', n))).isFile()) checkpointFiles.push(n);
    expect(checkpointFiles.length).toBeGreaterThan(0);

    await expectNoKeyAnywhere([home, out]);
  });
});

describe.skipIf(!keychain.ok)('the key never lands on disk during an export (stored key, real keychain)', () => {
  it('login, then export with the stored key from a new process', async () => {
    const home = path.join(root, 'kc-home');
    const out = path.join(root, 'kc-out');
    const env = cliEnv(home);
    const login = record(await runCli(['login', '--base-url', sim.baseUrl, '--profile', 'export-test'], { env, stdin: sim.apiKey }));
    expect(login.code, login.stderr).toBe(0);
    try {
      const exp = record(await runCli(['export', 'experiment', experimentId, '--types', 'all', '--recordings', '--zip', '--out', out], { env }));
      expect(exp.code, exp.stderr).toBe(0);
      await expectNoKeyAnywhere([home, out]);
    } finally {
      record(await runCli(['logout', '--remove'], { env }));
    }
  });
});

if (!keychain.ok) {
  it.skip(`export with a stored key: skipped because the OS keychain is not reachable here (${keychain.why})`, () => {});
}

describe('no export output contained the key', () => {
  it('stdout and stderr', () => {
    expect(outputs.length).toBeGreaterThanOrEqual(3);
    for (const o of outputs) expect(o.stdout + o.stderr).not.toContain(sim.apiKey.slice(9, 30));
  });
});
