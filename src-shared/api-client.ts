// The renderer's `api` object, built from the contract by a loop over any transport
// (the WebSocket bridge in browser mode; the preload builds the same shape over IPC).
// Calls answer with the `CallResult` envelope; a failed call becomes a thrown ApiError.
import { eventNames, methodNames, type Api, type CallResult, type EventName, type EventPayloads, type MethodName } from './contract';
import { StudyError, type ErrorInfo } from './errors';

/** How `createApi` reaches the core. */
export interface Transport {
  invoke(name: MethodName, arg: unknown): Promise<CallResult<unknown>>;
  /** Calls `cb` for every event of this name; returns an unsubscribe function. */
  subscribe(event: EventName, cb: (payload: unknown) => void): () => void;
  /** Closes the underlying connection, when there is one. */
  close?(): void;
}

/** A failed call, as the renderer sees it: plain-words message, a fix, and the typed code. */
export class ApiError extends StudyError {
  constructor(info: ErrorInfo) {
    super(info);
    this.name = 'ApiError';
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

/** Returns the value of a successful envelope; throws ApiError for a failed or malformed one. */
export function unwrapResult<R>(result: CallResult<R> | unknown): R {
  if (result && typeof result === 'object' && 'ok' in result) {
    const r = result as CallResult<R>;
    if (r.ok) return r.value;
    if (r.error && typeof r.error.message === 'string') throw new ApiError(r.error);
  }
  throw new ApiError({ code: 'INTERNAL', message: 'The app answered with an unreadable response.', fix: 'Reload the window. If it keeps happening, restart the app.' });
}

/** Turns anything a call rejected with (an ApiError, or its plain-data copy) back into an ApiError. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (e && typeof e === 'object' && typeof (e as ErrorInfo).code === 'string' && typeof (e as ErrorInfo).message === 'string') return new ApiError(e as ErrorInfo);
  const message = e instanceof Error ? e.message : String(e);
  return new ApiError({ code: 'INTERNAL', message: message || 'Unexpected error', fix: 'Try again. If it keeps happening, restart the app.' });
}

export interface CreateApiOptions {
  /**
   * Reject with plain ErrorInfo objects instead of ApiError instances. The preload uses this:
   * Electron's contextBridge drops custom properties of Error objects, but copies plain data;
   * obtainApi() turns them back into ApiError on the page side.
   */
  plainErrors?: boolean;
}

export function createApi(transport: Transport, opts: CreateApiOptions = {}): Api {
  const api: Record<string, unknown> = {};
  for (const name of methodNames) {
    api[name] = async (arg?: unknown) => {
      try {
        return unwrapResult(await transport.invoke(name, arg));
      } catch (e) {
        if (!opts.plainErrors) throw toApiError(e);
        throw { name: 'ApiError', ...toApiError(e).toInfo() };
      }
    };
  }
  const known = new Set<string>(eventNames);
  api.on = <E extends EventName>(event: E, cb: (payload: EventPayloads[E]) => void): (() => void) => {
    if (!known.has(event)) throw new ApiError({ code: 'INVALID_ARGUMENT', message: `Unknown event ${String(event)}.` });
    return transport.subscribe(event, cb as (payload: unknown) => void);
  };
  return api as Api;
}

/** Wraps an Api whose calls may reject with plain ErrorInfo (window.api in Electron) so they reject with ApiError. */
export function withApiErrors(raw: Api): Api {
  const api: Record<string, unknown> = {};
  for (const name of methodNames) {
    const fn = (raw as unknown as Record<string, (arg?: unknown) => Promise<unknown>>)[name];
    api[name] = async (arg?: unknown) => {
      try {
        return await (arg === undefined ? fn() : fn(arg));
      } catch (e) {
        throw toApiError(e);
      }
    };
  }
  api.on = raw.on;
  return api as Api;
}
