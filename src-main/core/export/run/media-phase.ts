// Which recordings an export downloads and under which names. Names are computed the same way on
// every attempt (same anonymizer sequence), so a resumed job finds its own `.part` files.
import type { ExportRequest } from '../../../../src-shared/model';
import type { Anonymizer } from '../anonymize/anonymizer';
import { recordingFileName, uniqueFileNames } from '../naming';
import type { MediaJob } from '../media/download-all';
import { recordingId } from '../media/recording-facts';
import { roomOfRecord, type ParticipantRooms } from '../../sources/hyperstudy/record-room';

export const RECORDINGS_FOLDER = 'recordings';

export function selectRecordings(recordings: Array<Record<string, unknown>>, req: ExportRequest): Array<Record<string, unknown>> {
  // Aggregate exports carry summaries only: no rows, no media.
  if (!req.includeRecordings || req.anonymize === 'aggregate') return [];
  if (!req.recordingIds?.length) return recordings;
  const wanted = new Set(req.recordingIds);
  return recordings.filter((r) => wanted.has(recordingId(r)));
}

/** One job per recording, with its file name and (for a fresh link later) its room. */
export function mediaJobsFor(recordings: Array<Record<string, unknown>>, anonymizer: Anonymizer, rooms?: ParticipantRooms): MediaJob[] {
  const names = recordings.map((rec) => {
    const pid = typeof rec.participantId === 'string' && rec.participantId ? rec.participantId : undefined;
    const code = anonymizer.mode === 'keep' || !pid ? undefined : anonymizer.participant(pid);
    const name = recordingFileName(rec, code ? { participantCode: code } : {});
    return anonymizer.mode === 'keep' ? name : anonymizer.rewriteString(name);
  });
  return uniqueFileNames(names).map((name, i) => {
    const roomId = roomOfRecord(recordings[i], rooms);
    return { recording: recordings[i], relativePath: `${RECORDINGS_FOLDER}/${name}`, ...(roomId ? { roomId } : {}) };
  });
}
