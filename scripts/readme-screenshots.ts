// `npx tsx scripts/readme-screenshots.ts [brainstem]`: refreshes docs/screenshots/ (the README's
// pictures) from the real app in browser mode against the simulators, in Chromium at 1280×800.
// Run `npm run build` first, with a CJK font installed (Debian: fonts-noto-cjk) so that the
// simulator's CJK names do not show as empty boxes. Not part of the test run: it writes into the repository.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { projectRoot } from '../src-main/server/node-core';
import { launchBrowser, startAppServer, type AppServer } from '../tests/e2e/fixtures';
import { openPlace } from '../tests/e2e/open-place';

const OUT = join(projectRoot(), 'docs', 'screenshots');
mkdirSync(OUT, { recursive: true });
const shot = (page: Page, name: string) => page.screenshot({ path: join(OUT, `${name}.png`) });
const say = (s: string) => process.stderr.write(`${s}\n`);

async function until(check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * BrainSTEM: the connection dialog with its sign-in methods while a browser sign-in waits for its
 * code to be approved, then (signed in with a token) a session's data acquisitions, whose nested
 * details show as dotted columns.
 */
async function brainstemShots(browser: Browser): Promise<void> {
  const app = await startAppServer({ scale: 'tiny', withDemoProfile: false, brainstem: { scale: 'small', seed: 11 } });
  const bs = app.brainstem!;
  try {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: 'Europe/Berlin', colorScheme: 'light' });
    const page = await ctx.newPage();
    await page.goto(app.url);
    await page.getByRole('dialog', { name: /^Connect to / }).locator('.segmented label', { hasText: /^BrainSTEM$/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Connect to BrainSTEM' });
    await dialog.getByLabel('Name').fill('Lab notebook');
    await dialog.getByLabel('Server address').fill(bs.baseUrl);
    await dialog.getByTestId('sign-in-browser').click();
    await dialog.getByTestId('device-sign-in').waitFor();
    await shot(page, 'brainstem-sign-in');
    await dialog.getByRole('button', { name: 'Cancel sign-in' }).click();
    await dialog.locator('.segmented label', { hasText: /^Personal access token$/ }).click();
    await dialog.getByRole('textbox', { name: 'Personal access token' }).fill(bs.token);
    await dialog.getByRole('button', { name: 'Check and save' }).click();
    await dialog.waitFor({ state: 'hidden', timeout: 15_000 });

    // The session with the most data acquisitions in the project with the most sessions.
    const project = [...bs.dataset.projects()].sort((a, b) => b.sessionIds.length - a.sessionIds.length)[0];
    const inProject = new Set(project.sessionIds);
    const perSession = new Map<string, number>();
    for (const a of bs.dataset.rows('dataacquisition')) if (inProject.has(String(a.session))) perSession.set(String(a.session), (perSession.get(String(a.session)) ?? 0) + 1);
    const sessionId = [...perSession].sort((a, b) => b[1] - a[1])[0][0];
    await openPlace(page, app, `#/project/${encodeURIComponent(project.id)}/session/${encodeURIComponent(sessionId)}`);
    await page.getByRole('grid', { name: 'Data acquisitions' }).locator('.grid-body [role="row"]').first().waitFor({ timeout: 20_000 });
    await page.getByRole('grid', { name: 'Data acquisitions' }).locator('.grid-body [role="row"]').nth(1).hover();
    await shot(page, 'brainstem-session');
    await ctx.close();
  } finally {
    await app.close();
  }
}

async function main(): Promise<void> {
  const browser = await launchBrowser();
  // `… brainstem` refreshes only the BrainSTEM pictures.
  if (process.argv[2] === 'brainstem') {
    try {
      await brainstemShots(browser);
    } finally {
      await browser.close();
    }
    say(`Screenshots written to ${OUT}`);
    return;
  }
  await brainstemShots(browser);
  const app: AppServer = await startAppServer({ scale: 'small', settings: { formulaProtection: true } });
  try {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: 'Europe/Berlin', colorScheme: 'light' });
    const page = await ctx.newPage();
    await page.goto(app.url);
    const exp = app.sim.dataset.experiments().find((e) => e.roomIds.length > 1)!;
    const room = [...app.sim.dataset.rooms(exp.id)].sort((a, b) => b.participantIds.length - a.participantIds.length)[0];
    // A participant whose name this machine's fonts can show (screenshots are made where CJK fonts may be missing).
    const latin = new Set(app.sim.dataset.participants({ roomId: room.id }).filter((p) => /^[\x20-\x7e\u00c0-\u017f]+$/.test(p.name)).map((p) => p.id));
    const pid = [...room.participantIds].filter((p) => latin.has(p)).sort((a, b) => app.sim.dataset.count('events', 'participant', b, room.id) - app.sim.dataset.count('events', 'participant', a, room.id))[0];
    await page.getByRole('grid', { name: 'Experiments' }).locator('.grid-body [role="row"]').first().waitFor();
    await page.getByRole('grid', { name: 'Experiments' }).locator('.grid-body [role="row"]').nth(1).hover();
    await shot(page, 'experiments');

    await page.getByRole('grid', { name: 'Experiments' }).getByText(exp.name, { exact: true }).click();
    await page.getByRole('grid', { name: 'Rooms' }).getByText(room.id, { exact: true }).click();
    await page.getByTestId('data-badges').first().waitFor();
    await until(async () => (await page.getByTestId('data-badges').count()) >= room.participantIds.length);
    await shot(page, 'participants');

    const base = `#/experiment/${encodeURIComponent(exp.id)}/room/${encodeURIComponent(room.id)}/participant/${encodeURIComponent(pid)}/data`;
    await openPlace(page, app, `${base}/ratings-continuous`);
    const plot = page.getByTestId('plot').first();
    await plot.waitFor();
    await page.waitForTimeout(800);
    const box = (await plot.getByRole('img').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.42, box.y + box.height * 0.5);
    await page.getByTestId('plot-tip').waitFor();
    await shot(page, 'continuous-ratings-plot');

    await openPlace(page, app, `${base}/events`);
    const panel = page.getByRole('tabpanel');
    await panel.getByTestId('preview-count').filter({ hasText: /row/ }).waitFor();
    await panel.getByRole('button', { name: 'Show filters' }).click();
    await panel.getByRole('grid').getByLabel('Filter Onset (ms)').fill('>100,000');
    await panel.getByTestId('preview-count').filter({ hasText: ' of ' }).waitFor();
    await panel.getByRole('grid').locator('.grid-body [role="row"]').nth(1).click();
    await panel.locator('.raw-json').waitFor();
    await shot(page, 'raw-json-row');
    await panel.getByRole('button', { name: 'Clear filters' }).click();
    await panel.getByRole('button', { name: 'Hide filters' }).click();

    // The export dialog of the room, pseudonymized, with its plan; then the progress and the end.
    app.sim.setFaults({ latencyMs: 250 });
    await openPlace(page, app, `#/experiment/${encodeURIComponent(exp.id)}/room/${encodeURIComponent(room.id)}`);
    await page.getByTestId('download-level').click();
    const dialog = page.getByTestId('export-dialog');
    await dialog.getByRole('radio', { name: 'Pseudonymize' }).check();
    await dialog.getByTestId('plan-requests').filter({ hasText: /^\d/ }).waitFor({ timeout: 30_000 });
    await shot(page, 'export-dialog');
    await dialog.getByTestId('start-export').click();
    const modal = page.getByTestId('progress-modal');
    await until(async () => Number((await modal.getByTestId('job-percent').innerText().catch(() => '0')).replace('%', '')) >= 25);
    await shot(page, 'progress');
    app.sim.setFaults({ latencyMs: 0 });
    await modal.getByTestId('job-state').and(page.locator('[data-state="completed"]')).waitFor({ timeout: 60_000 });
    await shot(page, 'export-complete');
    await modal.getByRole('button', { name: 'Done' }).click();

    // An export stopped by a restart, offered for resuming in the downloads panel.
    app.sim.setFaults({ latencyMs: 300 });
    await openPlace(page, app, `#/experiment/${encodeURIComponent(exp.id)}`);
    await page.getByTestId('download-level').click();
    await dialog.getByTestId('plan-requests').filter({ hasText: /^\d/ }).waitFor({ timeout: 30_000 });
    await dialog.getByTestId('start-export').click();
    await until(async () => Number((await modal.getByTestId('job-requests').innerText()).split(' of ')[0].replace(/,/g, '')) > 2);
    await modal.getByTestId('run-in-background').click();
    await app.restart();
    await page.getByTestId('downloads-panel').locator('[data-state="interrupted"]').waitFor({ timeout: 30_000 });
    await page.getByTestId('banner').waitFor({ state: 'hidden', timeout: 15_000 });
    await shot(page, 'downloads-resume');
    app.sim.setFaults({ latencyMs: 0 });
    await page.keyboard.press('Escape');

    // Offline: one message at the top, the view waiting quietly.
    await openPlace(page, app, `#/experiment/${encodeURIComponent(exp.id)}`);
    await page.getByRole('grid', { name: 'Rooms' }).locator('.grid-body [role="row"]').first().waitFor();
    app.sim.setFaults({ latencyMs: 0 });

    // Dark theme, sync metrics.
    const dark = await browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: 'Europe/Berlin', colorScheme: 'dark' });
    const dp = await dark.newPage();
    await openPlace(dp, app, `${base}/sync`);
    await dp.getByTestId('plot').first().waitFor();
    await dp.waitForTimeout(800);
    await shot(dp, 'sync-plot-dark');
    await dark.close();
    await ctx.close();
  } finally {
    await app.close();
  }

  // A key without some scopes: the tabs say which, before anything is opened.
  const limited = await startAppServer({ scale: 'tiny', withDemoProfile: false });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: 'Europe/Berlin' })).newPage();
    await page.goto(limited.url);
    const dialog = page.getByRole('dialog', { name: 'Connect to HyperStudy' });
    await dialog.getByLabel('Name').fill('Teaching assistant key');
    await dialog.getByRole('radio', { name: /Custom URL/ }).check();
    await dialog.getByLabel('Custom API URL').fill(limited.sim.baseUrl);
    await dialog.getByLabel('API key').fill(limited.sim.limitedKey);
    await dialog.getByRole('button', { name: 'Check only' }).click();
    await dialog.getByTestId('key-validation').waitFor();
    await shot(page, 'first-run-key-check');
    await dialog.getByRole('button', { name: 'Check and save' }).click();
    await dialog.waitFor({ state: 'hidden', timeout: 15_000 });
    const exp = limited.sim.dataset.experiments().find((e) => e.roomIds.length > 0)!;
    const room = limited.sim.dataset.rooms(exp.id).find((r) => r.participantIds.length > 0)!;
    await openPlace(page, limited, `#/experiment/${encodeURIComponent(exp.id)}/room/${encodeURIComponent(room.id)}/participant/${encodeURIComponent(room.participantIds[0])}/data/chat`);
    await page.getByTestId('scope-needed').waitFor({ timeout: 20_000 });
    await shot(page, 'missing-scope-error');

    // Offline, said once.
    await limited.sim.close();
    await openPlace(page, limited, `#/`);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByTestId('connection-wait').waitFor({ timeout: 30_000 });
    await shot(page, 'offline-banner');
  } finally {
    await limited.close().catch(() => undefined);
    await browser.close();
  }
  say(`Screenshots written to ${OUT}`);
}

main().catch((e) => {
  say(String(e?.stack ?? e));
  process.exit(1);
});
