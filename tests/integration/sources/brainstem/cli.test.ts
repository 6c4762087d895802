// `studydl --source brainstem` as real processes against the simulator: the issue's done-when
// (ls, ls <project>, export project … --zip read back with unzip and pandas, --portal public with no
// token), a session's records by type, `export session <id>` without its project, where the
// environment's token may go, login (a token on stdin, the browser's device flow, the public
// portal), and a kill -9 mid-export that `studydl resume` finishes with the same files.
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startBrainstemSimulator, type BrainstemSimulator } from '../../../sim/brainstem/index';
import { execFileP, python, removeDir, tempDir, zipDigest } from '../../export/export-helpers';
import { cliEnv, probeTestKeychain, REPO, runCli } from '../../secrets/cli-run';
import { recordsAt } from './oracle';

vi.setConfig({ testTimeout: 120_000 });

let sim: BrainstemSimulator;
let root: string;
let n = 0;
const keychain = await probeTestKeychain();

beforeAll(async () => {
  sim = await startBrainstemSimulator({ scale: 'small', seed: 1 });
  root = await tempDir('bs-cli-');
});
afterAll(async () => {
  await sim?.close();
  await removeDir(root);
});
afterEach(() => {
  sim.resetFaults();
});

/** A fresh config folder, no inherited key of either source; `extra` adds variables. */
function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return cliEnv(path.join(root, `home${++n}`), { BRAINSTEM_TOKEN: undefined, BRAINSTEM_API_TOKEN: undefined, BRAINSTEM_URL: undefined, NO_COLOR: '1', ...extra });
}
const bs = (...a: string[]) => ['--source', 'brainstem', '--base-url', sim.baseUrl, ...a];
const project = () => sim.dataset.projects()[1];

describe('the done-when, as real processes', () => {
  it('ls lists the projects; ls <projectId> its sessions; ls <projectId>/<sessionId> its records by type', async () => {
    const e = env({ BRAINSTEM_TOKEN: sim.token });
    const all = await runCli(bs('ls'), { env: e });
    expect(all.code, all.stderr).toBe(0);
    for (const p of sim.dataset.projects()) expect(all.stdout).toContain(p.id);

    const p = project();
    const sessions = await runCli(bs('ls', p.id), { env: e });
    expect(sessions.code, sessions.stderr).toBe(0);
    const rows = sessions.stdout.split('\n').filter((l) => /^[0-9a-f]{8}-/.test(l));
    expect(rows.map((l) => l.split(/\s+/)[0])).toEqual(recordsAt(sim, 'sessions', 'project', p.id).map((s) => s.id));

    const s = p.sessionIds.find((id) => recordsAt(sim, 'data_acquisitions', 'session', id).length && recordsAt(sim, 'behaviors', 'session', id).length)!;
    const records = await runCli(bs('ls', `${p.id}/${s}`, '--json'), { env: e });
    expect(records.code, records.stderr).toBe(0);
    const byType = JSON.parse(records.stdout) as Record<string, Array<{ id: string }>>;
    expect(byType.projectId).toBe(p.id);
    expect(byType.sessionId).toBe(s);
    for (const [key, type] of [['data_acquisitions', 'data_acquisitions'], ['behaviors', 'behaviors'], ['manipulations', 'manipulations'], ['epochs', 'epochs']]) {
      expect(byType[key].map((x) => x.id), key).toEqual(recordsAt(sim, type, 'session', s).map((x) => x.id));
    }
    const text = await runCli(bs('ls', `${p.id}/${s}`), { env: e });
    expect(text.stdout).toMatch(/^Data acquisitions \(\d+\)$/m);
    expect(text.stdout).toMatch(/^Epochs \(\d+\)$/m);
    expect(all.stdout + sessions.stdout + records.stdout + text.stdout + all.stderr).not.toContain(sim.token);
  });

  it('export project <id> --format csv --zip --out DIR: passes unzip -t; sessions.csv holds exactly the project’s sessions; data_acquisitions.csv is there', async () => {
    const p = project();
    const out = path.join(root, 'done-when');
    const r = await runCli(bs('export', 'project', p.id, '--format', 'csv', '--zip', '--out', out), { env: env({ BRAINSTEM_TOKEN: sim.token }) });
    expect(r.code, r.stderr).toBe(0);
    const zip = r.stdout.trim().split('\n').pop()!;
    expect(path.dirname(zip)).toBe(out);
    expect((await execFileP('unzip', ['-t', zip])).stdout).toMatch(/No errors detected/);
    const read = (await python(
      `import pandas as pd, zipfile, io, sys, json
z = zipfile.ZipFile(sys.argv[1]); top = z.namelist()[0].split('/')[0]
names = [n[len(top)+1:] for n in z.namelist()]
s = pd.read_csv(io.BytesIO(z.read(top + '/sessions.csv')), encoding='utf-8-sig', dtype=str)
print(json.dumps({'names': names, 'sessions': list(s['id'])}))`,
      [zip],
    )) as { names: string[]; sessions: string[] };
    expect(read.sessions).toEqual(recordsAt(sim, 'sessions', 'project', p.id).map((s) => s.id));
    expect(read.names).toContain('data_acquisitions.csv');
  });

  it('--portal public lists the public projects with no token, and sends none even when a stale one is set', async () => {
    const stale = sim.tokens.issue();
    sim.tokens.revoke(stale);
    for (const extra of [{}, { BRAINSTEM_TOKEN: stale }]) {
      sim.resetCounters();
      const r = await runCli(bs('--portal', 'public', 'ls', '--json'), { env: env(extra) });
      expect(r.code, r.stderr).toBe(0);
      expect((JSON.parse(r.stdout) as { projects: Array<{ id: string }> }).projects.map((x) => x.id)).toEqual(sim.dataset.projects().filter((x) => x.isPublic).map((x) => x.id));
      expect(sim.counters().withAuthorization.public ?? 0).toBe(0);
    }
  });

  it('export session <id> needs no project; plan project <id> shows the batched streams', async () => {
    const s = project().sessionIds[3];
    const out = path.join(root, 'session');
    const e = env({ BRAINSTEM_TOKEN: sim.token });
    const r = await runCli(bs('export', 'session', s, '--format', 'json', '--out', out), { env: e });
    expect(r.code, r.stderr).toBe(0);
    const [folder] = await readdir(out);
    expect((await readdir(path.join(out, folder))).sort()).toEqual(['README.txt', 'behaviors.json', 'data_acquisitions.json', 'epochs.json', 'links.csv', 'manipulations.json', 'metadata.json', 'sessions.json']);
    const plan = await runCli(bs('plan', 'project', project().id, '--json'), { env: e });
    expect(plan.code, plan.stderr).toBe(0);
    const streams = (JSON.parse(plan.stdout) as { streams: Array<{ type: string; params?: { ids: string } }>; target: unknown }).streams;
    expect(streams.map((x) => x.type)).toEqual(expect.arrayContaining(['sessions', 'data_acquisitions', 'epochs', 'procedure_logs']));
    expect(streams.find((x) => x.type === 'data_acquisitions')!.params!.ids.split(',').sort()).toEqual([...project().sessionIds].sort());
  });
});

describe('the environment’s token', () => {
  it('is read from BRAINSTEM_TOKEN or BRAINSTEM_API_TOKEN, goes to BRAINSTEM_URL, and is refused to another server', async () => {
    const alias = await runCli(['--source', 'brainstem', 'ls', '--json'], { env: env({ BRAINSTEM_API_TOKEN: sim.token, BRAINSTEM_URL: sim.baseUrl }) });
    expect(alias.code, alias.stderr).toBe(0);
    expect((JSON.parse(alias.stdout) as { projects: unknown[] }).projects).toHaveLength(sim.dataset.projects().length);
    // Without --source, the source whose token the environment holds.
    const implied = await runCli(['ls', '--json'], { env: env({ BRAINSTEM_TOKEN: sim.token, BRAINSTEM_URL: sim.baseUrl }) });
    expect(implied.code, implied.stderr).toBe(0);
    const away = await runCli(['--source', 'brainstem', '--base-url', 'https://brainstem.example.org/', 'ls'], { env: env({ BRAINSTEM_TOKEN: sim.token }) });
    expect(away.code).toBe(2);
    expect(away.stderr).toMatch(/BRAINSTEM_TOKEN is only sent to BrainSTEM's own server \(https:\/\/www\.brainstem\.org\/api\), not to https:\/\/brainstem\.example\.org\/api/);
    expect(away.stdout + away.stderr).not.toContain(sim.token);
    const none = await runCli(bs('ls'), { env: env() });
    expect(none.code).toBe(3);
    expect(none.stderr).toMatch(/BRAINSTEM_TOKEN/);
  });
});

describe('login', () => {
  it('--portal public: a connection with no token, used by a later ls', async () => {
    const e = env();
    const login = await runCli(bs('login', '--portal', 'public'), { env: e });
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toMatch(/public portal/);
    const ls = await runCli(['ls', '--json'], { env: e });
    expect(ls.code, ls.stderr).toBe(0);
    expect((JSON.parse(ls.stdout) as { projects: Array<{ id: string }> }).projects.map((x) => x.id)).toEqual(sim.dataset.projects().filter((x) => x.isPublic).map((x) => x.id));
  });

  it('--device: shows the link and the code, waits for the approval, and saves the token', async () => {
    const e = env(keychain.ok ? {} : { STUDYDL_NO_KEYCHAIN: '1' });
    let approved = false;
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src-main/cli/main.ts', ...bs('login', '--device', '--profile', 'device-test')], { cwd: REPO, env: e, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c) => (stdout += c));
      child.stderr.on('data', (c) => {
        stderr += c;
        const code = /approve the code ([A-Z0-9-]+)/.exec(stderr)?.[1];
        if (code && !approved) {
          approved = true;
          sim.device.approve(code);
        }
      });
      const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new Error(`login --device did not finish: ${stderr}`))), 60_000);
      child.on('close', (code) => (clearTimeout(timer), resolve({ code, stdout, stderr })));
    });
    expect(approved).toBe(true);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`${sim.origin}/account/authorize/?session=`);
    expect(r.stdout).toMatch(/Saved the connection “device-test”/);
    if (keychain.ok) {
      const ls = await runCli(['ls', '--json'], { env: e });
      expect(ls.code, ls.stderr).toBe(0);
      await runCli(['logout', '--remove'], { env: e });
    }
  });

  it.skipIf(!keychain.ok)('a token on stdin goes to the OS keychain; a later ls uses it (real keychain)', async () => {
    const e = env();
    const login = await runCli(bs('login', '--profile', 'stdin-test'), { env: e, stdin: sim.token });
    expect(login.code, login.stderr).toBe(0);
    try {
      const ls = await runCli(['ls', '--json'], { env: e });
      expect(ls.code, ls.stderr).toBe(0);
      expect((JSON.parse(ls.stdout) as { projects: unknown[] }).projects).toHaveLength(sim.dataset.projects().length);
      // Logging out while the environment still holds a BrainSTEM token says so, by its name.
      const out = await runCli(['logout'], { env: { ...e, BRAINSTEM_TOKEN: sim.token } });
      expect(out.code, out.stderr).toBe(0);
      expect(out.stderr).toContain('note: BRAINSTEM_TOKEN is still set in this environment');
      expect(out.stderr).not.toContain(sim.token);
    } finally {
      await runCli(['logout', '--remove'], { env: e });
    }
  });
  if (!keychain.ok) it.skip(`login with a stored token: skipped because the OS keychain is not reachable here (${keychain.why})`, () => {});
});

describe('kill -9 mid-export, then studydl resume', () => {
  it('continues from the checkpoints and writes the same files as an uninterrupted run', async () => {
    const p = sim.dataset.projects().find((x) => x.sessionIds.length === 100)!;
    const e = env({ BRAINSTEM_TOKEN: sim.token });
    const args = (out: string) => bs('export', 'project', p.id, '--format', 'csv', '--zip', '--recordings', '--out', out, '--json', '--concurrency', '1');
    const clean = await runCli(args(path.join(root, 'clean')), { env: env({ BRAINSTEM_TOKEN: sim.token }) });
    expect(clean.code, clean.stderr).toBe(0);
    const cleanZip = /"path":"([^"]+)"/.exec(clean.stdout)![1];

    const dest = path.join(root, 'killed');
    // Hold back the manipulations' second page: the plan and the first pages are on disk, the export is still running.
    sim.setFaults({ rules: [{ match: 'manipulation/.*offset=100', kind: 'slow', delayMs: 30_000, count: 5 }] });
    let stdout = '';
    const child = spawn(process.execPath, ['--import', 'tsx', 'src-main/cli/main.ts', ...args(dest)], { cwd: REPO, env: e, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (c) => (stdout += c));
    const exited = new Promise<string | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    for (let i = 0; i < 600 && !/"phase":"fetching"/.test(stdout); i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    sim.resetFaults();
    expect((await readdir(dest)).every((x) => x.startsWith('.studydl-'))).toBe(true); // nothing looks finished
    const jobId = /"jobId":"([^"]+)"/.exec(stdout)![1];

    const resumed = await runCli(['resume', jobId, '--base-url', sim.baseUrl, '--json'], { env: e });
    expect(resumed.code, resumed.stderr).toBe(0);
    const zip = /"path":"([^"]+)"/.exec(resumed.stdout)![1];
    expect(path.dirname(zip)).toBe(dest);
    await execFileP('unzip', ['-tqq', zip]);
    const [a, b] = [await zipDigest(cleanZip), await zipDigest(zip)];
    // Same entries, same bytes (metadata.json compared without its times and request counts).
    expect([...b.keys()].map((k) => k.split('/').slice(1).join('/')).sort()).toEqual([...a.keys()].map((k) => k.split('/').slice(1).join('/')).sort());
    const strip = (m: Map<string, string>) => new Map([...m].map(([k, v]) => [k.split('/').slice(1).join('/'), v]));
    expect(strip(b)).toEqual(strip(a));
  });
});
