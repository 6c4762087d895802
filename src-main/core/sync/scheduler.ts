// The app's interval: while it runs, a folder with an interval is synced again once that long has
// passed since its last sync, never while a sync of it is queued or running, and only when the
// key's budget leaves room: the sync's estimated requests plus a reserve for browsing and
// exports (the share of the key's limit in RESERVE). Otherwise it waits for the next look.
import type { RateBudget } from '../../../src-shared/model';
import type { Clock, Logger } from '../ports';

/** Part of the key's limit an automatic sync leaves for everything else. */
export const RESERVE = 0.2;

export interface SchedulerFolder {
  id: string;
  intervalMinutes?: number;
  /** When its last sync (or attempt) began; null: never. */
  lastAt: string | null;
  running: boolean;
  /** Requests the next sync is expected to take (from its state), null when unknown. */
  estimate: () => number | null;
}

export interface SchedulerDeps {
  clock: Clock;
  logger?: Logger;
  /** The folders as they are now. */
  folders: () => Promise<SchedulerFolder[]>;
  /** The key's budget now; null when there is no connection. */
  budget: () => RateBudget | null;
  start: (folderId: string) => Promise<void>;
  /** How often to look, ms (default 30 s). */
  everyMs?: number;
}

export interface SyncScheduler {
  /** Looks once now (tests; the timer calls it). Returns the folders started. */
  tick(): Promise<string[]>;
  stop(): void;
}

export function createSyncScheduler(deps: SchedulerDeps): SyncScheduler {
  let stopped = false;
  let ticking: Promise<string[]> | null = null;
  async function look(): Promise<string[]> {
    const started: string[] = [];
    const now = deps.clock.now();
    for (const f of await deps.folders()) {
      if (!f.intervalMinutes || f.running) continue;
      const due = f.lastAt === null ? now : Date.parse(f.lastAt) + f.intervalMinutes * 60_000;
      if (now < due) continue;
      const budget = deps.budget();
      if (!budget) continue;
      const need = (f.estimate() ?? 1) + Math.ceil(budget.keyLimit * RESERVE);
      if (budget.keyRemaining < need) {
        deps.logger?.info('automatic sync waits for the key budget', { folderId: f.id, need, remaining: budget.keyRemaining });
        continue;
      }
      try {
        await deps.start(f.id);
        started.push(f.id);
      } catch (e) {
        deps.logger?.warn('automatic sync could not start', { folderId: f.id, error: e instanceof Error ? e.message : String(e) });
      }
    }
    return started;
  }
  const tick = () => (ticking ??= look().finally(() => (ticking = null)));
  const timer = setInterval(() => {
    if (!stopped) void tick();
  }, deps.everyMs ?? 30_000);
  timer.unref?.();
  return {
    tick,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
