// Navigation, new windows and permissions (Electron security checklist items 5, 13–15):
// the window never leaves our page, never opens another, and is granted no permission.
// Links to allowlisted https hosts open in the user's browser instead; so do links to a
// self-hosted server whose sign-in page the core already opened (`signInHosts`).
import type { Session, Shell, WebContents } from 'electron';
import { contentSecurityPolicy } from './csp';
import { isAllowedExternalUrl } from './external-links';
import { isOurUrl } from './trusted-sender';

export function guardWebContents(contents: WebContents, appUrl: string, shell: Pick<Shell, 'openExternal'>, signInHosts: ReadonlySet<string> = new Set()): void {
  const allowed = (url: string) => isAllowedExternalUrl(url, [...signInHosts]);
  contents.on('will-navigate', (event, url) => {
    if (isOurUrl(url, appUrl) && url.split('#')[0] === appUrl.split('#')[0]) return; // reloads of our own page
    event.preventDefault();
    if (allowed(url)) void shell.openExternal(url);
  });
  contents.on('will-redirect', (event, url) => {
    if (!isOurUrl(url, appUrl)) event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    if (allowed(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

export function guardSession(session: Session, opts: { dev: boolean; devServerUrl?: string }): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  const csp = contentSecurityPolicy(opts);
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });
}
