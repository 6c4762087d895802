// Navigation in browser mode (real Chromium, real core, simulator): one click or Enter opens a
// row (a chevron says so), every place has its own address, and the browser's Back, Forward and
// reload keep the researcher's place inside the app. Focus goes to the new view's heading.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { type AppServer, shot, browserAndAppPerFile } from './fixtures';
import { openPlace } from './open-place';

let browser: Browser;
let app: AppServer;
browserAndAppPerFile({ scale: 'small' }, (b, a) => {
  browser = b;
  app = a;
});

const rowsOf = (page: Page, name: string) => page.getByRole('grid', { name }).locator('.grid-body [role="row"]');
/** The place part of the address (the token never appears in it: see the bookmark test). */
const place = (page: Page) => new URL(page.url()).hash;

test('one click opens an experiment and changes the address; Back, Forward and reload keep the place', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(app.url);
  const exp = app.sim.dataset.experiments().find((e) => e.roomIds.length > 1)!;
  const experiments = rowsOf(page, 'Experiments');
  await expect(experiments.first()).toBeVisible();
  const startHash = place(page);
  expect(startHash).toBe('#/');

  // A visible chevron says the row opens; one click opens it.
  const row = experiments.filter({ hasText: exp.name });
  await expect(row.locator('.chevron')).toHaveText('›');
  await row.getByText(exp.name, { exact: true }).click();
  await expect(page.getByRole('grid', { name: 'Rooms' })).toBeVisible();
  expect(place(page)).toBe(`#/experiment/${encodeURIComponent(exp.id)}`);
  // Focus moved to the new view's heading.
  await expect(page.getByRole('heading', { level: 1 })).toBeFocused();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(exp.name);

  // Back returns to the list, inside the app.
  await page.goBack();
  await expect(experiments.first()).toBeVisible();
  expect(new URL(page.url()).origin).toBe(app.origin);
  expect(place(page)).toBe('#/');

  // Forward and reload return to the experiment.
  await page.goForward();
  await expect(page.getByRole('grid', { name: 'Rooms' })).toBeVisible();
  expect(place(page)).toBe(`#/experiment/${encodeURIComponent(exp.id)}`);
  await page.reload();
  await expect(page.getByRole('grid', { name: 'Rooms' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(exp.name);
  // The app's own Back goes through the same history.
  await page.getByRole('button', { name: 'Back (Alt+Left)' }).click();
  await expect(experiments.first()).toBeVisible();
  expect(place(page)).toBe('#/');
  // …and its Forward.
  await page.getByRole('button', { name: 'Forward (Alt+Right)' }).click();
  await expect(page.getByRole('grid', { name: 'Rooms' })).toBeVisible();
  expect(place(page)).toBe(`#/experiment/${encodeURIComponent(exp.id)}`);
  await page.close();
});

test('Enter opens the active row; each tab has its own address and reload keeps it', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(app.url);
  const exp = app.sim.dataset.experiments().find((e) => e.roomIds.length > 0)!;
  const room = app.sim.dataset.rooms(exp.id).find((r) => r.participantIds.length > 0)!;
  const experiments = page.getByRole('grid', { name: 'Experiments' });
  await expect(rowsOf(page, 'Experiments').first()).toBeVisible();
  // Keyboard: to the experiment's row, Enter.
  const index = await rowsOf(page, 'Experiments').evaluateAll((rs, name) => rs.findIndex((r) => r.textContent?.includes(name)), exp.name);
  await experiments.focus();
  for (let i = 0; i < index; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('grid', { name: 'Rooms' })).toBeVisible();
  // From the heading, ↓ enters the table; Enter opens the room.
  await expect(page.getByRole('heading', { level: 1 })).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('grid', { name: 'Rooms' })).toBeFocused();
  await rowsOf(page, 'Rooms').filter({ hasText: room.id }).click();
  await expect(page.getByRole('grid', { name: 'Participants' })).toBeVisible();
  expect(place(page)).toBe(`#/experiment/${encodeURIComponent(exp.id)}/room/${encodeURIComponent(room.id)}`);

  // A participant opens at their data; the tab is part of the address.
  await rowsOf(page, 'Participants').first().click();
  const data = page.getByTestId('view-data');
  await expect(data).toBeVisible();
  await data.locator('[role="tab"][data-tab="chat"]').click();
  await expect(data.locator('[role="tab"][data-tab="chat"]')).toHaveAttribute('aria-selected', 'true');
  expect(place(page)).toMatch(new RegExp(`^#/experiment/.+/room/.+/participant/.+/data/chat$`));
  const chatHash = place(page);
  await page.reload();
  await expect(page.getByTestId('view-data').locator('[role="tab"][data-tab="chat"]')).toHaveAttribute('aria-selected', 'true');
  expect(place(page)).toBe(chatHash);
  await shot(page, '30-deep-link-reload');

  // Back from the participant: the room (switching tabs added no history).
  await page.goBack();
  await expect(page.getByRole('grid', { name: 'Participants' })).toBeVisible();
  await page.close();
});

test('an address opened directly (a bookmark) goes straight to its place', async () => {
  const exp = app.sim.dataset.experiments().find((e) => e.roomIds.length > 0)!;
  const room = app.sim.dataset.rooms(exp.id)[0];
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await openPlace(page, app, `#/experiment/${encodeURIComponent(exp.id)}/room/${encodeURIComponent(room.id)}/data/events`);
  const data = page.getByTestId('view-data');
  await expect(data.locator('[role="tab"][data-tab="events"]')).toHaveAttribute('aria-selected', 'true');
  await expect(data.getByRole('heading', { level: 1 })).toContainText('Room');
  await expect(page.getByRole('navigation', { name: 'Location' })).toContainText(exp.name);
  // The address names only places, never the session's token.
  expect(new URL(page.url()).hash).not.toContain('token');
  // Nonsense in the address falls back to the start, without an error.
  await openPlace(page, app, '#/nowhere/at/all');
  await expect(rowsOf(page, 'Experiments').first()).toBeVisible();
  await page.close();
});
