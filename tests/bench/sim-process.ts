// The simulator in its own process, as a remote server would be: it then has its own core and
// event loop, and whoever measures does not share them with it. Its CLI prints the base URL and
// the API key first (a contract of tests/sim/main.ts); the control routes give counters and info.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ScaleName, SimCounters } from '../sim/types';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface SimProcessOptions {
  scale: ScaleName;
  seed?: number;
  keyLimit?: number;
  keyWindowSec?: number;
  endpointLimit?: number;
  endpointWindowSec?: number;
  latencyMs?: number;
  mediaScale?: number;
}

export interface SimProcess {
  baseUrl: string;
  origin: string;
  apiKey: string;
  orgId: string;
  pid: number;
  counters(): Promise<SimCounters>;
  resetCounters(): Promise<void>;
  close(): Promise<void>;
}

/** Limits so high they never bind (the simulator's windows still exist, they just never fill). */
export const NO_LIMITS = { keyLimit: 1_000_000, endpointLimit: 1_000_000 } as const;

export async function startSimProcess(o: SimProcessOptions): Promise<SimProcess> {
  const args = ['--import', 'tsx', 'tests/sim/main.ts', '--port', '0', '--scale', o.scale, '--seed', String(o.seed ?? 1)];
  const opt = (flag: string, v: number | undefined) => v !== undefined && args.push(flag, String(v));
  opt('--key-limit', o.keyLimit);
  opt('--key-window', o.keyWindowSec);
  opt('--endpoint-limit', o.endpointLimit);
  opt('--endpoint-window', o.endpointWindowSec);
  opt('--latency-ms', o.latencyMs);
  opt('--media-scale', o.mediaScale);
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const banner: string[] = [];
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code} before it was ready`)));
    lines.on('line', (l) => {
      banner.push(l);
      if (banner.length === 2) resolve();
    });
  });
  child.removeAllListeners('exit');
  const baseUrl = /listening on (\S+)/.exec(banner[0])?.[1];
  const apiKey = /API key: (\S+)/.exec(banner[1])?.[1];
  if (!baseUrl || !apiKey) throw new Error(`unexpected simulator banner: ${banner.join(' | ')}`);
  const origin = new URL(baseUrl).origin;
  const info = (await (await fetch(`${origin}/__sim/info`)).json()) as { orgId: string };
  return {
    baseUrl,
    origin,
    apiKey,
    orgId: info.orgId,
    pid: child.pid!,
    counters: async () => (await (await fetch(`${origin}/__sim/counters`)).json()) as SimCounters,
    resetCounters: async () => void (await fetch(`${origin}/__sim/counters/reset`, { method: 'POST' })),
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
