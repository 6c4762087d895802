// A researcher's journey through BrainSTEM in Chromium against browser mode, the real core and
// the BrainSTEM simulator: first run with a personal access token (a wrong one refused before
// anything is saved), a project's sessions, a session's data acquisitions with their nested
// details as dotted columns, subjects and a subject's records, the project exported as a CSV
// ZIP (progress, completion, the downloads panel; read back with unzip and pandas), and the
// token in no WebSocket frame the core sends. Also: the browser sign-in (device flow) approved
// through the simulator's control route, the public portal without a token, and the demo's two
// connections with switching between them. Screenshots go to test-results/screenshots/.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import type { JsonRecord } from '../sim/brainstem/index';
import { launchBrowser, startAppServer, type AppServer, shot } from './fixtures';

const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

let browser: Browser;
test.beforeAll(async () => {
  browser = await launchBrowser();
});
test.afterAll(async () => {
  await browser?.close();
});

/** Every WebSocket message of a page, both ways, as text. */
function recordFrames(page: Page): { sent: string[]; received: string[] } {
  const frames = { sent: [] as string[], received: [] as string[] };
  page.on('websocket', (ws) => {
    ws.on('framesent', (f) => frames.sent.push(String(f.payload)));
    ws.on('framereceived', (f) => frames.received.push(String(f.payload)));
  });
  return frames;
}

/** The dotted paths to the leaves of nested objects, as a flat table names its columns (computed here, apart from the app). */
function dottedPaths(value: unknown, prefix: string, into: Set<string>): void {
  if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) dottedPaths(v, `${prefix}.${k}`, into);
  } else {
    into.add(prefix);
  }
}

/** Opens the first-run dialog's BrainSTEM form at the simulator. */
async function brainstemForm(page: Page, baseUrl: string) {
  const first = page.getByRole('dialog', { name: /^Connect to / });
  await expect(first).toBeVisible();
  await first.locator('.segmented label', { hasText: /^BrainSTEM$/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Connect to BrainSTEM' });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Server address').fill(baseUrl);
  return dialog;
}

test.describe('a BrainSTEM project, connected with a token', () => {
  let app: AppServer;
  test.beforeAll(async () => {
    app = await startAppServer({ scale: 'tiny', withDemoProfile: false, brainstem: { scale: 'small', seed: 11 } });
  });
  test.afterAll(async () => {
    await app?.close();
  });

  test('token, projects, sessions, dotted details, subjects, a CSV ZIP of the project, and no token in any frame the core sends', async () => {
    test.setTimeout(240_000);
    const bs = app.brainstem!;
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true })).newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const frames = recordFrames(page);
    await page.goto(app.url);

    // ---------- first run: a wrong token is refused before anything is saved; the right one connects ----------
    const dialog = await brainstemForm(page, bs.baseUrl);
    await dialog.getByLabel('Name').fill('Lab notebook');
    await expect(dialog.getByRole('radio', { name: /^Private/ })).toBeChecked();
    // Every sign-in the source offers, as one radio group; picked with the keyboard.
    const methods = dialog.getByRole('radiogroup', { name: 'Sign in with' }).getByRole('radio');
    await expect(methods).toHaveCount(3);
    await expect(dialog.getByRole('radio', { name: 'Sign in with the browser' })).toBeChecked();
    await expect(dialog.getByRole('radio', { name: 'Email and password' })).not.toBeChecked();
    await methods.first().focus();
    await page.keyboard.press('ArrowRight');
    await expect(dialog.getByRole('radio', { name: 'Personal access token' })).toBeChecked();
    const token = dialog.getByRole('textbox', { name: 'Personal access token' });
    await expect(token).toHaveAttribute('type', 'password');
    await token.fill('not-a-token-this-server-issued-0000000000');
    await token.press('Enter');
    await expect(dialog.getByTestId('key-validation')).toHaveAttribute('data-outcome', 'rejected', { timeout: 15_000 });
    expect(await app.core.api.listProfiles(undefined)).toEqual([]);
    // Behind the dialog, nothing speaks for a source not chosen: no "Experiments", no request budget.
    await expect(page.getByTestId('first-run-page')).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Experiments' })).toHaveCount(0);
    await expect(page.getByTestId('budget')).toHaveCount(0);
    await shot(page, '40-brainstem-first-run');
    await expect(dialog.getByTestId('key-validation')).toContainText(/token/i);
    await token.fill(bs.token);
    await dialog.getByRole('button', { name: 'Check and save' }).click();
    await expect(dialog).toBeHidden({ timeout: 15_000 });

    // ---------- projects ----------
    const projectsGrid = page.getByRole('grid', { name: 'Projects' });
    const projects = bs.dataset.projects();
    for (const p of projects) await expect(projectsGrid.getByText(p.name, { exact: true })).toBeVisible();
    await expect(page.getByTestId('connection-state')).toContainText('Connected');
    await expect(page.getByTestId('active-source')).toHaveText('BrainSTEM');
    await expect(page.getByTestId('connection-state')).toHaveAttribute('data-source', 'BrainSTEM');
    await shot(page, '41-brainstem-projects');

    // ---------- a project: its sessions (the first list), one click on the row ----------
    const project = [...projects].sort((a, b) => b.sessionIds.length - a.sessionIds.length)[0];
    expect(project.sessionIds.length).toBeGreaterThanOrEqual(25);
    await projectsGrid.getByText(project.name, { exact: true }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(project.name);
    expect(new URL(page.url()).hash).toBe(`#/project/${encodeURIComponent(project.id)}`);
    const lists = page.getByRole('tablist', { name: `Lists of ${project.name}` });
    await expect(lists.getByRole('tab')).toHaveText([/^Sessions/, /^Subjects/, /^Collections/, /^Cohorts/]);
    await expect(lists.getByRole('tab', { selected: true })).toContainText('Sessions');
    const sessionsGrid = page.getByRole('grid', { name: 'Sessions' });
    await expect(page.getByTestId('row-count')).toHaveText(`${project.sessionIds.length} sessions`);
    expect(Number(await sessionsGrid.getAttribute('aria-rowcount')) - 1).toBe(project.sessionIds.length);
    await shot(page, '42-brainstem-sessions');

    // ---------- a session with data acquisitions whose details are nested: dotted columns ----------
    const acquisitions = bs.dataset.rows('dataacquisition');
    const inProject = new Set(project.sessionIds);
    const bySession = new Map<string, JsonRecord[]>();
    for (const a of acquisitions) {
      const sid = String(a.session);
      if (inProject.has(sid)) bySession.set(sid, [...(bySession.get(sid) ?? []), a]);
    }
    const [sessionId, rows] = [...bySession].sort((a, b) => b[1].length - a[1].length)[0];
    const session = bs.dataset.row('session', sessionId)!;
    await page.getByRole('searchbox', { name: 'Search sessions' }).fill(String(session.name));
    await sessionsGrid.getByText(String(session.name), { exact: true }).first().click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Session ${session.name}`);
    const sessionLists = page.getByRole('tablist', { name: `Lists of Session ${session.name}` });
    await expect(sessionLists.getByRole('tab', { selected: true })).toContainText('Data acquisitions');
    const acqGrid = page.getByRole('grid', { name: 'Data acquisitions' });
    expect(Number(await acqGrid.getAttribute('aria-rowcount')) - 1).toBe(rows.length);
    const expectedDotted = new Set<string>();
    for (const r of rows) if (r.details && typeof r.details === 'object' && !Array.isArray(r.details)) dottedPaths(r.details, 'details', expectedDotted);
    expect(expectedDotted.size).toBeGreaterThan(0);
    const headers = (await acqGrid.locator('.grid-head [role="columnheader"]').allInnerTexts()).map((h) => h.replace(/[↕▲▼]/g, '').trim()).filter(Boolean);
    expect(headers.filter((h) => h.startsWith('details.')).sort()).toEqual([...expectedDotted].sort());
    await shot(page, '43-brainstem-session-acquisitions');

    // The session's data, as a preview of each type: the same dotted columns, from the core.
    await page.getByTestId('browse-data').click();
    const data = page.getByTestId('view-data');
    await data.locator('[role="tab"][data-tab="data_acquisitions"]').click();
    const panel = data.getByRole('tabpanel');
    await expect(panel.getByTestId('preview-count')).toHaveText(new RegExp(`^${rows.length} rows?`), { timeout: 20_000 });
    const previewHeaders = await panel.getByRole('grid').locator('.grid-head [role="columnheader"]').allInnerTexts();
    expect(previewHeaders.some((h) => h.includes('details.'))).toBe(true);
    await shot(page, '44-brainstem-session-data');

    // ---------- subjects, through the breadcrumb to the project ----------
    await page.getByRole('navigation', { name: 'Location' }).getByRole('button', { name: project.name }).click();
    await lists.getByRole('tab', { name: /^Subjects/ }).click();
    expect(new URL(page.url()).hash).toBe(`#/project/${encodeURIComponent(project.id)}/subject`);
    const subjectsGrid = page.getByRole('grid', { name: 'Subjects' });
    await expect(page.getByTestId('row-count')).toHaveText(`${project.subjectIds.length} subjects`);
    const subject = bs.dataset.row('subject', project.subjectIds[0])!;
    await shot(page, '45-brainstem-subjects');
    await subjectsGrid.getByText(String(subject.name), { exact: true }).first().click();
    const subjectData = page.getByTestId('view-data');
    await expect(subjectData.getByRole('heading', { level: 1 })).toHaveText(`Subject ${subject.name}`);
    await expect(subjectData.getByRole('tab')).toHaveText([/^Subjects/, /^Procedures/, /^Procedure logs/, /^Subject logs/]);
    // Up returns to the subjects list, where the subject was.
    await page.keyboard.press('Backspace');
    await expect(lists.getByRole('tab', { selected: true })).toContainText('Subjects');

    // ---------- export the project as a CSV ZIP ----------
    app.brainstem!.setFaults({ latencyMs: 40 });
    await page.getByTestId('download-level').click();
    const exportDialog = page.getByRole('dialog', { name: `Download Project “${project.name}”` });
    await expect(exportDialog.getByRole('checkbox', { name: /^Sessions/ })).toBeChecked();
    await expect(exportDialog.getByRole('checkbox', { name: /^Data acquisitions/ })).toBeChecked();
    await expect(exportDialog.getByRole('radio', { name: 'Pseudonymize' })).toHaveCount(0);
    await expect(exportDialog.getByTestId('anonymize-only')).toHaveText('Records stay as BrainSTEM stores them.');
    await expect(exportDialog.getByLabel('Split').locator('option')).toHaveText(['One file per data type', 'One folder per session', 'One folder per subject']);
    await expect(exportDialog.getByRole('radio', { name: 'CSV' })).toBeChecked();
    await expect(exportDialog.getByRole('radio', { name: 'ZIP file' })).toBeChecked();
    await expect(exportDialog.getByRole('checkbox', { name: /image files/ })).toBeVisible();
    await expect(exportDialog.getByTestId('plan-requests')).toHaveText(/^\d/, { timeout: 30_000 });
    await shot(page, '46-brainstem-export-dialog');
    await exportDialog.getByTestId('start-export').click();

    const modal = page.getByTestId('progress-modal');
    await expect(modal.getByTestId('job-state')).toContainText(project.name);
    // The bar, its ARIA value and the percentage are one number while it runs.
    let sampled = 0;
    for (let i = 0; i < 300; i++) {
      const s = await modal.evaluate((m) => ({
        aria: m.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow') ?? null,
        text: m.querySelector('[data-testid="job-percent"]')?.textContent ?? null,
        state: m.querySelector('[data-testid="job-state"]')?.getAttribute('data-state') ?? null,
      }));
      if (s.aria !== null) {
        expect(s.text).toBe(`${s.aria}%`);
        sampled += 1;
        if (sampled === 3) await shot(page, '47-brainstem-progress');
      }
      if (s.state === 'completed' || s.state === 'failed') break;
      await page.waitForTimeout(40);
    }
    await expect(modal.getByTestId('job-state')).toHaveAttribute('data-state', 'completed', { timeout: 90_000 });
    app.brainstem!.setFaults({ latencyMs: 0 });
    await expect(modal.getByTestId('job-percent')).toHaveText('100%');
    const zipName = (await modal.getByTestId('output-path').innerText()).trim().split('/').pop()!;
    expect(zipName).toMatch(/\.zip$/);
    await shot(page, '48-brainstem-export-complete');
    const zipPath = join(app.downloadDir, zipName);
    execFileSync('unzip', ['-t', zipPath], { stdio: 'pipe' });
    const got = JSON.parse(execFileSync(PYTHON, ['-c', `
import sys, json, zipfile, io
import pandas as pd
z = zipfile.ZipFile(sys.argv[1])
names = z.namelist()
def table(name):
    n = [x for x in names if x.endswith('/' + name)][0]
    return pd.read_csv(io.BytesIO(z.read(n)), encoding='utf-8-sig', dtype=str, keep_default_na=False)
s = table('sessions.csv')
a = table('data_acquisitions.csv')
print(json.dumps({'sessions': sorted(s['id'].tolist()), 'acquisitionColumns': list(a.columns), 'acquisitions': len(a)}))
`, zipPath]).toString()) as { sessions: string[]; acquisitionColumns: string[]; acquisitions: number };
    expect(got.sessions).toEqual([...project.sessionIds].sort());
    expect(got.acquisitions).toBe(acquisitions.filter((a) => inProject.has(String(a.session))).length);
    expect(got.acquisitionColumns.some((c) => c.startsWith('details.'))).toBe(true);
    await modal.getByRole('button', { name: 'Done' }).click();

    // ---------- the downloads panel has it ----------
    await page.getByTestId('open-downloads').click();
    const done = page.getByTestId('downloads-panel').locator('[data-testid="job-item"][data-state="completed"]');
    await expect(done).toHaveCount(1);
    await expect(done.getByTestId('output-path')).toContainText(zipName);
    await shot(page, '49-brainstem-downloads');
    await page.keyboard.press('Escape');

    // ---------- the token: typed into the dialog, sent with that one call, never sent back ----------
    expect(frames.received.length).toBeGreaterThan(20);
    for (const f of frames.received) expect(f.includes(bs.token), 'a frame from the core carries the token').toBe(false);
    const carrying = frames.sent.filter((f) => f.includes(bs.token)).map((f) => JSON.parse(f) as { method?: string });
    expect(carrying.map((c) => c.method)).toEqual(['addProfile']);
    expect(await page.content()).not.toContain(bs.token);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });
});

test('the browser sign-in: the page shows the link and the code, the simulator approves, the project list opens', async () => {
  test.setTimeout(120_000);
  const app = await startAppServer({ scale: 'tiny', withDemoProfile: false, brainstem: { scale: 'tiny', seed: 12 } });
  try {
    const bs = app.brainstem!;
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const frames = recordFrames(page);
    await page.goto(app.url);
    const dialog = await brainstemForm(page, bs.baseUrl);
    await dialog.getByLabel('Name').fill('Signed in');
    await expect(dialog.getByRole('radio', { name: 'Sign in with the browser' })).toBeChecked();
    await dialog.getByTestId('sign-in-browser').click();
    const panel = dialog.getByTestId('device-sign-in');
    await expect(panel).toBeVisible({ timeout: 15_000 });
    const code = (await panel.getByTestId('device-code').innerText()).trim();
    expect(code.length).toBeGreaterThan(3);
    const pending = bs.device.pending();
    expect(pending.map((p) => p.userCode)).toContain(code);
    // Browser mode opens nothing by itself: the link goes to the server's own approval page.
    expect(new URL((await panel.getByTestId('device-link').getAttribute('href'))!).origin).toBe(new URL(bs.baseUrl).origin);
    await shot(page, '50-brainstem-device-code');
    // The researcher approves it on the server (here: the simulator's control route).
    const approved = await fetch(`${bs.controlUrl}/device/approve`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ code }) });
    expect(approved.status).toBe(200);
    await expect(dialog).toBeHidden({ timeout: 30_000 });
    await expect(page.getByRole('grid', { name: 'Projects' }).locator('.grid-body [role="row"]').first()).toBeVisible();
    const profiles = await app.core.api.listProfiles(undefined);
    expect(profiles).toMatchObject([{ name: 'Signed in', source: 'brainstem', authMethod: 'device-flow', active: true }]);
    // The token the server issued never reached the page.
    expect(frames.received.join('\n')).not.toMatch(/Bearer|"token"\s*:/);
    await page.close();
  } finally {
    await app.close();
  }
});

test('the public portal needs no token and lists the public projects only', async () => {
  const app = await startAppServer({ scale: 'tiny', withDemoProfile: false, brainstem: { scale: 'tiny', seed: 13 } });
  try {
    const bs = app.brainstem!;
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(app.url);
    const dialog = await brainstemForm(page, bs.baseUrl);
    await dialog.getByRole('radio', { name: /^Public/ }).check();
    await expect(dialog.getByTestId('no-credential')).toContainText('no sign-in');
    await expect(dialog.getByRole('textbox', { name: 'Personal access token' })).toHaveCount(0);
    await dialog.getByRole('button', { name: 'Check and save' }).click();
    await expect(dialog).toBeHidden({ timeout: 15_000 });
    const grid = page.getByRole('grid', { name: 'Projects' });
    const publicOnes = bs.dataset.projects().filter((p) => p.isPublic);
    expect(publicOnes.length).toBeGreaterThan(0);
    await expect(grid.locator('.grid-body [role="row"]')).toHaveCount(publicOnes.length);
    for (const p of publicOnes) await expect(grid.getByText(p.name, { exact: true })).toBeVisible();
    await page.close();
  } finally {
    await app.close();
  }
});

test('the demo’s two connections: switching re-reads the source, and its levels, tables and words follow', async () => {
  const app = await startAppServer({ scale: 'tiny', brainstem: { scale: 'tiny', seed: 14 }, brainstemDemoProfile: true });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(app.url);
    await expect(page.getByRole('grid', { name: 'Experiments' }).locator('.grid-body [role="row"]').first()).toBeVisible();
    await expect(page.getByTestId('active-source')).toHaveText('HyperStudy');
    const select = page.getByRole('combobox', { name: 'Connection profile' });
    await expect(select.locator('option')).toHaveText([/HyperStudy$/, /BrainSTEM$/]);
    await select.selectOption({ label: (await select.locator('option').nth(1).innerText()).trim() });
    await expect(page.getByRole('grid', { name: 'Projects' }).locator('.grid-body [role="row"]').first()).toBeVisible({ timeout: 15_000 });
    await expect(page.getByTestId('active-source')).toHaveText('BrainSTEM');
    await expect(page.getByRole('navigation', { name: 'Location' })).toContainText('Projects');
    expect(new URL(page.url()).hash).toBe('#/');
    await shot(page, '51-demo-switched-to-brainstem');
    // Into a project and a session, then back to HyperStudy: its levels again, and they still open.
    await page.getByRole('grid', { name: 'Projects' }).locator('.grid-body [role="row"]').first().click();
    await expect(page.getByRole('grid', { name: 'Sessions' })).toBeVisible();
    await select.selectOption({ index: 0 });
    const experiments = page.getByRole('grid', { name: 'Experiments' });
    await expect(experiments.locator('.grid-body [role="row"]').first()).toBeVisible({ timeout: 15_000 });
    await expect(page.getByTestId('active-source')).toHaveText('HyperStudy');
    expect(new URL(page.url()).hash).toBe('#/');
    const target = app.sim.dataset.experiments().find((e) => e.roomIds.length > 0)!;
    await page.getByRole('searchbox', { name: 'Search experiments' }).fill(target.name);
    await experiments.getByText(target.name, { exact: true }).first().click();
    const rooms = page.getByRole('grid', { name: 'Rooms' });
    await expect(rooms.locator('.grid-body [role="row"]')).toHaveCount(app.sim.dataset.rooms(target.id).length, { timeout: 15_000 });
    await expect(page.getByRole('navigation', { name: 'Location' })).toContainText(target.name);

    // ---------- the Connections dialog: Use, Remove… then Keep, Check only, a server without browser sign-in, Remove ----------
    await page.getByRole('button', { name: 'Connections…' }).click();
    const connections = page.getByRole('dialog', { name: 'Connections' });
    const hsRow = connections.locator('[data-testid="profile-row"][data-source="hyperstudy"]');
    const bsRow = connections.locator('[data-testid="profile-row"][data-source="brainstem"]');
    await expect(connections.getByTestId('profile-row')).toHaveCount(2);
    await bsRow.getByRole('button', { name: 'Use' }).click();
    await expect(bsRow).toContainText('In use');
    await expect(page.getByTestId('active-source')).toHaveText('BrainSTEM');
    const hsName = (await hsRow.getAttribute('data-profile'))!;
    await hsRow.getByRole('button', { name: `Remove ${hsName}` }).click();
    await expect(hsRow.getByRole('button', { name: 'Keep' })).toBeVisible();
    await hsRow.getByRole('button', { name: 'Keep' }).click();
    await expect(hsRow.getByRole('button', { name: 'Keep' })).toHaveCount(0);
    await expect(hsRow.getByRole('button', { name: `Remove ${hsName}` })).toHaveText('Remove…');

    // "Check only" checks a key with the server and saves nothing.
    await connections.getByRole('button', { name: 'Add a connection…' }).click();
    const form = connections.getByRole('form', { name: 'Add a connection' });
    await form.locator('.segmented label', { hasText: /^HyperStudy$/ }).click();
    await expect(form).toHaveAttribute('data-source', 'hyperstudy');
    await form.getByLabel('Name').fill('Checked, not saved');
    await form.getByRole('radio', { name: /Custom URL/ }).check();
    await form.getByLabel('Custom API URL').fill(app.sim.baseUrl);
    await form.getByLabel('API key').fill(app.sim.apiKey);
    await form.getByLabel(/^Organization id/).fill(app.sim.orgId);
    await form.getByRole('button', { name: 'Check only' }).click();
    await expect(form.getByTestId('key-validation')).toHaveAttribute('data-outcome', 'accepted', { timeout: 15_000 });
    await expect(connections.getByTestId('profile-row')).toHaveCount(2);

    // A server without BrainSTEM's browser sign-in (here: the HyperStudy simulator) gets a pasted token instead.
    await form.locator('.segmented label', { hasText: /^BrainSTEM$/ }).click();
    await expect(form).toHaveAttribute('data-source', 'brainstem');
    await form.getByLabel('Server address').fill(app.sim.origin);
    await form.getByTestId('sign-in-browser').click();
    await expect(form.getByRole('note')).toContainText('does not offer sign-in through the browser', { timeout: 15_000 });
    await expect(form.getByRole('link', { name: 'Create a token' })).toBeVisible();
    await expect(form.locator('#conn-key')).toBeVisible();
    await form.getByRole('button', { name: 'Cancel' }).click();
    await expect(form).toBeHidden();
    await expect(connections.getByRole('button', { name: 'Add a connection…' })).toBeVisible();

    // Remove… then Remove NAME takes the connection away.
    await hsRow.getByRole('button', { name: `Remove ${hsName}` }).click();
    await expect(hsRow.getByRole('button', { name: 'Keep' })).toBeVisible();
    await hsRow.getByRole('button', { name: `Remove ${hsName}` }).click();
    await expect(connections.getByTestId('profile-row')).toHaveCount(1);
    expect((await app.core.api.listProfiles(undefined)).map((p) => p.source)).toEqual(['brainstem']);
    await page.close();
  } finally {
    await app.close();
  }
});

test('email and password: a wrong password is refused in plain words and saves nothing; the right one signs in, and the password goes out once and never comes back', async () => {
  const app = await startAppServer({ scale: 'tiny', withDemoProfile: false, brainstem: { scale: 'tiny', seed: 15 } });
  try {
    const bs = app.brainstem!;
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const frames = recordFrames(page);
    await page.goto(app.url);
    const dialog = await brainstemForm(page, bs.baseUrl);
    await dialog.getByLabel('Name').fill('With password');
    await dialog.locator('.segmented label', { hasText: /^Email and password$/ }).click();
    await expect(dialog.getByRole('textbox', { name: 'Personal access token' })).toHaveCount(0);
    await dialog.getByRole('textbox', { name: 'Email', exact: true }).fill(bs.credentials.email);
    const password = dialog.getByLabel('Password', { exact: true });
    await expect(password).toHaveAttribute('type', 'password');
    await password.fill('not-the-password');
    await password.press('Enter');
    const refused = dialog.getByTestId('key-validation');
    await expect(refused).toHaveAttribute('data-outcome', 'error', { timeout: 15_000 });
    await expect(refused).not.toContainText('{');
    expect(await app.core.api.listProfiles(undefined)).toEqual([]);
    // The password field was emptied when it was sent: typed again for the next try.
    await expect(password).toHaveValue('');
    await password.fill(bs.credentials.password);
    await dialog.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(dialog).toBeHidden({ timeout: 15_000 });
    await expect(page.getByRole('grid', { name: 'Projects' }).locator('.grid-body [role="row"]').first()).toBeVisible();
    expect(await app.core.api.listProfiles(undefined)).toMatchObject([{ name: 'With password', source: 'brainstem', authMethod: 'password-refresh', active: true }]);
    // Saved connections name the way it signs in.
    await page.getByRole('button', { name: /^Connections/ }).click();
    await expect(page.getByTestId('profile-row')).toContainText('email and password');
    await page.keyboard.press('Escape');
    const carrying = frames.sent.filter((f) => f.includes(bs.credentials.password)).map((f) => (JSON.parse(f) as { method?: string }).method);
    expect(carrying).toEqual(['signInWithPassword']);
    for (const f of frames.received) expect(f.includes(bs.credentials.password)).toBe(false);
    expect(frames.received.join('\n')).not.toMatch(/"(access|refresh)"\s*:/);

    // Kept in memory only here (no keychain in this server): after a restart the connection is
    // signed out, and the banner sends the researcher to sign in again, not to paste a key.
    await app.restart();
    const banner = page.getByTestId('banner');
    await expect(banner).toHaveAttribute('data-state', 'no-key', { timeout: 30_000 });
    await expect(banner).toContainText('“With password” is signed out.');
    await expect(banner.getByTestId('enter-key-again')).toHaveCount(0);
    await banner.getByTestId('sign-in-again').click();
    await expect(page.getByRole('dialog')).toBeVisible();
    await page.close();
  } finally {
    await app.close();
  }
});

test('the browser sign-in says plainly when it was denied or expired, and can be cancelled', async () => {
  test.setTimeout(120_000);
  // The simulator's clock can be moved on, so a code expires without waiting 15 minutes.
  let skewMs = 0;
  const app = await startAppServer({ scale: 'tiny', withDemoProfile: false, brainstem: { scale: 'tiny', seed: 16, now: () => Date.now() + skewMs } });
  try {
    const bs = app.brainstem!;
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(app.url);
    const dialog = await brainstemForm(page, bs.baseUrl);
    const panel = dialog.getByTestId('device-sign-in');
    const start = async () => {
      await dialog.getByTestId('sign-in-browser').click();
      await expect(panel).toBeVisible({ timeout: 15_000 });
      await expect(dialog.getByTestId('sign-in-browser')).toBeDisabled();
      return (await panel.getByTestId('device-code').innerText()).trim();
    };

    // Denied in the browser.
    const denied = await start();
    expect((await fetch(`${bs.controlUrl}/device/deny`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ code: denied }) })).status).toBe(200);
    const error = dialog.getByTestId('key-validation');
    await expect(error).toContainText('denied', { timeout: 20_000 });
    await expect(panel).toBeHidden();
    await shot(page, '52-brainstem-device-denied');

    // Cancelled here: back to the form, no error, nothing saved, nothing more asked of the server.
    await start();
    await expect(error).toBeHidden();
    await panel.getByRole('button', { name: 'Cancel sign-in' }).click();
    await expect(panel).toBeHidden();
    await expect(dialog.getByTestId('sign-in-browser')).toBeEnabled();
    await expect(error).toBeHidden();

    // Expired: the server's 15 minutes pass before anyone approves.
    const late = await start();
    skewMs = 16 * 60_000;
    await expect(error).toContainText(`${late} expired`, { timeout: 20_000 });
    await expect(error).toContainText('Start the sign-in again');
    await expect(dialog.getByTestId('sign-in-browser')).toBeEnabled();
    expect(await app.core.api.listProfiles(undefined)).toEqual([]);
    await page.close();
  } finally {
    await app.close();
  }
});
