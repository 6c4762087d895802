// A FIFO counting semaphore: caps requests in flight so a busy server is not buried under
// queued requests that then time out (each timeout would waste a rate-limit slot).
import { abortError } from '../ports';

export interface Semaphore {
  acquire(signal?: AbortSignal): Promise<() => void>;
  inUse(): number;
}

export function createSemaphore(max: number): Semaphore {
  let used = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else used--;
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
    inUse: () => used,
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
        signal?.addEventListener('abort', onAbort, { once: true });
        waiting.push(grant);
      });
    },
  };
}
