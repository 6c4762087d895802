// Error and edge states in the browser UI, against the real core and the simulator:
// a key without a scope (the tab names the scope), a server that is not HyperStudy, the offline
// banner that keeps retrying and recovers, a damaged downloads list named in a notice, and the look
// at 1024×700 and in the dark theme.
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { startSimulator } from '../sim';
import { launchBrowser, startAppServer, type AppServer, shot } from './fixtures';

let browser: Browser;
test.beforeAll(async () => {
  browser = await launchBrowser();
});
test.afterAll(async () => {
  await browser?.close();
});

async function addConnection(page: Page, baseUrl: string, key: string) {
  const dialog = page.getByRole('dialog', { name: /Connect to HyperStudy|Connections/ });
  await expect(dialog).toBeVisible();
  if (await dialog.getByRole('button', { name: 'Add a connection…' }).isVisible()) await dialog.getByRole('button', { name: 'Add a connection…' }).click();
  await dialog.getByRole('radio', { name: /Custom URL/ }).check();
  await dialog.getByLabel('Custom API URL').fill(baseUrl);
  await dialog.getByLabel('API key').fill(key);
  await dialog.getByRole('button', { name: 'Check and save' }).click();
  return dialog;
}

/** Opens the first participant of the first own experiment's first room. */
async function openFirstParticipant(page: Page, app: AppServer) {
  const exp = app.sim.dataset.experiments().find((e) => !e.shared && e.roomIds.length > 0)!;
  const room = app.sim.dataset.rooms(exp.id).find((r) => r.participantIds.length > 0)!;
  await page.getByRole('grid', { name: 'Experiments' }).getByText(exp.name, { exact: true }).click();
  await page.getByRole('grid', { name: 'Rooms' }).getByText(room.id, { exact: true }).click();
  await page.getByRole('grid', { name: 'Participants' }).locator('.grid-body [role="row"]').first().click();
  await expect(page.getByTestId('view-data')).toBeVisible();
  return { exp, room };
}

test('a key without read:chat: the chat tab names the missing scope and the fix', async () => {
  const app = await startAppServer({ scale: 'tiny', withDemoProfile: false });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(app.url);
    const dialog = await addConnection(page, app.sim.baseUrl, app.sim.limitedKey);
    const result = dialog.getByTestId('key-validation');
    // The key works but lacks scopes: either saved at once or saved after the warning.
    // (Both the dialog and the grid behind it may be on screen, so wait for the check's outcome itself.)
    await expect
      .poll(async () => (await result.isVisible().catch(() => false)) || !(await dialog.isVisible().catch(() => false)), { timeout: 15_000 })
      .toBe(true);
    if (await result.isVisible().catch(() => false)) {
      const outcome = await result.getAttribute('data-outcome');
      if (outcome === 'missing-scopes') await expect(result).toContainText('read:');
    }
    if (await dialog.isVisible()) await dialog.getByRole('button', { name: 'Close' }).click({ timeout: 5_000 }).catch(() => undefined); // the dialog may close by itself meanwhile
    await expect(page.getByRole('grid', { name: 'Experiments' })).toBeVisible({ timeout: 15_000 });
    await openFirstParticipant(page, app);
    // The tab says in advance what the key lacks; opening it explains the fix without a request.
    const chatTab = page.locator('[role="tab"][data-tab="chat"]');
    await expect(chatTab.getByTestId('needs-scope')).toHaveText('needs read:chat', { timeout: 15_000 });
    await chatTab.click();
    const why = page.getByRole('tabpanel').getByTestId('scope-needed');
    await expect(why).toBeVisible();
    await expect(why).toContainText('read:chat');
    await expect(why).toContainText('API Keys');
    await shot(page, '20-missing-scope');
    await page.close();
  } finally {
    await app.close();
  }
});

test('a server that is not HyperStudy is said to be one', async () => {
  const html: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><html><body><h1>Welcome to nginx!</h1></body></html>');
  });
  await new Promise<void>((r) => html.listen(0, '127.0.0.1', () => r()));
  const app = await startAppServer({ scale: 'tiny', withDemoProfile: false });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(app.url);
    const port = (html.address() as AddressInfo).port;
    const dialog = await addConnection(page, `http://127.0.0.1:${port}/api/v3`, app.sim.apiKey);
    const result = dialog.getByTestId('key-validation');
    await expect(result).toHaveAttribute('data-outcome', 'not-hyperstudy', { timeout: 15_000 });
    await expect(result).toContainText(/HyperStudy/);
    await shot(page, '21-not-hyperstudy');
    await page.close();
  } finally {
    await app.close();
    await new Promise((r) => html.close(r));
  }
});

test('offline: the banner keeps retrying and the app recovers by itself', async () => {
  test.setTimeout(120_000);
  const seed = 4242;
  let sim = await startSimulator({ scale: 'tiny', seed });
  const port = sim.port;
  const app = await startAppServer({ simulator: sim });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(app.url);
    const grid = page.getByRole('grid', { name: 'Experiments' });
    await expect(grid.locator('.grid-body [role="row"]').first()).toBeVisible();
    await sim.close();
    await page.getByRole('button', { name: 'Refresh' }).click();
    const banner = page.getByTestId('banner');
    await expect(banner).toHaveAttribute('data-state', 'offline', { timeout: 30_000 });
    await expect(banner).toContainText(/Checking again in \d+ s|Checking…/);
    // One message in one place: the view waits quietly instead of repeating it.
    await expect(page.getByTestId('connection-wait')).toBeVisible({ timeout: 30_000 }); // once the request's own retries end
    await shot(page, '22-offline');
    sim = await startSimulator({ scale: 'tiny', seed, port });
    await expect(banner).toBeHidden({ timeout: 45_000 });
    await expect(grid.locator('.grid-body [role="row"]').first()).toBeVisible({ timeout: 15_000 });
    await page.close();
  } finally {
    await app.close();
    await sim.close();
  }
});

test('a key the server stops accepting: the banner says so, and Fix connection… opens the connections', async () => {
  const app = await startAppServer({ scale: 'tiny' });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(app.url);
    await expect(page.getByRole('grid', { name: 'Experiments' }).locator('.grid-body [role="row"]').first()).toBeVisible();
    // From now on the server answers every request with 401.
    app.sim.setFaults({ rules: [{ match: '.', kind: 'error', status: 401, count: 10_000 }] });
    await page.getByRole('button', { name: 'Refresh' }).click();
    const banner = page.getByTestId('banner');
    await expect(banner).toHaveAttribute('data-state', 'unauthorized', { timeout: 30_000 });
    await banner.getByRole('button', { name: 'Fix connection…' }).click();
    await expect(page.getByRole('dialog', { name: 'Connections' })).toBeVisible();
    await page.close();
  } finally {
    await app.close();
  }
});

test('a damaged list of downloads is set aside at start-up, and a notice says where it went until it is dismissed', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'studydl-e2e-damaged-'));
  mkdirSync(join(dataDir, 'jobs'), { recursive: true });
  writeFileSync(join(dataDir, 'jobs', 'jobs.json'), '{"version":1,"jobs":[{"id":"job_cut-off');
  const app = await startAppServer({ scale: 'tiny', dataDir });
  try {
    const backups = readdirSync(join(dataDir, 'jobs')).filter((n) => n.startsWith('jobs.json.corrupt-'));
    expect(backups).toHaveLength(1);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // Time stands still in the page, so the notice cannot go away by itself (it would after a few seconds).
    await page.clock.install();
    await page.clock.pauseAt(Date.now() + 1_000);
    await page.goto(app.url);
    const notice = page.locator('.toasts [role="status"]').filter({ hasText: 'could not be read in full' });
    await expect(notice).toBeVisible();
    await expect(notice).toContainText(`The file was kept as ${join(dataDir, 'jobs', backups[0])}`);
    await expect(notice).toContainText('Anything else is in the backup file.');
    await notice.getByRole('button', { name: 'Dismiss' }).click();
    await expect(notice).toHaveCount(0);
    await page.close();
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('the layout holds at 1024×700, and the dark theme follows the OS', async () => {
  const app = await startAppServer({ scale: 'small' });
  try {
    const page = await browser.newPage({ viewport: { width: 1024, height: 700 } });
    await page.goto(app.url);
    await expect(page.getByRole('grid', { name: 'Experiments' }).locator('.grid-body [role="row"]').first()).toBeVisible();
    await openFirstParticipant(page, app);
    await page.locator('[role="tab"][data-tab="ratings-continuous"]').click();
    await expect(page.getByTestId('plot').first()).toBeVisible({ timeout: 15_000 });
    // Nothing in the page wider than the window except inside scrollable tables.
    const overflow = (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
    expect(overflow).toBeLessThanOrEqual(0);
    await expect(page.getByTestId('download-level')).toBeInViewport();
    await shot(page, '23-small-window-ratings');
    await page.getByTestId('download-level').click();
    const dialog = page.getByTestId('export-dialog');
    await expect(dialog.getByTestId('start-export')).toBeInViewport();
    await shot(page, '24-small-window-export');
    // The dialog is modal: Tab and Shift+Tab cycle inside it, Escape closes it and focus returns.
    await expect(dialog).toHaveAttribute('aria-modal', 'true');
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press(i % 3 === 2 ? 'Shift+Tab' : 'Tab');
      expect(await dialog.evaluate((d) => d.contains(d.ownerDocument.activeElement))).toBe(true);
    }
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('download-level')).toBeFocused();
    await expect(dialog).toBeHidden();

    await page.emulateMedia({ colorScheme: 'dark' });
    await page.setViewportSize({ width: 1280, height: 800 });
    const bodyBackground = () => page.evaluate('getComputedStyle(document.body).backgroundColor');
    const bg = await bodyBackground();
    expect(bg).toBe('rgb(21, 24, 29)');
    await page.locator('[role="tab"][data-tab="sync"]').click();
    await expect(page.getByTestId('plot').first()).toBeVisible({ timeout: 15_000 });
    await shot(page, '25-dark-sync');
    // The theme override from settings wins over the OS.
    await page.getByRole('button', { name: /^Theme:/ }).click(); // system → light
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
    expect(await bodyBackground()).toBe('rgb(247, 248, 250)');
    await page.getByRole('button', { name: /^Theme:/ }).click(); // light → dark
    await page.getByRole('button', { name: /^Theme:/ }).click(); // dark → system
    await expect(page.locator('html')).not.toHaveAttribute('data-theme', /.+/);
    await page.close();
  } finally {
    await app.close();
  }
});
