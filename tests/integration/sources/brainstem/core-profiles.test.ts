// BrainSTEM connections the core makes without a dialog: the demo's (npm run demo opens with a
// HyperStudy and a BrainSTEM connection) and the environment's token (BRAINSTEM_TOKEN with
// BRAINSTEM_URL, the same rule as HyperStudy's key: its own in-memory profile at its own server,
// never lent to a connection added in the app).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../../../src-main/core/create-core';
import { environmentKeyDeps, environmentKeyMayGoTo } from '../../../../src-main/core/secrets/environment-key';
import { sourceModule } from '../../../../src-main/core/sources/registry';
import { createNodeCore } from '../../../../src-main/server/node-core';
import { startSimulator, type Simulator } from '../../../sim/index';
import { startBrainstemSimulator, type BrainstemSimulator } from '../../../sim/brainstem/index';
import { makeCore, removeDir, tempRoot } from './helpers';

let hs: Simulator;
let bs: BrainstemSimulator;
let other: BrainstemSimulator;
let root: string;
const cores: Core[] = [];

beforeAll(async () => {
  [hs, bs, other] = await Promise.all([startSimulator({ scale: 'tiny' }), startBrainstemSimulator({ scale: 'tiny', seed: 2 }), startBrainstemSimulator({ scale: 'tiny', seed: 9 })]);
  root = await tempRoot('bs-core-profiles-');
});
afterAll(async () => {
  for (const c of cores) await c.close();
  await Promise.all([hs?.close(), bs?.close(), other?.close()]);
  await removeDir(root);
});

describe('the demo', () => {
  it('opens with a HyperStudy connection (active) and a BrainSTEM one, both in memory only', async () => {
    const core = createNodeCore({
      configDir: join(root, 'demo'),
      keyStore: 'memory',
      env: {},
      demo: { baseUrl: hs.baseUrl, apiKey: hs.apiKey, organizationId: hs.orgId },
      moreDemos: [{ source: 'brainstem', baseUrl: bs.baseUrl, apiKey: bs.token }],
    });
    cores.push(core);
    await core.ready;
    const profiles = await core.api.listProfiles(undefined);
    expect(profiles.map((p) => [p.source, p.active, p.demo, p.keyStorage.kind])).toEqual([
      ['hyperstudy', true, true, 'session-only'],
      ['brainstem', false, true, 'session-only'],
    ]);
    expect((await core.api.getAppInfo(undefined)).demo).toBe(true);
    const brainstem = profiles[1];
    await core.api.activateProfile({ id: brainstem.id });
    expect((await core.api.describeSource(undefined)).id).toBe('brainstem');
    expect((await core.api.listLevel({ level: 'project', parentPath: [] })).items).toHaveLength(bs.dataset.projects().length);
    expect(JSON.stringify(await core.api.listProfiles(undefined))).not.toContain(bs.token);
  });
});

describe('the environment’s token', () => {
  it('is its own profile at BRAINSTEM_URL (or brainstem.org), beside HyperStudy’s; a connection added in the app keeps its own token', async () => {
    const deps = environmentKeyDeps({ BRAINSTEM_API_TOKEN: bs.token, BRAINSTEM_URL: bs.baseUrl, HYPERSTUDY_API_KEY: hs.apiKey });
    expect(deps).toEqual({ envKey: hs.apiKey, envKeys: { brainstem: { key: bs.token, baseUrl: bs.baseUrl } } });
    const { core } = await makeCore(join(root, 'env'), deps);
    cores.push(core);
    const listed = await core.api.listProfiles(undefined);
    expect(listed.map((p) => [p.id, p.name, p.source, p.baseUrl, p.active, p.keyStorage.kind])).toEqual([
      ['environment', 'HYPERSTUDY_API_KEY', 'hyperstudy', 'https://api.hyperstudy.io/api/v3', true, 'environment'],
      ['environment-brainstem', 'BRAINSTEM_TOKEN', 'brainstem', bs.baseUrl, false, 'environment'],
    ]);
    await core.api.activateProfile({ id: 'environment-brainstem' });
    expect((await core.api.listLevel({ level: 'project', parentPath: [] })).items).toHaveLength(bs.dataset.projects().length);
    // Another server, added in the app with its own token: the environment's is never sent there.
    other.resetCounters();
    const added = await core.api.addProfile({ name: 'Other lab', source: 'brainstem', baseUrl: other.baseUrl, portal: 'private', apiKey: other.token });
    expect(added.profile?.active).toBe(true);
    expect((await core.api.listLevel({ level: 'project', parentPath: [], refresh: true })).items).toHaveLength(other.dataset.projects().length);
    expect(other.counters().unauthorized).toBe(0);
    await expect(core.api.removeProfile({ id: 'environment-brainstem' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/BRAINSTEM_TOKEN/) });
  });

  it('without BRAINSTEM_URL it belongs to brainstem.org only', async () => {
    const { core } = await makeCore(join(root, 'env-default'), environmentKeyDeps({ BRAINSTEM_TOKEN: bs.token }));
    cores.push(core);
    const [p] = await core.api.listProfiles(undefined);
    expect(p).toMatchObject({ id: 'environment-brainstem', baseUrl: 'https://www.brainstem.org/api', active: true, portal: 'private' });
  });
});

describe('where an environment token may be sent', () => {
  it('BrainSTEM’s: its BRAINSTEM_URL, brainstem.org, or this machine (a local simulator); never another server. HyperStudy’s rule is unchanged', () => {
    const b = sourceModule('brainstem');
    expect(environmentKeyMayGoTo('https://www.brainstem.org/api', undefined, b)).toBe(true);
    expect(environmentKeyMayGoTo('http://127.0.0.1:8790/api', undefined, b)).toBe(true);
    expect(environmentKeyMayGoTo('http://localhost:8790/api', undefined, b)).toBe(true);
    expect(environmentKeyMayGoTo('https://lab.example.org/api', 'https://lab.example.org/', b)).toBe(true);
    expect(environmentKeyMayGoTo('https://brainstem.example.org/api', undefined, b)).toBe(false);
    expect(environmentKeyMayGoTo('https://evil.example/api', 'https://lab.example.org/', b)).toBe(false);
    // HyperStudy's key still goes to HYPERSTUDY_BASE_URL or production only, not to this machine.
    expect(environmentKeyMayGoTo('http://127.0.0.1:8787/api/v3', undefined)).toBe(false);
  });
});
