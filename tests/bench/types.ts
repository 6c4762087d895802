// The shape every benchmark module returns; tests/bench/run.ts writes them to BENCHMARKS.md.
import type { TargetId } from './targets';

export interface BenchContext {
  /** Smoke test: small scale, short windows, few rounds. The figures mean nothing. */
  quick: boolean;
}

/** One figure of the target table, as measured by a benchmark. */
export interface Headline {
  target: TargetId;
  /** null: not measured in this run (say why in `why`). */
  value: number | null;
  /** How it was measured, in one sentence. */
  method: string;
  /** Why it misses (or was not measured), from what the run saw; a generic line otherwise. */
  why?: string;
}

export interface BenchResult {
  name: string;
  figures: Record<string, string | number>;
  notes?: string;
  headlines?: Headline[];
}

export type BenchModule = { run(ctx: BenchContext): Promise<BenchResult[]> };
