import { describe, expect, it } from 'vitest';
import { isOurUrl, isTrustedSender } from '../../../src-main/shell/trusted-sender';

const appUrl = 'app://renderer/index.html';
const mainFrame = { url: `${appUrl}#/experiments`, parent: null };
const sender = { id: 7, mainFrame };
const trusted = { webContentsId: 7, appUrl };

describe('trusted sender', () => {
  it('accepts our window’s main frame showing our page', () => {
    expect(isTrustedSender({ sender, senderFrame: mainFrame }, trusted)).toBe(true);
  });
  it('rejects a sub-frame, even one at our URL', () => {
    const sub = { url: appUrl, parent: mainFrame };
    expect(isTrustedSender({ sender: { id: 7, mainFrame }, senderFrame: sub }, trusted)).toBe(false);
  });
  it('rejects another window', () => {
    expect(isTrustedSender({ sender: { id: 8, mainFrame }, senderFrame: mainFrame }, trusted)).toBe(false);
  });
  it('rejects a main frame that navigated to a foreign URL', () => {
    for (const url of ['https://evil.example/', 'file:///tmp/evil.html', 'file:///app/out/renderer/index.html', 'app://evil/index.html', 'app://renderer.evil/index.html', 'app://user@renderer/index.html', 'other://renderer/index.html', 'data:text/html,hi', 'about:blank']) {
      const frame = { url, parent: null };
      expect(isTrustedSender({ sender: { id: 7, mainFrame: frame }, senderFrame: frame }, trusted)).toBe(false);
    }
  });
  it('rejects a missing frame or sender', () => {
    expect(isTrustedSender({ sender, senderFrame: null }, trusted)).toBe(false);
    expect(isTrustedSender({ sender: null, senderFrame: mainFrame }, trusted)).toBe(false);
  });
  it('accepts any page of our app:// origin (it serves only the renderer folder)', () => {
    expect(isOurUrl('app://renderer/index.html#/x', appUrl)).toBe(true);
    expect(isOurUrl('app://renderer/', appUrl)).toBe(true);
    expect(isOurUrl('app://renderer/assets/other.html', appUrl)).toBe(true);
  });
  it('matches the dev server by origin only', () => {
    expect(isOurUrl('http://localhost:5173/#/x', 'http://localhost:5173/')).toBe(true);
    expect(isOurUrl('http://localhost:5174/', 'http://localhost:5173/')).toBe(false);
    expect(isOurUrl('not a url', 'http://localhost:5173/')).toBe(false);
  });
});
