// Tables in browser mode against the real core and the simulator: the layout (columns, sort,
// filters, widths) stays per data type across tabs, places and a restart; filters take numbers,
// ranges and times and match what the cells show; timestamps to the second with the zone;
// names where ids are; a tab overflow menu at 1024 px; and "Export this table" writes exactly
// the rows and columns shown (read back with python's zipfile and pandas).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { type AppServer, shot, browserAndAppPerFile } from './fixtures';
import { openPlace } from './open-place';

const TZ = 'Europe/Berlin';

let browser: Browser;
let app: AppServer;
browserAndAppPerFile({ scale: 'small' }, (b, a) => {
  browser = b;
  app = a;
});

async function newPage(width = 1280, height = 800): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width, height }, timezoneId: TZ, acceptDownloads: true });
  return ctx.newPage();
}

/** The participant with the most events in a room with several participants, and their room. */
function busiest() {
  const exp = app.sim.dataset.experiments().find((e) => e.roomIds.length > 1)!;
  const room = app.sim.dataset.rooms(exp.id).find((r) => r.participantIds.length > 1)!;
  const [pid, other] = [...room.participantIds].sort((a, b) => app.sim.dataset.count('events', 'participant', b, room.id) - app.sim.dataset.count('events', 'participant', a, room.id));
  return { exp, room, pid, other };
}

/** Shows the filter row unless it already is (the choice is remembered per data type). */
async function showFilters(panel: ReturnType<Page['getByRole']>) {
  // Whichever of the two the toolbar shows once drawn, never a guess made before it is.
  const toggle = panel.getByRole('button', { name: /(Show|Hide) filters/ });
  await expect(toggle).toBeVisible();
  if ((await toggle.textContent())?.includes('Show')) await toggle.click();
  await expect(panel.getByRole('button', { name: 'Hide filters' })).toBeVisible();
}

/** Debian's python3 (with pandas), as the other tiers use, whatever python a PATH finds first. */
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

const participantAddress = (exp: string, room: string, pid: string, tab: string) =>
  `#/experiment/${encodeURIComponent(exp)}/room/${encodeURIComponent(room)}/participant/${encodeURIComponent(pid)}/data/${tab}`;

async function openTab(page: Page, hash: string) {
  await openPlace(page, app, hash);
  const panel = page.getByRole('tabpanel');
  await expect(panel.getByTestId('preview-count')).toHaveText(/\d/, { timeout: 20_000 });
  await expect(panel.getByTestId('preview-count')).not.toContainText('fetching', { timeout: 20_000 });
  return panel;
}

const count = async (page: Page) => Number((await page.getByRole('tabpanel').getByTestId('preview-count').innerText()).replace(/,/g, '').match(/^(\d+)/)![1]);
const headers = (page: Page) => page.getByRole('tabpanel').getByRole('grid').locator('.grid-head [role="columnheader"]').allInnerTexts();

test('column, sort and filter choices stay with the data type across tabs, places and a restart', async () => {
  const { exp, room, pid, other } = busiest();
  const page = await newPage();
  const panel = await openTab(page, participantAddress(exp.id, room.id, pid, 'events'));
  const grid = panel.getByRole('grid');

  // Hide a column, sort by onset descending, filter the event type.
  await panel.getByRole('button', { name: /Columns/ }).click();
  await panel.getByRole('group', { name: 'Visible columns' }).getByLabel('Timestamp').uncheck();
  await page.keyboard.press('Escape');
  const onset = grid.getByRole('columnheader', { name: /Onset/ });
  await onset.getByRole('button').click();
  await onset.getByRole('button').click();
  await expect(onset).toHaveAttribute('aria-sort', 'descending');
  await showFilters(panel);
  await grid.getByLabel('Filter Event type').fill('component');
  await expect(panel.getByTestId('preview-count')).toContainText(' of ');
  const filtered = await count(page);

  const check = async () => {
    const p = page.getByRole('tabpanel');
    await expect(p.getByRole('grid').getByRole('columnheader', { name: /^Timestamp/ })).toHaveCount(0);
    await expect(p.getByRole('grid').getByRole('columnheader', { name: /Onset/ })).toHaveAttribute('aria-sort', 'descending');
    await expect(p.getByRole('grid').getByLabel('Filter Event type')).toHaveValue('component');
  };
  // Another tab and back.
  await page.locator('[role="tab"][data-tab="chat"]').click();
  await expect(page.getByRole('tabpanel').getByTestId('preview-count')).toHaveText(/\d/);
  await page.locator('[role="tab"][data-tab="events"]').click();
  await check();
  expect(await count(page)).toBe(filtered);
  // Another participant: same layout for the same data type.
  await openTab(page, participantAddress(exp.id, room.id, other, 'events'));
  await check();
  // A restart of the app (and a fresh page): still there.
  await app.restart();
  const again = await newPage();
  await openTab(again, participantAddress(exp.id, room.id, pid, 'events'));
  const p2 = again.getByRole('tabpanel');
  await expect(p2.getByRole('grid').getByRole('columnheader', { name: /^Timestamp/ })).toHaveCount(0);
  await expect(p2.getByRole('grid').getByRole('columnheader', { name: /Onset/ })).toHaveAttribute('aria-sort', 'descending');
  await expect(p2.getByRole('grid').getByLabel('Filter Event type')).toHaveValue('component');
  expect(await count(again)).toBe(filtered);
  // Clean up for the next tests: back to the default layout.
  await p2.getByRole('button', { name: 'Clear filters' }).click();
  await p2.getByRole('button', { name: /Columns/ }).click();
  await p2.getByRole('button', { name: 'Reset to default columns' }).click();
  await again.keyboard.press('Escape');
  await p2.getByRole('grid').getByRole('columnheader', { name: /Onset/ }).getByRole('button').click();
  await expect(p2.getByRole('grid').getByRole('columnheader', { name: /Onset/ })).toHaveAttribute('aria-sort', 'none');
  await p2.getByRole('button', { name: 'Hide filters' }).click();
  // The core has the default layout again before the next test starts.
  await expect.poll(async () => JSON.stringify((await app.core.api.getViewState(undefined))['hyperstudy:type:events'] ?? {})).not.toMatch(/component|"sort":\{|showFilters":true/);
  await page.context().close();
  await again.context().close();
});

test('filters take numbers, ranges and times, and find what the cells show', async () => {
  const { exp, room, pid } = busiest();
  const records = [...app.sim.dataset.records('events', 'participant', pid, room.id)];
  const page = await newPage();
  const panel = await openTab(page, participantAddress(exp.id, room.id, pid, 'events'));
  await showFilters(panel);
  const onsetFilter = panel.getByRole('grid').getByLabel('Filter Onset (ms)');
  /** "N of M rows" while a filter is on, "M rows" without one. */
  const expectCount = async (n: number, filtered = true) => {
    if (!filtered) await expect(panel.getByTestId('preview-count')).toHaveText(new RegExp(`^${n.toLocaleString('en-US')} rows?`));
    else await expect(panel.getByTestId('preview-count')).toHaveText(new RegExp(`^${n.toLocaleString('en-US')} of `));
  };

  const onsets = records.map((r) => Number(r.onset));
  const cut = [...onsets].sort((a, b) => a - b)[Math.floor(onsets.length / 2)];
  await onsetFilter.fill(`>${cut}`);
  await expectCount(onsets.filter((o) => o > cut).length);
  // The filter box says how it understood the filter.
  await expect(onsetFilter).toHaveAttribute('data-understood', `> ${cut.toLocaleString('en-US')}`);
  const lo = [...onsets].sort((a, b) => a - b)[5];
  const hi = [...onsets].sort((a, b) => a - b)[25];
  await onsetFilter.fill(`${lo.toLocaleString('en-US')}..${hi.toLocaleString('en-US')}`);
  await expectCount(onsets.filter((o) => o >= lo && o <= hi).length);
  // A number as the cell shows it ("8,353") finds it.
  const one = onsets.find((o) => o >= 1000)!;
  await onsetFilter.fill(one.toLocaleString('en-US'));
  await expectCount(onsets.filter((o) => o === one || o.toLocaleString('en-US').includes(one.toLocaleString('en-US')) || String(o).includes(one.toLocaleString('en-US'))).length);
  await expect(panel.getByRole('grid').locator('.grid-body [role="row"]').first()).toContainText(one.toLocaleString('en-US'));
  await onsetFilter.fill('');
  await expectCount(records.length, false);

  // Times: an instant with its zone, and a day in the viewer's zone (Berlin here).
  const times = records.map((r) => Date.parse(String(r.timestamp)));
  const mid = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
  const iso = new Date(mid).toISOString().slice(0, 19) + 'Z';
  const tsFilter = panel.getByRole('grid').getByLabel('Filter Timestamp');
  await tsFilter.fill(`>=${iso}`);
  await expectCount(times.filter((t) => t >= Date.parse(iso)).length);
  const berlinDay = (t: number) => new Date(t).toLocaleDateString('sv-SE', { timeZone: TZ });
  const day = berlinDay(mid);
  await tsFilter.fill(day);
  await expectCount(times.filter((t) => berlinDay(t) === day).length);
  // Cells show the time to the second (milliseconds when there are some) with the zone.
  await expect(panel.getByRole('grid').locator('.grid-body [role="row"]').first()).toContainText(/\d{2}:\d{2}:\d{2}(\.\d{3})? (CET|CEST|GMT\+\d)/);
  await shot(page, '31-number-and-time-filters');
  await tsFilter.fill('');
  await page.context().close();
});

test('names where ids were, resizable columns, and a tab overflow menu at 1024 px', async () => {
  const { exp, room, pid } = busiest();
  const person = app.sim.dataset.participants({ roomId: room.id }).find((p) => p.id === pid)!;
  const page = await newPage(1024, 700);
  const panel = await openTab(page, participantAddress(exp.id, room.id, pid, 'ratings-continuous'));
  // The heading and the participant column name the participant.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Participant ${person.name}`);
  await expect(panel.getByRole('grid').locator('.grid-body [role="row"]').first()).toContainText(person.name);
  // The plot's legend too.
  await expect(panel.getByTestId('plot').first().locator('.legend')).toContainText(person.name);

  // Drag a column's edge: it gets wider, and stays so after a reload.
  const header = panel.getByRole('grid').getByRole('columnheader', { name: /Value/ }).first();
  const before = (await header.boundingBox())!.width;
  const handle = header.getByRole('separator');
  const box = (await handle.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + 90, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await expect.poll(async () => (await header.boundingBox())!.width).toBeGreaterThan(before + 60);
  // The layout is saved a moment after the last change: reload once the core holds the new width.
  await expect
    .poll(async () => Object.keys((await app.core.api.getViewState(undefined))['hyperstudy:type:ratings-continuous']?.widths ?? {}).length > 0, { timeout: 10_000 })
    .toBe(true);
  await page.reload();
  const header2 = page.getByRole('tabpanel').getByRole('grid').getByRole('columnheader', { name: /Value/ }).first();
  await expect.poll(async () => (await header2.boundingBox())!.width).toBeGreaterThan(before + 60);
  // Keyboard: ← on the edge narrows it.
  const w = (await header2.boundingBox())!.width;
  await header2.getByRole('separator').focus();
  await page.keyboard.press('Shift+ArrowLeft');
  await expect.poll(async () => (await header2.boundingBox())!.width).toBeLessThan(w);

  // Tabs that do not fit are in a menu that says how many.
  const more = page.getByTestId('tabs-more');
  await expect(more).toBeVisible();
  await expect(more).toHaveText(/\d+ more/);
  await more.click();
  const menu = page.getByRole('menu', { name: 'More data types' });
  // Escape inside the menu closes it.
  await menu.getByRole('menuitem').first().focus();
  await page.keyboard.press('Escape');
  await expect(menu).toBeHidden();
  await expect(more).toHaveAttribute('aria-expanded', 'false');
  await more.click();
  const last = menu.getByRole('menuitem').last();
  const lastText = (await last.innerText()).split('\n')[0];
  await shot(page, '32-tab-overflow-menu');
  await last.click();
  await expect(page.getByRole('tab', { selected: true })).toContainText(lastText);
  await expect(page.getByRole('tab', { selected: true })).toBeInViewport();
  await page.context().close();
});

test('"Export this table" writes the rows that pass the filters, with the visible columns', async () => {
  const { exp, room, pid } = busiest();
  const records = [...app.sim.dataset.records('events', 'participant', pid, room.id)];
  const page = await newPage();
  const panel = await openTab(page, participantAddress(exp.id, room.id, pid, 'events'));
  const cut = [...records.map((r) => Number(r.onset))].sort((a, b) => a - b)[Math.floor(records.length / 3)];
  await showFilters(panel);
  await panel.getByRole('grid').getByLabel('Filter Onset (ms)').fill(`>${cut}`);
  const expected = records.filter((r) => Number(r.onset) > cut).map((r) => String(r.id));
  await expect(panel.getByTestId('preview-count')).toHaveText(new RegExp(`^${expected.length.toLocaleString('en-US')} of `));
  const shown = (await headers(page)).map((h) => h.replace(/[↕▲▼]/g, '').trim()).filter(Boolean);

  await panel.getByTestId('export-shown').click();
  const dialog = page.getByTestId('export-dialog');
  await expect(dialog.getByTestId('view-facts')).toContainText(`${expected.length.toLocaleString('en-US')} rows`);
  await expect(dialog.getByTestId('view-facts')).toContainText('(filtered)');
  await expect(dialog.getByRole('group', { name: 'Data types' })).toHaveCount(0);
  await expect(dialog.getByTestId('plan-requests')).toHaveText(/^\d/, { timeout: 20_000 });
  await dialog.getByTestId('start-export').click();
  const modal = page.getByTestId('progress-modal');
  await expect(modal.getByTestId('job-state')).toHaveAttribute('data-state', 'completed', { timeout: 60_000 });
  const name = (await modal.getByTestId('output-path').innerText()).trim().split('/').pop()!;
  expect(name).toMatch(/_events-filtered_\d{4}-\d{2}-\d{2}\.zip$/);
  expect(readdirSync(app.downloadDir)).toContain(name);
  const got = JSON.parse(execFileSync(PYTHON, ['-c', `
import sys, json, zipfile, io
import pandas as pd
z = zipfile.ZipFile(sys.argv[1])
n = [x for x in z.namelist() if x.endswith('/events.csv')][0]
d = pd.read_csv(io.BytesIO(z.read(n)), encoding='utf-8-sig', dtype=str, keep_default_na=False)
print(json.dumps({'columns': list(d.columns), 'ids': sorted(d['id'].tolist()) if 'id' in d.columns else None, 'rows': len(d)}))
`, join(app.downloadDir, name)]).toString()) as { columns: string[]; ids: string[] | null; rows: number };
  expect(got.rows).toBe(expected.length);
  // The CSV's columns are the table's visible columns (by key; the headers show their labels).
  expect(got.columns.length).toBe(shown.length);
  expect(got.columns).toContain('onset');
  expect(got.columns).not.toContain('clientTimestamp'); // a hidden column stays out
  await modal.getByRole('button', { name: 'Done' }).click();
  await panel.getByRole('button', { name: 'Clear filters' }).click();
  await page.context().close();
});
