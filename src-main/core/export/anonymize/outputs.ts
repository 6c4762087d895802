// Files that only anonymized exports have: the aggregate summaries (instead of rows) and the
// pseudonym code map (only when the user asks for it; it re-identifies participants).
import type { ExportFormat } from '../../../../src-shared/model';
import { writeTypeOutputs, type WrittenFile } from '../format/type-writer';
import type { Aggregator } from './aggregate';
import type { Anonymizer } from './anonymizer';

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

/** Writes `participant_code_map.csv` (code, participantId, name, email). Call only when the user asked for it. */
export async function writeCodeMap(anonymizer: Anonymizer, opts: Omit<SummaryWriteOptions, 'format'>): Promise<WrittenFile> {
  const [file] = await writeTypeOutputs({
    ...opts,
    format: 'csv',
    split: 'none',
    type: 'participant_code_map',
    records: () => anonymizer.codeMap() as unknown as Array<Record<string, unknown>>,
  });
  return file;
}
