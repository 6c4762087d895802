// Exports in Chromium against browser mode and the simulator:
//   - honest progress: the bar, its ARIA value and the percentage text are one number at every
//     moment, never going back; steps in plain words; one request count; the study's name from the start;
//   - variables reachable at experiment level (tab and export dialog);
//   - one recording downloads as itself from a small dialog;
//   - the code map is saved apart from the export, never inside it;
//   - a limited key: tabs marked with the scope they lack, the export dialog unticks those types.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { type AppServer, shot, browserAndAppPerFile, startAppServer } from './fixtures';
import { openPlace } from './open-place';

let browser: Browser;
let app: AppServer;
browserAndAppPerFile({ scale: 'small' }, (b, a) => {
  browser = b;
  app = a;
});

const newPage = async (): Promise<Page> => (await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true })).newPage();

test('progress: the bar and the percentage agree at every moment; plain words; one request count; the name from the start', async () => {
  test.setTimeout(180_000);
  const page = await newPage();
  const exp = app.sim.dataset.experiments().find((e) => e.roomIds.length > 1)!;
  await openPlace(page, app, `#/experiment/${encodeURIComponent(exp.id)}`);
  await expect(page.getByRole('grid', { name: 'Rooms' }).locator('.grid-body [role="row"]').first()).toBeVisible();
  app.sim.setFaults({ latencyMs: 60 });
  // Recordings with mint links (downloadPath): each costs exactly its one planned request. With
  // signed links (the documented default) the plan also holds one re-list per recording in
  // reserve, spent only if a link expires, so fewer can be used than planned (media-links.test).
  app.sim.setShapes({ recordingLinks: 'downloadPath' });
  try {
    await page.getByTestId('download-level').click();
    const dialog = page.getByTestId('export-dialog');
    await expect(dialog.getByTestId('plan-requests')).toHaveText(/^\d/, { timeout: 30_000 });
    const planned = Number((await dialog.getByTestId('plan-requests').innerText()).replace(/,/g, ''));
    await expect(dialog.getByTestId('plan-time')).not.toHaveText('under a second');
    await dialog.getByTestId('start-export').click();
    const modal = page.getByTestId('progress-modal');
    // The study is named from the start, not its id.
    await expect(modal.getByTestId('job-state')).toContainText(`“${exp.name}”`);
    await expect(modal.getByTestId('job-state')).not.toContainText(exp.id);

    // Sample the modal while it runs: bar width, ARIA value and text are the same number.
    const samples: Array<{ aria: string | null; data: string | null; text: string | null; width: string; step: string; state: string | null }> = [];
    for (let i = 0; i < 400; i++) {
      const s = await modal.evaluate((m) => {
        const bar = m.querySelector('[role="progressbar"]')!;
        return {
          aria: bar.getAttribute('aria-valuenow'),
          data: bar.getAttribute('data-percent'),
          text: m.querySelector('[data-testid="job-percent"]')?.textContent ?? null,
          width: /width:\s*([\d.]+%)/.exec(bar.firstElementChild?.getAttribute('style') ?? '')?.[1] ?? '',
          step: m.querySelector('[data-testid="job-step"]')?.textContent ?? '',
          state: m.querySelector('[data-testid="job-state"]')?.getAttribute('data-state') ?? null,
        };
      });
      samples.push(s);
      if (s.state === 'completed' || s.state === 'failed') break;
      await page.waitForTimeout(50);
    }
    expect(samples.at(-1)!.state).toBe('completed');
    const measured = samples.filter((s) => s.aria !== null);
    expect(measured.length).toBeGreaterThan(3);
    let last = -1;
    for (const s of measured) {
      expect(s.data).toBe(s.aria);
      expect(s.text).toBe(`${s.aria}%`);
      expect(s.width).toBe(`${s.aria}%`);
      expect(Number(s.aria)).toBeGreaterThanOrEqual(last);
      last = Number(s.aria);
    }
    // While planning, no percentage is claimed (the bar says "working" without a number).
    for (const s of samples.filter((x) => x.aria === null)) expect(s.text).toBeNull();
    // Plain words: data types by their names, never an internal id.
    const steps = [...new Set(samples.map((s) => s.step))];
    expect(steps.join('\n')).not.toMatch(/ratings-continuous|ratings-sparse|videochat|eyetracking/);
    // One count: the requests used are the requests planned, in the modal and the summary.
    await expect(modal.getByTestId('job-requests')).toHaveText(`${planned.toLocaleString('en-US')} of ${planned.toLocaleString('en-US')}`);
    await expect(modal.getByTestId('manifest-summary')).toContainText(`${planned.toLocaleString('en-US')} of ${planned.toLocaleString('en-US')} planned requests used`);
    await expect(modal.getByTestId('job-percent')).toHaveText('100%');
    await shot(page, '35-progress-complete');
    await modal.getByRole('button', { name: 'Done' }).click();
  } finally {
    app.sim.setFaults({ latencyMs: 0 });
    app.sim.resetShapes();
    await page.context().close();
  }
});

test('variables are reachable at experiment level: a tab with every room, and in the export dialog', async () => {
  const page = await newPage();
  const exp = app.sim.dataset.experiments().find((e) => e.roomIds.length > 1)!;
  // The simulator keeps five variables per participant of each room.
  const expected = app.sim.dataset.rooms(exp.id).reduce((n, r) => n + r.participantIds.length * 5, 0);
  await openPlace(page, app, `#/experiment/${encodeURIComponent(exp.id)}`);
  await page.getByTestId('browse-data').click();
  const data = page.getByTestId('view-data');
  const tab = data.locator('[role="tab"][data-tab="variables"]');
  await tab.click();
  await expect(data.getByRole('tabpanel').getByTestId('preview-count')).toHaveText(new RegExp(`^${expected.toLocaleString('en-US')} rows?$`), { timeout: 30_000 });
  await data.getByTestId('download-level').click();
  const dialog = page.getByTestId('export-dialog');
  await expect(dialog.getByRole('checkbox', { name: /Variables/ })).toBeChecked();
  await expect(dialog.getByTestId('plan-requests')).toHaveText(/^\d/, { timeout: 30_000 });
  await page.keyboard.press('Escape');
  await page.context().close();
});

test('one recording downloads as itself, from a small dialog', async () => {
  test.setTimeout(120_000);
  const page = await newPage();
  const rec = app.sim.dataset.recordings().find((r) => r.size > 0)!;
  const room = app.sim.dataset.rooms(rec.experimentId).find((r) => r.id === rec.roomId)!;
  await openPlace(page, app, `#/experiment/${encodeURIComponent(rec.experimentId)}/room/${encodeURIComponent(room.id)}/participant/${encodeURIComponent(rec.participantId)}/data/recordings`);
  const panel = page.getByRole('tabpanel');
  const row = panel.getByRole('grid').locator('.grid-body [role="row"]').filter({ hasText: rec.recordingId }).first();
  await expect(row).toBeVisible({ timeout: 20_000 });
  const button = row.getByTestId('download-file');
  // Named after its file, reachable with Tab.
  await expect(button).toHaveAccessibleName(/^Download /);
  await button.click();
  const dialog = page.getByTestId('recording-dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('radio')).toHaveCount(0); // no format, no ZIP, no anonymization choices
  await expect(dialog.getByRole('checkbox')).toHaveCount(0);
  await shot(page, '36-recording-dialog');
  const before = new Set(readdirSync(app.downloadDir));
  await dialog.getByTestId('start-recording').click();
  const modal = page.getByTestId('progress-modal');
  await expect(modal.getByTestId('job-state')).toHaveAttribute('data-state', 'completed', { timeout: 60_000 });
  const added = readdirSync(app.downloadDir).filter((n) => !before.has(n) && !n.startsWith('.'));
  expect(added).toHaveLength(1);
  expect(added[0].toLowerCase().endsWith(`.${rec.format.toLowerCase()}`)).toBe(true);
  expect(statSync(join(app.downloadDir, added[0])).size).toBe(rec.size);
  await expect(modal.getByTestId('download-link')).toHaveText('Download file');
  await modal.getByRole('button', { name: 'Done' }).click();
  await page.context().close();
});

test('the code map is saved apart from the export, with a warning, and holds the export’s codes', async () => {
  test.setTimeout(120_000);
  const page = await newPage();
  const exp = app.sim.dataset.experiments().find((e) => e.roomIds.length > 1)!;
  const room = app.sim.dataset.rooms(exp.id).find((r) => r.participantIds.length > 1)!;
  await openPlace(page, app, `#/experiment/${encodeURIComponent(exp.id)}/room/${encodeURIComponent(room.id)}`);
  await page.getByTestId('download-level').click();
  const dialog = page.getByTestId('export-dialog');
  await dialog.getByRole('radio', { name: 'Pseudonymize' }).check();
  await expect(dialog.getByTestId('code-map').getByRole('note')).toContainText('never goes into an export');
  // Before the first pseudonymized export of this study there is no map to save, and it says so.
  await dialog.getByTestId('save-code-map').click();
  await expect(dialog.getByTestId('code-map').getByRole('status')).toHaveText('No participant of this experiment has a code yet: codes are given by the first pseudonymized export.');
  await dialog.getByRole('checkbox', { name: /recording files/ }).uncheck();
  await expect(dialog.getByTestId('plan-requests')).toHaveText(/^\d/, { timeout: 30_000 });
  await shot(page, '37-export-dialog-pseudonymize');
  await dialog.getByTestId('start-export').click();
  const modal = page.getByTestId('progress-modal');
  await expect(modal.getByTestId('job-state')).toHaveAttribute('data-state', 'completed', { timeout: 60_000 });
  const zipName = (await modal.getByTestId('output-path').innerText()).trim().split('/').pop()!;
  const entries = execFileSync('unzip', ['-Z1', join(app.downloadDir, zipName)]).toString();
  expect(entries).not.toMatch(/code.?map/i);

  const [download] = await Promise.all([page.waitForEvent('download'), modal.getByTestId('save-code-map').click()]);
  expect(download.suggestedFilename()).toMatch(/_code-map\.csv$/);
  const file = join(app.dataDir, 'saved-code-map.csv');
  await download.saveAs(file);
  const lines = readFileSync(file, 'utf8').trim().split(/\r?\n/);
  expect(lines[0]).toBe('participantId,code');
  const map = new Map(lines.slice(1).map((l) => l.split(',') as [string, string]));
  for (const p of room.participantIds) expect(map.get(p)).toMatch(/^P\d{3}$/);
  // The codes in the export are the map's codes.
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const codes = JSON.parse(execFileSync(python, ['-c', `
import sys, json, zipfile, io
import pandas as pd
z = zipfile.ZipFile(sys.argv[1])
n = [x for x in z.namelist() if x.endswith('/participants.csv')][0]
d = pd.read_csv(io.BytesIO(z.read(n)), encoding='utf-8-sig', dtype=str, keep_default_na=False)
print(json.dumps(sorted(d['id'].tolist())))
`, join(app.downloadDir, zipName)]).toString()) as string[];
  expect(codes).toEqual(room.participantIds.map((p) => map.get(p)).sort());
  await modal.getByRole('button', { name: 'Done' }).click();
  await page.context().close();
});

test('a limited key: unreadable tabs are marked with the scope, and the export dialog unticks them and says why', async () => {
  test.setTimeout(120_000);
  const limited = await startAppServer({ scale: 'tiny', withDemoProfile: false });
  try {
    const page = await newPage();
    await page.goto(limited.url);
    const dialog = page.getByRole('dialog', { name: 'Connect to HyperStudy' });
    await dialog.getByRole('radio', { name: /Custom URL/ }).check();
    await dialog.getByLabel('Custom API URL').fill(limited.sim.baseUrl);
    await dialog.getByLabel('API key').fill(limited.sim.limitedKey);
    await dialog.getByRole('button', { name: 'Check and save' }).click();
    await expect(dialog).toBeHidden({ timeout: 15_000 });
    const exp = limited.sim.dataset.experiments().find((e) => e.roomIds.length > 0)!;
    const room = limited.sim.dataset.rooms(exp.id).find((r) => r.participantIds.length > 0)!;
    await openPlace(page, limited, `#/experiment/${encodeURIComponent(exp.id)}/room/${encodeURIComponent(room.id)}/data/events`);
    const data = page.getByTestId('view-data');
    // Marked before anyone opens them: each tab names the scope it lacks.
    for (const [tab, scope] of [['chat', 'read:chat'], ['recordings', 'read:recordings'], ['sync', 'read:sync']] as const) {
      await expect(data.locator(`[role="tab"][data-tab="${tab}"]`).getByTestId('needs-scope')).toHaveText(`needs ${scope}`, { timeout: 20_000 });
    }
    await expect(data.locator('[role="tab"][data-tab="events"] [data-testid="needs-scope"]')).toHaveCount(0);
    await shot(page, '38-limited-key-tabs');
    await data.getByTestId('download-level').click();
    const exportDialog = page.getByTestId('export-dialog');
    const chat = exportDialog.getByRole('checkbox', { name: /Text chat/ });
    await expect(chat).not.toBeChecked();
    await expect(chat).toBeDisabled();
    await expect(exportDialog.locator('label[data-blocked]').filter({ hasText: 'Text chat' })).toContainText('This key can’t read it (it needs the read:chat permission)');
    await expect(exportDialog.getByRole('checkbox', { name: /Events/ })).toBeChecked();
    await expect(exportDialog).toContainText('This key can’t download recordings');
    await expect(exportDialog).not.toContainText('(none here)');
    await expect(exportDialog.getByTestId('plan-requests')).toHaveText(/^\d/, { timeout: 30_000 });
    // Plain words: no raw backticks in what the dialog says.
    expect(await exportDialog.innerText()).not.toContain('`');
    await shot(page, '39-limited-key-export');
    await page.context().close();
  } finally {
    await limited.close();
  }
});
