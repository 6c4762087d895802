// BrainSTEM's credentials (a personal access token, a device-flow token, a password and the
// refresh tokens it turns into) are found in no file (config, data, output, ZIP entries), no log
// line and no WebSocket frame: browser mode driven over its real WebSocket, and the CLI as real
// processes (the environment's token; a token stored in the real keychain).
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Api } from '../../../../src-shared/contract';
import type { JobSnapshot } from '../../../../src-shared/model';
import type { WsTransport } from '../../../../src-shared/ws-client';
import type { Core } from '../../../../src-main/core/create-core';
import { createNodeCore } from '../../../../src-main/server/node-core';
import { startWebServer, type WebServer } from '../../../../src-main/server/web-server';
import { startBrainstemSimulator, type BrainstemSimulator } from '../../../sim/brainstem/index';
import { removeDir, tempDir } from '../../export/export-helpers';
import { cliEnv, filesContaining, probeTestKeychain, runCli, zipEntriesContaining, type CliResult } from '../../secrets/cli-run';
import { connectApi, fakeRendererDir } from '../../server/helpers';
import { recordingStore } from './helpers';
import { recordingLogger } from '../../../recording-logger';

vi.setConfig({ testTimeout: 180_000 });

let sim: BrainstemSimulator;
let root: string;
const keychain = await probeTestKeychain();

beforeAll(async () => {
  sim = await startBrainstemSimulator({ scale: 'tiny', seed: 8 });
  root = await tempDir('bs-secrets-');
});
afterAll(async () => {
  await sim?.close();
  await removeDir(root);
});

async function nowhereOnDisk(dirs: string[], secret: string): Promise<void> {
  for (const dir of dirs) {
    expect(await filesContaining(dir, secret), `found under ${dir}`).toEqual([]);
    const zips = (await readdir(dir, { recursive: true }).catch(() => [] as string[])).map(String).filter((x) => x.endsWith('.zip'));
    for (const f of zips) expect(zipEntriesContaining(path.join(dir, f), secret), f).toEqual([]);
  }
}

describe('browser mode: no credential in any WebSocket frame, log line or file', () => {
  let core: Core;
  let server: WebServer;
  let api: Api;
  let transport: WsTransport;
  let frames: string[];
  const store = recordingStore();
  const logger = recordingLogger();
  let home: string;

  beforeAll(async () => {
    home = path.join(root, 'browser');
    const downloads = path.join(home, 'downloads');
    await mkdir(downloads, { recursive: true });
    core = createNodeCore({ configDir: path.join(home, 'config'), dataDir: path.join(home, 'data'), keyStore: store, env: {}, logger, settingsDefaults: { downloadFolder: downloads } });
    await core.ready;
    server = await startWebServer({ core, rendererDir: await fakeRendererDir(), logger });
    ({ api, transport, frames } = await connectApi(server.port, server.token));
  });
  afterAll(async () => {
    transport?.close();
    await server?.close();
    await core?.close();
  });

  async function exportAll(): Promise<JobSnapshot> {
    const p = sim.dataset.projects()[0];
    const target = { level: 'project', path: [{ level: 'project', id: p.id }] };
    await api.getPreview({ target, type: 'data_acquisitions', offset: 0, limit: 50 });
    await api.planExport({ target, types: ['sessions', 'data_acquisitions'], includeRecordings: true });
    const job = await api.startExport({ target, types: ['sessions', 'data_acquisitions', 'epochs', 'subjects', 'procedure_logs'], format: 'csv', zip: true, split: 'none', anonymize: 'keep', includeRecordings: true, bom: true, formulaProtection: false });
    for (let i = 0; i < 600; i++) {
      const j = (await api.listJobs()).find((x) => x.id === job.id)!;
      if (j.state === 'completed' || j.state === 'failed') return j;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the export did not finish');
  }

  it('a pasted token, a browser sign-in and an email/password sign-in, each browsing and exporting', async () => {
    // 1. A pasted token.
    const added = await api.addProfile({ name: 'Pasted', source: 'brainstem', baseUrl: sim.baseUrl, portal: 'private', apiKey: sim.token });
    expect(added.profile?.active).toBe(true);
    await api.listLevel({ level: 'project', parentPath: [] });
    expect((await exportAll()).state).toBe('completed');

    // 2. The browser's device flow (the simulator's real 5 s interval).
    const start = await api.startDeviceSignIn({ name: 'Browser', source: 'brainstem', baseUrl: sim.baseUrl });
    if (start.kind !== 'code') throw new Error('no code');
    const finished = api.finishDeviceSignIn({ flowId: start.flowId });
    sim.device.approve(start.userCode);
    expect((await finished).profile?.authMethod).toBe('device-flow');
    await api.listLevel({ level: 'project', parentPath: [], refresh: true });

    // 3. Email and password: only refresh tokens are kept, and they rotate.
    const signed = await api.signInWithPassword({ name: 'Password', source: 'brainstem', baseUrl: sim.baseUrl, email: sim.credentials.email, password: sim.credentials.password });
    expect(signed.profile?.authMethod).toBe('password-refresh');
    await api.listLevel({ level: 'project', parentPath: [], refresh: true });
    expect((await exportAll()).state).toBe('completed');

    const secrets = [sim.token, sim.credentials.password, ...store.everSet];
    expect(store.everSet.length).toBeGreaterThanOrEqual(4); // pasted, device, refresh, rotated refresh
    expect(frames.length).toBeGreaterThan(10);
    for (const secret of secrets) {
      for (const f of frames) expect(f.includes(secret), 'a frame carries a credential').toBe(false);
      expect(logger.lines.join('\n')).not.toContain(secret);
      await nowhereOnDisk([home], secret);
    }
  });
});

describe('the CLI: no token in any file, ZIP entry or line of output', () => {
  const outputs: CliResult[] = [];
  const record = (r: CliResult) => (outputs.push(r), r);

  it('the environment’s token: a folder export, a ZIP export', async () => {
    const home = path.join(root, 'cli-env');
    const out = path.join(root, 'cli-env-out');
    const env = cliEnv(home, { BRAINSTEM_TOKEN: sim.token, BRAINSTEM_URL: sim.baseUrl, DBUS_SESSION_BUS_ADDRESS: undefined });
    const p = sim.dataset.projects()[2].id;
    expect(record(await runCli(['--source', 'brainstem', 'export', 'project', p, '--recordings', '--out', path.join(out, 'folder')], { env })).code).toBe(0);
    expect(record(await runCli(['--source', 'brainstem', 'export', 'project', p, '--recordings', '--zip', '--format', 'json', '--out', path.join(out, 'zip')], { env })).code).toBe(0);
    await nowhereOnDisk([home, out], sim.token);
  });

  it.skipIf(!keychain.ok)('a token stored in the real keychain: login, export from a new process, logout', async () => {
    const home = path.join(root, 'cli-kc');
    const out = path.join(root, 'cli-kc-out');
    const env = cliEnv(home);
    expect(record(await runCli(['--source', 'brainstem', 'login', '--base-url', sim.baseUrl, '--profile', 'bs-secrets-test'], { env, stdin: sim.token })).code).toBe(0);
    try {
      expect(record(await runCli(['export', 'project', sim.dataset.projects()[0].id, '--zip', '--out', out], { env })).code).toBe(0);
      await nowhereOnDisk([home, out], sim.token);
    } finally {
      record(await runCli(['logout', '--remove'], { env }));
    }
  });
  if (!keychain.ok) it.skip(`a token in the keychain: skipped because the OS keychain is not reachable here (${keychain.why})`, () => {});

  it('no output line carried it', () => {
    expect(outputs.length).toBeGreaterThanOrEqual(2);
    for (const o of outputs) expect(o.stdout + o.stderr).not.toContain(sim.token);
  });
});
