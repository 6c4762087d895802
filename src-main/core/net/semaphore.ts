// A FIFO counting semaphore: caps requests in flight so a busy server is not buried under
// queued requests that then time out (each timeout would waste a rate-limit slot).
// The rate limiter takes places with tryAcquire() at the moment it grants a request, so that a
// request waiting for its endpoint's window holds no place (no head-of-line blocking of requests
// to other endpoints); onRelease() tells it when a place frees.
import { setMaxListeners } from 'node:events';
import { abortError } from '../ports';

export interface Semaphore {
  acquire(signal?: AbortSignal): Promise<() => void>;
  /** A place now if one is free and nobody queues for one; its release, or null. */
  tryAcquire(): (() => void) | null;
  /** Calls `listener` each time a place frees (after it was handed on, if someone queued). */
  onRelease(listener: () => void): void;
}

export function createSemaphore(max: number): Semaphore {
  let used = 0;
  const waiting: Array<() => void> = [];
  const listeners: Array<() => void> = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else used--;
    for (const l of listeners) l();
  };
  const once = () => {
    let done = false;
    return () => {
      if (!done) {
        done = true;
        release();
      }
    };
  };
  return {
    onRelease: (listener) => void listeners.push(listener),
    tryAcquire() {
      if (used >= max || waiting.length) return null;
      used++;
      return once();
    },
    acquire(signal) {
      if (signal?.aborted) return Promise.reject(signal.reason ?? abortError());
      if (used < max) {
        used++;
        return Promise.resolve(once());
      }
      return new Promise((resolve, reject) => {
        const grant = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(once());
        };
        const onAbort = () => {
          const i = waiting.indexOf(grant);
          if (i >= 0) waiting.splice(i, 1);
          reject(signal?.reason ?? abortError());
        };
        if (signal) {
          // Every waiter listens to the job's signal: hundreds at once is by design, not a leak.
          setMaxListeners(0, signal);
          signal.addEventListener('abort', onAbort, { once: true });
        }
        waiting.push(grant);
      });
    },
  };
}
