// `studydl profiles` and `studydl jobs` as a researcher reads them, real processes against both
// simulators: the table of connections (a source column once two sources are in it), switching
// and removing by name, refusals in words; the list of downloads before and after an export, and resuming a finished one.
// No keychain here (no session bus): connections are saved, their keys are not.
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { BrainstemSimulator } from '../../sim/brainstem/index';
import type { Simulator } from '../../sim/index';
import { bothSimulatorsPerFile } from './both-simulators';
import { cliEnv, runCli, noBus } from '../secrets/cli-run';

vi.setConfig({ testTimeout: 180_000 });

let hs: Simulator;
let bs: BrainstemSimulator;
let root = '';
bothSimulatorsPerFile('sd-cli-profiles-', (h, b, r) => {
  hs = h;
  bs = b;
  root = r;
});

describe('studydl profiles', () => {
  it('lists both sources in one table, switches and removes by name, and refuses what it cannot do in words', async () => {
    const env = cliEnv(path.join(root, 'profiles'), noBus);
    const empty = await runCli(['profiles'], { env });
    expect(empty.code, empty.stderr).toBe(0);
    expect(empty.stdout).toMatch(/No connection profiles yet/);

    expect((await runCli(['login', '--base-url', hs.baseUrl, '--profile', 'Lab'], { env, stdin: `${hs.apiKey}\n` })).code).toBe(0);
    const bsLogin = await runCli(['--source', 'brainstem', '--base-url', bs.baseUrl, 'login', '--profile', 'Notebook'], { env, stdin: `${bs.token}\n` });
    expect(bsLogin.code, bsLogin.stderr).toBe(0);

    const list = await runCli(['profiles'], { env });
    expect(list.code, list.stderr).toBe(0);
    const lines = list.stdout.trim().split('\n').filter((l) => !/^[-\s]+$/.test(l));
    expect(lines[0]).toMatch(/NAME\s+SOURCE\s+ENVIRONMENT\s+BASE URL/);
    const row = (name: string) => lines.find((l) => l.includes(` ${name} `) || l.includes(`${name} `))!;
    expect(row('Lab')).toMatch(/hyperstudy/);
    expect(row('Notebook')).toMatch(/brainstem/);
    expect(row('Notebook').trimStart().startsWith('*')).toBe(true); // the last one added is active
    // No key was remembered here: the KEY column says so, and no key is printed.
    expect(list.stdout).not.toContain(hs.apiKey);
    expect(list.stdout).not.toContain(bs.token);

    const use = await runCli(['profiles', 'use', 'Lab'], { env });
    expect(use.code, use.stderr).toBe(0);
    expect(use.stdout).toMatch(/Now using the connection “Lab”/);
    const json = JSON.parse((await runCli(['profiles', '--json'], { env })).stdout) as { profiles: Array<{ name: string; active: boolean; source: string }> };
    expect(json.profiles.map((p) => [p.name, p.source, p.active])).toEqual(expect.arrayContaining([['Lab', 'hyperstudy', true], ['Notebook', 'brainstem', false]]));

    const rm1 = await runCli(['profiles', 'rm', 'Notebook'], { env });
    expect(rm1.code, rm1.stderr).toBe(0);
    expect(rm1.stdout).toMatch(/Removed the connection “Notebook”/);
    // With one source left, the table drops its source column.
    expect(rm1.stdout).not.toMatch(/SOURCE/);

    const unknown = await runCli(['profiles', 'rename', 'Lab'], { env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/"rename" is not a profiles action/);
    const which = await runCli(['profiles', 'use'], { env });
    expect(which.code).toBe(2);
    expect(which.stderr).toMatch(/needs a profile name/);
    const missing = await runCli(['profiles', 'use', 'Nobody'], { env });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/Nobody/);
  });
});

describe('studydl jobs', () => {
  it('says there are no downloads yet, then lists an export with its state and where it went', async () => {
    const env = cliEnv(path.join(root, 'jobs'), { ...noBus, HYPERSTUDY_API_KEY: hs.apiKey, HYPERSTUDY_BASE_URL: hs.baseUrl });
    const none = await runCli(['jobs'], { env });
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout.trim()).toBe('No downloads yet.');

    const exp = hs.dataset.experiments()[0];
    const out = path.join(root, 'jobs-out');
    const exported = await runCli(['export', 'experiment', exp.id, '--types', 'events', '--format', 'csv', '--out', out, '--json'], { env });
    expect(exported.code, exported.stderr).toBe(0);
    const outputPath = /"path":"([^"]+)"/.exec(exported.stdout)![1];

    const jobs = await runCli(['jobs'], { env });
    expect(jobs.code, jobs.stderr).toBe(0);
    const [head, rule, ...rows] = jobs.stdout.trim().split('\n');
    expect(head).toMatch(/ID\s+STATE\s+PROGRESS\s+CREATED\s+TITLE\s+OUTPUT/);
    expect(rule).toMatch(/^[-\s]+$/);
    expect(rows, jobs.stdout).toHaveLength(1);
    expect(rows[0]).toMatch(/completed/);
    expect(rows[0]).toMatch(/100%/);
    expect(rows[0]).toContain(outputPath);
    const listed = JSON.parse((await runCli(['jobs', '--json'], { env })).stdout) as Array<{ state: string; outputPath: string }>;
    expect(listed).toMatchObject([{ state: 'completed', outputPath }]);

    // Resuming a finished download fetches nothing again: it prints where the download is.
    const jobId = /"jobId":"([^"]+)"/.exec(exported.stdout)![1];
    const before = hs.counters().requests;
    const resumed = await runCli(['resume', jobId], { env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout.trim()).toBe(outputPath);
    expect(hs.counters().requests).toBe(before);
  });
});
