// The browser transport survives a server restart (same port and token, same data dir):
// it reconnects with backoff, replays the current state, and calls work again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionStatus } from '../../../src-shared/model';
import { startAppServer, type AppServer } from '../../e2e/fixtures/app-server';
import { connectApi, fakeRendererDir } from './helpers';

let app: AppServer;
beforeAll(async () => {
  app = await startAppServer({ scale: 'tiny', rendererDir: await fakeRendererDir() });
});
afterAll(async () => {
  await app?.close();
});

describe('WebSocket transport across a restart', () => {
  it('reconnects, re-announces the connection status, and serves calls again', async () => {
    const links: string[] = [];
    const { api, transport } = await connectApi(app.port, app.token, (s) => links.push(s));
    const statuses: ConnectionStatus[] = [];
    api.on('connectionStatus', (s) => statuses.push(s));
    const before = await api.listLevel({ level: 'experiment', parentPath: [] });
    await api.updateSettings({ theme: 'dark' });

    expect(transport.linkState).toBe('open');
    await app.restart();
    // the client notices the dropped socket, backs off, and reconnects
    await expect.poll(() => links.join(','), { timeout: 15_000 }).toMatch(/reconnecting.*open/);

    const after = await api.listLevel({ level: 'experiment', parentPath: [] });
    expect(after.items.map((e) => e.id)).toEqual(before.items.map((e) => e.id));
    expect((await api.getSettings()).theme).toBe('dark'); // same data dir
    await expect.poll(() => statuses.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    transport.close();
    expect(transport.linkState).toBe('closed');
    await expect(api.listJobs()).rejects.toMatchObject({ code: 'UNREACHABLE' });
  });

  it('fails a call that was waiting for its answer when the connection dropped, instead of leaving it pending', async () => {
    const { api, transport } = await connectApi(app.port, app.token);
    const exp = app.sim.dataset.experiments()[0];
    // The simulator holds the listing's request (it is let go when the simulator closes).
    app.sim.setFaults({ rules: [{ match: exp.id, kind: 'slow', delayMs: 600_000, count: 1 }] });
    const slowBefore = app.sim.counters().faults.slow ?? 0;
    const outcome = api.listLevel({ level: 'room', parentPath: [{ level: 'experiment', id: exp.id }] }).then(
      () => 'answered',
      (e: unknown) => e,
    );
    await expect.poll(() => app.sim.counters().faults.slow ?? 0, { timeout: 15_000 }).toBe(slowBefore + 1);
    await app.restart();
    await expect(outcome).resolves.toMatchObject({ code: 'UNREACHABLE' });
    transport.close();
    app.sim.resetFaults();
  });

  it('refuses to connect with a wrong token, with a plain-words error', async () => {
    await expect(connectApi(app.port, 'wrong-token')).rejects.toMatchObject({ code: 'UNAUTHORIZED', fix: expect.stringMatching(/npm run web/) });
  });
});
