// A self-hosted BrainSTEM's browser sign-in: the core opens its page in the system browser (the
// link's host is the connection's own API host). The same link clicked in the dialog must open
// too, and no other link on that host may open before that sign-in began.
import { describe, expect, it } from 'vitest';
import { createShellActions } from '../../../src-main/shell/shell-actions';
import { guardWebContents } from '../../../src-main/shell/web-guards';

type Handler = (...args: any[]) => unknown;

function fakeContents() {
  const handlers = new Map<string, Handler>();
  let openHandler: Handler | null = null;
  return {
    on: (ch: string, fn: Handler) => void handlers.set(ch, fn),
    setWindowOpenHandler: (fn: Handler) => void (openHandler = fn),
    /** A click on a link in the page: true when navigation was prevented. */
    navigate(url: string) {
      let prevented = false;
      handlers.get('will-navigate')!({ preventDefault: () => (prevented = true) }, url);
      return prevented;
    },
    openWindow: (url: string) => openHandler!({ url }),
  };
}

function setUp() {
  const opened: string[] = [];
  const shell = { openExternal: async (u: string) => void opened.push(u) };
  const signInHosts = new Set<string>();
  const actions = createShellActions({
    shell: { ...shell, showItemInFolder: () => {}, openPath: async () => '' },
    clipboard: { writeText: async () => {} },
    dialog: { showOpenDialog: async () => ({ canceled: true, filePaths: [] }) } as never,
    nativeImage: {} as never,
    Notification: class { static isSupported = () => false; show() {} } as never,
    window: () => null,
    signInHosts,
  });
  const contents = fakeContents();
  guardWebContents(contents as never, 'app://renderer/index.html', shell, signInHosts);
  return { opened, actions, contents };
}

describe('sign-in links of a self-hosted server', () => {
  it('a link to an unknown https host stays closed', () => {
    const { opened, contents } = setUp();
    expect(contents.navigate('https://lab.example.org/account/authorize/')).toBe(true);
    expect(contents.openWindow('https://lab.example.org/account/authorize/')).toEqual({ action: 'deny' });
    expect(opened).toEqual([]);
  });

  it('once the core opened that host\'s sign-in page, the link in the dialog opens in the browser as well', () => {
    const { opened, actions, contents } = setUp();
    expect(actions.openExternal!('https://lab.example.org/account/authorize/?code=AB-12', ['lab.example.org'])).toBe(true);
    expect(contents.navigate('https://lab.example.org/account/authorize/')).toBe(true); // never inside our window
    expect(contents.openWindow('https://lab.example.org/account/authorize/')).toEqual({ action: 'deny' });
    expect(opened).toEqual([
      'https://lab.example.org/account/authorize/?code=AB-12',
      'https://lab.example.org/account/authorize/',
      'https://lab.example.org/account/authorize/',
    ]);
    // Other hosts, and plain http on that host, stay closed.
    contents.navigate('https://evil.example/');
    contents.navigate('http://lab.example.org/account/authorize/');
    expect(opened).toHaveLength(3);
  });

  it('a refused sign-in page (not https) lends its host nothing', () => {
    const { opened, actions, contents } = setUp();
    expect(actions.openExternal!('http://lab.example.org/account/authorize/', ['lab.example.org'])).toBe(false);
    contents.navigate('https://lab.example.org/account/authorize/');
    expect(opened).toEqual([]);
  });
});
