// Electron security checklist item 17: every IPC message must come from our own window's
// main frame, showing our own page. A sub-frame, another window, or a page that navigated
// elsewhere is refused.
import { APP_SCHEME } from './app-protocol';

export interface SenderLike {
  /** event.sender: the WebContents that sent the message. */
  sender: { id: number; mainFrame?: unknown } | null | undefined;
  /** event.senderFrame: the frame that sent it (null once the frame navigated or was destroyed). */
  senderFrame: { url: string; parent?: unknown } | null | undefined;
}

export interface TrustedOrigin {
  /** The webContents id of our main window. */
  webContentsId: number;
  /** The page we load: app://renderer/index.html, or the dev server's URL in development. */
  appUrl: string;
}

/**
 * Whether `url` is on our page's origin: app://renderer (only the built renderer's files are
 * served there), or the dev server's origin. Nothing else, file:// included, is ever ours.
 * Compared by scheme and host because Node gives custom schemes an opaque origin ("null").
 */
export function isOurUrl(url: string, appUrl: string): boolean {
  let u: URL;
  let app: URL;
  try {
    u = new URL(url);
    app = new URL(appUrl);
  } catch {
    return false;
  }
  if (u.username || u.password) return false;
  if (app.protocol === `${APP_SCHEME}:`) return u.protocol === app.protocol && u.host === app.host;
  if (app.protocol === 'http:' || app.protocol === 'https:') return u.origin === app.origin;
  return false;
}

export function isTrustedSender(event: SenderLike, trusted: TrustedOrigin): boolean {
  const { sender, senderFrame } = event;
  if (!sender || !senderFrame) return false;
  if (sender.id !== trusted.webContentsId) return false;
  if (sender.mainFrame !== undefined && sender.mainFrame !== senderFrame) return false;
  if (senderFrame.parent) return false;
  return isOurUrl(senderFrame.url, trusted.appUrl);
}
