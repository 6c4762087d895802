// A manual clock for the Clock port: time moves only when the test advances it.
import type { Clock } from '../../../src-main/core/ports';

export interface FakeClock extends Clock {
  /** Moves time forward by ms, firing due sleepers in time order (awaiting microtasks between them). */
  advance(ms: number): Promise<void>;
  /** Advances to the next pending sleeper; false if none. */
  next(): Promise<boolean>;
  pending(): number;
  set(ms: number): void;
}

export function createFakeClock(start = Date.UTC(2026, 0, 1)): FakeClock {
  let now = start;
  let seq = 0;
  const sleepers: Array<{ at: number; seq: number; resolve: () => void; reject: (e: unknown) => void; signal?: AbortSignal; onAbort?: () => void }> = [];
  const flush = async () => {
    for (let i = 0; i < 20; i++) await Promise.resolve();
    await new Promise((r) => setImmediate(r));
  };
  const fireDue = async () => {
    for (;;) {
      sleepers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const s = sleepers[0];
      if (!s || s.at > now) return;
      sleepers.shift();
      s.signal?.removeEventListener('abort', s.onAbort!);
      s.resolve();
      await flush();
    }
  };
  return {
    now: () => now,
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const s = { at: now + Math.max(0, ms), seq: seq++, resolve, reject, signal, onAbort: undefined as undefined | (() => void) };
        if (signal) {
          s.onAbort = () => {
            const i = sleepers.indexOf(s);
            if (i >= 0) sleepers.splice(i, 1);
            reject(signal.reason);
          };
          signal.addEventListener('abort', s.onAbort, { once: true });
        }
        sleepers.push(s);
      });
    },
    async advance(ms) {
      const target = now + ms;
      await flush();
      for (;;) {
        sleepers.sort((a, b) => a.at - b.at || a.seq - b.seq);
        const s = sleepers[0];
        if (!s || s.at > target) break;
        now = Math.max(now, s.at);
        await fireDue();
      }
      now = target;
      await fireDue();
      await flush();
    },
    async next() {
      await flush();
      sleepers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const s = sleepers[0];
      if (!s) return false;
      now = Math.max(now, s.at);
      await fireDue();
      return true;
    },
    pending: () => sleepers.length,
    set(ms) {
      now = ms;
    },
  };
}
