// The preload against a fake ipcRenderer/contextBridge (Electron is the only thing we fake):
// exactly the contract's methods, one channel per method and no generic one, the envelope
// unwrapped, the IpcRendererEvent dropped, unsubscribe working, early events replayed.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { channelFor, eventChannelFor, eventNames, methodNames, type Api } from '../../../src-shared/contract';
import { validArgs } from './valid-args';

type Listener = (event: unknown, ...args: unknown[]) => void;
const fake = vi.hoisted(() => {
  const state = {
    exposed: [] as Array<{ key: string; value: unknown }>,
    listeners: new Map<string, Listener[]>(),
    invoked: [] as Array<{ channel: string; args: unknown[] }>,
    sent: [] as Array<{ channel: string; args: unknown[] }>,
    answer: (_channel: string, _args: unknown[]): unknown => ({ ok: true, value: 'v' }),
  };
  const ipcRenderer = {
    invoke: async (channel: string, ...args: unknown[]) => {
      state.invoked.push({ channel, args });
      return state.answer(channel, args);
    },
    send: (channel: string, ...args: unknown[]) => state.sent.push({ channel, args }),
    on: (channel: string, l: Listener) => {
      state.listeners.set(channel, [...(state.listeners.get(channel) ?? []), l]);
      return ipcRenderer;
    },
    removeListener: () => ipcRenderer,
    sendSync: () => {
      throw new Error('sendSync must not be used');
    },
  };
  const contextBridge = { exposeInMainWorld: (key: string, value: unknown) => state.exposed.push({ key, value }) };
  return { state, ipcRenderer, contextBridge };
});
vi.mock('electron', () => ({ ipcRenderer: fake.ipcRenderer, contextBridge: fake.contextBridge }));

function emitFromMain(channel: string, payload: unknown) {
  for (const l of fake.state.listeners.get(channel) ?? []) l({ sender: 'IpcRendererEvent', ports: [] }, payload);
}

let api: Api;
beforeEach(async () => {
  vi.resetModules();
  fake.state.exposed.length = 0;
  fake.state.listeners.clear();
  fake.state.invoked.length = 0;
  fake.state.sent.length = 0;
  fake.state.answer = () => ({ ok: true, value: 'v' });
  await import('../../../src-preload/index');
  expect(fake.state.exposed).toHaveLength(1);
  api = fake.state.exposed[0].value as Api;
});

describe('preload', () => {
  it('exposes only window.api with exactly the contract methods and on()', () => {
    expect(fake.state.exposed[0].key).toBe('api');
    expect(Object.keys(api).sort()).toEqual([...methodNames, 'on'].sort());
    for (const v of Object.values(api)) {
      expect(typeof v).toBe('function');
      expect(v).not.toBe(fake.ipcRenderer.invoke);
      expect(v).not.toBe(fake.ipcRenderer.send);
      expect(v).not.toBe(fake.ipcRenderer.on);
    }
    expect(JSON.stringify(Object.keys(api))).not.toMatch(/ipc|invoke|send/i);
  });

  it('maps every method to its own channel (no generic channel), and unwraps the envelope', async () => {
    for (const name of methodNames) {
      const fn = (api as unknown as Record<string, (a?: unknown) => Promise<unknown>>)[name];
      const arg = validArgs[name];
      const value = await fn(arg);
      if (name === 'startDrag') {
        expect(value).toBeUndefined();
        expect(fake.state.sent.at(-1)).toEqual({ channel: channelFor(name), args: [arg] });
      } else {
        expect(value).toBe('v');
        expect(fake.state.invoked.at(-1)).toEqual({ channel: channelFor(name), args: arg === undefined ? [] : [arg] });
      }
    }
    const channels = new Set([...fake.state.invoked, ...fake.state.sent].map((c) => c.channel));
    expect([...channels].sort()).toEqual(methodNames.map(channelFor).sort());
    // it listens only to the contract's event channels
    expect([...fake.state.listeners.keys()].sort()).toEqual(eventNames.map(eventChannelFor).sort());
  });

  it('rejects with the error as plain data (code, message and fix survive contextBridge)', async () => {
    fake.state.answer = () => ({ ok: false, error: { code: 'NO_PROFILE', message: 'No connection.', fix: 'Add one.' } });
    const e = await api.listLevel({ level: 'experiment', parentPath: [] }).catch((x) => x);
    expect(e).toEqual({ name: 'ApiError', code: 'NO_PROFILE', message: 'No connection.', fix: 'Add one.' });
  });

  it('drops the IpcRendererEvent, replays buffered events sent before subscribing, and unsubscribes', () => {
    const status = { state: 'online', message: 'ok', checkedAt: 't' };
    emitFromMain(eventChannelFor('connectionStatus'), status); // before the renderer subscribed
    emitFromMain(eventChannelFor('jobProgress'), { jobId: 'early' }); // progress is not buffered
    const got: unknown[][] = [];
    const off = api.on('connectionStatus', (...args: unknown[]) => got.push(args));
    expect(got).toEqual([[status]]);
    const progress: unknown[] = [];
    const offProgress = api.on('jobProgress', (p) => progress.push(p));
    emitFromMain(eventChannelFor('jobProgress'), { jobId: 'j1' });
    expect(progress).toEqual([{ jobId: 'j1' }]);
    off();
    offProgress();
    emitFromMain(eventChannelFor('connectionStatus'), { ...status, state: 'offline' });
    emitFromMain(eventChannelFor('jobProgress'), { jobId: 'j2' });
    expect(got).toHaveLength(1);
    expect(progress).toHaveLength(1);
  });
});
