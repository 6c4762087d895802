// Connection state that tells the truth, in Chromium against browser mode and a simulator that
// is stopped and started again on the same port: offline said in one place (the banner, with a
// working Retry), views and the export dialog wait quietly and recover by themselves, and a key
// that was kept in memory only is entered again in place after a restart, and a link to the app's
// own server gone for long says so and offers a reload.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { startSimulator, type Simulator } from '../sim';
import { launchBrowser, startAppServer, shot } from './fixtures';
import { openPlace } from './open-place';

let browser: Browser;
test.beforeAll(async () => {
  browser = await launchBrowser();
});
test.afterAll(async () => {
  await browser?.close();
});

const SEED = 777;

test('offline: one message with Retry; the list, a data tab and the export dialog recover by themselves', async () => {
  test.setTimeout(180_000);
  let sim: Simulator = await startSimulator({ scale: 'tiny', seed: SEED });
  const port = sim.port;
  const app = await startAppServer({ simulator: sim });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(app.url);
    const exp = sim.dataset.experiments().find((e) => e.roomIds.length > 0)!;
    const room = sim.dataset.rooms(exp.id).find((r) => r.participantIds.length > 0)!;
    const pid = room.participantIds[0];
    const experiments = page.getByRole('grid', { name: 'Experiments' });
    await expect(experiments.locator('.grid-body [role="row"]').first()).toBeVisible();
    await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'online');
    const budgetBefore = await page.getByTestId('budget').innerText();

    // The server goes away; a request fails; the status says so at once, in one place.
    await sim.close();
    await page.getByRole('button', { name: 'Refresh' }).click();
    const banner = page.getByTestId('banner');
    await expect(banner).toHaveAttribute('data-state', 'offline', { timeout: 10_000 });
    await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'offline');
    await expect(banner).toContainText(/Can.t reach 127\.0\.0\.1:\d+: the connection was refused/);
    await expect(banner.getByTestId('next-check')).toHaveText(/Checking again in \d+ s|Checking…/);
    await expect(page.getByTestId('connection-wait')).toBeVisible({ timeout: 30_000 });
    // The message appears once: the view does not repeat it.
    await expect(page.getByText(/the connection was refused/)).toHaveCount(1);
    // Nothing reached the server, so no budget was spent.
    expect(await page.getByTestId('budget').innerText()).toBe(budgetBefore);
    await shot(page, '33-offline-one-message');

    // Retry while still down: it looks at once and says so again.
    await banner.getByRole('button', { name: 'Retry now' }).click();
    await expect(banner).toHaveAttribute('data-state', 'offline');
    await expect(banner.getByRole('button', { name: 'Retry now' })).toBeEnabled({ timeout: 15_000 });

    // A data tab and the export dialog opened while offline wait too.
    await openPlace(page, app, `#/experiment/${encodeURIComponent(exp.id)}/room/${encodeURIComponent(room.id)}/participant/${encodeURIComponent(pid)}/data/events`);
    await expect(page.getByRole('tabpanel').getByTestId('connection-wait')).toBeVisible({ timeout: 30_000 });
    await page.getByTestId('download-level').click();
    const dialog = page.getByTestId('export-dialog');
    await expect(dialog.getByTestId('connection-wait')).toBeVisible({ timeout: 30_000 });
    await expect(dialog.getByTestId('start-export')).toBeDisabled();

    // The server is back: everything that waited loads by itself (the dialog is modal, so no click).
    sim = await startSimulator({ scale: 'tiny', seed: SEED, port });
    await expect(banner).toBeHidden({ timeout: 45_000 });
    await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'online');
    await expect(dialog.getByTestId('plan-requests')).toHaveText(/^\d/, { timeout: 30_000 });
    await expect(dialog.getByTestId('start-export')).toBeEnabled();
    await page.keyboard.press('Escape');
    const panel = page.getByRole('tabpanel');
    await expect(panel.getByTestId('preview-count')).toHaveText(new RegExp(`^${sim.dataset.count('events', 'participant', pid, room.id).toLocaleString('en-US')} rows?`), { timeout: 30_000 });
    await page.goBack();
    await page.goBack();
    await page.close();
  } finally {
    await app.close();
    await sim.close();
  }
});

test('the list recovers without Retry when the server comes back', async () => {
  test.setTimeout(120_000);
  let sim: Simulator = await startSimulator({ scale: 'tiny', seed: SEED + 1 });
  const port = sim.port;
  const app = await startAppServer({ simulator: sim });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(app.url);
    const rows = page.getByRole('grid', { name: 'Experiments' }).locator('.grid-body [role="row"]');
    await expect(rows.first()).toBeVisible();
    await sim.close();
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect(page.getByTestId('banner')).toHaveAttribute('data-state', 'offline', { timeout: 10_000 });
    await expect(page.getByTestId('connection-wait')).toBeVisible({ timeout: 30_000 });
    sim = await startSimulator({ scale: 'tiny', seed: SEED + 1, port });
    // The core keeps looking (every few seconds, at most 15): no click needed.
    await expect(page.getByTestId('banner')).toBeHidden({ timeout: 45_000 });
    await expect(rows.first()).toBeVisible({ timeout: 15_000 });
    await page.close();
  } finally {
    await app.close();
    await sim.close();
  }
});

async function addConnection(page: Page, baseUrl: string, key: string) {
  const dialog = page.getByRole('dialog', { name: 'Connect to HyperStudy' });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Name').fill('Lab');
  await dialog.getByRole('radio', { name: /Custom URL/ }).check();
  await dialog.getByLabel('Custom API URL').fill(baseUrl);
  await dialog.getByLabel('API key').fill(key);
  await dialog.getByRole('button', { name: 'Check and save' }).click();
  await expect(dialog).toBeHidden({ timeout: 15_000 });
}

test('a key kept in memory only is entered again in place after a restart, and the place is kept', async () => {
  test.setTimeout(120_000);
  const app = await startAppServer({ scale: 'tiny', withDemoProfile: false });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(app.url);
    await addConnection(page, app.sim.baseUrl, app.sim.apiKey);
    const exp = app.sim.dataset.experiments().find((e) => e.roomIds.length > 0)!;
    await page.getByRole('grid', { name: 'Experiments' }).getByText(exp.name, { exact: true }).click();
    await expect(page.getByRole('grid', { name: 'Rooms' })).toBeVisible();
    const placeBefore = new URL(page.url()).hash;

    // While the app's server restarts, the link is said to be reconnecting (not "Connected").
    const restarting = app.restart();
    await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'link-lost', { timeout: 10_000 }).catch(() => undefined);
    await restarting;

    // The key lived in memory only: gone. One banner says so and asks for it right there.
    const banner = page.getByTestId('banner');
    await expect(banner).toHaveAttribute('data-state', 'no-key', { timeout: 30_000 });
    await expect(banner).toContainText('The key for “Lab” is not available');
    await expect(page.getByTestId('connection-state')).toHaveText(/Key needed/);
    await shot(page, '34-enter-the-key-again');
    // Cancel folds the field away again; nothing was sent.
    await banner.getByTestId('enter-key-again').click();
    await expect(banner.getByLabel('API key for Lab')).toBeFocused();
    await banner.getByRole('button', { name: 'Cancel' }).click();
    await expect(banner.getByLabel('API key for Lab')).toHaveCount(0);
    await banner.getByTestId('enter-key-again').click();
    await banner.getByLabel('API key for Lab').fill('hst_test_not-the-right-one-at-all-000000000');
    await banner.getByRole('button', { name: 'Use this key' }).click();
    await expect(banner.getByRole('alert')).toContainText(/rejected/);
    await banner.getByLabel('API key for Lab').fill(app.sim.apiKey);
    await banner.getByRole('button', { name: 'Use this key' }).click();
    await expect(banner).toBeHidden({ timeout: 30_000 });
    // Back in business where the researcher was.
    expect(new URL(page.url()).hash).toBe(placeBefore);
    await expect(page.getByRole('grid', { name: 'Rooms' }).locator('.grid-body [role="row"]').first()).toBeVisible({ timeout: 15_000 });
    await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'online');
    expect(await page.content()).not.toContain(app.sim.apiKey);
    await page.close();
  } finally {
    await app.close();
  }
});

test('the link to the app’s own server gone for long: the banner stops saying “reconnecting” and offers a reload', async () => {
  const app = await startAppServer({ scale: 'tiny' });
  let closed = false;
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // The page's clock is moved on by hand: the banner changes after 20 s without the link.
    await page.clock.install();
    await page.goto(app.url);
    await expect(page.getByRole('grid', { name: 'Experiments' }).locator('.grid-body [role="row"]').first()).toBeVisible();
    await app.close();
    closed = true;
    const banner = page.getByTestId('banner');
    await expect(banner).toHaveAttribute('data-state', 'link-lost', { timeout: 15_000 });
    await expect(banner).toContainText('Reconnecting… Downloads keep running in the server.');
    await expect(banner.getByRole('button', { name: 'Reload the page' })).toHaveCount(0);
    await page.clock.fastForward(21_000);
    await expect(banner).toContainText('It has not come back.');
    await expect(banner.getByRole('button', { name: 'Reload the page' })).toBeVisible();
    await page.close();
  } finally {
    if (!closed) await app.close();
  }
});
