// Records converted per second: the writers alone (flatten + two-pass RFC 4180 CSV, split by
// participant) over real simulator events held in memory, so neither the network nor record
// generation is in the figure. Part of the export benchmark's figures.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeTypeOutputs } from '../../src-main/core/export/format/type-writer';
import { startSimulator } from '../sim/index';

export async function measureConversionRate(n = 100_000): Promise<{ records: number; seconds: number; perSecond: number; files: number }> {
  const sim = await startSimulator({ scale: 'large', seed: 1 });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'studydl-convert-'));
  try {
    const exp = sim.dataset.experiments()[0];
    const records: Array<Record<string, unknown>> = [];
    for (const r of sim.dataset.records('events', 'experiment', exp.id)) {
      records.push(r);
      if (records.length >= n) break;
    }
    const started = performance.now();
    const files = await writeTypeOutputs({
      type: 'events', format: 'csv', split: 'participant', outDir: dir, bom: true, formulaProtection: true,
      records: async function* () { yield* records; },
    });
    const seconds = (performance.now() - started) / 1000;
    return { records: records.length, seconds, perSecond: records.length / seconds, files: files.length };
  } finally {
    await rm(dir, { recursive: true, force: true });
    await sim.close();
  }
}
