// The one-line title a job shows in the downloads panel and `studydl jobs`: the study by name
// from the start (when the caller knows it), the target's item by name where known, the levels and
// data types in the source's own words.
import type { ExportRequest, LevelId, SourceDescriptor } from '../../../src-shared/model';

/** Names the caller already has for the items of the target's path, by level id. */
export type TitleNames = Partial<Record<LevelId, string>>;

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** "Experiment “Emotion Study” — events, chat (CSV, ZIP)", "Room “Session 1” of “Emotion Study” — …", from the source's level names. */
export function jobTitle(req: ExportRequest, descriptor: SourceDescriptor, names: TitleNames = {}, kind: 'export' | 'sync' = 'export'): string {
  const t = req.target;
  const root = t.path[0];
  const item = t.path[t.path.length - 1];
  const named = (step: { level: LevelId; id: string } | undefined) => {
    const name = step ? names[step.level] : undefined;
    return name ? `“${name}”` : (step?.id ?? '');
  };
  const level = capital(descriptor.levels.find((l) => l.id === t.level)?.singular ?? t.level);
  const where = t.path.length <= 1 ? `${level} ${named(root)}` : `${level} ${named(item)} of ${named(root)}`;
  const labels = req.types.map((type) => (descriptor.dataTypes.find((d) => d.id === type)?.label ?? type).toLowerCase());
  const types = req.types.length > 4 ? `${req.types.length} data types` : labels.join(', ');
  const extras = [req.format.toUpperCase(), kind === 'sync' ? 'kept up to date' : req.zip ? 'ZIP' : 'folder'];
  if (req.includeRecordings) extras.push('recordings');
  if (req.anonymize !== 'keep') extras.push(req.anonymize === 'pseudonymize' ? 'pseudonymized' : 'aggregate only');
  return `${where} — ${types} (${extras.join(', ')})`;
}

export function newJobId(now: number): string {
  const rand = Math.random().toString(36).slice(2, 8).padEnd(6, '0');
  return `job_${now.toString(36)}_${rand}`;
}
