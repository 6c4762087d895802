// The connection status tells the truth, counted rather than timed: against the simulator with a
// fetch we can cut, the core says "offline" after the FIRST refused attempt (while the request is
// still retrying), spends no rate budget on connections that never happened, looks again with a
// keyless probe that never touches the budget, and says "online" once the server answers.
// The plan the dialog showed is what Start uses: the export sends no planning requests twice.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionStatus } from '../../../src-shared/model';
import { createCore, type Core } from '../../../src-main/core/create-core';
import { createMemoryStore } from '../../../src-main/core/secrets';
import { startSimulator, type Simulator } from '../../sim';
import { hsTarget } from '../../hs-paths';

let sim: Simulator;
let root: string;
const cores: Core[] = [];
beforeAll(async () => {
  sim = await startSimulator({ scale: 'tiny', seed: 3 });
  root = await mkdtemp(join(tmpdir(), 'studydl-conn-'));
});
afterAll(async () => {
  for (const c of cores) await c.close();
  await sim?.close();
  await rm(root, { recursive: true, force: true });
});

/** A fetch that can be cut: while `down`, every attempt fails like a refused connection. */
function cuttableFetch() {
  const state = { down: false, attempts: 0, apiAttempts: 0 };
  const f: typeof fetch = async (input, init) => {
    state.attempts++;
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.endsWith('/health')) state.apiAttempts++;
    if (state.down) throw Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    return fetch(input, init);
  };
  return { fetch: f, state };
}

async function makeCore(name: string, fetchImpl: typeof fetch, demo: { apiKey?: string } = {}) {
  const dir = join(root, name);
  await mkdir(join(dir, 'downloads'), { recursive: true });
  const core = createCore({
    mode: 'browser',
    configDir: join(dir, 'config'),
    dataDir: join(dir, 'jobs'),
    appVersion: '0.0.0-test',
    secretStore: createMemoryStore(),
    settings: { defaults: { downloadFolder: join(dir, 'downloads') } },
    demo: { baseUrl: sim.baseUrl, apiKey: sim.apiKey, ...demo },
    fetch: fetchImpl,
    // Retries back off at once (no waiting in tests); the offline re-check is quick.
    clock: { now: () => Date.now(), sleep: async (_ms, signal) => { if (signal?.aborted) throw signal.reason; } },
    recheck: { minMs: 20, maxMs: 40 },
  });
  cores.push(core);
  await core.ready;
  return core;
}

function waitFor(core: Core, want: (s: ConnectionStatus) => boolean): Promise<ConnectionStatus> {
  return new Promise((resolve) => {
    const off = core.on('connectionStatus', (s) => {
      if (want(s)) {
        off();
        resolve(s);
      }
    });
  });
}

describe('connection status', { timeout: 60_000 }, () => {
  it('says offline after one failed attempt, costs no budget while down, and comes back by itself', async () => {
    const { fetch: f, state } = cuttableFetch();
    const core = await makeCore('offline', f);
    expect((await core.api.checkConnection(undefined)).state).toBe('online');
    await core.api.listLevel({ level: 'experiment', parentPath: [] });
    const before = await core.api.getRateBudget(undefined);

    state.down = true;
    let attemptsWhenOffline = -1;
    const offline = waitFor(core, (s) => s.state === 'offline').then((s) => {
      attemptsWhenOffline = state.apiAttempts;
      return s;
    });
    const apiBefore = state.apiAttempts;
    const call = core.api.listLevel({ level: 'experiment', parentPath: [], refresh: true }).then(() => null, (e: unknown) => e);
    const status = await offline;
    // The first refused attempt said it; the request went on retrying after that.
    expect(attemptsWhenOffline - apiBefore).toBe(1);
    expect(status.message).toMatch(/Can.t reach .*refused/);
    expect(status.fix).toMatch(/keeps trying/);
    expect(status.nextCheckAt).toBeTruthy();
    const err = (await call) as { code?: string } | null;
    expect(err?.code).toBe('UNREACHABLE');
    expect(state.apiAttempts - apiBefore).toBeGreaterThan(1);
    // Nothing reached the server, so nothing was spent.
    expect((await core.api.getRateBudget(undefined)).keyRemaining).toBe(before.keyRemaining);

    // Back: the keyless probe notices, the full check confirms, and the status says so.
    const online = waitFor(core, (s) => s.state === 'online');
    state.down = false;
    expect((await online).state).toBe('online');
    expect((await core.api.getConnectionStatus(undefined)).nextCheckAt).toBeUndefined();
  });

  it('Start uses the plan the dialog showed: no planning request is sent twice', async () => {
    const { fetch: f } = cuttableFetch();
    const core = await makeCore('plan-reuse', f);
    // Let the start-up connection check finish (the planner counts the client's requests).
    if ((await core.api.getConnectionStatus(undefined)).state !== 'online') await waitFor(core, (st) => st.state === 'online');
    const exp = sim.dataset.experiments()[0];
    const room = sim.dataset.rooms(exp.id)[0];
    const target = hsTarget(exp.id, room.id);
    const types = ['events' as const, 'chat' as const];
    const data = (c: ReturnType<Simulator['counters']>) => (c.byEndpoint['/data/events/room/{id}'] ?? 0) + (c.byEndpoint['/data/chat/room/{id}'] ?? 0);
    const before = sim.counters();
    const plan = await core.api.planExport({ target, types, includeRecordings: false });
    expect(data(sim.counters()) - data(before)).toBe(plan.requestsSpentPlanning);
    const job = await core.api.startExport({ target, types, format: 'csv', zip: false, split: 'none', anonymize: 'keep', includeRecordings: false, bom: true, formulaProtection: false });
    const done = await new Promise<import('../../../src-shared/model').JobSnapshot>((resolve) => {
      const off = core.on('jobState', (s) => {
        if (s.id === job.id && (s.state === 'completed' || s.state === 'failed')) {
          off();
          resolve(s);
        }
      });
    });
    expect(done.state).toBe('completed');
    const streamRequests = plan.streams.reduce((n, s) => n + s.requests, 0);
    // Every data page was fetched once: the plan's first pages were not fetched again.
    expect(data(sim.counters()) - data(before)).toBe(streamRequests);
    // One count everywhere: what the job used is what the plan said it needs.
    expect(done.progress.requestsUsed).toBe(plan.requestsNeeded);
    expect(done.progress.requestsPlanned).toBe(plan.requestsNeeded);
    // The title named the study from the start (the listings the app had loaded).
    expect(job.title).toMatch(/^Room/);
  });
});

describe('connection status: what a failed check says', { timeout: 60_000 }, () => {
  afterEach(() => sim.resetFaults());

  it('a key the server does not know: unauthorized, not offline', async () => {
    // Well-formed (it passes the format check), but not one of the simulator's keys.
    const wrong = sim.apiKey.slice(0, -6) + (sim.apiKey.endsWith('000000') ? '111111' : '000000');
    const core = await makeCore('unknown-key', fetch, { apiKey: wrong });
    const status = await core.api.checkConnection(undefined);
    expect(status).toMatchObject({ state: 'unauthorized', message: expect.any(String), fix: expect.any(String) });
    expect(JSON.stringify(status)).not.toContain(wrong);
  });

  it('a web page where the API should answer: not HyperStudy', async () => {
    sim.setFaults({ rules: [{ match: '/health', kind: 'html', status: 200, count: 50 }] });
    const core = await makeCore('web-page', fetch);
    expect(await core.api.checkConnection(undefined)).toMatchObject({ state: 'not-hyperstudy' });
  });

  it('a server that keeps failing: offline in its words, and online again once it recovers', async () => {
    sim.setFaults({ rules: [{ match: '/health', kind: 'error', status: 500, count: 1_000 }] });
    const core = await makeCore('server-error', fetch);
    const status = await core.api.checkConnection(undefined);
    expect(status).toMatchObject({ state: 'offline', message: expect.stringMatching(/500/), nextCheckAt: expect.any(String) });
    const online = waitFor(core, (s) => s.state === 'online');
    sim.resetFaults();
    expect((await online).state).toBe('online');
  });
});
