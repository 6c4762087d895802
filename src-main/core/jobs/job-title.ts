// The one-line title a job shows in the downloads panel and `studydl jobs`: the study by name
// from the start (when the caller knows it), the room and participant by name where known, and
// the data types in plain words.
import type { ExportRequest } from '../../../src-shared/model';
import { dataTypeDescriptor } from '../sources/hyperstudy/descriptors';

/** Names the caller already has for the target's levels. */
export interface TitleNames {
  experiment?: string;
  room?: string;
  participant?: string;
}

export function jobTitle(req: ExportRequest, names: TitleNames | string = {}): string {
  const n: TitleNames = typeof names === 'string' ? { experiment: names } : names;
  const t = req.target;
  const exp = n.experiment ? `“${n.experiment}”` : t.experimentId;
  const room = n.room ? `“${n.room}”` : t.roomId;
  const participant = n.participant ? `“${n.participant}”` : t.participantId;
  const where =
    t.level === 'experiment' ? `Experiment ${exp}` : t.level === 'room' ? `Room ${room} of ${exp}` : `Participant ${participant} of ${exp}`;
  const labels = req.types.map((type) => dataTypeDescriptor(type).label.toLowerCase());
  const types = req.types.length > 4 ? `${req.types.length} data types` : labels.join(', ');
  const extras = [req.format.toUpperCase(), req.zip ? 'ZIP' : 'folder'];
  if (req.includeRecordings) extras.push('recordings');
  if (req.anonymize !== 'keep') extras.push(req.anonymize === 'pseudonymize' ? 'pseudonymized' : 'aggregate only');
  return `${where} — ${types} (${extras.join(', ')})`;
}

export function newJobId(now: number): string {
  const rand = Math.random().toString(36).slice(2, 8).padEnd(6, '0');
  return `job_${now.toString(36)}_${rand}`;
}
