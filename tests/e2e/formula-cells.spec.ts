// Formula-looking cells in the browser UI, against the real core and the simulator (whose chat
// holds "=SUM(…)", "@host …" and the like): formula protection is off by default, the finished
// export says how many text cells look like formulas and in which files, and "Export again with
// formula protection…" reopens the dialog with the same options and the switch on.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { launchBrowser, startAppServer, shot } from './fixtures';

let browser: Browser;
test.beforeAll(async () => {
  browser = await launchBrowser();
});
test.afterAll(async () => {
  await browser?.close();
});

async function waitForJobState(page: Page, states: RegExp, timeout = 90_000): Promise<void> {
  await expect(page.getByTestId('job-state')).toHaveAttribute('data-state', states, { timeout });
}

const exportsIn = (dir: string) => readdirSync(dir).filter((n) => !n.startsWith('.')).sort();

test('the completion view reports formula-looking cells and offers protection', async () => {
  const app = await startAppServer({ scale: 'tiny' });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(app.url);
    const exp = app.sim.dataset.experiments().find((e) => !e.shared && e.roomIds.length > 0)!;
    const room = app.sim.dataset.rooms(exp.id).find((r) => r.participantIds.length > 0)!;
    await page.getByRole('grid', { name: 'Experiments' }).getByText(exp.name, { exact: true }).dblclick();
    await page.getByRole('grid', { name: 'Rooms' }).getByText(room.id, { exact: true }).dblclick();
    await expect(page.getByRole('grid', { name: 'Participants' })).toBeVisible();

    // Off by default, and the dialog says what that means.
    await page.getByTestId('download-level').click();
    const dialog = page.getByTestId('export-dialog');
    const protect = dialog.getByRole('checkbox', { name: /Protect against spreadsheet formulas/ });
    await expect(protect).not.toBeChecked();
    await expect(dialog.getByTestId('formula-explain')).toContainText('exactly as recorded');
    // Segmented controls: the label is what one clicks.
    await dialog.locator('label', { hasText: /^Folder$/ }).click();
    await expect(dialog.getByRole('radio', { name: 'Folder' })).toBeChecked();
    await expect(dialog.getByTestId('plan-requests')).toHaveText(/^\d/, { timeout: 20_000 });
    await dialog.getByTestId('start-export').click();

    const modal = page.getByTestId('progress-modal');
    await waitForJobState(page, /^completed$/);
    const note = modal.getByTestId('formula-cells');
    await expect(note).toHaveAttribute('data-protected', 'false');
    const [first] = exportsIn(app.downloadDir);
    const manifest = JSON.parse(readFileSync(join(app.downloadDir, first, 'metadata.json'), 'utf8'));
    expect(manifest.formulaCells.total).toBeGreaterThan(0);
    await expect(note).toContainText(`${manifest.formulaCells.total.toLocaleString('en-US')} text cell`);
    for (const f of manifest.formulaCells.files) await expect(note.getByRole('listitem').filter({ hasText: f.path })).toContainText(String(f.cells));
    await shot(page, '30-formula-cells-note');

    // The switch: the same options again, protection on.
    await note.getByTestId('export-again-protected').click();
    await expect(modal).toBeHidden();
    await expect(dialog).toBeVisible();
    await expect(protect).toBeChecked();
    await expect(dialog.getByRole('radio', { name: 'Folder' })).toBeChecked();
    await expect(dialog.getByRole('radio', { name: 'CSV' })).toBeChecked();
    await expect(dialog.getByTestId('formula-explain')).toContainText('Numbers are never changed');
    await expect(dialog.getByTestId('plan-requests')).toHaveText(/^\d/, { timeout: 20_000 });
    await dialog.getByTestId('start-export').click();
    await waitForJobState(page, /^completed$/);
    await expect(modal.getByTestId('formula-cells')).toHaveAttribute('data-protected', 'true');
    await expect(modal.getByTestId('export-again-protected')).toHaveCount(0);

    const second = exportsIn(app.downloadDir).find((n) => n !== first)!;
    const again = JSON.parse(readFileSync(join(app.downloadDir, second, 'metadata.json'), 'utf8'));
    expect(again.filters.formulaProtection).toBe(true);
    expect(again.formulaCells).toMatchObject({ total: manifest.formulaCells.total, protected: true });
    await page.close();
  } finally {
    await app.close();
  }
});
