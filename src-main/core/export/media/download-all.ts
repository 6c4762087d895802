// All media files of an export (HyperStudy recordings), through their own concurrency limit (settings.mediaConcurrency).
// A file that cannot be had (gone, refused, damaged) is recorded as failed and the export goes
// on; a transient failure (network, server, rate limit), a full disk or a cancel stops the job
// so a retry can continue from the bytes on disk.
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { toErrorInfo, type ErrorInfo } from '../../../../src-shared/errors';
import type { Clock } from '../../ports';
import type { MediaGet } from './media-http';
import type { MediaFile, RecordContext, RequestOptions, SourceMedia } from '../../sources/source';
import { createLimit } from '../run/task-pool';
import { downloadRecordingFile } from './download-file';

export type MediaStatus = 'downloaded' | 'skipped' | 'failed';

export interface MediaJob {
  /** The record that carries the file. */
  recording: Record<string, unknown>;
  /** What the source says about its file (id, size, checksum). */
  file: MediaFile;
  /** The record's context (HyperStudy: its room, to list it again for a fresh link). */
  context?: RecordContext;
  /** Path relative to the export root, with forward slashes (e.g. "recordings/P001_video_r1.mp4"). */
  relativePath: string;
}

export interface MediaOutcome {
  relativePath: string;
  status: MediaStatus;
  bytes: number;
  error?: ErrorInfo;
}

export interface DownloadAllOptions {
  /** Where each file's URL comes from (see DownloadFileOptions.links). */
  links: Pick<SourceMedia, 'url' | 'freshUrl'>;
  jobs: MediaJob[];
  /** Export root on disk. */
  root: string;
  concurrency: number;
  mediaGet?: MediaGet;
  clock?: Clock;
  signal?: AbortSignal;
  onWait?: RequestOptions['onWait'];
  onBytes?: (delta: number) => void;
  onFileDone?: (outcome: MediaOutcome) => void;
  backoffMs?: number;
}

const STOPPING_CODES = new Set(['DISK', 'CANCELLED', 'UNREACHABLE', 'TIMEOUT', 'SERVER', 'RATE_LIMITED', 'UNAUTHORIZED', 'NO_PROFILE']);

export async function downloadAllRecordings(opts: DownloadAllOptions): Promise<MediaOutcome[]> {
  const limit = createLimit(opts.concurrency);
  const local = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, local.signal]) : local.signal;
  let stopError: unknown = null;
  const outcomes = await Promise.all(
    opts.jobs.map((job) =>
      limit(async (): Promise<MediaOutcome> => {
        if (stopError !== null) return { relativePath: job.relativePath, status: 'failed', bytes: 0 };
        const file = path.join(opts.root, ...job.relativePath.split('/'));
        try {
          signal.throwIfAborted();
          await mkdir(path.dirname(file), { recursive: true });
          const r = await downloadRecordingFile({
            links: opts.links,
            recording: job.recording,
            fileInfo: job.file,
            ...(job.context ? { context: job.context } : {}),
            file,
            mediaGet: opts.mediaGet,
            clock: opts.clock,
            signal,
            onWait: opts.onWait,
            onBytes: opts.onBytes,
            backoffMs: opts.backoffMs,
          });
          const outcome: MediaOutcome = { relativePath: job.relativePath, status: r.status, bytes: r.bytes };
          opts.onFileDone?.(outcome);
          return outcome;
        } catch (e) {
          const info = toErrorInfo(e);
          if (signal.aborted || STOPPING_CODES.has(info.code) || (e as { code?: string })?.code?.startsWith?.('E')) {
            if (stopError === null) {
              stopError = e;
              local.abort(e);
            }
            return { relativePath: job.relativePath, status: 'failed', bytes: 0, error: info };
          }
          const outcome: MediaOutcome = { relativePath: job.relativePath, status: 'failed', bytes: 0, error: info };
          opts.onFileDone?.(outcome);
          return outcome;
        }
      }),
    ),
  );
  if (stopError !== null) throw opts.signal?.aborted ? (opts.signal.reason ?? stopError) : stopError;
  return outcomes;
}
