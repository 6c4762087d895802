// One process of the shared-limiter benchmark: takes `count` slots from a limiter on the shared
// key log (`concurrency` at a time, endpoints in turn), settles each at once, and prints its
// grants and its file-lock figures as one JSON line.
// Usage: node --import tsx shared-limiter-worker.ts <logFile> <limitsJson> <count> <concurrency>
import { createJointLimiter } from '../../src-main/core/net/limiter';
import { systemClock } from '../../src-main/core/ports';
import { fileLockStats } from '../../src-main/core/state/file-lock';

const [file, limitsJson, countArg, concurrencyArg] = process.argv.slice(2);
const limits = JSON.parse(limitsJson) as { keyLimit: number; keyWindowMs: number; endpointLimit: number; endpointWindowMs: number };
const limiter = createJointLimiter({ ...limits, clock: systemClock, persistPath: file });
const count = Number(countArg);
const grants: Array<[number, string]> = [];
let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: Number(concurrencyArg) }, async () => {
    while (next < count) {
      const ep = `/e${next++ % 4}`;
      const slot = await limiter.acquire(ep);
      grants.push([slot.sentAt, ep]);
      slot.done();
    }
  }),
);
const wallMs = performance.now() - started;
await limiter.close();
process.stdout.write(JSON.stringify({ grants, wallMs, lock: fileLockStats() }) + '\n');
