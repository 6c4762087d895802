// The Electron entry point (src-main/index.ts), unpackaged (development), under a fake
// `electron` module — the one thing we fake. It must: take the single-instance lock, serve the
// renderer from app:// (registered before ready), build a sandboxed window, register exactly
// the contract's IPC channels behind the sender check, deny navigation, new windows and
// permissions, set a strict CSP, and allow DevTools (development only).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { channelFor, methodNames } from '../../../src-shared/contract';
import { fake, startMainProcess } from './fake-electron';

vi.mock('electron', async () => (await import('./fake-electron')).electronModule());
// electron-store is Conf plus Electron's paths; node_modules are not transformed, so its own
// `import electron` cannot see the fake above: stand in plain Conf (what it extends).
vi.mock('electron-store', async () => ({ default: (await import('conf')).default }));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'studydl-main-'));
  await startMainProcess(dir);
});
afterAll(async () => {
  for (const fn of fake.appHandlers.get('before-quit') ?? []) fn();
  await new Promise((r) => setTimeout(r, 50));
  await rm(dir, { recursive: true, force: true });
});

const win = () => fake.windows[0];
const trustedEvent = () => ({ sender: { id: win().webContents.id }, senderFrame: { url: win().loaded, parent: null } });

describe('Electron main process', () => {
  it('builds a sandboxed, isolated window loading the built renderer from app:// with the bundled preload', () => {
    const prefs = win().options.webPreferences;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(prefs.preload).toMatch(/out[/\\]preload[/\\]index\.cjs$/);
    expect(win().loaded).toBe('app://renderer/index.html');
    expect(win().loadedFile).toBeNull(); // never file://
  });

  it('registers app:// as a standard, secure scheme before ready, and serves it only after', () => {
    expect(fake.state.privileged).toEqual([{ schemes: [expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) })], afterReady: false }]);
    const privileges = fake.state.privileged[0].schemes[0].privileges;
    expect(privileges.corsEnabled).toBeFalsy();
    expect(privileges.bypassCSP).toBeFalsy();
    expect([...fake.state.protocolHandlers.keys()]).toEqual(['app']);
  });

  it('serves app:// from the renderer folder only, with the strict CSP as a header', async () => {
    const handler = fake.state.protocolHandlers.get('app')!;
    for (const url of ['app://renderer/../../package.json', 'app://renderer/%2e%2e/%2e%2e/package.json', 'app://renderer/..%2f..%2fpackage.json', 'app://other/index.html']) {
      const r = await handler(new Request(url));
      expect(r.status, url).not.toBe(200);
      expect(await r.text()).not.toContain('"name": "study-downloader"');
      expect(r.headers.get('content-security-policy')).toContain("connect-src 'none'");
    }
  });

  it('registers exactly the contract channels (electron-store’s generic one removed)', () => {
    const channels = [...fake.ipcHandlers.keys(), ...fake.ipcListeners.keys()].sort();
    expect(channels).toEqual(methodNames.map(channelFor).sort());
  });

  it('answers our window and refuses anyone else', async () => {
    const ok = await fake.ipcHandlers.get(channelFor('getAppInfo'))!(trustedEvent());
    expect(ok).toMatchObject({ ok: true, value: { mode: 'electron', version: '9.9.9', capabilities: { startDrag: true, downloadLink: false } } });
    const foreign = await fake.ipcHandlers.get(channelFor('getAppInfo'))!({ sender: { id: 999 }, senderFrame: { url: 'https://evil.example/', parent: null } });
    expect(foreign).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const bad = await fake.ipcHandlers.get(channelFor('pauseJob'))!(trustedEvent(), { jobId: 42 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  });

  it('blocks navigation and new windows; opens only allowlisted https links outside', () => {
    const contents = fake.makeContents(5);
    for (const fn of fake.appHandlers.get('web-contents-created') ?? []) fn({}, contents);
    const nav = (url: string) => {
      const event = { preventDefault: vi.fn() };
      for (const fn of contents.handlers.get('will-navigate') ?? []) fn(event, url);
      return event.preventDefault.mock.calls.length > 0;
    };
    expect(nav('https://evil.example/')).toBe(true);
    expect(nav('file:///etc/passwd')).toBe(true);
    expect(nav('app://renderer/other.html')).toBe(true);
    expect(nav('app://renderer/index.html')).toBe(false); // a reload of our own page
    expect(nav('https://docs.hyperstudy.io/guide')).toBe(true);
    expect(fake.state.openExternal).toEqual(['https://docs.hyperstudy.io/guide']);
    expect(contents.openHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(contents.openHandler!({ url: 'https://docs.hyperstudy.io/' })).toEqual({ action: 'deny' });
    const attach = { preventDefault: vi.fn() };
    for (const fn of contents.handlers.get('will-attach-webview') ?? []) fn(attach);
    expect(attach.preventDefault).toHaveBeenCalled();
  });

  it('denies every permission and adds a strict CSP header', () => {
    const cb = vi.fn();
    fake.state.permission!({}, 'media', cb);
    expect(cb).toHaveBeenCalledWith(false);
    let headers: any;
    fake.state.headers!({ responseHeaders: { a: ['b'] } }, (r: any) => (headers = r.responseHeaders));
    expect(headers.a).toEqual(['b']);
    expect(headers['Content-Security-Policy'][0]).toContain("script-src 'self'");
    expect(headers['Content-Security-Policy'][0]).toContain("connect-src 'none'");
  });

  it('allows DevTools in development: webPreferences, menu item, shortcuts untouched', () => {
    expect(win().options.webPreferences.devTools).toBe(true);
    const view = fake.state.menu.find((m: { label?: string }) => m.label === 'View');
    expect(view.submenu.map((i: { role?: string }) => i.role)).toContain('toggleDevTools');
    const contents = fake.makeContents(6);
    for (const fn of fake.appHandlers.get('web-contents-created') ?? []) fn({}, contents);
    expect(contents.handlers.has('before-input-event')).toBe(false);
  });

  it('focuses the existing window when a second instance starts', () => {
    for (const fn of fake.appHandlers.get('second-instance') ?? []) fn();
    expect(win().focus).toHaveBeenCalled();
  });
});
