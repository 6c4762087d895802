// The desktop app starts, opens its window and lists the demo experiments.
// Runs only where the Electron binary exists; elsewhere it is skipped with the reason.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { electronBinaryPath } from './fixtures/electron-binary';
import { projectRoot } from '../../src-main/server/node-core';
import { startSimulator, type Simulator } from '../sim';

const binary = electronBinaryPath();
if (!binary.path) console.log(`[electron-smoke] skipped: ${binary.reason}`);

test.describe('Electron smoke', () => {
  test.skip(!binary.path, `Electron binary not available: ${binary.reason}`);
  let sim: Simulator;
  let dir: string;
  test.beforeAll(async () => {
    sim = await startSimulator({ scale: 'small' });
    dir = await mkdtemp(join(tmpdir(), 'studydl-electron-'));
  });
  test.afterAll(async () => {
    await sim?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('the window opens and lists the demo experiments', async () => {
    const app = await electron.launch({
      executablePath: binary.path!,
      args: [projectRoot()],
      env: {
        ...process.env,
        STUDYDL_USER_DATA: join(dir, 'user-data'),
        STUDYDL_DEMO_BASE_URL: sim.baseUrl,
        STUDYDL_DEMO_API_KEY: sim.apiKey,
        STUDYDL_DEMO_DOWNLOADS: join(dir, 'downloads'),
        STUDYDL_NO_KEYCHAIN: '1',
      },
    });
    try {
      const window = await app.firstWindow();
      const prefs = await app.evaluate(({ BrowserWindow }) => (BrowserWindow.getAllWindows()[0].webContents as unknown as { getLastWebPreferences(): unknown }).getLastWebPreferences());
      expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
      expect(await window.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe('undefined');
      const names = sim.dataset.experiments({ includeShared: false }).map((e) => e.name);
      for (const name of names) await expect(window.getByText(name, { exact: false }).first()).toBeVisible({ timeout: 30_000 });
    } finally {
      await app.close();
    }
  });
});
