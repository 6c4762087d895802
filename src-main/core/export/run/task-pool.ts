// Bounded concurrency with round-robin fairness across groups (one group per endpoint),
// so a long stream on one endpoint does not starve the others while its own limit binds.

export interface TaskPool {
  run<T>(group: string, task: () => Promise<T>): Promise<T>;
}

interface Queued {
  task: () => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export function createTaskPool(concurrency: number): TaskPool {
  const limit = Math.max(1, Math.floor(concurrency));
  const queues = new Map<string, Queued[]>();
  const order: string[] = [];
  let cursor = 0;
  let active = 0;

  function takeNext(): Queued | undefined {
    for (let i = 0; i < order.length; i++) {
      const group = order[(cursor + i) % order.length];
      const q = queues.get(group);
      if (q && q.length) {
        cursor = (cursor + i + 1) % order.length;
        return q.shift();
      }
    }
    return undefined;
  }

  function pump(): void {
    while (active < limit) {
      const next = takeNext();
      if (!next) return;
      active++;
      next
        .task()
        .then(next.resolve, next.reject)
        .finally(() => {
          active--;
          pump();
        });
    }
  }

  return {
    run<T>(group: string, task: () => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        let q = queues.get(group);
        if (!q) {
          q = [];
          queues.set(group, q);
          order.push(group);
        }
        q.push({ task, resolve: resolve as (v: unknown) => void, reject });
        pump();
      });
    },
  };
}

/** A plain counting semaphore for work that has no groups (media downloads). */
export function createLimit(concurrency: number): <T>(task: () => Promise<T>) => Promise<T> {
  const pool = createTaskPool(concurrency);
  return (task) => pool.run('all', task);
}
