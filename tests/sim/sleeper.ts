// Delays for injected latency and slow responses that wake early when the client goes away or the
// simulator closes, so a closing simulator never waits out a 35 s "slow" fault.
import type { ServerResponse } from 'node:http';

export class Sleeper {
  private readonly pending = new Set<() => void>();

  sleep(ms: number, res: ServerResponse): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.pending.delete(done);
        res.off('close', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      res.once('close', done);
      this.pending.add(done);
    });
  }

  /** Wakes every sleeper (used on close). */
  wakeAll(): void {
    for (const done of [...this.pending]) done();
  }
}
