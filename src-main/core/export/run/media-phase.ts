// Which media files an export downloads and under which names. Names are computed the same way on
// every attempt (same anonymizer sequence), so a resumed job finds its own `.part` files.
import type { ExportRequest } from '../../../../src-shared/model';
import type { Anonymizer } from '../anonymize/anonymizer';
import { uniqueFileNames } from '../naming';
import type { MediaJob, MediaOutcome } from '../media/download-all';
import type { RecordContext, SourceMedia } from '../../sources/source';

export function selectRecordings(recordings: Array<Record<string, unknown>>, req: ExportRequest, media: SourceMedia | undefined): Array<Record<string, unknown>> {
  // Aggregate exports carry summaries only: no rows, no media.
  if (!media || !req.includeRecordings || req.anonymize === 'aggregate') return [];
  const withFiles = recordings.filter((r) => media.fileOf(r) !== null);
  if (!req.recordingIds?.length) return withFiles;
  const wanted = new Set(req.recordingIds);
  return withFiles.filter((r) => wanted.has(media.fileOf(r)!.id));
}

/** One job per file, with its name and its record's context (for a fresh link later). */
export function mediaJobsFor(recordings: Array<Record<string, unknown>>, anonymizer: Anonymizer, media: SourceMedia, contextOf: (record: Record<string, unknown>) => RecordContext): MediaJob[] {
  const personCode = anonymizer.mode === 'keep' ? undefined : (id: string) => anonymizer.participant(id);
  const names = recordings.map((rec) => {
    const name = media.fileName(rec, personCode);
    return anonymizer.mode === 'keep' ? name : anonymizer.rewriteString(name);
  });
  return uniqueFileNames(names).map((name, i) => ({ recording: recordings[i], file: media.fileOf(recordings[i])!, context: contextOf(recordings[i]), relativePath: `${media.folder}/${name}` }));
}

/**
 * "2 of 6 recordings could not be downloaded (first: …)" and what comes next (`then`), for the
 * manifest and the completion view; null when none failed.
 */
export function mediaFailureWarning(outcomes: readonly MediaOutcome[], media: SourceMedia | undefined, then: string): string | null {
  const failed = outcomes.filter((o) => o.status === 'failed');
  if (!failed.length) return null;
  // The first error's own full stop would end up inside the parentheses: "(… answered 404).)".
  const first = (failed[0].error?.message ?? 'unknown error').replace(/\.$/, '');
  return `${failed.length} of ${outcomes.length} ${media?.noun.many ?? 'files'} could not be downloaded (first: ${first}); ${then}.`;
}

