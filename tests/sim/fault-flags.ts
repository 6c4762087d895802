// Command-line flags for the shared fault layer (faults.ts), parsed the same way for every
// simulator's CLI: `parseArgs({ options: { ...FAULT_FLAG_OPTIONS, … } })`, then faultsFromFlags().
import type { FaultConfig, FaultKind, FaultRule } from './types';

export const FAULT_FLAG_USAGE = `Faults:
  --latency-ms N --jitter-ms N
  --error-rate P --reset-rate P --truncate-rate P --html-rate P   (0..1, seeded by --fault-seed)
  --slow-ms N [--slow-pattern REGEX]       delay responses on matching routes
  --storm-count N | --storm-seconds N, --storm-retry-after SEC [--storm-date]
  --fail KIND:COUNT:REGEX  fail the next COUNT requests matching REGEX (repeatable)`;

export const FAULT_FLAG_OPTIONS = {
  'latency-ms': { type: 'string' },
  'jitter-ms': { type: 'string' },
  'error-rate': { type: 'string' },
  'reset-rate': { type: 'string' },
  'truncate-rate': { type: 'string' },
  'html-rate': { type: 'string' },
  'fault-seed': { type: 'string' },
  'slow-ms': { type: 'string' },
  'slow-pattern': { type: 'string' },
  'storm-count': { type: 'string' },
  'storm-seconds': { type: 'string' },
  'storm-retry-after': { type: 'string' },
  'storm-date': { type: 'boolean' },
  fail: { type: 'string', multiple: true },
} as const;

export type FaultFlagValues = { [K in keyof typeof FAULT_FLAG_OPTIONS]?: (typeof FAULT_FLAG_OPTIONS)[K]['type'] extends 'boolean' ? boolean : K extends 'fail' ? string[] : string };

/** A thrown message a CLI prints with its usage before exiting with code 2. */
export class FlagError extends Error {}

export function numberFlag(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new FlagError(`--${name} must be a number, got "${v}"`);
  return n;
}

/** Builds the partial FaultConfig the flags ask for; `now` anchors --storm-seconds. */
export function faultsFromFlags(values: FaultFlagValues, now: number = Date.now()): Partial<FaultConfig> {
  const faults: Partial<FaultConfig> = {};
  const set = <K extends keyof FaultConfig>(k: K, v: FaultConfig[K] | undefined) => {
    if (v !== undefined) faults[k] = v;
  };
  set('seed', numberFlag('fault-seed', values['fault-seed']));
  set('latencyMs', numberFlag('latency-ms', values['latency-ms']));
  set('jitterMs', numberFlag('jitter-ms', values['jitter-ms']));
  set('errorRate', numberFlag('error-rate', values['error-rate']));
  set('resetRate', numberFlag('reset-rate', values['reset-rate']));
  set('truncateRate', numberFlag('truncate-rate', values['truncate-rate']));
  set('htmlRate', numberFlag('html-rate', values['html-rate']));
  set('slowMs', numberFlag('slow-ms', values['slow-ms']));
  set('slowPattern', values['slow-pattern']);
  const stormCount = numberFlag('storm-count', values['storm-count']);
  const stormSeconds = numberFlag('storm-seconds', values['storm-seconds']);
  if (stormCount !== undefined || stormSeconds !== undefined) {
    faults.storm = {
      count: stormCount,
      untilMs: stormSeconds !== undefined ? now + stormSeconds * 1000 : undefined,
      retryAfterSec: numberFlag('storm-retry-after', values['storm-retry-after']) ?? 5,
      retryAfterAsDate: values['storm-date'] ?? false,
    };
  }
  if (values.fail) {
    faults.rules = values.fail.map((spec): FaultRule => {
      const m = /^([A-Za-z0-9]+):(\d+):(.*)$/.exec(spec);
      if (!m) throw new FlagError(`--fail expects KIND:COUNT:REGEX, got "${spec}"`);
      return { kind: m[1] as FaultKind, count: Number(m[2]), match: m[3] };
    });
  }
  return faults;
}
