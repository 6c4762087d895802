// Writes batches of buffers to one open file strictly in order, one write in flight at a time, so
// the file only ever grows by whole, contiguous prefixes of what was handed in: a failed write
// (disk full) can never leave a hole before bytes that did land, and the size on disk stays a
// valid resume offset. Each batch is a single writev; short writes are continued.
import { writev } from 'node:fs';

export interface OrderedWriter {
  /** Queues `views` (in order) to be written after everything queued before; `done` runs once they are on the file (or failed). */
  push(views: Buffer[], done: () => void): void;
  /** Batches queued and not yet written (including the one in flight). */
  readonly queued: number;
  /** The write error that stopped the queue, if any. */
  readonly failed: Error | null;
  /** Resolves when the queue is empty; rejects with the first write error (nothing is written after it). */
  idle(): Promise<void>;
}

interface Batch {
  views: Buffer[];
  done: () => void;
}

/** The views left after the first `n` bytes of `views`. */
function after(views: Buffer[], n: number): Buffer[] {
  const rest: Buffer[] = [];
  for (const v of views) {
    if (n >= v.length) n -= v.length;
    else {
      rest.push(n ? v.subarray(n) : v);
      n = 0;
    }
  }
  return rest;
}

export function orderedWriter(fd: number, onWritten?: (bytes: number) => void): OrderedWriter {
  const queue: Batch[] = [];
  let busy = false;
  let failed: Error | null = null;
  let waiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];

  const settle = () => {
    if (busy || (queue.length && !failed)) return;
    const w = waiters;
    waiters = [];
    for (const x of w) {
      if (failed) x.reject(failed);
      else x.resolve();
    }
  };
  const next = () => {
    if (busy) return;
    const batch = queue[0];
    if (!batch || failed) {
      // After a failure, the rest is dropped (still released so its memory is reused).
      for (const b of queue.splice(0)) b.done();
      settle();
      return;
    }
    busy = true;
    const write = (views: Buffer[]) =>
      writev(fd, views, (err, n) => {
        if (err) {
          failed = err;
        } else {
          onWritten?.(n);
          const rest = after(views, n);
          if (rest.length && n > 0) return write(rest);
          if (rest.length) failed = new Error('The file system accepted no bytes of a write.');
        }
        queue.shift();
        busy = false;
        batch.done();
        next();
      });
    write(batch.views);
  };

  return {
    push(views, done) {
      queue.push({ views, done });
      next();
    },
    get queued() {
      return queue.length;
    },
    get failed() {
      return failed;
    },
    idle: () =>
      new Promise<void>((resolve, reject) => {
        waiters.push({ resolve, reject });
        settle();
      }),
  };
}
