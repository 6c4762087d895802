// The Electron entry point (src-main/index.ts) under a fake `electron` module — the one thing
// we fake. It must: take the single-instance lock, build a sandboxed window, register exactly
// the contract's IPC channels behind the sender check, deny navigation, new windows and
// permissions, and set a strict CSP.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { channelFor, methodNames } from '../../../src-shared/contract';

const fake = vi.hoisted(() => {
  type Fn = (...a: any[]) => any;
  const appHandlers = new Map<string, Fn[]>();
  const ipcHandlers = new Map<string, Fn>();
  const ipcListeners = new Map<string, Fn[]>();
  const windows: any[] = [];
  const state = { lock: true, quit: 0, userData: '', permission: null as Fn | null, headers: null as Fn | null, openExternal: [] as string[], ready: null as null | (() => void) };
  const readyPromise = new Promise<void>((r) => (state.ready = r));
  const on = (map: Map<string, Fn[]>) => (ch: string, fn: Fn) => void map.set(ch, [...(map.get(ch) ?? []), fn]);
  function makeContents(id: number) {
    const handlers = new Map<string, Fn[]>();
    return {
      id,
      handlers,
      openHandler: null as Fn | null,
      sent: [] as unknown[],
      on: (ch: string, fn: Fn) => void handlers.set(ch, [...(handlers.get(ch) ?? []), fn]),
      setWindowOpenHandler(fn: Fn) {
        this.openHandler = fn;
      },
      isDestroyed: () => false,
      send(ch: string, p: unknown) {
        this.sent.push([ch, p]);
      },
      startDrag: vi.fn(),
    };
  }
  class BrowserWindow {
    options: any;
    webContents = makeContents(100 + windows.length);
    handlers = new Map<string, Fn[]>();
    loaded: string | null = null;
    constructor(options: any) {
      this.options = options;
      windows.push(this);
    }
    static getAllWindows = () => windows;
    on(ch: string, fn: Fn) {
      this.handlers.set(ch, [...(this.handlers.get(ch) ?? []), fn]);
    }
    once(ch: string, fn: Fn) {
      this.on(ch, fn);
    }
    loadFile(p: string) {
      this.loaded = p;
      return Promise.resolve();
    }
    loadURL(u: string) {
      this.loaded = u;
      return Promise.resolve();
    }
    isDestroyed = () => false;
    isMinimized = () => false;
    restore() {}
    focus = vi.fn();
    show() {}
    maximize() {}
    isMaximized = () => false;
    getNormalBounds = () => ({ x: 0, y: 0, width: 1200, height: 800 });
  }
  const electron = {
    app: {
      isPackaged: false,
      requestSingleInstanceLock: () => state.lock,
      quit: () => void state.quit++,
      whenReady: () => readyPromise,
      on: on(appHandlers),
      getPath: () => state.userData,
      setPath: () => {},
      getVersion: () => '9.9.9',
      getName: () => 'Study Downloader',
    },
    BrowserWindow,
    ipcMain: {
      handle: (ch: string, fn: Fn) => {
        if (ipcHandlers.has(ch)) throw new Error(`duplicate handler ${ch}`);
        ipcHandlers.set(ch, fn);
      },
      removeHandler: (ch: string) => ipcHandlers.delete(ch),
      on: on(ipcListeners),
      removeAllListeners: (ch: string) => ipcListeners.delete(ch),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (fn: Fn) => (state.permission = fn),
        setPermissionCheckHandler: () => {},
        webRequest: { onHeadersReceived: (fn: Fn) => (state.headers = fn) },
      },
    },
    shell: { openExternal: async (u: string) => void state.openExternal.push(u), showItemInFolder: vi.fn(), openPath: async () => '' },
    dialog: { showOpenDialog: async () => ({ canceled: true, filePaths: [] }), showErrorBox: vi.fn() },
    clipboard: { writeText: async () => {} },
    Menu: { buildFromTemplate: (t: unknown) => t, setApplicationMenu: vi.fn() },
    nativeImage: { createFromPath: () => ({ isEmpty: () => true }), createFromBitmap: () => ({ isEmpty: () => false }) },
    Notification: class {
      static isSupported = () => false;
      show() {}
    },
    safeStorage: { isEncryptionAvailable: () => false, encryptString: () => Buffer.alloc(0), decryptString: () => '', getSelectedStorageBackend: () => 'basic_text' },
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
  };
  return { electron, state, windows, appHandlers, ipcHandlers, ipcListeners, makeContents };
});
vi.mock('electron', () => ({ ...fake.electron, default: fake.electron }));
// electron-store is Conf plus Electron's paths; node_modules are not transformed, so its own
// `import electron` cannot see the fake above: stand in plain Conf (what it extends).
vi.mock('electron-store', async () => ({ default: (await import('conf')).default }));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'studydl-main-'));
  fake.state.userData = dir;
  process.env.STUDYDL_NO_KEYCHAIN = '1';
  await import('../../../src-main/index');
  fake.state.ready!();
  await vi.waitFor(() => {
    if (fake.windows.length !== 1) throw new Error('no window yet');
  });
  await vi.waitFor(() => {
    if (fake.ipcListeners.has('electron-store-get-data')) throw new Error('start-up not finished');
  });
});
afterAll(async () => {
  for (const fn of fake.appHandlers.get('before-quit') ?? []) fn();
  await new Promise((r) => setTimeout(r, 50));
  await rm(dir, { recursive: true, force: true });
});

const win = () => fake.windows[0];
const trustedEvent = () => ({ sender: { id: win().webContents.id }, senderFrame: { url: 'file://' + win().loaded, parent: null } });

describe('Electron main process', () => {
  it('builds a sandboxed, isolated window loading the built renderer with the bundled preload', () => {
    const prefs = win().options.webPreferences;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(prefs.preload).toMatch(/out[/\\]preload[/\\]index\.cjs$/);
    expect(win().loaded).toMatch(/out[/\\]renderer[/\\]index\.html$/);
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

  it('focuses the existing window when a second instance starts', () => {
    for (const fn of fake.appHandlers.get('second-instance') ?? []) fn();
    expect(win().focus).toHaveBeenCalled();
  });
});
