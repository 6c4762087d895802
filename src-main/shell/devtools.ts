// DevTools only in development. A packaged build turns them off three ways: `devTools: false`
// in webPreferences (window-options.ts), no menu item (menu.ts), and here: the keyboard
// shortcuts are swallowed before the page sees them, and DevTools opened by any other route
// are closed at once.
import type { Input } from 'electron';

export type KeyInput = Pick<Input, 'type' | 'key' | 'control' | 'meta' | 'shift' | 'alt'>;

/** F12, Ctrl+Shift+I/J/C (Windows, Linux) and Cmd+Alt+I/J/C (macOS): Chromium's DevTools shortcuts. */
export function isDevToolsShortcut(input: KeyInput): boolean {
  if (input.type !== 'keyDown') return false;
  const key = input.key.toLowerCase();
  if (key === 'f12') return true;
  if (!['i', 'j', 'c'].includes(key)) return false;
  return (input.control && input.shift) || (input.meta && input.alt) || (input.meta && input.shift && key === 'c');
}

/** The part of WebContents this needs (a fake in tests). */
export interface DevToolsTarget {
  on(event: 'before-input-event', listener: (event: { preventDefault(): void }, input: KeyInput) => void): unknown;
  on(event: 'devtools-opened', listener: () => void): unknown;
  closeDevTools(): void;
}

export function guardDevTools(contents: DevToolsTarget, opts: { allowed: boolean }): void {
  if (opts.allowed) return;
  contents.on('before-input-event', (event, input) => {
    if (isDevToolsShortcut(input)) event.preventDefault();
  });
  contents.on('devtools-opened', () => contents.closeDevTools());
}
