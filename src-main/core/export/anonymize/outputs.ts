// Files that only anonymized exports have: the aggregate summaries (instead of rows).
// (The pseudonym code map never goes into an export: see code-book.)
import type { ExportFormat } from '../../../../src-shared/model';
import { writeTypeOutputs, type WrittenFile } from '../format/type-writer';
import type { Aggregator } from './aggregate';

export interface SummaryWriteOptions {
  outDir: string;
  format: ExportFormat;
  bom: boolean;
  formulaProtection: boolean;
}

/** Writes `summary_counts.<ext>` and `summary_stats.<ext>` at the top of the export folder. */
export async function writeAggregateOutputs(aggregator: Aggregator, opts: SummaryWriteOptions): Promise<WrittenFile[]> {
  const common = { ...opts, split: 'none' as const };
  const counts = await writeTypeOutputs({ ...common, type: 'summary_counts', records: () => aggregator.counts() as unknown as Array<Record<string, unknown>> });
  const stats = await writeTypeOutputs({ ...common, type: 'summary_stats', records: () => aggregator.stats() as unknown as Array<Record<string, unknown>> });
  return [...counts, ...stats];
}
