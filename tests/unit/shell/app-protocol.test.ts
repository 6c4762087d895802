// The app:// protocol that serves the packaged renderer: which requests may read which file
// (a pure function, attacked with every traversal spelling we know), then the real handler
// with Node's own Request/Response over real files in a temp folder, next to a secret that
// must stay unreachable.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_INDEX_URL, appScheme, createAppProtocolHandler, resolveAppRequest } from '../../../src-main/shell/app-protocol';
import { contentSecurityPolicy } from '../../../src-main/shell/csp';

const dir = '/app/out/renderer';

describe('resolveAppRequest (pure)', () => {
  it('maps our own paths to files inside the renderer folder', () => {
    expect(resolveAppRequest(dir, APP_INDEX_URL)).toEqual({ ok: true, path: '/app/out/renderer/index.html' });
    expect(resolveAppRequest(dir, 'app://renderer/')).toEqual({ ok: true, path: '/app/out/renderer/index.html' });
    expect(resolveAppRequest(dir, 'app://renderer')).toEqual({ ok: true, path: '/app/out/renderer/index.html' });
    expect(resolveAppRequest(dir, 'app://renderer/assets/index-1.js?v=2#x')).toEqual({ ok: true, path: '/app/out/renderer/assets/index-1.js' });
    expect(resolveAppRequest(dir, 'app://renderer/assets/a%20b.css')).toEqual({ ok: true, path: '/app/out/renderer/assets/a b.css' });
    expect(resolveAppRequest(dir, APP_INDEX_URL, 'HEAD')).toMatchObject({ ok: true });
  });

  it.each([
    'app://renderer/../../etc/passwd',
    'app://renderer/%2e%2e/%2e%2e/etc/passwd',
    'app://renderer/%2E%2E/%2E%2E/etc/passwd',
    'app://renderer/..%2f..%2f..%2fetc%2fpasswd',
    'app://renderer/assets/..%2f..%2f..%2fpreload%2findex.cjs',
    'app://renderer/..%5c..%5cetc%5cpasswd',
    'app://renderer/..\\..\\etc\\passwd',
    'app://renderer/%252e%252e/etc/passwd',
    'app://renderer/index.html%00.png',
    'app://renderer/%',
    'app://renderer/%2e%2e',
  ])('never leaves the folder: %s', (url) => {
    const r = resolveAppRequest(dir, url);
    // the URL parser folds "/../" away, so some of these name a (missing) file inside; none names one outside
    if (r.ok) expect(r.path.startsWith('/app/out/renderer/')).toBe(true);
    else expect(r.status).toBe(404);
    expect(JSON.stringify(r)).not.toMatch(/"\/etc\/|out\/preload/);
  });

  it('refuses other hosts, schemes, credentials and methods', () => {
    for (const url of ['app://evil/index.html', 'app://renderer.evil/index.html', 'file:///app/out/renderer/index.html', 'https://renderer/index.html', 'app://user:pw@renderer/index.html', 'app://renderer:99/index.html']) {
      expect(resolveAppRequest(dir, url), url).toMatchObject({ ok: false, status: 403 });
    }
    expect(resolveAppRequest(dir, APP_INDEX_URL, 'POST')).toEqual({ ok: false, status: 405 });
    expect(resolveAppRequest(dir, 'not a url')).toEqual({ ok: false, status: 404 });
  });

  it('asks Electron for a standard, secure scheme and nothing that weakens it', () => {
    expect(appScheme).toEqual({ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } });
  });
});

describe('the app:// handler over real files', () => {
  let root: string;
  let handler: (r: Request) => Promise<Response>;
  const csp = contentSecurityPolicy({ dev: false });
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'studydl-app-protocol-'));
    await mkdir(join(root, 'renderer', 'assets'), { recursive: true });
    await writeFile(join(root, 'renderer', 'index.html'), '<!doctype html><div id="root"></div>');
    await writeFile(join(root, 'renderer', 'assets', 'index.js'), 'console.log(1)');
    await writeFile(join(root, 'secret.txt'), 'TOP SECRET');
    handler = createAppProtocolHandler({ rendererDir: join(root, 'renderer'), csp });
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('serves the page and its assets with the CSP header, the right type and no sniffing', async () => {
    const page = await handler(new Request(APP_INDEX_URL));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(csp);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const js = await handler(new Request('app://renderer/assets/index.js'));
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await js.text()).toBe('console.log(1)');
    const head = await handler(new Request(APP_INDEX_URL, { method: 'HEAD' }));
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('never reads a file outside the folder, and answers missing files and folders with 404', async () => {
    for (const url of ['app://renderer/../secret.txt', 'app://renderer/%2e%2e/secret.txt', 'app://renderer/..%2fsecret.txt', 'app://renderer/assets/..%2f..%2fsecret.txt']) {
      const r = await handler(new Request(url));
      expect(await r.text(), url).not.toContain('TOP SECRET');
      expect(r.status).not.toBe(200);
      expect(r.headers.get('content-security-policy')).toBe(csp);
    }
    expect((await handler(new Request('app://renderer/missing.js'))).status).toBe(404);
    expect((await handler(new Request('app://renderer/assets'))).status).toBe(404);
    expect((await handler(new Request('app://other/index.html'))).status).toBe(403);
    expect((await handler(new Request(APP_INDEX_URL, { method: 'POST', body: 'x' }))).status).toBe(405);
  });
});
