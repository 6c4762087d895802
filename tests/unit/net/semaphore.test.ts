// The in-flight cap: places go out first come, first served; a waiter that is cancelled leaves the
// queue (its turn goes to the next one) and hears why; a place is given back once only.
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createSemaphore } from '../../../src-main/core/net/semaphore';

/** Resolves once every promise callback already queued has run. */
const settle = () => new Promise((r) => setImmediate(r));

describe('semaphore', () => {
  it('holds the cap and hands freed places to the waiters in the order they came', async () => {
    const sem = createSemaphore(1);
    const order: string[] = [];
    const first = await sem.acquire();
    const waiters = ['b', 'c', 'd'].map((name) => sem.acquire().then((release) => (order.push(name), release)));
    await settle();
    expect(order).toEqual([]);
    expect(sem.tryAcquire()).toBeNull(); // nobody jumps the queue
    first();
    first(); // a second release of the same place frees nothing
    await settle();
    expect(order).toEqual(['b']);
    (await waiters[0])();
    await settle();
    expect(order).toEqual(['b', 'c']);
    (await waiters[1])();
    (await waiters[2])();
    expect(sem.tryAcquire()).not.toBeNull();
  });

  it('a cancelled waiter leaves the queue with the signal’s reason, and its turn goes to the next', async () => {
    const sem = createSemaphore(1);
    const held = await sem.acquire();
    const ac = new AbortController();
    const cancelled = sem.acquire(ac.signal);
    const next = sem.acquire();
    let nextGot = false;
    void next.then(() => (nextGot = true));
    ac.abort(new Error('paused by the user'));
    await expect(cancelled).rejects.toThrow('paused by the user');
    held();
    await settle();
    expect(nextGot).toBe(true);
    // The cancelled waiter took no place: once the next one is done, one is free again.
    (await next)();
    expect(sem.tryAcquire()).not.toBeNull();
  });

  it('a waiter granted a place no longer listens to its signal', async () => {
    const sem = createSemaphore(1);
    const held = await sem.acquire();
    const ac = new AbortController();
    const waiting = sem.acquire(ac.signal);
    held();
    const release = await waiting;
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
    ac.abort(new Error('too late'));
    await settle();
    release();
    expect(sem.tryAcquire()).not.toBeNull();
  });

  it('refuses at once with an already cancelled signal', async () => {
    const sem = createSemaphore(2);
    const ac = new AbortController();
    ac.abort(new Error('already stopped'));
    await expect(sem.acquire(ac.signal)).rejects.toThrow('already stopped');
    expect(sem.tryAcquire()).not.toBeNull();
    expect(sem.tryAcquire()).not.toBeNull();
  });
});
