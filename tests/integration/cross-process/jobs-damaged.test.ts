// A damaged jobs file loses nothing that can be read. Three real downloads are made with
// `studydl export`; then their jobs.json gets a null entry and a misshapen one, or is cut off in
// the middle of the last job. `studydl jobs` still lists every good job, sets the damaged file
// aside as jobs.json.corrupt-<time> (byte for byte), names it in a warning, and later commands
// go on as usual. Browser mode (the core) does the same and says so in a notice.
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Notice } from '../../../src-shared/model';
import { createNodeCore } from '../../../src-main/server/node-core';
import { startSimulator, type Simulator } from '../../sim/index';
import { removeDir, tempDir } from '../export/export-helpers';
import { cliEnv, runCli } from '../secrets/cli-run';

let sim: Simulator;
let root: string;
/** The sound jobs.json of three finished downloads, and their ids in file order. */
let pristine: string;
let ids: string[];

const env = (home: string) => cliEnv(home, { HYPERSTUDY_API_KEY: sim.apiKey, HYPERSTUDY_BASE_URL: sim.baseUrl, NO_COLOR: '1' });

async function listed(home: string): Promise<{ code: number | null; ids: string[]; stderr: string; states: string[] }> {
  const r = await runCli(['jobs', '--json'], { env: env(home) });
  const jobs = r.code === 0 ? (JSON.parse(r.stdout) as Array<{ id: string; state: string }>) : [];
  return { code: r.code, ids: jobs.map((j) => j.id).sort(), states: jobs.map((j) => j.state), stderr: r.stderr };
}

async function homeWith(name: string, jobsText: string): Promise<string> {
  const home = path.join(root, name);
  await mkdir(home, { recursive: true });
  await writeFile(path.join(home, 'jobs.json'), jobsText);
  return home;
}

async function backups(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => /^jobs\.json\.corrupt-\d{4}-\d\d-\d\dT[\d-]+Z$/.test(n));
}

beforeAll(async () => {
  sim = await startSimulator({ scale: 'tiny', seed: 5 });
  root = await tempDir('jobs-damaged-');
  const home = path.join(root, 'source');
  for (const [i, e] of sim.dataset.experiments({ includeShared: false }).slice(0, 2).entries()) {
    for (const types of i === 0 ? ['chat', 'sync'] : ['chat']) {
      const r = await runCli(['export', 'experiment', e.id, '--types', types, '--out', path.join(root, 'downloads'), '--json'], { env: env(home) });
      expect(r.code, r.stderr).toBe(0);
    }
  }
  pristine = await readFile(path.join(home, 'jobs.json'), 'utf8');
  ids = Object.keys((JSON.parse(pristine) as { jobs: Record<string, unknown> }).jobs);
  expect(ids).toHaveLength(3);
}, 120_000);
afterAll(async () => {
  await sim?.close();
  await removeDir(root);
});

describe('a damaged jobs file', { timeout: 60_000 }, () => {
  it('a null entry and a misshapen one: studydl jobs lists the good jobs, keeps a backup and names it', async () => {
    const data = JSON.parse(pristine) as { jobs: Record<string, unknown> };
    data.jobs.job_null = null;
    data.jobs.job_shape = { snapshot: 42, workDir: 7 };
    const damaged = JSON.stringify(data, null, 2);
    const home = await homeWith('null-entry', damaged);

    const r = await listed(home);
    expect(r.code, r.stderr).toBe(0);
    expect(r.ids).toEqual([...ids].sort());
    expect(r.states.every((s) => s === 'completed')).toBe(true);
    const [backup] = await backups(home);
    expect(backup).toBeTruthy();
    expect(await readFile(path.join(home, backup), 'utf8')).toBe(damaged);
    expect(r.stderr).toContain(path.join(home, 'jobs.json'));
    expect(r.stderr).toContain(path.join(home, backup));
    expect(r.stderr).toMatch(/2 entries were empty or not a download/);

    // The file is sound again: the next run lists the same jobs without a warning.
    const again = await listed(home);
    expect(again.ids).toEqual([...ids].sort());
    expect(again.stderr).toBe('');
    expect(await backups(home)).toHaveLength(1);
  });

  it('a file cut off inside the last job: the complete ones are listed, the file is backed up, and exports go on', async () => {
    const last = ids[ids.length - 1];
    const cut = pristine.slice(0, pristine.indexOf(`"${last}"`) + 60);
    const home = await homeWith('truncated', cut);

    const r = await listed(home);
    expect(r.code, r.stderr).toBe(0);
    expect(r.ids).toEqual(ids.slice(0, -1).sort());
    const [backup] = await backups(home);
    expect(await readFile(path.join(home, backup), 'utf8')).toBe(cut);
    expect(r.stderr).toMatch(/cut off or is not valid JSON/);
    expect(r.stderr).toContain(path.join(home, backup));

    // It goes on: a new export is queued, run and listed beside the recovered ones.
    const e = sim.dataset.experiments({ includeShared: false })[0];
    const exp = await runCli(['export', 'experiment', e.id, '--types', 'chat', '--out', path.join(root, 'downloads-2'), '--json'], { env: env(home) });
    expect(exp.code, exp.stderr).toBe(0);
    const after = await listed(home);
    expect(after.ids).toHaveLength(ids.length);
    expect(after.ids).toEqual(expect.arrayContaining(ids.slice(0, -1)));
    expect(after.stderr).toBe('');
  });

  it('a file that is not JSON at all: nothing to keep, still backed up, and the listing is empty', async () => {
    const home = await homeWith('garbage', '\u0000\u0000\u0000 not json');
    const r = await listed(home);
    expect(r.code, r.stderr).toBe(0);
    expect(r.ids).toEqual([]);
    expect(await backups(home)).toHaveLength(1);
  });

  it('browser mode starts anyway, lists the good jobs and sends a notice naming the file', async () => {
    const configDir = path.join(root, 'browser');
    const dataDir = path.join(configDir, 'jobs');
    await mkdir(dataDir, { recursive: true });
    const data = JSON.parse(pristine) as { jobs: Record<string, unknown> };
    data.jobs.job_null = null;
    await writeFile(path.join(dataDir, 'jobs.json'), JSON.stringify(data));
    const core = createNodeCore({ configDir, dataDir, keyStore: 'memory', env: {} });
    const notices: Notice[] = [];
    core.on('notice', (n) => notices.push(n));
    try {
      await core.ready;
      const jobs = await core.api.listJobs(undefined);
      expect(jobs.map((j) => j.id).sort()).toEqual([...ids].sort());
      expect(notices.some((n) => n.level === 'warning' && n.message.includes(path.join(dataDir, 'jobs.json')) && /corrupt-/.test(n.message))).toBe(true);
      expect(await backups(dataDir)).toHaveLength(1);
      expect((await stat(path.join(dataDir, 'jobs.json'))).mode & 0o777).toBe(0o600);
    } finally {
      await core.close();
    }
  });
});

