// The fetch pool's order: round-robin by default; with a priority, the export's type order first,
// a group waiting on its own endpoint limit last, and such a group never holding every slot.
import { describe, expect, it } from 'vitest';
import { createTaskPool } from '../../../src-main/core/export/run/task-pool';

/** A task that records when it starts and finishes only when released. */
function gate() {
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  return { done, release };
}

describe('task pool', () => {
  it('takes turns across groups without a priority', async () => {
    const pool = createTaskPool(1);
    const started: string[] = [];
    const first = gate();
    const all = [pool.run('a', async () => (started.push('a0'), first.done))];
    for (const [g, i] of [['a', 1], ['a', 2], ['b', 0], ['b', 1]] as const) all.push(pool.run(g, async () => void started.push(`${g}${i}`)));
    first.release();
    await Promise.all(all);
    expect(started).toEqual(['a0', 'a1', 'b0', 'a2', 'b1']);
  });

  it('runs the best-ranked group first with a priority', async () => {
    const rank: Record<string, number> = { events: 0, chat: 1 };
    const pool = createTaskPool(1, { priority: (g) => rank[g] ?? 9 });
    const started: string[] = [];
    const first = gate();
    const all = [pool.run('other', async () => (started.push('other0'), first.done))];
    for (const [g, i] of [['chat', 0], ['other', 1], ['events', 0], ['events', 1], ['chat', 1]] as const) all.push(pool.run(g, async () => void started.push(`${g}${i}`)));
    first.release();
    await Promise.all(all);
    expect(started).toEqual(['other0', 'events0', 'events1', 'chat0', 'chat1', 'other1']);
  });

  it('lets a capped group hold all slots but one, and puts a blocked group last', async () => {
    const blocked = new Set<string>();
    const pool = createTaskPool(3, { priority: (g) => (g === 'events' ? 0 : 1), blocked: (g) => blocked.has(g), capped: (g) => g === 'events' });
    const running: string[] = [];
    const gates = new Map<string, ReturnType<typeof gate>>();
    const task = (name: string) => async () => {
      running.push(name);
      const g = gate();
      gates.set(name, g);
      await g.done;
    };
    // Three tasks of a third group hold the slots while the others queue.
    const all = ['x0', 'x1', 'x2'].map((n) => pool.run('x', task(n)));
    await new Promise((r) => setImmediate(r));
    all.push(...['e0', 'e1', 'e2'].map((n) => pool.run('events', task(n))));
    all.push(pool.run('chat', task('c0')), pool.run('chat', task('c1')));
    for (const n of ['x0', 'x1', 'x2']) gates.get(n)!.release();
    await new Promise((r) => setImmediate(r));
    // Capped at 2 of 3 slots: chat gets the third although events ranks first.
    expect(running.slice(3)).toEqual(['e0', 'e1', 'c0']);
    running.splice(0, 3);
    blocked.add('events');
    gates.get('c0')!.release();
    await new Promise((r) => setImmediate(r));
    // events is blocked: chat goes before it.
    expect(running).toEqual(['e0', 'e1', 'c0', 'c1']);
    blocked.delete('events');
    for (const n of ['e0', 'e1', 'c1']) gates.get(n)!.release();
    await new Promise((r) => setImmediate(r));
    expect(running).toContain('e2');
    gates.get('e2')!.release();
    await Promise.all(all);
  });
});
