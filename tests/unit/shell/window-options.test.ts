import { describe, expect, it } from 'vitest';
import { buildWindowOptions, MIN_HEIGHT, MIN_WIDTH } from '../../../src-main/shell/window-options';
import { contentSecurityPolicy } from '../../../src-main/shell/csp';
import { isAllowedExternalUrl } from '../../../src-main/shell/external-links';
import { visibleBounds } from '../../../src-main/shell/window-state';
import { appPaths } from '../../../src-main/shell/app-paths';
import { isDevToolsShortcut } from '../../../src-main/shell/devtools';
import { buildMenuTemplate } from '../../../src-main/shell/menu';

describe('window options', () => {
  const opts = buildWindowOptions({ preloadPath: '/app/out/preload/index.cjs', devTools: false });

  it('isolates and sandboxes the page, with no Node and web security on', () => {
    expect(opts.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
    });
    expect(opts.show).toBe(false);
  });

  it('uses remembered bounds but never below the minimum size', () => {
    const o = buildWindowOptions({ preloadPath: 'p', devTools: false, bounds: { x: 10, y: 20, width: 300, height: 200 } });
    expect(o).toMatchObject({ x: 10, y: 20, width: MIN_WIDTH, height: MIN_HEIGHT });
    expect(buildWindowOptions({ preloadPath: 'p', devTools: false, bounds: { width: 1500, height: 900 } })).not.toHaveProperty('x');
  });

  it('allows DevTools only when asked (development), and changes nothing else', () => {
    expect(opts.webPreferences?.devTools).toBe(false);
    const dev = buildWindowOptions({ preloadPath: '/app/out/preload/index.cjs', devTools: true });
    expect(dev.webPreferences?.devTools).toBe(true);
    expect({ ...dev.webPreferences, devTools: false }).toEqual(opts.webPreferences);
  });

  it('preload path points at the bundled CJS file next to out/main; the renderer folder is next to it', () => {
    const p = appPaths('file:///app/out/main/index.js');
    expect(p.preload).toBe('/app/out/preload/index.cjs');
    expect(p.rendererDir).toBe('/app/out/renderer');
  });
});

describe('DevTools in the menu and on the keyboard', () => {
  const menu = (devTools: boolean, platform: NodeJS.Platform = 'linux') => JSON.stringify(buildMenuTemplate({ platform, appName: 'Study Downloader', devTools, openExternal: () => {}, chooseFolder: () => {} }));
  it('has a DevTools menu item only in development', () => {
    expect(menu(true)).toContain('toggleDevTools');
    for (const platform of ['linux', 'darwin', 'win32'] as const) expect(menu(false, platform)).not.toContain('toggleDevTools');
  });
  it('recognises the DevTools shortcuts of every platform, and nothing else', () => {
    const key = (k: string, mods: Partial<Record<'control' | 'meta' | 'shift' | 'alt', boolean>> = {}, type = 'keyDown') =>
      isDevToolsShortcut({ type: type as 'keyDown', key: k, control: false, meta: false, shift: false, alt: false, ...mods });
    expect(key('F12')).toBe(true);
    for (const k of ['I', 'i', 'J', 'C']) {
      expect(key(k, { control: true, shift: true })).toBe(true);
      expect(key(k, { meta: true, alt: true })).toBe(true);
    }
    expect(key('C', { meta: true, shift: true })).toBe(true);
    expect(key('F12', {}, 'keyUp')).toBe(false);
    for (const [k, mods] of [['c', { control: true }], ['v', { control: true }], ['i', { control: true }], ['I', { shift: true }], ['F11', {}], ['j', { alt: true }]] as const) {
      expect(key(k, mods), `${k} ${JSON.stringify(mods)}`).toBe(false);
    }
  });
});

describe('CSP', () => {
  it('is strict in production: own scripts only, no network from the page', () => {
    const csp = contentSecurityPolicy({ dev: false });
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'none'");
    expect(csp).not.toMatch(/unsafe-eval|ws:/);
  });
  it("allows only Vite's server and WebSocket in dev", () => {
    const csp = contentSecurityPolicy({ dev: true, devServerUrl: 'http://localhost:5173/' });
    expect(csp).toContain('connect-src \'self\' http://localhost:5173 ws://localhost:5173');
    expect(csp).not.toMatch(/unsafe-eval/);
  });
});

describe('external links', () => {
  it('opens only allowlisted https URLs', () => {
    expect(isAllowedExternalUrl('https://docs.hyperstudy.io/api')).toBe(true);
    expect(isAllowedExternalUrl('http://docs.hyperstudy.io/')).toBe(false);
    expect(isAllowedExternalUrl('https://evil.example/')).toBe(false);
    expect(isAllowedExternalUrl('https://docs.hyperstudy.io.evil.example/')).toBe(false);
    expect(isAllowedExternalUrl('https://user:pw@docs.hyperstudy.io/')).toBe(false);
    expect(isAllowedExternalUrl('file:///etc/passwd')).toBe(false);
    expect(isAllowedExternalUrl('javascript:alert(1)')).toBe(false);
  });
  it('allows a sign-in page on the connection\'s own host only when asked, and only over https', () => {
    expect(isAllowedExternalUrl('https://www.brainstem.org/private/users/device/?code=AB12')).toBe(true);
    expect(isAllowedExternalUrl('https://lab.example.org/device/?code=AB12')).toBe(false);
    expect(isAllowedExternalUrl('https://lab.example.org/device/?code=AB12', ['lab.example.org'])).toBe(true);
    expect(isAllowedExternalUrl('http://lab.example.org/device/', ['lab.example.org'])).toBe(false);
    expect(isAllowedExternalUrl('https://lab.example.org.evil.example/', ['lab.example.org'])).toBe(false);
    expect(isAllowedExternalUrl('http://127.0.0.1:8790/device/', ['127.0.0.1'])).toBe(false);
  });
});

describe('window state', () => {
  it('drops bounds that are off every screen', () => {
    const screen = [{ x: 0, y: 0, width: 1920, height: 1080 }];
    expect(visibleBounds({ x: 100, y: 100, width: 1000, height: 700 }, screen)).toBeDefined();
    expect(visibleBounds({ x: 5000, y: 100, width: 1000, height: 700 }, screen)).toBeUndefined();
  });
});
