// The app's interval for folders kept up to date, on a manual clock: a folder is synced once its
// interval has passed since its last sync, never while one of it runs, and only when the key's
// budget leaves the sync's estimate plus the reserve for everything else.
import { describe, expect, it } from 'vitest';
import type { RateBudget } from '../../../src-shared/model';
import { RESERVE, createSyncScheduler, type SchedulerFolder } from '../../../src-main/core/sync/scheduler';
import { createFakeClock } from '../net/fake-clock';

const HOUR = 3_600_000;

function budget(keyRemaining: number, keyLimit = 1000): RateBudget {
  return { keyLimit, keyWindowSec: 3600, keyRemaining, keyResetSec: 0, endpointLimit: 100, endpointWindowSec: 60, summary: `${keyRemaining} of ${keyLimit} requests left this hour` };
}

function setup(folders: SchedulerFolder[], initial: RateBudget | null = budget(1000)) {
  const clock = createFakeClock(Date.UTC(2026, 5, 1, 12));
  let current = initial;
  const started: string[] = [];
  const logs: string[] = [];
  const failing = new Set<string>();
  const scheduler = createSyncScheduler({
    clock,
    everyMs: 2 ** 31 - 1, // the test looks by hand
    logger: { debug() {}, info: (m) => void logs.push(m), warn: (m) => void logs.push(m), error() {} },
    folders: async () => folders,
    budget: () => current,
    start: async (id) => {
      if (failing.has(id)) throw new Error('refused');
      started.push(id);
      const f = folders.find((x) => x.id === id)!;
      f.running = true;
      f.lastAt = new Date(clock.now()).toISOString();
    },
  });
  return { clock, scheduler, started, logs, failing, setBudget: (b: RateBudget | null) => (current = b) };
}

const folder = (id: string, over: Partial<SchedulerFolder> = {}): SchedulerFolder => ({ id, intervalMinutes: 60, lastAt: null, running: false, estimate: () => 12, ...over });

describe('the sync interval', () => {
  it('syncs a folder that was never synced at once, then again only when its interval has passed and it is not running', async () => {
    const f = folder('a');
    const { clock, scheduler, started } = setup([f]);
    expect(await scheduler.tick()).toEqual(['a']);
    expect(await scheduler.tick(), 'running').toEqual([]);
    f.running = false;
    await clock.advance(HOUR - 1);
    expect(await scheduler.tick(), 'one ms early').toEqual([]);
    await clock.advance(1);
    expect(await scheduler.tick()).toEqual(['a']);
    expect(started).toEqual(['a', 'a']);
    scheduler.stop();
  });

  it('leaves folders without an interval alone', async () => {
    const { scheduler } = setup([folder('a', { intervalMinutes: undefined }), folder('b')]);
    expect(await scheduler.tick()).toEqual(['b']);
    scheduler.stop();
  });

  it('waits while the key budget would not leave the reserve, and goes once it does', async () => {
    const f = folder('a', { estimate: () => 40 });
    const need = 40 + Math.ceil(1000 * RESERVE);
    const { scheduler, setBudget, logs } = setup([f], budget(need - 1));
    expect(await scheduler.tick()).toEqual([]);
    expect(logs.join('\n')).toMatch(/waits for the key budget/);
    setBudget(null); // offline: no budget known
    expect(await scheduler.tick()).toEqual([]);
    setBudget(budget(need));
    expect(await scheduler.tick()).toEqual(['a']);
    scheduler.stop();
  });

  it('assumes one request when the estimate is unknown, and one folder that cannot start does not stop the others', async () => {
    const a = folder('a', { estimate: () => null });
    const b = folder('b');
    const { scheduler, failing, logs } = setup([a, b], budget(1 + Math.ceil(1000 * RESERVE) + 12));
    failing.add('a');
    expect(await scheduler.tick()).toEqual(['b']);
    expect(logs.join('\n')).toMatch(/could not start/);
    scheduler.stop();
  });

  it('one look at a time: a tick during a tick shares it', async () => {
    const { scheduler, started } = setup([folder('a')]);
    const [x, y] = await Promise.all([scheduler.tick(), scheduler.tick()]);
    expect(x).toEqual(['a']);
    expect(y).toEqual(['a']);
    expect(started).toEqual(['a']);
    scheduler.stop();
  });
});
