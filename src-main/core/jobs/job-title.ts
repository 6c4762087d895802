// The one-line title a job shows in the downloads panel and `studydl jobs`.
import type { ExportRequest, SourceDescriptor } from '../../../src-shared/model';

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** "Experiment “Emotion Study” — events, chat (CSV, ZIP)", "Room r1 of exp_1 — …", from the source's level names. */
export function jobTitle(req: ExportRequest, descriptor: SourceDescriptor, rootName?: string): string {
  const t = req.target;
  const root = t.path[0];
  const item = t.path[t.path.length - 1];
  const rootLabel = rootName ? `“${rootName}”` : (root?.id ?? '');
  const level = capital(descriptor.levels.find((l) => l.id === t.level)?.singular ?? t.level);
  const where = t.path.length <= 1 ? `${level} ${rootLabel}` : `${level} ${item.id} of ${rootLabel}`;
  const types = req.types.length > 4 ? `${req.types.length} data types` : req.types.join(', ');
  const extras = [req.format.toUpperCase(), req.zip ? 'ZIP' : 'folder'];
  if (req.includeRecordings) extras.push('recordings');
  if (req.anonymize !== 'keep') extras.push(req.anonymize === 'pseudonymize' ? 'pseudonymized' : 'aggregate only');
  return `${where} — ${types} (${extras.join(', ')})`;
}

export function newJobId(now: number): string {
  const rand = Math.random().toString(36).slice(2, 8).padEnd(6, '0');
  return `job_${now.toString(36)}_${rand}`;
}
