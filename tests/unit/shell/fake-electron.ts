// The one thing we fake: the small part of the `electron` module that src-main/index.ts uses.
// A test file mocks 'electron' with it and reads what the entry point did through `fake`:
//   vi.mock('electron', async () => (await import('./fake-electron')).electronModule());
//   fake.state.packaged = true;  // before importing src-main/index
import { vi } from 'vitest';

type Fn = (...a: any[]) => any;

const appHandlers = new Map<string, Fn[]>();
const ipcHandlers = new Map<string, Fn>();
const ipcListeners = new Map<string, Fn[]>();
const windows: any[] = [];
const state = {
  packaged: false,
  lock: true,
  quit: 0,
  userData: '',
  ready: false,
  permission: null as Fn | null,
  headers: null as Fn | null,
  openExternal: [] as string[],
  menu: null as any,
  /** Each registerSchemesAsPrivileged call, and whether the app was ready by then. */
  privileged: [] as Array<{ schemes: any[]; afterReady: boolean }>,
  protocolHandlers: new Map<string, (request: Request) => Promise<Response>>(),
};
let resolveReady!: () => void;
const readyPromise = new Promise<void>((r) => (resolveReady = r));
const on = (map: Map<string, Fn[]>) => (ch: string, fn: Fn) => void map.set(ch, [...(map.get(ch) ?? []), fn]);

function makeContents(id: number) {
  const handlers = new Map<string, Fn[]>();
  return {
    id,
    handlers,
    openHandler: null as Fn | null,
    sent: [] as unknown[],
    on: (ch: string, fn: Fn) => void handlers.set(ch, [...(handlers.get(ch) ?? []), fn]),
    emit(ch: string, ...args: unknown[]) {
      for (const fn of handlers.get(ch) ?? []) fn(...args);
    },
    setWindowOpenHandler(fn: Fn) {
      this.openHandler = fn;
    },
    isDestroyed: () => false,
    send(ch: string, p: unknown) {
      this.sent.push([ch, p]);
    },
    startDrag: vi.fn(),
    closeDevTools: vi.fn(),
  };
}

class BrowserWindow {
  options: any;
  webContents = makeContents(100 + windows.length);
  handlers = new Map<string, Fn[]>();
  loaded: string | null = null;
  loadedFile: string | null = null;
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
    this.loadedFile = p;
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
    get isPackaged() {
      return state.packaged;
    },
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
  protocol: {
    registerSchemesAsPrivileged: (schemes: any[]) => void state.privileged.push({ schemes, afterReady: state.ready }),
    handle: (scheme: string, fn: (request: Request) => Promise<Response>) => {
      if (!state.ready) throw new Error('protocol.handle before ready');
      state.protocolHandlers.set(scheme, fn);
    },
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
  Menu: { buildFromTemplate: (t: unknown) => t, setApplicationMenu: (m: unknown) => void (state.menu = m) },
  nativeImage: { createFromPath: () => ({ isEmpty: () => true }), createFromBitmap: () => ({ isEmpty: () => false }) },
  Notification: class {
    static isSupported = () => false;
    show() {}
  },
  safeStorage: { isEncryptionAvailable: () => false, encryptString: () => Buffer.alloc(0), decryptString: () => '', getSelectedStorageBackend: () => 'basic_text' },
  screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
};

export const fake = {
  electron,
  state,
  windows,
  appHandlers,
  ipcHandlers,
  ipcListeners,
  makeContents,
  /** Lets whenReady() resolve. */
  ready() {
    state.ready = true;
    resolveReady();
  },
};

export const electronModule = () => ({ ...electron, default: electron });

/** Imports the entry point against the fake, makes the app ready, and waits until start-up is done. */
export async function startMainProcess(userData: string): Promise<void> {
  state.userData = userData;
  process.env.STUDYDL_NO_KEYCHAIN = '1';
  await import('../../../src-main/index');
  fake.ready();
  await vi.waitFor(() => {
    if (windows.length !== 1) throw new Error('no window yet');
  });
  await vi.waitFor(() => {
    if (ipcListeners.has('electron-store-get-data')) throw new Error('start-up not finished');
  });
}
