// The ShellActions the core uses in the desktop app: show in folder, open, copy path,
// drag-out, the folder picker, notifications, and a sign-in page in the system browser. Paths
// arrive here only from the core's output registry (finished job, inside the download folder),
// never from the renderer; links only from the core, and only https ones the allowlist knows.
import type { BrowserWindow, Clipboard, Dialog, NativeImage, Shell } from 'electron';
import { StudyError } from '../../src-shared/errors';
import type { ShellActions } from '../core/create-core';
import { loadDragIcon, type NativeImageFactory } from './drag-icon';
import { isAllowedExternalUrl } from './external-links';

export interface ShellActionDeps {
  shell: Pick<Shell, 'showItemInFolder' | 'openPath'> & Partial<Pick<Shell, 'openExternal'>>;
  clipboard: Pick<Clipboard, 'writeText'>;
  dialog: Pick<Dialog, 'showOpenDialog'>;
  nativeImage: NativeImageFactory;
  /** Electron's Notification class (isSupported + constructor). */
  Notification: { isSupported(): boolean; new (o: { title: string; body: string }): { show(): void } };
  /** The main window, when it exists. */
  window(): BrowserWindow | null;
  /** build/icon.png (may be missing in dev). */
  iconPath?: string;
  /**
   * Filled with the host of each sign-in page opened through a connection's own API host, so the
   * same link clicked in the dialog later opens too (the window's guard reads it).
   */
  signInHosts?: Set<string>;
}

export function createShellActions(deps: ShellActionDeps): ShellActions {
  let icon: NativeImage | null = null;
  const dragIcon = () => (icon ??= loadDragIcon(deps.nativeImage, deps.iconPath));
  return {
    showInFolder(path) {
      deps.shell.showItemInFolder(path);
    },
    async openPath(path) {
      const problem = await deps.shell.openPath(path);
      if (problem) throw new StudyError({ code: 'UNSUPPORTED', message: `The export could not be opened: ${problem}`, fix: 'Use “Show in folder” and open it from there.' });
    },
    async copyText(text) {
      await deps.clipboard.writeText(text);
    },
    startDrag(path) {
      const win = deps.window();
      if (!win || win.isDestroyed()) return;
      win.webContents.startDrag({ file: path, icon: dragIcon() });
    },
    async chooseFolder(current) {
      const win = deps.window();
      const options = { title: 'Choose the download folder', defaultPath: current, properties: ['openDirectory', 'createDirectory'] as Array<'openDirectory' | 'createDirectory'> };
      const result = win ? await deps.dialog.showOpenDialog(win, options) : await deps.dialog.showOpenDialog(options);
      return result.canceled || !result.filePaths[0] ? null : result.filePaths[0];
    },
    notify(title, body) {
      if (deps.Notification.isSupported()) new deps.Notification({ title, body }).show();
    },
    openExternal(url, alsoHosts) {
      if (!deps.shell.openExternal || !isAllowedExternalUrl(url, alsoHosts)) return false;
      const host = new URL(url).hostname;
      if (alsoHosts?.includes(host)) deps.signInHosts?.add(host);
      void deps.shell.openExternal(url).catch(() => undefined);
      return true;
    },
  };
}
