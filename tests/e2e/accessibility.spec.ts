// Accessibility in browser mode: per-row actions reached with Tab and named after their row,
// the view's heading focused after navigation, plots with a name that says what they show (once),
// series switched from the legend, values on hover, zoom, and plurals that read right.
import { expect, test, type Browser } from '@playwright/test';
import { type AppServer, browserAndAppPerFile } from './fixtures';
import { openPlace } from './open-place';

let browser: Browser;
let app: AppServer;
browserAndAppPerFile({ scale: 'small' }, (b, a) => {
  browser = b;
  app = a;
});

test('row actions: reached with Tab, named after their row; Enter on them does not open the row', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(app.url);
  const grid = page.getByRole('grid', { name: 'Experiments' });
  await expect(grid.locator('.grid-body [role="row"]').first()).toBeVisible();
  const names = app.sim.dataset.experiments({ includeShared: true }).map((e) => e.name);
  // Every row has its own download button, named with the row's experiment.
  for (const n of names) await expect(grid.getByRole('button', { name: `Download experiment ${n}` })).toHaveCount(1);
  // From the table, Tab reaches the rows' actions (after the column headers' sort and resize controls).
  await grid.focus();
  let focusedName = '';
  for (let i = 0; i < 40 && !focusedName.startsWith('Download experiment '); i++) {
    await page.keyboard.press('Tab');
    focusedName = (await page.evaluate("document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent ?? ''")) as string;
  }
  expect(focusedName).toBe(`Download experiment ${await grid.locator('.grid-body [role="row"]').first().locator('[role="gridcell"]').first().innerText()}`);
  await page.keyboard.press('Enter');
  const dialog = page.getByTestId('export-dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('heading', { level: 2 })).toContainText(focusedName.replace('Download experiment ', ''));
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  // Still on the list: the action did not open the row.
  await expect(grid).toBeVisible();
  // Rows that open say so to assistive technology.
  await expect(grid.locator('.grid-body [role="row"]').first()).toHaveAttribute('aria-label', /^Open experiment /);
  await page.close();
});

test('plots: a name that says what they show, series switches, hover values and zoom', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const exp = app.sim.dataset.experiments().find((e) => e.roomIds.length > 0)!;
  const room = app.sim.dataset.rooms(exp.id).find((r) => r.participantIds.length > 1)!;
  await openPlace(page, app, `#/experiment/${encodeURIComponent(exp.id)}/room/${encodeURIComponent(room.id)}/data/ratings-continuous`);
  const plot = page.getByTestId('plot').first();
  await expect(plot).toBeVisible({ timeout: 20_000 });
  // The figure is named by its caption; the chart's own name summarizes it, naming the axis once.
  await expect(plot).toHaveAccessibleName(/^Value over time/);
  const img = plot.getByRole('img');
  const label = (await img.getAttribute('aria-label'))!;
  expect(label).toMatch(/^Line chart of Value against Onset \(s\): \d+ of \d+ series shown/);
  expect(label.split('Onset').length - 1).toBe(1);
  // Series switch from the legend; the chart says how many are shown.
  const series = plot.locator('.legend .series');
  expect(await series.count()).toBeGreaterThan(1);
  const total = await series.count();
  await series.first().click();
  await expect(series.first()).toHaveAttribute('aria-pressed', 'false');
  await expect(img).toHaveAttribute('aria-label', new RegExp(`: ${total - 1} of ${total} series shown`));
  await series.first().click();
  // Hover shows the values under the pointer, the x axis in seconds.
  const box = (await img.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await expect(plot.getByTestId('plot-tip')).toContainText('Onset (s):');
  // Drag to zoom; Reset zoom returns.
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await expect(plot.getByTestId('reset-zoom')).toBeVisible();
  await plot.getByTestId('reset-zoom').click();
  await expect(plot.getByTestId('reset-zoom')).toBeHidden();
  // Keyboard: zoom buttons named after their plot.
  await plot.getByRole('button', { name: /^Zoom in on Value/ }).click();
  await expect(plot.getByTestId('reset-zoom')).toBeVisible();
  // Zoom out undoes it: the whole range again, nothing left to reset or zoom out of.
  await plot.getByRole('button', { name: /^Zoom out of Value/ }).click();
  await expect(plot.getByTestId('reset-zoom')).toBeHidden();
  await expect(plot.getByRole('button', { name: /^Zoom out of Value/ })).toBeDisabled();
  // A double-click on the chart resets a zoom too.
  await plot.getByRole('button', { name: /^Zoom in on Value/ }).click();
  await expect(plot.getByTestId('reset-zoom')).toBeVisible();
  await img.dblclick();
  await expect(plot.getByTestId('reset-zoom')).toBeHidden();
  await page.close();
});

test('plurals read right: one room, one row', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const one = app.sim.dataset.experiments({ includeShared: true }).find((e) => e.roomIds.length === 1)!;
  await openPlace(page, app, `#/experiment/${encodeURIComponent(one.id)}`);
  await expect(page.getByTestId('row-count')).toHaveText('1 room');
  await page.close();
});
