// Bounded concurrency across groups (one group per endpoint). By default groups take turns
// (round-robin), so a long stream on one endpoint does not starve the others while its own limit
// binds. With a priority, the best-ranked group with queued work goes first (an export fetches
// its types in the order it writes them, so writing can start early); a group known to be
// waiting on its own endpoint limit goes after the others, and a capped group may not hold every
// slot (its requests, once stuck on their own limit, would starve the others).

export interface TaskPool {
  run<T>(group: string, task: () => Promise<T>): Promise<T>;
}

interface Queued {
  task: () => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export interface TaskPoolOptions {
  /** Lower runs first. */
  priority?: (group: string) => number;
  /** With a priority: the group's requests are waiting on its own (endpoint) limit right now (it goes last). */
  blocked?: (group: string) => boolean;
  /** With a priority: the group may not hold every slot (default: every group). */
  capped?: (group: string) => boolean;
}

export function createTaskPool(concurrency: number, poolOpts: TaskPoolOptions = {}): TaskPool {
  const limit = Math.max(1, Math.floor(concurrency));
  const queues = new Map<string, Queued[]>();
  const order: string[] = [];
  const running = new Map<string, number>();
  const perGroupCap = limit > 1 ? limit - 1 : 1;
  let cursor = 0;
  let active = 0;

  function takeByPriority(rank: (group: string) => number): { group: string; item: Queued } | undefined {
    const blocked = poolOpts.blocked ?? (() => false);
    const capped = poolOpts.capped ?? (() => true);
    let best: string | undefined;
    let bestScore = Infinity;
    let fallback: string | undefined;
    for (const group of order) {
      if (!queues.get(group)?.length) continue;
      if (fallback === undefined || rank(group) < rank(fallback)) fallback = group;
      const isBlocked = blocked(group);
      if ((isBlocked || capped(group)) && (running.get(group) ?? 0) >= perGroupCap) continue;
      const score = (isBlocked ? 1e9 : 0) + rank(group);
      if (score < bestScore) {
        best = group;
        bestScore = score;
      }
    }
    const group = best ?? fallback;
    return group === undefined ? undefined : { group, item: queues.get(group)!.shift()! };
  }

  function takeNext(): { group: string; item: Queued } | undefined {
    if (poolOpts.priority) return takeByPriority(poolOpts.priority);
    for (let i = 0; i < order.length; i++) {
      const group = order[(cursor + i) % order.length];
      const q = queues.get(group);
      if (q && q.length) {
        cursor = (cursor + i + 1) % order.length;
        return { group, item: q.shift()! };
      }
    }
    return undefined;
  }

  function pump(): void {
    while (active < limit) {
      const next = takeNext();
      if (!next) return;
      const { group, item } = next;
      active++;
      running.set(group, (running.get(group) ?? 0) + 1);
      item
        .task()
        .then(item.resolve, item.reject)
        .finally(() => {
          active--;
          running.set(group, (running.get(group) ?? 1) - 1);
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
