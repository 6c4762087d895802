// The config folder and everything the app keeps in it are the user's only: folders 0700,
// files 0600 (settings, profiles, jobs, rate-limit logs, and the locks beside them), even under
// a permissive umask (022, as most shells have).
import { execFile } from 'node:child_process';
import { mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../../src-main/core/create-core';
import { createMemoryStore } from '../../../src-main/core/secrets';
import { withFileLock } from '../../../src-main/core/state/file-lock';
import { startSimulator, type Simulator } from '../../sim/index';
import { removeDir, tempDir } from '../export/export-helpers';
import { cliEnv, REPO } from '../secrets/cli-run';

const exec = promisify(execFile);
let sim: Simulator;
let root: string;

beforeAll(async () => {
  sim = await startSimulator({ scale: 'tiny', seed: 2 });
  root = await tempDir('private-files-');
});
afterAll(async () => {
  await sim?.close();
  await removeDir(root);
});

const mode = async (p: string) => (await stat(p)).mode & 0o777;

/** Every folder and file under dir (dir included), with its mode. */
async function modes(dir: string): Promise<Map<string, number>> {
  const out = new Map<string, number>([['.', await mode(dir)]]);
  for (const rel of (await readdir(dir, { recursive: true })).map(String)) out.set(rel, await mode(path.join(dir, rel)));
  return out;
}

function expectPrivate(all: Map<string, number>, dirs: string[]) {
  for (const [rel, m] of all) {
    if (dirs.includes(rel)) expect(m.toString(8), `${rel} (folder)`).toBe('700');
    else expect(m.toString(8), rel).toBe('600');
  }
}

describe('private state files', () => {
  it('studydl: the config folder 0700, jobs and the key log 0600 (umask 022)', { timeout: 60_000 }, async () => {
    const home = path.join(root, 'cli-home');
    const env = cliEnv(home, { HYPERSTUDY_API_KEY: sim.apiKey, HYPERSTUDY_BASE_URL: sim.baseUrl });
    const exp = sim.dataset.experiments({ includeShared: false })[0];
    const args = ['--import', 'tsx', 'src-main/cli/main.ts', 'export', 'experiment', exp.id, '--types', 'chat', '--out', path.join(root, 'cli-out')];
    await exec('bash', ['-c', 'umask 022; exec "$0" "$@"', process.execPath, ...args], { cwd: REPO, env });
    const all = await modes(home);
    const names = [...all.keys()].sort();
    expect(names).toHaveLength(4);
    expect(names.slice(0, 3)).toEqual(['.', 'jobs.json', 'ratelimit']);
    expect(names[3]).toMatch(/^ratelimit\/key-[0-9a-f]{16}\.json$/);
    expectPrivate(all, ['.', 'ratelimit']);
  });

  it('the core: a config folder made 0755 becomes 0700; settings, jobs and key logs are 0600', { timeout: 60_000 }, async () => {
    const configDir = path.join(root, 'core-config');
    await mkdir(configDir, { mode: 0o755 });
    const downloads = path.join(root, 'core-downloads');
    const core = createCore({
      mode: 'browser',
      configDir,
      dataDir: path.join(configDir, 'jobs'),
      appVersion: '0.0.0-test',
      secretStore: createMemoryStore(),
      settings: { defaults: { downloadFolder: downloads } },
      demo: { baseUrl: sim.baseUrl, apiKey: sim.apiKey },
    });
    try {
      await core.ready;
      await core.api.updateSettings({ theme: 'dark' });
      const done = new Promise<string>((resolve) => core.on('jobState', (s) => ['completed', 'failed'].includes(s.state) && resolve(s.state)));
      await core.api.startExport({
        target: { level: 'experiment', path: [{ level: 'experiment', id: sim.dataset.experiments({ includeShared: false })[0].id }] },
        types: ['chat'], format: 'csv', zip: false, split: 'none', anonymize: 'keep', includeRecordings: false, bom: true, formulaProtection: false,
      });
      expect(await done).toBe('completed');
    } finally {
      await core.close();
    }
    const all = await modes(configDir);
    expect(all.has('settings.json')).toBe(true);
    expect(all.has('jobs/jobs.json')).toBe(true);
    expect([...all.keys()].some((k) => /^ratelimit\/key-[0-9a-f]{16}\.json$/.test(k))).toBe(true);
    expectPrivate(all, ['.', 'jobs', 'ratelimit']);
  });

  it('a lock, while held, is a 0700 folder beside its file', async () => {
    const file = path.join(root, 'locks', 'state.json');
    const seen = await withFileLock(file, () => mode(`${file}.lock`));
    expect(seen.toString(8)).toBe('700');
    expect(await readdir(path.dirname(file))).toEqual([]); // released: nothing left behind
  });
});
