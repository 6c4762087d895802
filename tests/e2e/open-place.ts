// Opening browser mode at a place's address (#/experiment/e1/room/r2/data/events). The launch
// link carries the token in its fragment (#token=…), and the page moves it into the tab's
// sessionStorage; a place's address is then loaded in a tab that already holds the token (a
// reload, Back into the app). This puts the token into the tab the way that first load leaves
// it, then loads the address, so no launch-link load (and none of its requests) comes first.
import type { Page } from '@playwright/test';
import { TOKEN_STORAGE_KEY } from '../../src-shared/obtain-api';
import type { AppServer } from './fixtures';

export async function openPlace(page: Page, app: Pick<AppServer, 'origin' | 'token'>, hash: string): Promise<void> {
  await page.addInitScript(
    ([key, token]) => {
      // Runs in the page (this file is compiled without the DOM's types).
      const storage = (globalThis as unknown as { sessionStorage: { getItem(k: string): string | null; setItem(k: string, v: string): void } }).sessionStorage;
      if (!storage.getItem(key)) storage.setItem(key, token);
    },
    [TOKEN_STORAGE_KEY, app.token] as const,
  );
  await page.goto(`${app.origin}/${hash}`);
}
