// IPC registration against a fake ipcMain: one handler per contract method, untrusted senders
// and malformed arguments refused before the core is reached, envelopes returned.
import { describe, expect, it } from 'vitest';
import { channelFor, eventChannelFor, eventNames, methodNames, type CoreApi } from '../../../src-shared/contract';
import { createEventHub } from '../../../src-shared/event-hub';
import { forwardEvents, registerIpc, untrustedSenderResult } from '../../../src-main/shell/register-ipc';
import { alwaysBad, validArgs } from '../contract/valid-args';

function fakeIpcMain() {
  const handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
  const listeners = new Map<string, (event: unknown, ...args: unknown[]) => void>();
  return {
    handlers,
    listeners,
    handle: (c: string, l: (event: unknown, ...args: unknown[]) => unknown) => {
      if (handlers.has(c)) throw new Error(`second handler for ${c}`);
      handlers.set(c, l);
    },
    removeHandler: (c: string) => handlers.delete(c),
    on: (c: string, l: (event: unknown, ...args: unknown[]) => void) => listeners.set(c, l),
    removeAllListeners: (c: string) => listeners.delete(c),
  };
}

/** A core that records what reaches it. */
function recordingCore() {
  const calls: Array<{ name: string; arg: unknown }> = [];
  const api = Object.fromEntries(methodNames.map((name) => [name, async (arg: unknown) => (calls.push({ name, arg }), `result of ${name}`)])) as unknown as CoreApi;
  return { api, calls };
}

const good = { sender: { id: 1 }, senderFrame: { url: 'file:///app/index.html' } };
const evil = { sender: { id: 2 }, senderFrame: { url: 'https://evil.example/' } };
const isTrusted = (e: { sender: { id: number } }) => e.sender.id === 1;

describe('registerIpc', () => {
  it('registers exactly one channel per contract method and nothing else', () => {
    const ipc = fakeIpcMain();
    const off = registerIpc({ ipcMain: ipc, core: recordingCore(), isTrusted: isTrusted as never });
    const channels = [...ipc.handlers.keys(), ...ipc.listeners.keys()].sort();
    expect(channels).toEqual(methodNames.map(channelFor).sort());
    expect([...ipc.listeners.keys()]).toEqual([channelFor('startDrag')]);
    off();
    expect(ipc.handlers.size + ipc.listeners.size).toBe(0);
  });

  it('answers valid calls from our window with the value envelope', async () => {
    const ipc = fakeIpcMain();
    const core = recordingCore();
    registerIpc({ ipcMain: ipc, core, isTrusted: isTrusted as never });
    for (const name of methodNames) {
      if (name === 'startDrag') continue;
      const r = await ipc.handlers.get(channelFor(name))!(good, ...(validArgs[name] === undefined ? [] : [validArgs[name]]));
      expect(r).toEqual({ ok: true, value: `result of ${name}` });
    }
    expect(core.calls.map((c) => c.name)).toEqual(methodNames.filter((n) => n !== 'startDrag'));
  });

  it('refuses an untrusted sender without reaching the core', async () => {
    const ipc = fakeIpcMain();
    const core = recordingCore();
    registerIpc({ ipcMain: ipc, core, isTrusted: isTrusted as never });
    for (const name of methodNames) {
      if (name === 'startDrag') ipc.listeners.get(channelFor(name))!(evil, validArgs[name]);
      else expect(await ipc.handlers.get(channelFor(name))!(evil, validArgs[name])).toEqual(untrustedSenderResult);
    }
    await new Promise((r) => setTimeout(r, 10));
    expect(core.calls).toEqual([]);
  });

  it('rejects malformed arguments for every method with INVALID_ARGUMENT, never reaching the core', async () => {
    const ipc = fakeIpcMain();
    const core = recordingCore();
    registerIpc({ ipcMain: ipc, core, isTrusted: isTrusted as never });
    for (const name of methodNames) {
      if (name === 'startDrag') {
        for (const bad of alwaysBad) ipc.listeners.get(channelFor(name))!(good, bad);
        continue;
      }
      for (const bad of alwaysBad) {
        const r = (await ipc.handlers.get(channelFor(name))!(good, bad)) as { ok: boolean; error: { code: string; message: string } };
        expect(r.ok).toBe(false);
        expect(r.error.code).toBe('INVALID_ARGUMENT');
        expect(r.error.message).toContain(name);
      }
      // a second positional argument is refused too
      const extra = (await ipc.handlers.get(channelFor(name))!(good, validArgs[name], 'extra')) as { ok: boolean; error: { code: string } };
      expect(extra.error.code).toBe('INVALID_ARGUMENT');
    }
    await new Promise((r) => setTimeout(r, 10));
    expect(core.calls).toEqual([]);
  });

  it('runs startDrag fire-and-forget with a validated job id', async () => {
    const ipc = fakeIpcMain();
    const core = recordingCore();
    registerIpc({ ipcMain: ipc, core, isTrusted: isTrusted as never });
    ipc.listeners.get(channelFor('startDrag'))!(good, { jobId: 'job-1' });
    await new Promise((r) => setTimeout(r, 10));
    expect(core.calls).toEqual([{ name: 'startDrag', arg: { jobId: 'job-1' } }]);
  });
});

describe('forwardEvents', () => {
  it('sends every core event on its channel and stops when the window is gone', () => {
    const hub = createEventHub({ replay: false });
    const sent: Array<[string, unknown]> = [];
    let destroyed = false;
    const off = forwardEvents({ on: hub.subscribe }, { isDestroyed: () => destroyed, send: (c, p) => sent.push([c, p]) });
    for (const e of eventNames) hub.emit(e, { e } as never);
    expect(sent.map(([c]) => c)).toEqual(eventNames.map(eventChannelFor));
    destroyed = true;
    hub.emit('notice', { level: 'info', message: 'x' });
    expect(sent).toHaveLength(eventNames.length);
    off();
    expect(hub.size()).toBe(0);
  });
});
