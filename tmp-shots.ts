import { launchBrowser, startAppServer } from './tests/e2e/fixtures';
import { openPlace } from './tests/e2e/open-place';
const OUT = '/tmp/uig';
async function main() {
  const browser = await launchBrowser();
  const app = await startAppServer({ scale: 'small' });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    page.on('pageerror', (e) => console.error('pageerror', e.message));
    await page.goto(app.url);
    await page.getByRole('grid', { name: 'Experiments' }).locator('.grid-body [role="row"]').first().waitFor();
    await page.screenshot({ path: `${OUT}/top.png` });
    const exp = app.sim.dataset.experiments().find((e) => e.roomIds.length > 1)!;
    const room = app.sim.dataset.rooms(exp.id)[0];
    await openPlace(page, app, `#/experiment/${encodeURIComponent(exp.id)}`);
    await page.getByRole('grid', { name: 'Rooms' }).locator('.grid-body [role="row"]').first().waitFor();
    await page.waitForTimeout(500);
    await page.screenshot({ path: `${OUT}/exp.png` });
    await openPlace(page, app, `#/experiment/${encodeURIComponent(exp.id)}/room/${encodeURIComponent(room.id)}`);
    await page.getByTestId('data-badges').first().waitFor();
    await page.screenshot({ path: `${OUT}/room.png` });
    await openPlace(page, app, `#/experiment/${encodeURIComponent(exp.id)}/room/${encodeURIComponent(room.id)}/participant/${encodeURIComponent(room.participantIds[0])}/data/events`);
    await page.getByTestId('preview-count').filter({ hasText: /row/ }).waitFor();
    await page.screenshot({ path: `${OUT}/data.png` });
    await page.getByTestId('download-level').click();
    await page.getByTestId('plan-requests').filter({ hasText: /^\d/ }).waitFor();
    await page.screenshot({ path: `${OUT}/export.png` });
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Connections…' }).click();
    await page.getByRole('button', { name: 'Add a connection…' }).click();
    await page.screenshot({ path: `${OUT}/conn.png` });
  } finally {
    await app.close();
    await browser.close();
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
