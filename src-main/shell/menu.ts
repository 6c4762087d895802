// The application menu: the platform's standard roles plus a link to the docs. The DevTools
// item (and with it its shortcut) exists only in development.
import type { MenuItemConstructorOptions } from 'electron';
import { isAllowedExternalUrl } from './external-links';

export const DOCS_URL = 'https://docs.hyperstudy.io/';

export function buildMenuTemplate(opts: { platform: NodeJS.Platform; appName: string; devTools: boolean; openExternal(url: string): void; chooseFolder(): void }): MenuItemConstructorOptions[] {
  const mac = opts.platform === 'darwin';
  return [
    ...(mac ? [{ label: opts.appName, submenu: [{ role: 'about' }, { type: 'separator' }, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, { type: 'separator' }, { role: 'quit' }] } as MenuItemConstructorOptions] : []),
    { label: 'File', submenu: [{ label: 'Choose Download Folder…', click: () => opts.chooseFolder() }, { type: 'separator' }, mac ? { role: 'close' } : { role: 'quit' }] },
    { role: 'editMenu' },
    { label: 'View', submenu: [{ role: 'reload' }, ...(opts.devTools ? [{ role: 'toggleDevTools' } as MenuItemConstructorOptions] : []), { type: 'separator' }, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }] },
    { role: 'windowMenu' },
    { role: 'help', submenu: [{ label: 'HyperStudy API documentation', click: () => isAllowedExternalUrl(DOCS_URL) && opts.openExternal(DOCS_URL) }] },
  ];
}
