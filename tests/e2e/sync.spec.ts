// "Keep up to date" and "Sync now" in Chromium against browser mode and the simulator: a folder
// export of events and chat becomes a folder kept up to date from its result; records appended to
// the active room through the simulator's control route; "Sync now" in the experiment's header;
// the line says what came in (a toast in browser mode, where no OS notification is allowed), the
// downloads panel lists the folder with its last result, and events.csv and chat.csv on disk hold
// the new rows (read back with python3's csv module) and equal a fresh export's byte for byte.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import type { ExportRequest } from '../../src-shared/model';
import { type AppServer, shot, browserAndAppPerFile } from './fixtures';
import { openPlace } from './open-place';

let browser: Browser;
let app: AppServer;
browserAndAppPerFile({ scale: 'small', settings: { zip: false, defaultFormat: 'csv' } }, (b, a) => {
  browser = b;
  app = a;
});

const newPage = async (): Promise<Page> => (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();

/** Data rows of a CSV file, counted by python3's csv module (not by our code). */
function csvRows(file: string): number {
  const py = 'import csv,sys\nwith open(sys.argv[1], newline="", encoding="utf-8-sig") as f: print(sum(1 for _ in csv.reader(f)) - 1)';
  return Number(execFileSync('python3', ['-c', py, file]).toString().trim());
}

async function append(type: string, experimentId: string, roomId: string, n: number): Promise<void> {
  const res = await fetch(`${app.sim.controlUrl}/append`, { method: 'POST', body: JSON.stringify({ type, experimentId, roomId, n, where: 'after' }) });
  expect(res.status).toBe(200);
}

test('keep a folder export up to date, append records, Sync now: the new records are on disk', async () => {
  test.setTimeout(240_000);
  const page = await newPage();
  const exp = app.sim.dataset.experiments().find((e) => app.sim.dataset.rooms(e.id).some((r) => r.status === 'active'))!;
  const active = app.sim.dataset.rooms(exp.id).find((r) => r.status === 'active')!;
  await openPlace(page, app, `#/experiment/${encodeURIComponent(exp.id)}`);
  await expect(page.getByRole('grid', { name: 'Rooms' }).locator('.grid-body [role="row"]').first()).toBeVisible();
  // Not kept up to date yet: the header offers it.
  await expect(page.getByTestId('sync-line')).toHaveAttribute('data-state', 'none');

  // A folder export of events and chat.
  await page.getByTestId('download-level').click();
  const dialog = page.getByTestId('export-dialog');
  await dialog.getByRole('button', { name: 'None' }).click();
  await dialog.locator('input[name="type-events"]').check();
  await dialog.locator('input[name="type-chat"]').check();
  const recordings = dialog.getByRole('checkbox', { name: /recording files/ });
  if (await recordings.count()) await recordings.uncheck();
  await expect(dialog.getByRole('radio', { name: 'Folder' })).toBeChecked();
  await expect(dialog.getByTestId('plan-requests')).toHaveText(/^\d/, { timeout: 30_000 });
  await dialog.getByTestId('start-export').click();
  const modal = page.getByTestId('progress-modal');
  await expect(modal.getByTestId('job-state')).toHaveAttribute('data-state', 'completed', { timeout: 60_000 });
  const folder = (await modal.getByTestId('output-path').innerText()).trim();
  expect(folder.startsWith(app.downloadDir)).toBe(true);

  // "Keep up to date" on its result: the modal follows the first sync.
  await modal.getByTestId('keep-up-to-date').click();
  await expect(modal.getByTestId('job-state')).toContainText('kept up to date');
  await expect(modal.getByTestId('job-state')).toHaveAttribute('data-state', 'completed', { timeout: 60_000 });
  await modal.getByRole('button', { name: 'Done' }).click();

  const line = page.getByTestId('sync-line');
  await expect(line).toHaveAttribute('data-state', 'completed');
  await expect(line.getByTestId('sync-last')).toHaveText('Last synced just now');
  await expect(line.getByTestId('sync-plan')).toHaveText(/^\d+ requests?$/);
  const eventsBefore = csvRows(join(folder, 'events.csv'));
  const chatBefore = csvRows(join(folder, 'chat.csv'));

  // New data on the server, then "Sync now".
  await append('events', exp.id, active.id, 240);
  await append('chat', exp.id, active.id, 9);
  await line.getByTestId('sync-now').click();
  await expect(page.locator('.toast').filter({ hasText: 'New data downloaded' })).toContainText(/new (participant|record)/, { timeout: 60_000 });
  await expect(line).toHaveAttribute('data-state', 'completed');
  await expect(line.getByTestId('sync-last')).toHaveText('Last synced just now');
  await shot(page, '60-sync-line');

  // The downloads panel lists the folder with its last result.
  await page.getByTestId('open-downloads').click();
  const item = page.getByTestId('sync-folder');
  await expect(item).toHaveCount(1);
  await expect(item.getByTestId('sync-folder-result')).toContainText('249 new records');
  await expect(item).toContainText(folder);
  await shot(page, '61-downloads-kept-up-to-date');

  // On disk: the new rows, and the same bytes a fresh export of the same selection writes.
  expect(csvRows(join(folder, 'events.csv'))).toBe(eventsBefore + 240);
  expect(csvRows(join(folder, 'chat.csv'))).toBe(chatBefore + 9);
  // The same request as the first export (the dialog's options), run again now.
  const first = (await app.core.api.listJobs(undefined)).find((j) => !j.sync && j.state === 'completed')!;
  const req: ExportRequest = { ...first.request, destination: app.downloadDir };
  const fresh = await app.core.api.startExport(req);
  await expect.poll(async () => (await app.core.api.listJobs(undefined)).find((j) => j.id === fresh.id)?.state, { timeout: 60_000 }).toBe('completed');
  const freshJob = (await app.core.api.listJobs(undefined)).find((j) => j.id === fresh.id)!;
  const freshDir = join(freshJob.request.destination!, freshJob.outputName!);
  for (const f of ['events.csv', 'chat.csv']) expect(readFileSync(join(folder, f)).equals(readFileSync(join(freshDir, f))), f).toBe(true);
});

test('a study without a folder: "Keep up to date" in its header makes one in the download folder; its interval is kept', async () => {
  test.setTimeout(180_000);
  const page = await newPage();
  const exps = app.sim.dataset.experiments();
  const exp = exps.find((e) => !app.sim.dataset.rooms(e.id).some((r) => r.status === 'active')) ?? exps[exps.length - 1];
  await openPlace(page, app, `#/experiment/${encodeURIComponent(exp.id)}`);
  const line = page.getByTestId('sync-line');
  await expect(line).toHaveAttribute('data-state', 'none');
  await line.getByRole('button', { name: 'Keep up to date' }).click();
  const modal = page.getByTestId('progress-modal');
  await expect(modal.getByTestId('job-state')).toContainText('kept up to date');
  await expect(modal.getByTestId('job-state')).toHaveAttribute('data-state', 'completed', { timeout: 90_000 });
  const folder = (await modal.getByTestId('output-path').innerText()).trim();
  expect(folder.startsWith(app.downloadDir)).toBe(true);
  expect(folder).toMatch(/kept-up-to-date/);
  await modal.getByRole('button', { name: 'Done' }).click();
  await expect(line.getByTestId('sync-last')).toHaveText('Last synced just now');

  await line.getByTestId('sync-interval').selectOption({ label: 'Every hour' });
  const listed = async () => (await app.core.api.listSyncFolders(undefined)).find((f) => f.path === folder);
  await expect.poll(async () => (await listed())?.intervalMinutes).toBe(60);
  // After a reload the choice is still there (it lives in the app's list of folders).
  await page.reload();
  await expect(page.getByTestId('sync-line').getByTestId('sync-interval')).toHaveValue('60');
  await app.core.api.setSyncInterval({ folderId: (await listed())!.id, minutes: null });

  // Forgetting it in the downloads panel asks first (Keep keeps it), then stops the syncs; the files stay.
  const files = readdirSync(folder, { recursive: true }).map(String).sort();
  expect(files.length).toBeGreaterThan(0);
  await page.getByTestId('open-downloads').click();
  const item = page.getByTestId('downloads-panel').getByTestId('sync-folder').filter({ hasText: folder });
  // Sync now, from the panel: a new sync runs and is recorded.
  const lastBefore = (await listed())!.lastSync!.at;
  await item.getByTestId('sync-folder-now').click();
  await expect.poll(async () => (await listed())?.lastSync?.at, { timeout: 60_000 }).not.toBe(lastBefore);
  await expect(item).toHaveAttribute('data-state', 'completed');
  await item.getByRole('button', { name: 'Forget…' }).click();
  await item.getByRole('button', { name: 'Keep', exact: true }).click();
  await expect(item.getByRole('button', { name: 'Stop keeping it up to date' })).toHaveCount(0);
  await item.getByRole('button', { name: 'Forget…' }).click();
  await item.getByRole('button', { name: 'Stop keeping it up to date' }).click();
  await expect(item).toHaveCount(0);
  expect(await listed()).toBeUndefined();
  expect(readdirSync(folder, { recursive: true }).map(String).sort()).toEqual(files);
});
