// Electron security checklist item 17: every IPC message must come from our own window's
// main frame, showing our own page. A sub-frame, another window, or a page that navigated
// elsewhere is refused.
export interface SenderLike {
  /** event.sender: the WebContents that sent the message. */
  sender: { id: number; mainFrame?: unknown } | null | undefined;
  /** event.senderFrame: the frame that sent it (null once the frame navigated or was destroyed). */
  senderFrame: { url: string; parent?: unknown } | null | undefined;
}

export interface TrustedOrigin {
  /** The webContents id of our main window. */
  webContentsId: number;
  /** The page we load: a file:// URL of out/renderer/index.html, or the dev server's URL. */
  appUrl: string;
}

/** Compares without query and fragment; file URLs must match exactly, http(s) by origin. */
export function isOurUrl(url: string, appUrl: string): boolean {
  let u: URL;
  let app: URL;
  try {
    u = new URL(url);
    app = new URL(appUrl);
  } catch {
    return false;
  }
  if (app.protocol === 'file:') return u.protocol === 'file:' && u.pathname === app.pathname && u.host === app.host;
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
