// The browser-mode credential reaches no other server. In real Chromium: the app's own page is
// made to request another server on 127.0.0.1 (a different port) every way a page can, and a
// new tab in the same browser profile visits it; that server must never see the token, in any
// header, cookie or URL. Cookies are scoped by host, not port, so the old session cookie failed
// this. Also: the token leaves the address bar, a reload still works (sessionStorage), a tab
// without the link is told what to do, and "Download ZIP" works through a one-time ticket.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, test, type Browser } from '@playwright/test';
import { launchBrowser, startAppServer, startCaptureServer, type AppServer, type CaptureServer } from './fixtures';

let browser: Browser;
let app: AppServer;
let capture: CaptureServer;
test.beforeAll(async () => {
  browser = await launchBrowser();
  app = await startAppServer({ scale: 'tiny' });
  capture = await startCaptureServer();
});
test.afterAll(async () => {
  await browser?.close();
  await capture?.close();
  await app?.close();
});

test('no other server on 127.0.0.1 ever receives the token, in any header, cookie or URL', async () => {
  // bypassCSP: the app's CSP would block most of these requests; the point is that even a
  // request that does go out carries nothing
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  await page.goto(app.url);
  await expect(page.getByTestId('connection-state')).toContainText('Connected');
  expect(page.url()).not.toContain(app.token);
  expect(await context.cookies()).toEqual([]);

  // (a string, like the other specs' page scripts: this file is type-checked without the DOM library)
  await page.evaluate(`(async (other) => {
    const img = new Image();
    img.src = other + '/from-app/img.png';
    document.body.append(img);
    const frame = document.createElement('iframe');
    frame.src = other + '/from-app/iframe';
    document.body.append(frame);
    await fetch(other + '/from-app/fetch-include', { credentials: 'include', mode: 'no-cors' }).catch(() => undefined);
    await fetch(other + '/from-app/fetch-cors', { credentials: 'include' }).catch(() => undefined);
    navigator.sendBeacon(other + '/from-app/beacon', 'x');
    const ws = new WebSocket(other.replace('http:', 'ws:') + '/from-app/ws');
    ws.onerror = () => undefined;
  })(${JSON.stringify(capture.origin)})`);
  // a new tab in the same browser profile, and the app's own tab navigating there
  const tab = await context.newPage();
  await tab.goto(`${capture.origin}/new-tab`);
  await page.goto(`${capture.origin}/app-tab-navigated`);

  const expected = ['/from-app/img.png', '/from-app/iframe', '/from-app/fetch-include', '/from-app/fetch-cors', '/from-app/beacon', '/from-app/ws', '/new-tab', '/app-tab-navigated'];
  await expect.poll(() => expected.filter((p) => !capture.requests.some((r) => r.url === p)), { timeout: 15_000 }).toEqual([]);
  for (const r of capture.requests) {
    expect(r.headers.cookie, `${r.url} carried a cookie`).toBeUndefined();
    expect(JSON.stringify(r), `${r.url} carried the token`).not.toContain(app.token);
    expect(String(r.headers.referer ?? '')).not.toContain('token');
  }
  expect(await context.cookies()).toEqual([]);
  await context.close();
});

test('the token leaves the address bar but stays in the tab: a reload works, a tab without the link is told what to do', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(app.url);
  await expect(page.getByTestId('connection-state')).toContainText('Connected');
  // The token is gone from the address; what is left is the top place's own address (#/).
  expect(page.url()).toBe(`${app.origin}/#/`);
  expect(await page.evaluate("sessionStorage.getItem('studydl.token')")).toBe(app.token);
  expect(await page.evaluate('document.cookie')).toBe('');

  await page.reload();
  await expect(page.getByTestId('connection-state')).toContainText('Connected');
  await expect(page.getByRole('grid', { name: 'Experiments' })).toBeVisible();

  const bare = await context.newPage(); // sessionStorage is per tab: no token here
  await bare.goto(`${app.origin}/`);
  await expect(bare.getByRole('alert')).toContainText(/without its access token/);
  await expect(bare.getByText(/#token=/)).toBeVisible();

  const stale = await context.newPage(); // a link from an earlier run
  await stale.goto(`${app.origin}/#token=${'A'.repeat(43)}`);
  await expect(stale.getByRole('alert')).toContainText(/refused the connection/);
  await context.close();
});

test('"Download ZIP" fetches a one-time ticket over the WebSocket and downloads the export', async () => {
  const exp = app.sim.dataset.experiments()[0];
  const job = await app.core.api.startExport({
    target: { level: 'experiment', path: [{ level: 'experiment', id: exp.id }] },
    types: ['events'], format: 'csv', zip: true, split: 'none', anonymize: 'keep', includeRecordings: false, bom: false, formulaProtection: true,
  });
  await expect.poll(async () => (await app.core.api.listJobs(undefined)).find((j) => j.id === job.id)?.state, { timeout: 60_000 }).toBe('completed');

  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(app.url);
  await page.getByTestId('open-downloads').click();
  const item = page.getByTestId('downloads-panel').locator(`[data-job-id="${job.id}"]`);
  const link = item.getByTestId('download-link');
  await expect(link).toBeVisible();
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const url = new URL(download.url());
  expect(url.pathname).toBe(`/download/${encodeURIComponent(job.id)}`);
  expect(url.searchParams.get('ticket')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(download.url()).not.toContain(app.token);
  const file = join(app.dataDir, 'via-browser.zip');
  await download.saveAs(file);
  expect(execFileSync('unzip', ['-t', file]).toString()).toMatch(/No errors detected/);
  expect(download.suggestedFilename()).toMatch(/\.zip$/);

  // the ticket is spent, and the bare link alone gets nothing
  expect((await page.request.get(download.url())).status()).toBe(403);
  expect((await page.request.get(`${app.origin}/download/${encodeURIComponent(job.id)}`)).status()).toBe(401);
  expect(await context.cookies()).toEqual([]);
  await context.close();
});
