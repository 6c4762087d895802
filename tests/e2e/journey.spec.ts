// The researcher's whole journey in Chromium against browser mode, the real core and the simulator:
// first run (bad key, good key), drill-down with mouse and keyboard, every data tab, sort and filter,
// a pseudonymized room ZIP with recordings (checked with `unzip -t`), a cancelled export that leaves
// nothing finished-looking behind, and a server restart mid-export that resumes from the downloads panel.
// Screenshots of each screen go to test-results/screenshots/.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { launchBrowser, startAppServer, type AppServer, shot } from './fixtures';

/** Entries in the download folder that look like a finished export (not hidden, not a temp/partial name). */
function finishedLooking(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((n) => !n.startsWith('.') && !/\.(part|tmp|partial)$/i.test(n)).sort();
}

async function waitForJobState(page: Page, states: RegExp, timeout = 90_000): Promise<string> {
  const el = page.getByTestId('job-state');
  await expect(el).toHaveAttribute('data-state', states, { timeout });
  return (await el.getAttribute('data-state')) ?? '';
}

let browser: Browser;
test.beforeAll(async () => {
  browser = await launchBrowser();
});
test.afterAll(async () => {
  await browser?.close();
});

test.describe('first run', () => {
  let app: AppServer;
  test.beforeAll(async () => {
    app = await startAppServer({ scale: 'small', withDemoProfile: false });
  });
  test.afterAll(async () => {
    await app?.close();
  });

  test('a bad key gets the plain-words error, a good key lists the experiments', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(app.url);
    const dialog = page.getByRole('dialog', { name: 'Connect to HyperStudy' });
    await expect(dialog).toBeVisible();

    // The key is masked until asked for.
    const keyInput = dialog.getByLabel('API key');
    await expect(keyInput).toHaveAttribute('type', 'password');
    await dialog.getByLabel('Name').fill('Lab');
    await dialog.getByRole('radio', { name: /Custom URL/ }).check();
    await dialog.getByLabel('Custom API URL').fill(app.sim.baseUrl);

    // Not a key at all: caught before any request.
    await keyInput.fill('my-password-123');
    await dialog.getByRole('button', { name: 'Check and save' }).click();
    const result = dialog.getByTestId('key-validation');
    await expect(result).toHaveAttribute('data-outcome', 'wrong-format');
    await expect(result.getByRole('alert')).toContainText(/hst_/);

    // The right shape but unknown to the server: rejected in plain words, with a fix.
    const wrongKey = `hst_test_${'x'.repeat(40)}`;
    await keyInput.fill(wrongKey);
    await dialog.getByRole('button', { name: 'Show' }).click();
    await expect(keyInput).toHaveAttribute('type', 'text');
    await dialog.getByRole('button', { name: 'Hide' }).click();
    await dialog.getByRole('button', { name: 'Check and save' }).click();
    await expect(result).toHaveAttribute('data-outcome', 'rejected');
    await expect(result.locator('.fix')).not.toBeEmpty();
    await shot(page, '01-first-run-bad-key');

    // The simulator's key: accepted, the dialog closes, the experiments appear.
    await keyInput.fill(app.sim.apiKey);
    await dialog.getByRole('button', { name: 'Check and save' }).click();
    await expect(dialog).toBeHidden({ timeout: 15_000 });
    const grid = page.getByRole('grid', { name: 'Experiments' });
    const own = app.sim.dataset.experiments().filter((e) => !e.shared);
    for (const e of own) await expect(grid.getByText(e.name, { exact: true })).toBeVisible();
    expect(Number(await grid.getAttribute('aria-rowcount')) - 1).toBeGreaterThanOrEqual(own.length);

    // The key never reaches the page; where it is stored is shown.
    expect(await page.content()).not.toContain(app.sim.apiKey);
    await page.getByRole('button', { name: 'Connections…' }).click();
    const profiles = page.getByRole('dialog', { name: 'Connections' });
    await expect(profiles.getByTestId('profile-row')).toHaveCount(1);
    await expect(profiles.getByTestId('key-storage')).not.toBeEmpty();
    await shot(page, '02-connections');
    expect(await page.content()).not.toContain(app.sim.apiKey);
    await page.keyboard.press('Escape');
    await expect(profiles).toBeHidden();
    await page.close();
  });
});

test.describe('journey', () => {
  let app: AppServer;
  test.beforeAll(async () => {
    app = await startAppServer({ scale: 'small' });
  });
  test.afterAll(async () => {
    await app?.close();
  });

  test('browse, preview every tab, sort, filter, export, cancel, restart and resume', async () => {
    test.setTimeout(300_000);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(app.url);

    // ---------- experiments: sort, search, keyboard ----------
    const experiments = page.getByRole('grid', { name: 'Experiments' });
    await expect(experiments.getByRole('row')).not.toHaveCount(1);
    await expect(page.getByTestId('connection-state')).toContainText('Connected');
    const nameHeader = experiments.getByRole('columnheader', { name: /Name/ });
    await nameHeader.getByRole('button').click();
    await expect(nameHeader).toHaveAttribute('aria-sort', 'ascending');
    const names = await experiments.locator('.grid-body [role="row"] [role="gridcell"]:first-child').allInnerTexts();
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'en', { numeric: true, sensitivity: 'base' })));
    await nameHeader.getByRole('button').click();
    await expect(nameHeader).toHaveAttribute('aria-sort', 'descending');
    await shot(page, '03-experiments');

    const target = app.sim.dataset.experiments().find((e) => e.roomIds.length > 0)!;
    await page.getByRole('searchbox', { name: 'Search experiments' }).fill(target.name);
    await expect(experiments.locator('.grid-body [role="row"]')).toHaveCount(1);
    await experiments.focus();
    await page.keyboard.press('Enter');

    // ---------- rooms ----------
    const rooms = page.getByRole('grid', { name: 'Rooms' });
    await expect(rooms).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Location' })).toContainText(target.name);
    const roomsInSim = app.sim.dataset.rooms(target.id);
    await expect(rooms.locator('.grid-body [role="row"]')).toHaveCount(roomsInSim.length);
    await shot(page, '04-rooms');
    // Open the room with the most participants (and so recordings): one click on its row.
    const room = [...roomsInSim].sort((a, b) => b.participantIds.length - a.participantIds.length)[0];
    await rooms.getByText(room.id, { exact: true }).click();

    // ---------- participants, with data badges ----------
    const participants = page.getByRole('grid', { name: 'Participants' });
    await expect(participants.locator('.grid-body [role="row"]')).toHaveCount(room.participantIds.length);
    await expect(participants.getByTestId('data-badges').first()).toBeVisible({ timeout: 15_000 });
    await shot(page, '05-participants');

    // Backspace goes up, Alt+← / Alt+→ go back and forward.
    await participants.focus();
    await page.keyboard.press('Backspace');
    await expect(page.getByTestId('view-room')).toBeVisible();
    await page.keyboard.press('Alt+ArrowLeft');
    await expect(page.getByTestId('view-participant')).toBeVisible();
    await page.keyboard.press('Alt+ArrowRight');
    await expect(page.getByTestId('view-room')).toBeVisible();
    await page.keyboard.press('Alt+ArrowLeft');
    await expect(page.getByTestId('view-participant')).toBeVisible();
    // Mouse buttons 4 and 5 (DOM buttons 3 and 4) go back and forward too.
    await page.evaluate("window.dispatchEvent(new MouseEvent('mouseup', { button: 3 }))");
    await expect(page.getByTestId('view-room')).toBeVisible();
    await page.evaluate("window.dispatchEvent(new MouseEvent('mouseup', { button: 4 }))");
    await expect(page.getByTestId('view-participant')).toBeVisible();

    // Arrow down to the participant with the most events, Enter opens their data.
    const pids = await participants.locator('.grid-body [role="row"] [role="gridcell"]:first-child').allInnerTexts();
    const counts = pids.map((p) => app.sim.dataset.count('events', 'participant', p, room.id));
    const pick = counts.indexOf(Math.max(...counts));
    const pid = pids[pick];
    await participants.focus();
    // From the first row (the grid may remember another active row from the way back here).
    await page.keyboard.press('Home');
    for (let i = 0; i < pick; i++) await page.keyboard.press('ArrowDown');
    await expect(participants.locator('.grid-body [role="row"][aria-selected="true"]')).toContainText(pid);
    await page.keyboard.press('Enter');

    // ---------- the data viewer: every tab ----------
    const data = page.getByTestId('view-data');
    // The heading names the participant (by name where the listing has one); the id stays beside it.
    await expect(data.getByRole('heading', { level: 1 })).toHaveText(/^Participant \S/);
    await expect(data.locator('.view-head')).toContainText(pid);
    const tabs = data.getByRole('tab');
    const tabIds = await tabs.evaluateAll((els) => els.map((e) => e.getAttribute('data-tab') ?? ''));
    expect(tabIds.length).toBeGreaterThanOrEqual(8);
    for (const id of tabIds) {
      const tab = data.locator(`[role="tab"][data-tab="${id}"]`);
      await tab.click();
      await expect(tab).toHaveAttribute('aria-selected', 'true');
      const panel = data.getByRole('tabpanel');
      await expect(panel).toHaveAttribute('aria-labelledby', (await tab.getAttribute('id'))!);
      const count = panel.getByTestId('preview-count');
      await expect(count).toHaveText(/\d[\d,]* rows?\b/, { timeout: 20_000 });
      const badge = (await tab.locator('.badge').innerText().catch(() => '')).replace(/,/g, '');
      const rows = Number((await count.innerText()).replace(/,/g, '').match(/(\d+) rows?\b/)![1]);
      if (badge) expect(rows).toBe(Number(badge));
      if (rows === 0) await expect(panel.getByRole('status').filter({ hasText: /No / })).toBeVisible();
      else await expect(panel.locator('.grid-body [role="row"][data-loaded]').first()).toBeVisible();
      if (id === 'ratings-continuous' || id === 'sync') {
        if (rows > 0) await expect(panel.getByTestId('plot').first()).toBeVisible({ timeout: 15_000 });
      }
      await shot(page, `06-tab-${id}`);
    }
    // Arrow keys move between tabs.
    await data.locator('[role="tab"][aria-selected="true"]').focus();
    await page.keyboard.press('Home');
    await expect(tabs.first()).toHaveAttribute('aria-selected', 'true');
    await page.keyboard.press('ArrowRight');
    await expect(tabs.nth(1)).toHaveAttribute('aria-selected', 'true');
    await page.keyboard.press('End');
    await expect(tabs.last()).toHaveAttribute('aria-selected', 'true');

    // ---------- events: sort, filter, raw JSON, column chooser ----------
    await data.locator('[role="tab"][data-tab="events"]').click();
    const panel = data.getByRole('tabpanel');
    const grid = panel.getByRole('grid');
    const total = app.sim.dataset.count('events', 'participant', pid, room.id);
    await expect(panel.getByTestId('preview-count')).toHaveText(`${total.toLocaleString('en-US')} rows`);
    const onsetHeader = grid.getByRole('columnheader', { name: /Onset/ });
    await onsetHeader.getByRole('button').click();
    await onsetHeader.getByRole('button').click();
    await expect(onsetHeader).toHaveAttribute('aria-sort', 'descending');
    const onsetIdx = await grid.locator('.grid-head [role="row"]').first().locator('[role="columnheader"]').evaluateAll((hs) => hs.findIndex((h) => /Onset/.test(h.textContent ?? '')));
    await expect(async () => {
      const onsets = await grid.locator('.grid-body [role="row"]').evaluateAll(
        (rs, i) => rs.slice(0, 6).map((r) => Number((r.querySelectorAll('[role="gridcell"]')[i]?.textContent ?? '').replace(/,/g, ''))),
        onsetIdx,
      );
      expect(onsets.length).toBeGreaterThan(2);
      for (let i = 1; i < onsets.length; i++) expect(onsets[i - 1]).toBeGreaterThanOrEqual(onsets[i]);
    }).toPass({ timeout: 10_000 });

    await panel.getByRole('button', { name: 'Show filters' }).click();
    const typeFilter = grid.getByLabel('Filter Event type');
    const firstType = (await grid.locator('.grid-body [role="row"]').first().locator('[role="gridcell"]').nth(onsetIdx + 1).innerText()).trim();
    const word = firstType.split('.')[0];
    await typeFilter.fill(word);
    await expect(panel.getByTestId('preview-count')).toHaveText(new RegExp(`of ${total.toLocaleString('en-US')} rows`));
    const filtered = Number((await panel.getByTestId('preview-count').innerText()).replace(/,/g, '').match(/^(\d+)/)![1]);
    expect(filtered).toBeGreaterThan(0);
    expect(filtered).toBeLessThan(total);
    const typesShown = await grid.locator('.grid-body [role="row"]').evaluateAll(
      (rs, i) => rs.map((r) => r.querySelectorAll('[role="gridcell"]')[i]?.textContent ?? ''),
      onsetIdx + 1,
    );
    for (const t of typesShown) expect(t.toLowerCase()).toContain(word.toLowerCase());
    await shot(page, '07-events-sorted-filtered');
    await typeFilter.fill('');
    await expect(panel.getByTestId('preview-count')).toHaveText(`${total.toLocaleString('en-US')} rows`);
    // The search box looks in every cell.
    const search = panel.getByRole('searchbox', { name: /^Search / });
    await search.fill(firstType);
    await expect(panel.getByTestId('preview-count')).toHaveText(new RegExp(`of ${total.toLocaleString('en-US')} rows`));
    await expect(grid.locator('.grid-body [role="row"]').first()).toContainText(firstType);
    await search.fill('');
    await expect(panel.getByTestId('preview-count')).toHaveText(`${total.toLocaleString('en-US')} rows`);

    // A row opens its raw JSON.
    await grid.locator('.grid-body [role="row"]').first().click();
    await expect(grid.locator('.raw-json')).toContainText('"id"');
    await shot(page, '08-raw-json');
    // The keyboard: ← closes the raw JSON, → opens it, Enter toggles it; End, Page Up/Down, ↑ and Home move the active row.
    const activeRow = grid.locator('.grid-body [role="row"][aria-selected="true"]');
    await page.keyboard.press('ArrowLeft');
    await expect(grid.locator('.raw-json')).toHaveCount(0);
    await page.keyboard.press('ArrowRight');
    await expect(activeRow.locator('.raw-json')).toContainText('"id"');
    await page.keyboard.press('Enter');
    await expect(grid.locator('.raw-json')).toHaveCount(0);
    await page.keyboard.press('End');
    await expect(activeRow).toHaveAttribute('aria-rowindex', String(total + 1));
    await page.keyboard.press('ArrowUp');
    await expect(activeRow).toHaveAttribute('aria-rowindex', String(total));
    await page.keyboard.press('PageUp');
    const rowIndex = async () => Number(await activeRow.getAttribute('aria-rowindex'));
    await expect.poll(rowIndex).toBeLessThan(total);
    const afterPageUp = await rowIndex();
    await page.keyboard.press('Home');
    await expect(activeRow).toHaveAttribute('aria-rowindex', '2');
    await page.keyboard.press('PageDown');
    await expect(activeRow).toHaveAttribute('aria-rowindex', String(2 + total - afterPageUp));
    // The ▸ button of a row opens its raw JSON too, ▾ closes it.
    await grid.getByRole('button', { name: 'Show raw JSON' }).first().click();
    await expect(grid.locator('.raw-json')).toHaveCount(1);
    await grid.getByRole('button', { name: 'Hide raw JSON' }).click();
    await expect(grid.locator('.raw-json')).toHaveCount(0);
    // The column chooser hides a column.
    await panel.getByRole('button', { name: /Columns/ }).click();
    await panel.getByRole('group', { name: 'Visible columns' }).getByLabel('Timestamp').uncheck();
    await expect(grid.getByRole('columnheader', { name: /^Timestamp/ })).toHaveCount(0);
    await page.keyboard.press('Escape');
    // "Download Events…" opens the export dialog with that one type ticked.
    await panel.getByTestId('download-type').click();
    const typeDialog = page.getByRole('dialog', { name: /^Download Events of / });
    await expect(typeDialog.getByRole('group', { name: 'Data types' }).getByRole('checkbox', { checked: true })).toHaveCount(1);
    await expect(typeDialog.getByRole('checkbox', { name: /^Events/ })).toBeChecked();
    await typeDialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(typeDialog).toBeHidden();

    // ---------- export the room: pseudonymized ZIP with recordings ----------
    await page.keyboard.press('Backspace');
    await expect(page.getByTestId('view-participant')).toBeVisible();
    const before = finishedLooking(app.downloadDir);
    app.sim.setFaults({ latencyMs: 120 });
    await page.getByTestId('download-level').click();
    const exportDialog = page.getByRole('dialog', { name: /Download Room/ });
    await exportDialog.getByRole('radio', { name: 'Pseudonymize' }).check();
    // No BOM this time (checked below in the CSV itself).
    await exportDialog.getByRole('checkbox', { name: /Add a BOM/ }).uncheck();
    // The code map is offered apart from the export, with a warning; it never goes into the ZIP.
    await expect(exportDialog.getByTestId('code-map').getByRole('note')).toContainText('apart from the data');
    await expect(exportDialog.getByRole('radio', { name: 'ZIP file' })).toBeChecked();
    await expect(exportDialog.getByRole('checkbox', { name: /recording files/ })).toBeChecked();
    await expect(exportDialog.getByTestId('plan-requests')).toHaveText(/^\d/, { timeout: 20_000 });
    await expect(exportDialog.getByRole('checkbox', { name: /recording files/ }).locator('xpath=..')).toContainText(/\d+ files?, [\d.]+ (B|KB|MB|GB)/);
    await shot(page, '09-export-dialog');
    await exportDialog.getByTestId('start-export').click();

    const modal = page.getByTestId('progress-modal');
    await expect(modal).toBeVisible();
    await expect(modal.getByRole('progressbar')).toBeVisible();
    await expect(modal.getByTestId('job-step')).not.toBeEmpty();
    // Catch it mid-fetch for the screenshot: records counting up while still running.
    await expect(async () => {
      const state = await modal.getByTestId('job-state').getAttribute('data-state');
      const done = Number((await modal.getByTestId('job-records').innerText()).replace(/,/g, '').split(' of ')[0]);
      expect(state === 'completed' || done > 0).toBe(true);
    }).toPass({ timeout: 30_000 });
    await shot(page, '10-progress');
    await waitForJobState(page, /^completed$/);
    await expect(modal.getByTestId('manifest-summary')).toContainText('Pseudonymize');
    const outName = (await modal.getByTestId('output-path').innerText()).trim();
    expect(outName).toMatch(/\.zip$/);
    await shot(page, '11-export-complete');
    const after = finishedLooking(app.downloadDir);
    const newFiles = after.filter((n) => !before.includes(n));
    expect(newFiles).toHaveLength(1);
    const zipPath = join(app.downloadDir, newFiles[0]);
    expect(outName.endsWith(newFiles[0])).toBe(true);
    // The ZIP is valid, holds the manifest and at least one recording, and no real participant id in the data files.
    execFileSync('unzip', ['-t', zipPath], { stdio: 'pipe' });
    const listing = execFileSync('unzip', ['-Z1', zipPath]).toString().split('\n').filter(Boolean);
    expect(listing.some((n) => /metadata\.json$/.test(n))).toBe(true);
    const formats = new Set(app.sim.dataset.recordings(target.id).filter((r) => r.roomId === room.id).map((r) => r.format));
    expect(listing.some((n) => [...formats].some((f) => n.toLowerCase().endsWith(`.${f.toLowerCase()}`)))).toBe(true);
    const eventsCsv = listing.find((n) => /events[^/]*\.csv$/.test(n));
    if (eventsCsv) {
      const text = execFileSync('unzip', ['-p', zipPath, eventsCsv]).toString();
      for (const p of room.participantIds) expect(text).not.toContain(p);
      expect(text.charCodeAt(0)).not.toBe(0xfeff);
    }
    // "Copy path": browser mode has no native clipboard call, so the page copies the full path itself.
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.origin });
    await modal.getByTestId('job-result').getByRole('button', { name: 'Copy path' }).click();
    await expect(modal.getByTestId('job-result').getByRole('status')).toHaveText('Path copied.');
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(outName);
    await modal.getByRole('button', { name: 'Done' }).click();
    await expect(modal).toBeHidden();

    // ---------- a second export, cancelled: nothing finished-looking is left ----------
    app.sim.setFaults({ latencyMs: 400 });
    await page.getByTestId('download-level').click();
    const second = page.getByRole('dialog', { name: /Download Room/ });
    await second.locator('.segmented label', { hasText: /^JSON$/ }).click();
    await expect(second.getByRole('radio', { name: 'JSON', exact: true })).toBeChecked();
    // The type shortcuts, formula protection, packaging and a time range that ends before it starts.
    await second.getByRole('button', { name: 'None' }).click();
    await expect(second.getByTestId('start-export')).toBeDisabled();
    await second.getByRole('button', { name: 'All' }).click();
    const typeBoxes = second.getByRole('group', { name: 'Data types' }).getByRole('checkbox');
    expect(await typeBoxes.count()).toBeGreaterThan(1);
    for (const box of await typeBoxes.all()) await expect(box).toBeChecked();
    await second.getByRole('button', { name: 'Only with data' }).click();
    await expect(second.locator('.types-list label.empty-type input:checked')).toHaveCount(0);
    await expect(second.locator('.types-list label:not(.empty-type) input:not(:checked)')).toHaveCount(0);
    await second.getByRole('checkbox', { name: /Protect against spreadsheet formulas/ }).check();
    await expect(second.getByTestId('formula-explain')).toContainText('get a leading');
    await second.getByRole('checkbox', { name: /Protect against spreadsheet formulas/ }).uncheck();
    await second.locator('.segmented label', { hasText: /^Folder$/ }).click();
    await second.locator('.segmented label', { hasText: /^ZIP file$/ }).click();
    await expect(second.getByRole('radio', { name: 'ZIP file' })).toBeChecked();
    await second.getByLabel('From').fill('2030-01-02T00:00');
    await second.getByLabel('Until').fill('2030-01-01T00:00');
    await expect(second.getByRole('alert').filter({ hasText: 'The range ends before it starts.' })).toBeVisible();
    await expect(second.getByTestId('start-export')).toBeDisabled();
    await second.getByLabel('From').fill('');
    await second.getByLabel('Until').fill('');
    await expect(second.getByRole('alert').filter({ hasText: 'The range ends before it starts.' })).toHaveCount(0);
    await expect(second.getByTestId('plan-requests')).toHaveText(/^\d/, { timeout: 20_000 });
    await second.getByTestId('start-export').click();
    await expect(modal).toBeVisible();
    await expect(modal.getByTestId('job-state')).toHaveAttribute('data-state', /running|queued|waiting/);
    await modal.getByTestId('cancel-job').click();
    await expect(modal.getByRole('alert').filter({ hasText: 'Cancel this download?' })).toBeVisible();
    await shot(page, '12-cancel-confirm');
    await modal.getByTestId('confirm-cancel').click();
    await waitForJobState(page, /^cancelled$/, 30_000);
    await expect(async () => expect(finishedLooking(app.downloadDir)).toEqual(after)).toPass({ timeout: 10_000 });
    await modal.getByRole('button', { name: 'Done' }).click();

    // ---------- restart the server mid-export; the downloads panel offers a resume ----------
    app.sim.setFaults({ latencyMs: 300 });
    await page.getByRole('navigation', { name: 'Location' }).getByRole('button', { name: target.name }).click();
    await page.getByTestId('download-level').click();
    const third = page.getByRole('dialog', { name: /Download Experiment/ });
    await third.locator('.segmented label', { hasText: /^Folder$/ }).click();
    await expect(third.getByRole('radio', { name: 'Folder' })).toBeChecked();
    await expect(third.getByTestId('plan-requests')).toHaveText(/^\d/, { timeout: 20_000 });
    await third.getByTestId('start-export').click();
    await expect(modal).toBeVisible();
    await expect(async () => {
      const used = Number((await modal.getByTestId('job-requests').innerText()).replace(/,/g, '').split(' of ')[0]);
      expect(used).toBeGreaterThan(0);
    }).toPass({ timeout: 30_000 });
    await modal.getByTestId('run-in-background').click();
    const panelEl = page.getByTestId('downloads-panel');
    await expect(panelEl).toBeVisible();
    await app.restart();
    const interrupted = panelEl.locator('[data-testid="job-item"][data-state="interrupted"]');
    await expect(interrupted).toHaveCount(1, { timeout: 30_000 });
    await expect(page.getByTestId('banner')).toBeHidden({ timeout: 15_000 });
    await shot(page, '13-downloads-interrupted');
    // Cancel… asks first; Keep keeps the download resumable.
    await interrupted.getByRole('button', { name: 'Cancel…' }).click();
    await expect(interrupted.getByRole('button', { name: 'Cancel download' })).toBeVisible();
    await interrupted.getByRole('button', { name: 'Keep' }).click();
    await expect(interrupted.getByRole('button', { name: 'Cancel download' })).toHaveCount(0);
    await expect(interrupted.getByTestId('resume-job')).toBeVisible();
    app.sim.setFaults({ latencyMs: 0 });
    const jobId = (await interrupted.getAttribute('data-job-id'))!;
    await interrupted.getByTestId('resume-job').click();
    const resumed = panelEl.locator(`[data-job-id="${jobId}"]`);
    await expect(resumed).toHaveAttribute('data-state', 'completed', { timeout: 120_000 });
    const folderName = (await resumed.getByTestId('output-path').innerText()).trim().split(/[\\/]/).pop()!;
    const folder = join(app.downloadDir, folderName);
    expect(statSync(folder).isDirectory()).toBe(true);
    expect(readdirSync(folder, { recursive: true }).some((n) => String(n).endsWith('metadata.json'))).toBe(true);
    await expect(panelEl.locator('[data-state="cancelled"]')).toHaveCount(1);
    await shot(page, '14-downloads-history');
    // ---------- Retry the cancelled one; one answer held at the server keeps it running each time ----------
    const slowBefore = app.sim.counters().faults.slow ?? 0;
    /** The next data request of the room is held (until the job lets it go by pausing or cancelling). */
    const holdNext = () => app.sim.setFaults({ rules: [{ match: `/data/[^?]*/room/${room.id}`, kind: 'slow', delayMs: 600_000, count: 1 }] });
    const held = (n: number) => expect.poll(() => app.sim.counters().faults.slow ?? 0, { timeout: 30_000 }).toBe(slowBefore + n);
    holdNext();
    const cancelledItem = panelEl.locator('[data-state="cancelled"]');
    const againId = (await cancelledItem.getAttribute('data-job-id'))!;
    await cancelledItem.getByRole('button', { name: 'Retry' }).click();
    const again = panelEl.locator(`[data-job-id="${againId}"]`);
    await held(1);
    // Pause and Resume in the panel.
    await again.getByRole('button', { name: 'Pause' }).click();
    await expect(again).toHaveAttribute('data-state', 'paused', { timeout: 30_000 });
    holdNext();
    await again.getByTestId('resume-job').click();
    await held(2);
    // Details opens its progress; there Cancel… can be taken back, and Pause and Resume work too.
    await again.getByRole('button', { name: 'Details' }).click();
    await expect(modal).toBeVisible();
    await expect(modal.getByTestId('job-state')).toHaveAttribute('data-state', 'running');
    await modal.getByTestId('cancel-job').click();
    await modal.getByRole('button', { name: 'Keep downloading' }).click();
    await expect(modal.getByTestId('confirm-cancel')).toHaveCount(0);
    await modal.getByRole('button', { name: 'Pause' }).click();
    await waitForJobState(page, /^paused$/, 30_000);
    holdNext();
    await modal.getByRole('button', { name: 'Resume' }).click();
    await held(3);
    // Back in the panel, Cancel… then Cancel download stops it.
    await modal.getByTestId('run-in-background').click();
    await expect(panelEl).toBeVisible();
    await again.getByRole('button', { name: 'Cancel…' }).click();
    await again.getByRole('button', { name: 'Cancel download' }).click();
    await expect(again).toHaveAttribute('data-state', 'cancelled', { timeout: 30_000 });
    app.sim.resetFaults();
    // Remove takes it off the list for good (Refresh reads the list again).
    await again.getByRole('button', { name: 'Remove' }).click();
    await expect(again).toHaveCount(0);
    await panelEl.getByRole('button', { name: 'Refresh' }).click();
    await expect(again).toHaveCount(0);
    await expect(resumed).toHaveAttribute('data-state', 'completed');
    expect((await app.core.api.listJobs(undefined)).some((j) => j.id === againId)).toBe(false);

    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
