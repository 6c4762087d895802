// Browser mode against the real core and the simulator: the Host and Origin gates for HTTP, the
// token (as a subprotocol) on the WebSocket upgrade, one-time download tickets, no cookie ever,
// then real calls end to end over the WebSocket client.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hsPath, hsTarget } from '../../hs-paths';
import type { Api } from '../../../src-shared/contract';
import type { JobProgress, JobSnapshot } from '../../../src-shared/model';
import type { WsTransport } from '../../../src-shared/ws-client';
import { startAppServer, type AppServer } from '../../e2e/fixtures/app-server';
import { startWebServer } from '../../../src-main/server/web-server';
import { downloadPathFor, downloadPathWithTicket, WS_SUBPROTOCOL, webSocketProtocolsFor } from '../../../src-shared/ws-protocol';
import { connectApi, fakeRendererDir, httpGet, tryUpgrade } from './helpers';
import { rawUpgrade } from './raw-ws';

let app: AppServer;
let api: Api;
let transport: WsTransport;
let frames: string[];

beforeAll(async () => {
  app = await startAppServer({ scale: 'small', rendererDir: await fakeRendererDir() });
  ({ api, transport, frames } = await connectApi(app.port, app.token));
});
afterAll(async () => {
  transport?.close();
  await app?.close();
});

describe('HTTP gate', () => {
  it('serves the app shell without a token (it holds no data), but only for our own Host and Origin', async () => {
    for (const path of ['/', '/index.html', '/assets/app.js', '/some/client/route']) expect((await httpGet(app.port, path)).status).toBe(200);
    expect((await httpGet(app.port, '/', { origin: 'http://evil.example' })).status).toBe(403);
    expect((await httpGet(app.port, '/', { origin: `http://127.0.0.1:${app.port + 1}` })).status).toBe(403);
    expect((await httpGet(app.port, '/', { host: 'evil.example' })).status).toBe(403);
    expect((await httpGet(app.port, '/', { host: `127.0.0.1:${app.port + 1}` })).status).toBe(403);
    expect((await httpGet(app.port, '/', { origin: app.origin })).status).toBe(200);
  });

  it('never sets a cookie, never echoes the token, and sends a strict CSP', async () => {
    for (const path of ['/', `/?token=${app.token}`, '/assets/app.js', '/download/x', '/ws', '/missing.js']) {
      const r = await httpGet(app.port, path, { 'x-study-token': app.token });
      expect(r.headers['set-cookie']).toBeUndefined();
      expect(JSON.stringify(r.headers)).not.toContain(app.token);
      expect(r.body.toString()).not.toContain(app.token);
    }
    const r = await httpGet(app.port, '/', { origin: app.origin });
    const csp = String(r.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`ws://127.0.0.1:${app.port}`);
    expect(r.headers['referrer-policy']).toBe('no-referrer');
  });

  it('answers a request it cannot take with 400 or 431 instead of failing', async () => {
    expect((await httpGet(app.port, 'http://[')).status).toBe(400);
    expect((await httpGet(app.port, '/', { 'x-padding': 'a'.repeat(20_000) })).status).toBe(431);
    const badJobId = await httpGet(app.port, '/download/%E0%A4%A');
    expect([badJobId.status, badJobId.body.toString()]).toEqual([400, 'Bad job id\n']);
    expect((await httpGet(app.port, '/')).status).toBe(200);
  });

  it('says how to build the app when its page is missing, instead of a bare 404', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'studydl-unbuilt-'));
    const server = await startWebServer({ core: app.core, rendererDir: empty, host: '127.0.0.1' });
    try {
      for (const path of ['/', '/index.html']) {
        const r = await httpGet(server.port, path);
        expect(r.status).toBe(503);
        expect(r.body.toString()).toMatch(/not built yet\. Run `npm run build`/);
      }
      expect((await httpGet(server.port, '/assets/app.js')).status).toBe(404);
    } finally {
      await server.close();
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('never serves files outside the renderer folder, and only GET/HEAD', async () => {
    expect((await httpGet(app.port, '/../../../../etc/passwd')).body.toString()).not.toMatch(/root:/);
    const encoded = await httpGet(app.port, '/%2e%2e/%2e%2e/%2e%2e/etc/passwd');
    expect(encoded.body.toString()).not.toMatch(/root:/);
    expect((await httpGet(app.port, '/..%2f..%2f..%2fetc%2fpasswd')).body.toString()).not.toMatch(/root:/);
    expect((await httpGet(app.port, '/assets/missing.js')).status).toBe(404);
    expect((await httpGet(app.port, '/', {}, 'POST')).status).toBe(405);
  });
});

describe('WebSocket gate', () => {
  const base = () => `ws://127.0.0.1:${app.port}/ws`;
  const offer = (token: string) => webSocketProtocolsFor(token);

  it('opens only with the token offered as a subprotocol, from our Origin, and selects only our own subprotocol', async () => {
    expect(await tryUpgrade(base(), { origin: app.origin, protocols: offer(app.token) })).toBe('open');
    const conn = await rawUpgrade(app.port, { token: app.token });
    expect(conn.status).toBe(101);
    expect(conn.protocol).toBe(WS_SUBPROTOCOL); // the token is never echoed back
    expect(conn.responseHead).not.toContain(app.token);
    conn.socket.destroy();
  });

  it('refuses a missing or wrong token, a foreign or missing Origin, a foreign Host, another path', async () => {
    expect(await tryUpgrade(base(), { origin: app.origin })).toBe(401);
    expect(await tryUpgrade(base(), { origin: app.origin, protocols: [WS_SUBPROTOCOL] })).toBe(401);
    expect(await tryUpgrade(base(), { origin: app.origin, protocols: offer('wrong') })).toBe(403);
    expect(await tryUpgrade(base(), { origin: app.origin, protocols: offer(`${app.token}x`) })).toBe(403);
    expect(await tryUpgrade(base(), { origin: 'http://evil.example', protocols: offer(app.token) })).toBe(403);
    expect(await tryUpgrade(base(), { protocols: offer(app.token) })).toBe(403); // no Origin at all
    expect(await tryUpgrade(base(), { origin: app.origin, protocols: offer(app.token), headers: { host: 'evil.example' } })).toBe(403);
    expect(await tryUpgrade(`ws://127.0.0.1:${app.port}/other`, { origin: app.origin, protocols: offer(app.token) })).toBe(404);
    // the token alone, without our subprotocol to select
    expect(await tryUpgrade(base(), { origin: app.origin, protocols: [`studydl.token.${app.token}`] })).toBe(400);
  });

  it('no longer accepts the token in the URL, a cookie or a header on the upgrade', async () => {
    expect(await tryUpgrade(`${base()}?token=${app.token}`, { origin: app.origin, protocols: [WS_SUBPROTOCOL] })).toBe(401);
    expect(await tryUpgrade(base(), { origin: app.origin, protocols: [WS_SUBPROTOCOL], headers: { cookie: `sd_token_${app.port}=${app.token}` } })).toBe(401);
    expect(await tryUpgrade(base(), { origin: app.origin, protocols: [WS_SUBPROTOCOL], headers: { 'x-study-token': app.token } })).toBe(401);
  });

  it('rejects malformed calls with INVALID_ARGUMENT before they reach the core', async () => {
    await expect(api.listLevel({ level: 'room', parentPath: [{ level: 'experiment', id: '' }] })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(api.getPreview({ target: { level: 'room', path: [{ level: 'experiment', id: 'e' }] }, type: 'events', offset: 0, limit: 10 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/roomId/) });
    await expect(transport.invoke('dropDatabase' as never, undefined).then((r) => r)).resolves.toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    // Folders kept up to date: ids, ranges and shapes are checked at the socket too.
    await expect(api.startSync({ folderId: '' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(api.setSyncInterval({ folderId: 'fold_1', minutes: 1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/minutes/) });
    await expect(transport.invoke('keepExportUpToDate', { jobId: 'j', dir: '/etc' } as never)).resolves.toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    await expect(api.listSyncFolders()).resolves.toEqual([]);
  });
});

describe('calls end to end against the simulator', () => {
  it('lists experiments, rooms and participants', async () => {
    const experiments = (await api.listLevel({ level: 'experiment', parentPath: [] })).items;
    // the demo profile carries the simulator's organization id, so experiments shared with it are listed too
    const expected = app.sim.dataset.experiments({ includeShared: true });
    expect(experiments.map((e) => e.id).sort()).toEqual(expected.map((e) => e.id).sort());
    expect(experiments.filter((e) => e.origin === 'shared').map((e) => e.id)).toEqual(expected.filter((e) => e.shared).map((e) => e.id));
    const exp = expected.find((e) => !e.shared)!;
    const rooms = (await api.listLevel({ level: 'room', parentPath: hsPath(exp.id) })).items;
    expect(rooms.map((r) => r.id).sort()).toEqual(app.sim.dataset.rooms(exp.id).map((r) => r.id).sort());
    const participants = (await api.listLevel({ level: 'participant', parentPath: hsPath(exp.id, rooms[0].id) })).items;
    expect(participants.map((p) => p.id).sort()).toEqual(app.sim.dataset.participants({ roomId: rooms[0].id }).map((p) => p.id).sort());
    const profiles = await api.listProfiles();
    expect(profiles).toEqual([expect.objectContaining({ name: 'Demo (local simulator)', active: true, demo: true })]);
  });

  it('pages a preview with sort and filter applied in the core', async () => {
    const exp = app.sim.dataset.experiments()[0];
    const target = hsTarget(exp.id);
    const total = app.sim.dataset.count('events', 'experiment', exp.id);
    let page = await api.getPreview({ target, type: 'events', offset: 0, limit: 50 });
    for (let i = 0; !page.complete && i < 200; i++) {
      await new Promise((r) => setTimeout(r, 50));
      page = await api.getPreview({ target, type: 'events', offset: 0, limit: 50 });
    }
    expect(page.complete).toBe(true);
    expect(page.totalRows).toBe(total);
    expect(page.rows).toHaveLength(Math.min(50, total));
    expect(page.rows[0].__raw).toBeTypeOf('object');

    const desc = await api.getPreview({ target, type: 'events', offset: 10, limit: 20, sort: { key: 'onset', dir: 'desc' } });
    const onsets = desc.rows.map((r) => r.onset as number);
    expect(onsets).toEqual([...onsets].sort((a, b) => b - a));
    const all = [...app.sim.dataset.records('events', 'experiment', exp.id)].map((r) => r.onset as number).sort((a, b) => b - a);
    expect(onsets[0]).toBe(all[10]);

    const category = String(page.rows[0].category);
    const filtered = await api.getPreview({ target, type: 'events', offset: 0, limit: 1000, filters: { category } });
    const expectedCount = [...app.sim.dataset.records('events', 'experiment', exp.id)].filter((r) => String(r.category).toLowerCase().includes(category.toLowerCase())).length;
    expect(filtered.totalRows).toBe(expectedCount);
    expect(filtered.unfilteredRows).toBe(total);
    expect(filtered.rows.every((r) => String(r.category).toLowerCase().includes(category.toLowerCase()))).toBe(true);
  });

  it('plans, exports, streams progress events until completed, and serves the ZIP by job id', async () => {
    const exp = app.sim.dataset.experiments()[0];
    const target = hsTarget(exp.id);
    const plan = await api.planExport({ target, types: ['events', 'chat'], includeRecordings: false });
    expect(plan.records).toBe(app.sim.dataset.count('events', 'experiment', exp.id) + app.sim.dataset.count('chat', 'experiment', exp.id));
    expect(plan.requestsNeeded).toBeGreaterThan(0);

    const progress: JobProgress[] = [];
    const offP = api.on('jobProgress', (p) => progress.push(p));
    const finished = new Promise<JobSnapshot>((resolve) => {
      const off = api.on('jobState', (s) => {
        if (s.state === 'completed' || s.state === 'failed') {
          off();
          resolve(s);
        }
      });
    });
    const job = await api.startExport({ target, types: ['events', 'chat'], format: 'csv', zip: true, split: 'none', anonymize: 'keep', includeRecordings: false, bom: false, formulaProtection: true });
    const done = await finished;
    offP();
    expect(done.id).toBe(job.id);
    expect(done.state).toBe('completed');
    expect(progress.filter((p) => p.jobId === job.id).length).toBeGreaterThan(0);
    expect((await api.listJobs()).find((j) => j.id === job.id)?.state).toBe('completed');

    // browser mode: shell actions are unsupported; the download link serves the ZIP instead
    await expect(api.showInFolder({ jobId: job.id })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    expect((await api.getAppInfo()).capabilities).toMatchObject({ downloadLink: true, startDrag: false, showInFolder: false });
    const path = downloadPathFor(job.id);
    expect((await httpGet(app.port, path)).status).toBe(401);
    expect((await httpGet(app.port, path, { 'x-study-token': 'wrong' })).status).toBe(403);
    expect((await httpGet(app.port, `${path}?ticket=made-up`)).status).toBe(403);

    // the page's way: a one-time ticket minted over the authenticated WebSocket
    const ticket = await transport.downloadTicket(job.id);
    expect(ticket).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(ticket).not.toBe(app.token);
    const zip = await httpGet(app.port, downloadPathWithTicket(job.id, ticket));
    expect(zip.status).toBe(200);
    expect(String(zip.headers['content-disposition'])).toMatch(/attachment/);
    const file = join(app.dataDir, 'downloaded.zip');
    await writeFile(file, zip.body);
    expect(execFileSync('unzip', ['-t', file]).toString()).toMatch(/No errors detected/);
    expect((await httpGet(app.port, downloadPathWithTicket(job.id, ticket))).status).toBe(403); // spent
    const other = await transport.downloadTicket('another-job');
    expect((await httpGet(app.port, downloadPathWithTicket(job.id, other))).status).toBe(403); // bound to its job

    // a script's way: the token header
    const byHeader = await httpGet(app.port, path, { 'x-study-token': app.token });
    expect(byHeader.status).toBe(200);
    expect(byHeader.body.equals(zip.body)).toBe(true);
    expect((await httpGet(app.port, '/download/no-such-job', { 'x-study-token': app.token })).status).toBe(404);
  });

  it('never sends the API key or the token over the WebSocket', () => {
    expect(frames.length).toBeGreaterThan(5);
    for (const f of frames) {
      expect(f).not.toContain(app.sim.apiKey);
      expect(f).not.toContain(app.token);
      expect(f).not.toMatch(/hst_(live|test)_[A-Za-z0-9]{6,}/);
    }
  });
});
