// IPC registered from the contract by a loop: one handler per method, each refusing senders
// other than our window's main frame, validating its argument (parseArgs, via dispatchCall)
// and answering with the {ok, value | error} envelope. startDrag arrives fire-and-forget
// (ipcRenderer.send) because the OS drag must begin while the mouse is still down.
import { channelFor, eventChannelFor, eventNames, fireAndForgetMethods, methodNames, type CallResult } from '../../src-shared/contract';
import type { Core } from '../core/create-core';
import { dispatchCall } from '../core/dispatch-call';
import { silentLogger, type Logger } from '../core/ports';
import type { SenderLike } from './trusted-sender';

/** The part of ipcMain we use (a fake in tests). */
export interface IpcMainLike {
  handle(channel: string, listener: (event: any, ...args: any[]) => unknown): void;
  removeHandler(channel: string): void;
  on(channel: string, listener: (event: any, ...args: any[]) => void): unknown;
  removeAllListeners(channel: string): unknown;
}

/** Methods the preload sends without waiting for an answer. */
export const FIRE_AND_FORGET = fireAndForgetMethods;

export const untrustedSenderResult: CallResult<never> = {
  ok: false,
  error: { code: 'FORBIDDEN', message: 'This request did not come from the Study Downloader window, so it was refused.' },
};

export interface RegisterIpcOptions {
  ipcMain: IpcMainLike;
  core: Pick<Core, 'api'>;
  isTrusted(event: SenderLike): boolean;
  logger?: Logger;
}

/** Registers every contract method; returns a function that removes them all. */
export function registerIpc(opts: RegisterIpcOptions): () => void {
  const logger = opts.logger ?? silentLogger;
  for (const name of methodNames) {
    const channel = channelFor(name);
    if (FIRE_AND_FORGET.has(name)) {
      opts.ipcMain.on(channel, (event: SenderLike, ...args: unknown[]) => {
        if (!opts.isTrusted(event)) return logger.warn('refused IPC from an untrusted sender', { channel });
        if (args.length > 1) return;
        void dispatchCall(opts.core.api, name, args[0]).then((r) => {
          if (!r.ok) logger.info('fire-and-forget call failed', { channel, code: r.error.code, message: r.error.message });
        });
      });
    } else {
      opts.ipcMain.handle(channel, async (event: SenderLike, ...args: unknown[]) => {
        if (!opts.isTrusted(event)) {
          logger.warn('refused IPC from an untrusted sender', { channel });
          return untrustedSenderResult;
        }
        if (args.length > 1) {
          return { ok: false, error: { code: 'INVALID_ARGUMENT', message: `Invalid arguments for ${name}: at most one argument object is accepted.` } };
        }
        return dispatchCall(opts.core.api, name, args[0]);
      });
    }
  }
  return () => {
    for (const name of methodNames) {
      if (FIRE_AND_FORGET.has(name)) opts.ipcMain.removeAllListeners(channelFor(name));
      else opts.ipcMain.removeHandler(channelFor(name));
    }
  };
}

/** The part of WebContents we send events to. */
export interface EventTarget {
  isDestroyed(): boolean;
  send(channel: string, payload: unknown): void;
}

/** Forwards every core event to the window (the core already coalesces progress to ~10/s per job). */
export function forwardEvents(core: Pick<Core, 'on'>, target: EventTarget): () => void {
  const offs = eventNames.map((event) =>
    core.on(event, (payload) => {
      if (!target.isDestroyed()) target.send(eventChannelFor(event), payload);
    }),
  );
  return () => offs.forEach((off) => off());
}
