// The "Done when", for real: studydl spawned as a process against the simulator.
// Without D-Bus login works for the session with a clear notice; with a Secret Service
// (inside dbus-run-session + gnome-keyring) the key is stored, used by a new process, and
// never lands on disk or in any output.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSimulator, type Simulator } from '../../sim/index';
import { startProxy } from '../client/proxy';
import { cliEnv, filesContaining, noBus, REPO, runCli, probeTestKeychain, type CliResult } from './cli-run';

// Each run is a fresh node + tsx process (~2 s on a busy 2-core box); give the scenarios room.
vi.setConfig({ testTimeout: 180_000 });

let sim: Simulator;
let root = '';
const outputs: CliResult[] = [];
const run = async (...a: Parameters<typeof runCli>) => {
  const r = await runCli(...a);
  outputs.push(r);
  return r;
};

beforeAll(async () => {
  sim = await startSimulator({ scale: 'tiny' });
  root = await mkdtemp(path.join(os.tmpdir(), 'sd-cli-keys-'));
});
afterAll(async () => {
  await sim?.close();
  await rm(root, { recursive: true, force: true });
});

const keychain = await probeTestKeychain();

describe('studydl without an OS keychain', () => {
  it('login validates, saves the profile, and says plainly the key is not remembered', async () => {
    const home = path.join(root, 'nobus');
    const env = cliEnv(home, noBus);
    const login = await run(['login', '--base-url', sim.baseUrl], { env, stdin: `${sim.apiKey}\n` });
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toMatch(/key works/);
    expect(login.stderr).toMatch(/will not be remembered/);
    expect(login.stderr).toMatch(/D-Bus/);
    expect(login.stderr).toMatch(/HYPERSTUDY_API_KEY/);

    const status = await run(['status'], { env });
    expect(status.code).toBe(3);
    expect(status.stdout).toMatch(/not available here/);
    expect(status.stdout).toMatch(/memory only/i);

    const ls = await run(['ls'], { env });
    expect(ls.code).toBe(3);
    expect(ls.stderr).toMatch(/not remembered/);

    // Automation path: the env key works without any keychain.
    const lsEnv = await run(['ls'], { env: { ...env, HYPERSTUDY_API_KEY: sim.apiKey, HYPERSTUDY_BASE_URL: sim.baseUrl } });
    expect(lsEnv.code, lsEnv.stderr).toBe(0);
    expect(lsEnv.stdout).toMatch(/Emotion Study|exp_/);

    const statusEnv = await run(['status', '--json'], { env: { ...env, HYPERSTUDY_API_KEY: sim.apiKey } });
    expect(statusEnv.code).toBe(0);
    expect(JSON.parse(statusEnv.stdout).keyStorage.kind).toBe('environment');

    expect(await filesContaining(home, sim.apiKey)).toEqual([]);
  });

  it('refuses a key on the command line, and a rejected key saves nothing', async () => {
    const home = path.join(root, 'refuse');
    const env = cliEnv(home, noBus);
    const argv = await run(['login', '--api-key', sim.apiKey], { env });
    expect(argv.code).toBe(2);
    expect(argv.stderr).toMatch(/never taken from the command line/);

    const bogus = 'hst_test_' + 'q'.repeat(40);
    const rejected = await run(['login', '--base-url', sim.baseUrl, '--profile', 'lab'], { env, stdin: bogus });
    expect(rejected.code).toBe(3);
    expect(rejected.stderr).toMatch(/rejected this key/);
    expect(rejected.stdout + rejected.stderr).not.toContain('qqqqqqqq');

    const wrong = await run(['login', '--base-url', sim.baseUrl], { env, stdin: 'not-a-key' });
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toMatch(/hst_live_ or hst_test_/);

    const list = await run(['profiles', '--json'], { env });
    expect(JSON.parse(list.stdout).profiles).toEqual([]);
  });
});

describe('interactive login on a terminal', () => {
  it('prompts with echo off: the pasted key never appears on the terminal', async () => {
    // python3's pty gives the CLI a real terminal (tty-login.py); the key is "pasted" the instant the prompt shows.
    const text = await new Promise<string>((resolve, reject) =>
      execFile('python3', [path.join(import.meta.dirname, 'tty-login.py'), sim.apiKey, path.join(root, 'tty'), sim.baseUrl, REPO], { timeout: 120_000 }, (err, stdout) =>
        err ? reject(err) : resolve(stdout),
      ),
    );
    expect(text).toMatch(/input hidden/);
    expect(text).toMatch(/key works/);
    expect(text).toMatch(/EXIT=0/);
    expect(text).not.toContain(sim.apiKey);
    expect(text).not.toContain(sim.apiKey.slice(9, 20));
  });
});

describe.skipIf(!keychain.ok)('studydl with a real Secret Service (gnome-keyring)', () => {
  it('login stores the key in the keychain; status says so; a new process runs ls; nothing on disk', async () => {
    const home = path.join(root, 'keychain');
    const env = cliEnv(home);
    const login = await run(['login', '--base-url', sim.baseUrl, '--profile', 'sim'], { env, stdin: `${sim.apiKey}\n` });
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toMatch(/system keyring \(Secret Service\)/);
    expect(login.stderr).not.toMatch(/not be remembered/);

    try {
      const status = await run(['status', '--json'], { env });
      expect(status.code, status.stderr).toBe(0);
      const s = JSON.parse(status.stdout);
      expect(s.keyStorage).toMatchObject({ kind: 'os-keychain', persistent: true });
      expect(s.profile).toMatchObject({ name: 'sim', hasKey: true, active: true });
      expect(s.budget.keyRemaining).toBeGreaterThan(0);

      const human = await run(['status'], { env });
      expect(human.stdout).toMatch(/Key kept in:\s+Stored in the system keyring/);

      const ls = await run(['ls', '--json'], { env });
      expect(ls.code, ls.stderr).toBe(0);
      expect(JSON.parse(ls.stdout).experiments.length).toBeGreaterThan(0);

      // The stored key goes to its profile's server only: not to another --base-url.
      const elsewhere = await startProxy({});
      try {
        const moved = await run(['ls', '--base-url', elsewhere.origin + '/api/v3'], { env });
        expect(moved.code).toBe(2);
        expect(moved.stderr).toMatch(/stored key of this connection belongs to/);
        expect(elsewhere.requests).toEqual([]);
      } finally {
        await elsewhere.close();
      }

      const after = await run(['status', '--json'], { env });
      expect(JSON.parse(after.stdout).budget.keyRemaining).toBeLessThan(s.budget.keyRemaining);

      expect(await filesContaining(home, sim.apiKey)).toEqual([]);
      // gnome-keyring's own files are encrypted: the key is not there in clear either.
      const keyrings = path.join(os.homedir(), '.local/share/keyrings');
      expect(await filesContaining(keyrings, sim.apiKey)).toEqual([]);
      let grep = '';
      try {
        grep = execFileSync('grep', ['-r', '-l', sim.apiKey, home], { encoding: 'utf8' });
      } catch (e) {
        expect((e as { status?: number }).status).toBe(1); // 1 = no match
      }
      expect(grep).toBe('');
    } finally {
      const logout = await run(['logout', '--remove'], { env });
      expect(logout.code, logout.stderr).toBe(0);
    }
    const gone = await run(['ls'], { env });
    expect(gone.code).toBe(3);
  });
});

if (!keychain.ok) {
  it.skip(`studydl with a real Secret Service: skipped because the OS keychain is not reachable here (${keychain.why})`, () => {});
}

describe('no output ever contained the key', () => {
  it('stdout and stderr of every run above', () => {
    expect(outputs.length).toBeGreaterThan(5);
    for (const o of outputs) {
      expect(o.stdout).not.toContain(sim.apiKey);
      expect(o.stderr).not.toContain(sim.apiKey);
      expect(o.stdout + o.stderr).not.toContain(sim.apiKey.slice(9, 30));
    }
  });
});
