// Hosted images (dataacquisition.image, reference §5.1): the only files BrainSTEM serves itself.
// They live on another origin (images.brainstem.org), so they are fetched like HyperStudy's signed
// URLs — by the shared media downloader (resumable, verified, atomic), which never sends a
// credential and bounds redirects. BrainSTEM has no mint route: the URL on the record is used
// first, and when the image host refuses it (401/403: an expired link), the record is read again
// for a fresh one.
import { StudyError } from '../../../../src-shared/errors';
import { downloadAllRecordings, type MediaJob, type MediaOutcome } from '../../export/media/download-all';
import type { MediaGet } from '../../export/media/media-http';
import { safeFileNameWithExt, uniqueFileNames } from '../../export/naming';
import type { Clock } from '../../ports';
import type { JsonRecord } from './envelope';

export const IMAGES_FOLDER = 'images';

const IMAGE_EXT = /\.(png|jpe?g|gif|webp|tiff?|bmp|svg)$/i;

/** The image URL of a data acquisition when it is a web address; null otherwise. */
export function imageUrlOf(record: JsonRecord): string | null {
  const v = record.image;
  if (typeof v !== 'string' || !v.trim()) return null;
  try {
    const u = new URL(v.trim());
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.toString() : null;
  } catch {
    return null;
  }
}

/** An image's file name: <acquisition id>.<extension of its URL> (made safe; unique names are the caller's). */
export function imageFileName(record: JsonRecord): string {
  const url = imageUrlOf(record);
  const ext = url ? (IMAGE_EXT.exec(new URL(url).pathname)?.[1]?.toLowerCase() ?? '') : '';
  return safeFileNameWithExt(String(record.id), ext);
}

/** One job per data acquisition with an image: images/<acquisition id>.<ext>, names unique. */
export function imageJobs(dataAcquisitions: readonly JsonRecord[]): MediaJob[] {
  const withImage = dataAcquisitions.filter((r) => imageUrlOf(r) !== null && typeof r.id === 'string');
  const names = withImage.map(imageFileName);
  return uniqueFileNames(names).map((name, i) => ({ recording: withImage[i], file: { id: String(withImage[i].id), size: null, sha256: null }, relativePath: `${IMAGES_FOLDER}/${name}` }));
}

/** The record's image URL, or NOT_FOUND in plain words (the image was removed meanwhile). */
export function imageUrlOrMissing(id: string, record: JsonRecord): string {
  const url = imageUrlOf(record);
  if (url) return url;
  throw new StudyError({ code: 'NOT_FOUND', message: `Data acquisition ${id} has no image any more.`, fix: 'It may have been removed on BrainSTEM; the rest of the export is complete.' });
}

/**
 * Where the downloader gets an image's URL: the record's own the first time, a fresh read of the
 * record after the host refused a link (the downloader asks for a link again only then — through
 * mintRecordingUrl a second time, or refreshRecordingUrl where the downloader has it).
 */
export function imageUrlSource(reread: (acquisitionId: string, signal?: AbortSignal) => Promise<JsonRecord>) {
  const asked = new Map<string, number>();
  const urlOf = imageUrlOrMissing;
  const fresh = async (record: JsonRecord, o?: { signal?: AbortSignal }): Promise<string> => urlOf(String(record.id), await reread(String(record.id), o?.signal));
  return {
    async mintRecordingUrl(record: JsonRecord, o?: { signal?: AbortSignal }): Promise<string> {
      const id = String(record.id);
      const n = asked.get(id) ?? 0;
      asked.set(id, n + 1);
      return n === 0 ? urlOf(id, record) : fresh(record, o);
    },
    refreshRecordingUrl: fresh,
  };
}

export interface DownloadImagesOptions {
  jobs: MediaJob[];
  /** Export root on disk. */
  root: string;
  /** Re-reads a data acquisition (for a fresh image URL). */
  reread: (acquisitionId: string, signal?: AbortSignal) => Promise<JsonRecord>;
  concurrency?: number;
  mediaGet?: MediaGet;
  clock?: Clock;
  signal?: AbortSignal;
  onBytes?: (delta: number) => void;
  onFileDone?: (outcome: MediaOutcome) => void;
  backoffMs?: number;
}

/** Downloads every image through the shared media downloader (no credential; see media-http.ts). */
export function downloadImages(o: DownloadImagesOptions): Promise<MediaOutcome[]> {
  const src = imageUrlSource(o.reread);
  return downloadAllRecordings({
    links: {
      url: async (r, ro) => ({ url: await src.mintRecordingUrl(r, ro), requests: 0 }),
      freshUrl: async (r, ro) => ({ url: await src.refreshRecordingUrl(r, ro), requests: 1 }),
    },
    jobs: o.jobs,
    root: o.root,
    concurrency: o.concurrency ?? 4,
    mediaGet: o.mediaGet,
    clock: o.clock,
    signal: o.signal,
    onBytes: o.onBytes,
    onFileDone: o.onFileDone,
    backoffMs: o.backoffMs,
  });
}
