// `studydl` as a user meets it before and around the happy path, real processes against the
// simulators: --version and help, a command's --help, mistakes on the command line refused in words
// with exit code 2 before anything is sent, login and logout with nothing to act on, status without a
// connection, a stored connection to the other source, Ctrl-C at the hidden key prompt, a 429 wait
// past --max-wait (exit 6), and a folder kept up to date asked for its plan.
// No keychain here (no session bus): connections are saved, their keys are not.
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { BrainstemSimulator } from '../../sim/brainstem/index';
import type { Simulator } from '../../sim/index';
import { bothSimulatorsPerFile } from './both-simulators';
import { cliEnv, REPO, runCli, noBus } from '../secrets/cli-run';

vi.setConfig({ testTimeout: 180_000 });

let hs: Simulator;
let bs: BrainstemSimulator;
let root = '';
bothSimulatorsPerFile('sd-cli-usage-', (h, b, r) => {
  hs = h;
  bs = b;
  root = r;
});

/** A fresh config dir, without any key in the environment. */
const bare = (name: string) => cliEnv(path.join(root, name), noBus);
/** A fresh config dir with the HyperStudy simulator's key in the environment. */
const withKey = (name: string) => cliEnv(path.join(root, name), { ...noBus, HYPERSTUDY_API_KEY: hs.apiKey, HYPERSTUDY_BASE_URL: hs.baseUrl });

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('studydl without a command', () => {
  it('prints its version, the help (exit 0 when asked for, 2 when no command was given) and one command’s usage', async () => {
    const env = bare('help');
    const version = await runCli(['--version'], { env });
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe('studydl 0.1.0');

    for (const args of [['help'], ['-h'], ['--help']]) {
      const help = await runCli(args, { env });
      expect(help.code, args.join(' ')).toBe(0);
      expect(help.stdout).toMatch(/^Usage: studydl <command> \[options\]$/m);
      expect(help.stdout).toMatch(/^ {2}export +Download data/m);
      expect(help.stdout).toMatch(/--source ID +which source: hyperstudy, brainstem/);
    }
    const nothing = await runCli([], { env });
    expect(nothing.code).toBe(2);
    expect(nothing.stdout).toMatch(/Commands:/);

    const exportHelp = await runCli(['export', '--help'], { env });
    expect(exportHelp.code).toBe(0);
    expect(exportHelp.stdout).toMatch(/^Download data .*\n\nUsage: studydl export <level> <id>/);

    const unknown = await runCli(['frobnicate'], { env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/"frobnicate" is not a studydl command/);
  });
});

describe('studydl login, logout and status with nothing to act on', () => {
  it('refuses a bad --env, an --env that disagrees with --base-url and an empty stdin; an unreachable server saves nothing', async () => {
    const env = bare('login');
    const badEnv = await runCli(['login', '--env', 'staging'], { env, stdin: `${hs.apiKey}\n` });
    expect(badEnv.code).toBe(2);
    expect(badEnv.stderr).toMatch(/--env must be production or development \(got "staging"\)/);

    const disagree = await runCli(['login', '--env', 'development', '--base-url', hs.baseUrl], { env, stdin: `${hs.apiKey}\n` });
    expect(disagree.code).toBe(2);
    expect(disagree.stderr).toMatch(/--env development and --base-url .* disagree/);

    const noKey = await runCli(['login', '--env', 'production'], { env, stdin: '' });
    expect(noKey.code).toBe(3);
    expect(noKey.stderr).toMatch(/No API key arrived on stdin/);

    const port = await closedPort();
    const unreachable = await runCli(['login', '--base-url', `http://127.0.0.1:${port}/api/v3`], { env, stdin: `${hs.apiKey}\n` });
    expect(unreachable.code, unreachable.stderr).toBe(5);
    expect(unreachable.stderr).toMatch(/Nothing was saved\. To save the key without checking it, add --skip-validation\./);
    const profiles = await runCli(['profiles', '--json'], { env });
    expect((JSON.parse(profiles.stdout) as { profiles: unknown[] }).profiles).toEqual([]);
  });

  it('says there is nothing to log out of, refuses an unknown profile, and logs out a connection whose key was never kept', async () => {
    const env = bare('logout');
    const none = await runCli(['logout'], { env });
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toMatch(/No connection is active, so there is nothing to log out of/);
    const noneJson = await runCli(['logout', '--json'], { env });
    expect(JSON.parse(noneJson.stdout)).toEqual({ loggedOut: false });
    const nobody = await runCli(['logout', '--profile', 'Nobody'], { env });
    expect(nobody.code).toBe(3);
    expect(nobody.stderr).toMatch(/no connection profile called “Nobody”/);

    const status = await runCli(['status'], { env });
    expect(status.code).toBe(3);
    expect(status.stdout).toMatch(/^Not logged in: no connection profile and no HYPERSTUDY_API_KEY/m);
    expect(status.stdout).toMatch(/Add a connection with: echo "\$KEY" \| studydl login/);

    const login = await runCli(['login', '--base-url', hs.baseUrl, '--profile', 'Lab', '--json'], { env, stdin: `${hs.apiKey}\n` });
    expect(login.code, login.stderr).toBe(0);
    const saved = JSON.parse(login.stdout) as { validation: { outcome: string }; profile: { name: string } };
    expect(saved).toMatchObject({ validation: { outcome: 'accepted' }, profile: { name: 'Lab' } });
    expect(login.stdout).not.toContain(hs.apiKey);

    // Without a keychain the key lived only in the login process: there is none to delete.
    const logout = await runCli(['logout'], { env });
    expect(logout.code, logout.stderr).toBe(0);
    expect(logout.stdout).toMatch(/No stored key was found for “Lab” \(nothing to delete\)/);
    const removed = await runCli(['logout', '--remove', '--json'], { env });
    expect(removed.code, removed.stderr).toBe(0);
    expect(JSON.parse(removed.stdout)).toEqual({ loggedOut: true, profile: 'Lab', keyDeleted: true, profileRemoved: true });
    expect((JSON.parse((await runCli(['profiles', '--json'], { env })).stdout) as { profiles: unknown[] }).profiles).toEqual([]);
  });

  it('refuses a stored connection to the other source, and a browser sign-in where the server has none (exit 1)', async () => {
    const env = bare('other-source');
    const publicLogin = await runCli(['login', '--source', 'brainstem', '--base-url', bs.baseUrl, '--portal', 'public'], { env });
    expect(publicLogin.code, publicLogin.stderr).toBe(0);
    const ls = await runCli(['ls', '--source', 'hyperstudy'], { env });
    expect(ls.code).toBe(2);
    expect(ls.stderr).toMatch(/The stored connection is to BrainSTEM, not HyperStudy/);

    // The HyperStudy simulator has no BrainSTEM device route (404): the CLI asks for a pasted token.
    const device = await runCli(['login', '--source', 'brainstem', '--base-url', hs.origin, '--device'], { env });
    expect(device.code, device.stderr).toBe(1);
    expect(device.stderr).toMatch(/does not offer sign-in through the browser/);
    expect(device.stderr).toMatch(/fix: Create a personal access token at .*, then pipe it in/);
  });
});

describe('studydl on a terminal and against a server that says wait', () => {
  it('Ctrl-C at the hidden key prompt cancels the login and saves nothing', async () => {
    const home = path.join(root, 'tty-cancel');
    // tty-login.py "pastes" its KEY argument the instant the prompt shows: here, Ctrl-C.
    const text = await new Promise<string>((resolve, reject) =>
      execFile('python3', [path.join(REPO, 'tests/integration/secrets/tty-login.py'), '\u0003', home, hs.baseUrl, REPO], { timeout: 120_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
    );
    expect(text).toMatch(/input hidden/);
    expect(text).toMatch(/Login was cancelled/);
    expect(text).toMatch(/EXIT=1$/m);
    const profiles = await runCli(['profiles', '--json'], { env: bare('tty-cancel') });
    expect((JSON.parse(profiles.stdout) as { profiles: unknown[] }).profiles).toEqual([]);
  });

  it('exits 6 when the server asks for a longer wait than --max-wait allows', async () => {
    hs.setFaults({ storm: { count: 50, retryAfterSec: 3600 } });
    try {
      const ls = await runCli(['ls', '--max-wait', '5'], { env: withKey('storm') });
      expect(ls.code, ls.stderr).toBe(6);
      expect(ls.stderr).toMatch(/^error: The server keeps asking us to slow down \(HTTP 429\)\..*past the allowed 5 s\./m);
    } finally {
      hs.resetFaults();
      hs.resetRateLimits();
    }
  });
});

describe('studydl ls, plan and export: mistakes refused before anything is fetched', () => {
  it('names the forms a path or a target may take', async () => {
    const env = withKey('paths');
    const exp = hs.dataset.experiments()[0];
    const room = hs.dataset.rooms(exp.id)[0];
    const participant = room.participantIds[0];
    const before = hs.counters().requests;

    const tooMany = await runCli(['ls', `${exp.id}/${room.id}/${participant}/x`], { env });
    expect(tooMany.code).toBe(2);
    expect(tooMany.stderr).toMatch(/has too many parts\.\n\s+fix: Use <experimentId>, <experimentId>\/<roomId> or <experimentId>\/<roomId>\/<participantId>\./);

    const leaf = await runCli(['ls', `${exp.id}/${room.id}/${participant}`], { env });
    expect(leaf.code).toBe(2);
    expect(leaf.stderr).toMatch(/a participant has no children[\s\S]*studydl ls <experimentId>\/<roomId>/);

    const notLevel = await runCli(['plan', 'study', exp.id, '--types', 'events'], { env });
    expect(notLevel.code).toBe(2);
    expect(notLevel.stderr).toMatch(/"study" is not a level\.[\s\S]*plan experiment <id>/);

    const badDate = await runCli(['plan', 'experiment', exp.id, '--types', 'events', '--since', 'last tuesday'], { env });
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toMatch(/--since "last tuesday" is not a date/);

    const noRoot = await runCli(['export', 'participant', participant, '--room', room.id, '--types', 'events', '--out', path.join(root, 'never')], { env });
    expect(noRoot.code).toBe(2);
    expect(noRoot.stderr).toMatch(/The export needs the experiment id too\.\n\s+fix: Add --experiment <experimentId>, or give the path form <experimentId>\/<roomId>\/<participantId>\./);

    const noOut = await runCli(['sync', 'experiment', exp.id, '--types', 'events'], { env });
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toMatch(/Say which folder to keep up to date with --out DIR/);

    expect(hs.counters().requests).toBe(before);
  });

  it('an export of an experiment the server does not know fails as not found, and says how to continue', async () => {
    const env = withKey('missing');
    const failed = await runCli(['export', 'experiment', 'no-such-experiment', '--types', 'events', '--out', path.join(root, 'missing-out')], { env });
    expect(failed.code, failed.stderr).toBe(4);
    expect(failed.stderr).toMatch(/^error: .+/m);
    expect(failed.stderr).toMatch(/The download can be continued with: studydl resume \S+/);

    const resumeUnknown = await runCli(['resume', 'job-that-never-was'], { env: withKey('resume-fresh') });
    expect(resumeUnknown.code).toBe(4);
    expect(resumeUnknown.stderr).toMatch(/There is no download with id job-that-never-was/);
  });
});

describe('studydl sync DIR --plan', () => {
  it('tells what the next sync would read, in lines and in JSON; a folder that is not kept up to date is refused', async () => {
    const env = withKey('sync');
    const exp = hs.dataset.experiments()[0];
    const dir = path.join(root, 'kept');
    const first = await runCli(['sync', 'experiment', exp.id, '--types', 'events', '--out', dir], { env });
    expect(first.code, first.stderr).toBe(0);

    const before = hs.counters().requests;
    const plan = await runCli(['sync', dir, '--plan'], { env });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/^Plan: .*\(from the last sync; rooms added since cost more\); listings \d+\./);
    const planJson = await runCli(['sync', dir, '--plan', '--full', '--json'], { env });
    expect(planJson.code, planJson.stderr).toBe(0);
    const parsed = JSON.parse(planJson.stdout) as { plan: { streams: Array<{ type: string }> }; lastSync: { finishedAt?: string } | null };
    expect(parsed.plan.streams.map((s) => s.type)).toContain('events');
    expect(parsed.lastSync).not.toBeNull();
    expect(hs.counters().requests).toBe(before); // a plan reads only the folder

    const plain = path.join(root, 'just-a-folder');
    await mkdir(plain, { recursive: true });
    const notKept = await runCli(['sync', plain], { env });
    expect(notKept.code).toBe(4);
    expect(notKept.stderr).toMatch(/is not a folder kept up to date \(it has no sync state\)/);
  });
});
