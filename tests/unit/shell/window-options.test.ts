import { describe, expect, it } from 'vitest';
import { buildWindowOptions, MIN_HEIGHT, MIN_WIDTH } from '../../../src-main/shell/window-options';
import { contentSecurityPolicy } from '../../../src-main/shell/csp';
import { isAllowedExternalUrl } from '../../../src-main/shell/external-links';
import { visibleBounds } from '../../../src-main/shell/window-state';
import { appPaths } from '../../../src-main/shell/app-paths';

describe('window options', () => {
  const opts = buildWindowOptions({ preloadPath: '/app/out/preload/index.cjs' });

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
    const o = buildWindowOptions({ preloadPath: 'p', bounds: { x: 10, y: 20, width: 300, height: 200 } });
    expect(o).toMatchObject({ x: 10, y: 20, width: MIN_WIDTH, height: MIN_HEIGHT });
    expect(buildWindowOptions({ preloadPath: 'p', bounds: { width: 1500, height: 900 } })).not.toHaveProperty('x');
  });

  it('preload path points at the bundled CJS file next to out/main', () => {
    const p = appPaths('file:///app/out/main/index.js');
    expect(p.preload).toBe('/app/out/preload/index.cjs');
    expect(p.rendererUrl).toBe('file:///app/out/renderer/index.html');
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
});

describe('window state', () => {
  it('drops bounds that are off every screen', () => {
    const screen = [{ x: 0, y: 0, width: 1920, height: 1080 }];
    expect(visibleBounds({ x: 100, y: 100, width: 1000, height: 700 }, screen)).toBeDefined();
    expect(visibleBounds({ x: 5000, y: 100, width: 1000, height: 700 }, screen)).toBeUndefined();
  });
});
