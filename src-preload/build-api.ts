// window.api for the sandboxed preload, built from the contract by a loop: one function per
// method (invoke + envelope unwrapping, exactly like src-shared/api-client) and `on(event, cb)`
// returning an unsubscribe. ipcRenderer itself is never handed to the page; the
// IpcRendererEvent is dropped before listeners run. Buffered events that arrive before the
// renderer subscribes are remembered and replayed to it.
import { createApi, type Transport } from '../src-shared/api-client';
import { channelFor, eventChannelFor, eventNames, fireAndForgetMethods, type Api, type CallResult } from '../src-shared/contract';
import { createEventHub } from '../src-shared/event-hub';

/** The part of ipcRenderer we use (a fake in tests). */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  send(channel: string, ...args: unknown[]): void;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

const FIRE_AND_FORGET: ReadonlySet<string> = fireAndForgetMethods;

export function buildPreloadApi(ipc: IpcRendererLike): Api {
  const hub = createEventHub();
  // Listen to every event channel once, from the start, so nothing sent on cold start is lost.
  for (const event of eventNames) {
    ipc.on(eventChannelFor(event), (_event, payload) => hub.emit(event, payload as never));
  }
  const transport: Transport = {
    invoke: async (name, arg) => {
      if (FIRE_AND_FORGET.has(name)) {
        if (arg === undefined) ipc.send(channelFor(name));
        else ipc.send(channelFor(name), arg);
        return { ok: true, value: undefined };
      }
      const result = arg === undefined ? await ipc.invoke(channelFor(name)) : await ipc.invoke(channelFor(name), arg);
      return result as CallResult<unknown>;
    },
    subscribe: (event, cb) => hub.subscribe(event, cb as never),
  };
  // contextBridge copies plain objects of functions; createApi returns exactly that. Errors are
  // rejected as plain data (contextBridge would strip an Error's code and fix).
  return createApi(transport, { plainErrors: true });
}
