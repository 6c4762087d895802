// The shape every benchmark module returns; tests/bench/run.ts writes them to BENCHMARKS.md.
export interface BenchResult {
  name: string;
  figures: Record<string, string | number>;
  notes?: string;
}

export type BenchModule = { run(): Promise<BenchResult[]> };
