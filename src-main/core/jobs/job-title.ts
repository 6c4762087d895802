// The one-line title a job shows in the downloads panel and `studydl jobs`.
import type { ExportRequest } from '../../../src-shared/model';

export function jobTitle(req: ExportRequest, experimentName?: string): string {
  const t = req.target;
  const exp = experimentName ? `“${experimentName}”` : t.experimentId;
  const where =
    t.level === 'experiment' ? `Experiment ${exp}` : t.level === 'room' ? `Room ${t.roomId} of ${exp}` : `Participant ${t.participantId} of ${exp}`;
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
