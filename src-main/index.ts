// Electron entry point: the thin shell around the core. Everything Electron-specific lives in
// ./shell; the core gets Electron's abilities only as adapters (electron-store, safeStorage,
// ShellActions).
import { join } from 'node:path';
import { app, BrowserWindow, clipboard, dialog, ipcMain, Menu, nativeImage, Notification, protocol, safeStorage, screen, session, shell } from 'electron';
import Store from 'electron-store';
import { eventChannelFor } from '../src-shared/contract';
import { createCore, type Core } from './core/create-core';
import { createLogger } from './core/log';
import { createKeytarStore, environmentKeyDeps } from './core/secrets';
import { defaultConfigDir } from './core/state/config-dir';
import { appPaths } from './shell/app-paths';
import { APP_INDEX_URL, APP_SCHEME, appScheme, createAppProtocolHandler } from './shell/app-protocol';
import { contentSecurityPolicy } from './shell/csp';
import { guardDevTools } from './shell/devtools';
import { buildMenuTemplate } from './shell/menu';
import { forwardEvents, registerIpc } from './shell/register-ipc';
import { createShellActions } from './shell/shell-actions';
import { isTrustedSender } from './shell/trusted-sender';
import { guardSession, guardWebContents } from './shell/web-guards';
import { buildWindowOptions } from './shell/window-options';
import { readWindowState, visibleBounds, writeWindowState } from './shell/window-state';

// npm run demo and the e2e smoke test run with their own userData folder.
if (process.env.STUDYDL_USER_DATA) app.setPath('userData', process.env.STUDYDL_USER_DATA);

const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const paths = appPaths(import.meta.url, app.isPackaged ? process.resourcesPath : undefined);
// The built renderer is served from app://renderer (see shell/app-protocol.ts), never file://.
const appUrl = devServerUrl ?? APP_INDEX_URL;
/** DevTools only in development: never in a packaged build. */
const devTools = !app.isPackaged;
// Privileged schemes must be registered before the app is ready.
protocol.registerSchemesAsPrivileged([appScheme]);
let mainWindow: BrowserWindow | null = null;
let core: Core | null = null;
/** Hosts of self-hosted sign-in pages the core opened: their links in the window may open too. */
const signInHosts = new Set<string>();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.whenReady().then(start, (e) => {
    dialog.showErrorBox('Study Downloader could not start', String(e));
    app.quit();
  });
}

async function start(): Promise<void> {
  const userData = app.getPath('userData');
  const logger = createLogger({ file: join(userData, 'logs', 'main.log'), level: 'info' });
  guardSession(session.defaultSession, { dev: !!devServerUrl, devServerUrl });
  protocol.handle(APP_SCHEME, createAppProtocolHandler({ rendererDir: paths.rendererDir, csp: contentSecurityPolicy({ dev: false }) }));
  app.on('web-contents-created', (_e, contents) => {
    guardWebContents(contents, appUrl, shell, signInHosts);
    guardDevTools(contents, { allowed: devTools });
  });

  core = createCore({
    mode: 'electron',
    configDir: userData,
    dataDir: join(userData, 'jobs'),
    appVersion: app.getVersion(),
    settings: {
      makeConf: (options) => new Store(options as never) as never,
      ...(process.env.STUDYDL_DEMO_DOWNLOADS ? { defaults: { downloadFolder: process.env.STUDYDL_DEMO_DOWNLOADS } } : {}),
    },
    secretCandidates: process.env.STUDYDL_NO_KEYCHAIN ? [] : [createKeytarStore({})],
    safeStorage,
    logger,
    ...environmentKeyDeps(process.env),
    // One budget per key with the CLI and browser mode: the key logs live in their folder.
    rateLimitDir: defaultConfigDir(process.env),
    ...(!app.isPackaged && process.env.STUDYDL_DEMO_BASE_URL && process.env.STUDYDL_DEMO_API_KEY
      ? { demo: { baseUrl: process.env.STUDYDL_DEMO_BASE_URL, apiKey: process.env.STUDYDL_DEMO_API_KEY } }
      : {}),
    ...(!app.isPackaged && process.env.STUDYDL_DEMO_BRAINSTEM_URL && process.env.STUDYDL_DEMO_BRAINSTEM_TOKEN
      ? { moreDemos: [{ source: 'brainstem', baseUrl: process.env.STUDYDL_DEMO_BRAINSTEM_URL, apiKey: process.env.STUDYDL_DEMO_BRAINSTEM_TOKEN }] }
      : {}),
    shell: createShellActions({ shell, clipboard, dialog, nativeImage, Notification, window: () => mainWindow, iconPath: paths.icon, signInHosts }),
  });
  delete process.env.STUDYDL_DEMO_API_KEY; // nothing later needs it in the environment
  delete process.env.STUDYDL_DEMO_BRAINSTEM_TOKEN;
  // electron-store registers a generic channel for renderer-side stores; we use none, so drop it.
  await core.ready.catch(() => undefined);
  ipcMain.removeAllListeners('electron-store-get-data');

  registerIpc({
    ipcMain,
    core,
    isTrusted: (event) => !!mainWindow && !mainWindow.isDestroyed() && isTrustedSender(event, { webContentsId: mainWindow.webContents.id, appUrl }),
    logger,
  });

  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      buildMenuTemplate({
        platform: process.platform,
        appName: app.getName(),
        devTools,
        openExternal: (url) => void shell.openExternal(url),
        chooseFolder: () => void chooseFolderFromMenu(),
      }),
    ),
  );

  createWindow(core);
  app.on('activate', () => {
    if (!mainWindow && core) createWindow(core);
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('before-quit', () => void core?.close());
}

/** The menu's folder picker: the renderer has no settings event, so it is told by a notice. */
async function chooseFolderFromMenu(): Promise<void> {
  const settings = await core?.api.chooseDownloadFolder(undefined).catch(() => null);
  if (settings && mainWindow && !mainWindow.isDestroyed()) {
    mainWindow.webContents.send(eventChannelFor('notice'), { level: 'info', message: `Exports will be saved in ${settings.downloadFolder}.` });
  }
}

function createWindow(c: Core): void {
  const stateFile = join(app.getPath('userData'), 'window-state.json');
  const saved = readWindowState(stateFile);
  const bounds = saved ? visibleBounds(saved.bounds, screen.getAllDisplays().map((d) => d.workArea)) : undefined;
  const win = new BrowserWindow(buildWindowOptions({ preloadPath: paths.preload, bounds, iconPath: paths.icon, devTools }));
  mainWindow = win;
  if (saved?.maximized) win.maximize();
  const stopEvents = forwardEvents(c, win.webContents);
  win.once('ready-to-show', () => win.show());
  win.on('close', () => writeWindowState(stateFile, { bounds: win.getNormalBounds(), maximized: win.isMaximized() }));
  win.on('closed', () => {
    stopEvents();
    mainWindow = null;
  });
  void win.loadURL(appUrl);
}
