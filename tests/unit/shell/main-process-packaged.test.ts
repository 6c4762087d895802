// The Electron entry point as a packaged build (app.isPackaged) under the fake `electron`:
// DevTools are off three ways (webPreferences, no menu item, shortcuts swallowed and any
// DevTools window closed), the renderer comes from app:// and no dev-server URL is honoured.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fake, startMainProcess } from './fake-electron';

vi.mock('electron', async () => (await import('./fake-electron')).electronModule());
// electron-store is Conf plus Electron's paths (see main-process.test.ts)
vi.mock('electron-store', async () => ({ default: (await import('conf')).default }));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'studydl-main-packaged-'));
  fake.state.packaged = true;
  process.env.ELECTRON_RENDERER_URL = 'http://localhost:5173/'; // must be ignored when packaged
  await startMainProcess(dir);
});
afterAll(async () => {
  delete process.env.ELECTRON_RENDERER_URL;
  for (const fn of fake.appHandlers.get('before-quit') ?? []) fn();
  await new Promise((r) => setTimeout(r, 50));
  await rm(dir, { recursive: true, force: true });
});

const win = () => fake.windows[0];

describe('Electron main process, packaged', () => {
  it('loads app://renderer, never the dev server', () => {
    expect(win().loaded).toBe('app://renderer/index.html');
  });

  it('turns DevTools off in webPreferences and leaves them out of the menu', () => {
    expect(win().options.webPreferences.devTools).toBe(false);
    const roles = JSON.stringify(fake.state.menu);
    expect(roles).not.toMatch(/toggleDevTools|forceReload/i);
  });

  it('swallows the DevTools shortcuts and closes DevTools opened any other way', () => {
    const contents = fake.makeContents(7);
    for (const fn of fake.appHandlers.get('web-contents-created') ?? []) fn({}, contents);
    const press = (input: Record<string, unknown>) => {
      const event = { preventDefault: vi.fn() };
      contents.emit('before-input-event', event, { type: 'keyDown', control: false, meta: false, shift: false, alt: false, ...input });
      return event.preventDefault.mock.calls.length > 0;
    };
    expect(press({ key: 'F12' })).toBe(true);
    expect(press({ key: 'I', control: true, shift: true })).toBe(true);
    expect(press({ key: 'i', meta: true, alt: true })).toBe(true);
    expect(press({ key: 'a', control: true })).toBe(false); // select all still works
    expect(press({ key: 'c', control: true })).toBe(false); // copy still works
    contents.emit('devtools-opened');
    expect(contents.closeDevTools).toHaveBeenCalled();
  });

  it('refuses IPC from the dev-server origin, which a packaged build never loads', async () => {
    const { channelFor } = await import('../../../src-shared/contract');
    const handler = fake.ipcHandlers.get(channelFor('getAppInfo'))!;
    const frame = { url: 'http://localhost:5173/', parent: null };
    expect(await handler({ sender: { id: win().webContents.id }, senderFrame: frame })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const ours = { url: 'app://renderer/index.html', parent: null };
    expect(await handler({ sender: { id: win().webContents.id }, senderFrame: ours })).toMatchObject({ ok: true });
  });
});
