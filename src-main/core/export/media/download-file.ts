// One recording to disk, resumably (performance-notes §3):
// get the signed URL just in time (mint it, or take the record's downloadUrl) → stream to
// `<file>.part` with backpressure → on a drop, resume with `Range: bytes=N-` + `If-Range: <strong
// ETag>` (N = the .part size) → on 401/403 (expired URL) get a fresh one (mint again, or list the
// recording's room again) and resume, a bounded number of times →
// verify size (and SHA-256 when the record has one) → fsync → rename atomically.
// The SHA-256 is computed inline while the bytes are written (hidden behind the network), and only
// re-read from disk when the inline hash cannot vouch for the whole file (a .part from an earlier
// run, a write error) or disagrees (so a "damaged" verdict always comes from the bytes on disk).
// Signed URLs are fetched without the API key: they are plain storage URLs. The GET itself is
// media-http.ts (slab reads at wire speed; it also explains why not fetch).
import { createReadStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { createHash, type Hash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { StudyError, isStudyError } from '../../../../src-shared/errors';
import { abortError, systemClock, type Clock } from '../../ports';
import type { MediaFile, RecordContext, RequestOptions, SourceMedia } from '../../sources/source';
import { isDiskFailure } from '../run/disk-errors';
import { isStrongEtag, readSidecar, removeSidecar, writeSidecar, type PartSidecar } from './sidecar';
import { nodeMediaGet, type MediaGet, type MediaResponse } from './media-http';

export interface DownloadFileOptions {
  /** Where a URL comes from: the first one (a mint, or the record's own signed link), and a fresh one after a 401/403. */
  links: Pick<SourceMedia, 'url' | 'freshUrl'>;
  recording: Record<string, unknown>;
  /** What the source says about the file: its id (names the checkpoint), expected size, SHA-256. */
  fileInfo: MediaFile;
  /** The record's context (HyperStudy: its room, listed again for a fresh link). */
  context?: RecordContext;
  /** Final path of the file; `.part` and `.part.json` live beside it. */
  file: string;
  /** GET for signed URLs (default nodeMediaGet, media-http.ts). */
  mediaGet?: MediaGet;
  clock?: Clock;
  signal?: AbortSignal;
  onWait?: RequestOptions['onWait'];
  /** Bytes written to disk (negative when a restart discards bytes). */
  onBytes?: (delta: number) => void;
  /** Fresh URLs after a 401/403 before giving up (default 3). */
  maxRemints?: number;
  /** Failed attempts in a row without progress before giving up (default 6). */
  maxStalls?: number;
  /** First backoff after a failed attempt, doubled per stall (default 500 ms). */
  backoffMs?: number;
}

export interface DownloadFileResult {
  status: 'downloaded' | 'skipped';
  bytes: number;
  /** Link requests spent: mints, or listings for a fresh link (each one is an API request). */
  mints: number;
  /** How the SHA-256 was checked when the record has one: hashed while writing, or re-read from disk. */
  checksumBy?: 'inline' | 'file';
}

async function sizeOf(file: string): Promise<number | null> {
  try {
    return (await stat(file)).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), hash);
  return hash.digest('hex');
}

/** `bytes S-E/T` → { start, total }. */
function parseContentRange(v: string | null): { start: number; total: number | null } | null {
  const m = v ? /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i.exec(v.trim()) : null;
  if (!m) return null;
  return { start: Number(m[1]), total: m[3] === '*' ? null : Number(m[3]) };
}

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

export async function downloadRecordingFile(opts: DownloadFileOptions): Promise<DownloadFileResult> {
  const get = opts.mediaGet ?? nodeMediaGet;
  const clock = opts.clock ?? systemClock;
  const { recording, file, signal } = opts;
  const part = `${file}.part`;
  const sidecarFile = `${part}.json`;
  const recordId = opts.fileInfo.id;
  const checksum = opts.fileInfo.sha256;
  let expected = opts.fileInfo.size;
  const maxRemints = opts.maxRemints ?? 3;
  const maxStalls = opts.maxStalls ?? 6;
  const backoffMs = opts.backoffMs ?? 500;

  // Already complete from an earlier run: skip without minting.
  const finalSize = await sizeOf(file);
  if (finalSize !== null && (expected === null || finalSize === expected)) {
    opts.onBytes?.(finalSize); // progress counts bytes on disk, including an earlier attempt's
    return { status: 'skipped', bytes: finalSize, mints: 0 };
  }
  if (finalSize !== null) await rm(file, { force: true });

  // A .part from a different object (or without its sidecar) cannot be trusted: start over.
  let sidecar: PartSidecar | null = await readSidecar(sidecarFile);
  if (!sidecar || sidecar.recordId !== recordId || (expected !== null && sidecar.expectedSize !== null && sidecar.expectedSize !== expected)) {
    await rm(part, { force: true });
    sidecar = { recordId, expectedSize: expected, etag: null, sha256: checksum };
    await writeSidecar(sidecarFile, sidecar);
  }
  if (expected === null) expected = sidecar.expectedSize;
  const onDisk = (await sizeOf(part)) ?? 0;
  if (onDisk) opts.onBytes?.(onDisk);

  let url: string | null = null;
  let refused = false; // a link was refused: the next one must be fresh
  let mints = 0;
  let remints = 0;
  let lastRemintAt = -1;
  let stalls = 0;
  let lastError: unknown = null;
  // SHA-256 of exactly the bytes written to the .part this call, in order; null once it cannot be.
  let inline: { hash: Hash; bytes: number } | null = null;
  let checksumBy: DownloadFileResult['checksumBy'];

  const restart = async () => {
    const had = (await sizeOf(part)) ?? 0;
    await rm(part, { force: true });
    if (had) opts.onBytes?.(-had);
  };
  const stall = async (e: unknown) => {
    lastError = e;
    if (++stalls > maxStalls) throw failure(e);
    await clock.sleep(Math.min(backoffMs * 2 ** (stalls - 1), 15_000), signal);
  };

  for (;;) {
    signal?.throwIfAborted();
    let have = (await sizeOf(part)) ?? 0;
    if (expected !== null && have > expected) {
      await restart();
      have = 0;
    }
    if (expected !== null && have === expected && have > 0) break; // all bytes on disk: verify below

    if (url === null) {
      // The first link may cost nothing (a downloadUrl from the listing); a fresh one costs a request.
      const ro = { signal, onWait: opts.onWait };
      const link = !refused ? await opts.links.url(recording, ro) : await opts.links.freshUrl(recording, { ...ro, ...(opts.context ? { context: opts.context } : {}) });
      url = link.url;
      mints += link.requests;
    }
    const headers: Record<string, string> = {};
    if (have > 0) {
      headers.Range = `bytes=${have}-`;
      if (isStrongEtag(sidecar.etag)) headers['If-Range'] = sidecar.etag;
    }
    let res: MediaResponse;
    try {
      res = await get(url, headers, signal);
    } catch (e) {
      if (signal?.aborted) throw signal.reason ?? abortError();
      if (isStudyError(e)) throw e; // refused on purpose (too many redirects, not http): no retry
      await stall(e);
      continue;
    }

    if (res.status === 401 || res.status === 403) {
      res.discard();
      url = null; // expired signed URL: get a fresh one and resume
      refused = true;
      // Only fresh links that brought no bytes count: a long file may outlive several links.
      const now = (await sizeOf(part)) ?? 0;
      if (now > lastRemintAt) remints = 0;
      lastRemintAt = now;
      if (++remints > maxRemints) {
        throw new StudyError({
          code: 'FORBIDDEN',
          status: res.status,
          message: `The storage server refused the recording ${recordId} even with a fresh link.`,
          fix: 'Check that your key may export recordings of this experiment, then retry.',
        });
      }
      continue;
    }
    if (res.status === 416) {
      res.discard();
      const cr = parseContentRange(res.header('content-range')?.replace(/^bytes\s+\*/, 'bytes 0-0') ?? null);
      if (cr?.total !== null && cr?.total === have && have > 0) {
        // Every byte the server holds is here, but fewer than the listing said: not a network fault.
        if (expected !== null && expected !== have) {
          throw new StudyError({
            code: 'BAD_RESPONSE',
            message: `The recording ${recordId} has ${have} bytes on the storage server, but its listing says ${expected}.`,
            fix: 'Retry later: the file may still be uploading. The bytes already downloaded are kept.',
          });
        }
        expected = have;
        break;
      }
      await restart();
      await stall(new Error('The storage server rejected the resume range.'));
      continue;
    }
    if (isRetryableStatus(res.status)) {
      res.discard();
      await stall(new StudyError({ code: 'SERVER', status: res.status, message: `The storage server answered ${res.status}.` }));
      continue;
    }
    if (res.status !== 200 && res.status !== 206) {
      res.discard();
      throw new StudyError({
        code: res.status === 404 ? 'NOT_FOUND' : 'BAD_RESPONSE',
        status: res.status,
        message: `The recording ${recordId} could not be downloaded (the storage server answered ${res.status}).`,
        fix: 'Retry later; if it keeps happening the file may have been removed.',
      });
    }

    let append = false;
    if (res.status === 206) {
      const cr = parseContentRange(res.header('content-range'));
      if (!cr || cr.start !== have) {
        // A range we did not ask for: discard and fetch the whole file.
        res.discard();
        await restart();
        continue;
      }
      if (cr.total !== null) expected ??= cr.total;
      append = true;
    } else {
      // 200: the whole object (no Range, or If-Range found it changed): start from zero.
      if (have > 0) opts.onBytes?.(-have); // saveTo truncates (no await here: the body is waiting)
      const len = Number(res.header('content-length'));
      if (expected === null && Number.isFinite(len) && len > 0) expected = len;
    }
    const etag = res.header('etag');
    const nextSidecar: PartSidecar = append
      ? { ...sidecar, expectedSize: expected }
      : { ...sidecar, etag: isStrongEtag(etag) ? etag : null, expectedSize: expected };
    const before = append ? have : 0;
    if (!checksum) inline = null;
    else if (!append) inline = { hash: createHash('sha256'), bytes: 0 };
    else if (inline && inline.bytes !== have) inline = null; // the .part holds bytes this hash never saw
    const hashing = inline;
    const onChunk = hashing
      ? (chunk: Buffer) => {
          hashing.hash.update(chunk);
          hashing.bytes += chunk.length;
        }
      : undefined;
    // Start saving at once (the body must not sit unread while we write the sidecar).
    const saving = res.saveTo(part, append, opts.onBytes, onChunk);
    saving.catch(() => {}); // handled below
    try {
      if (nextSidecar.etag !== sidecar.etag || nextSidecar.expectedSize !== sidecar.expectedSize) {
        sidecar = nextSidecar;
        await writeSidecar(sidecarFile, sidecar);
      }
      await saving;
    } catch (e) {
      if (signal?.aborted) throw signal.reason ?? abortError();
      if (isDiskFailure(e)) throw e;
      const now = (await sizeOf(part)) ?? 0;
      if (now > before) stalls = 0; // progress was made: a drop is not a stall
      await stall(e);
      continue;
    }
    const now = (await sizeOf(part)) ?? 0;
    if (expected === null) {
      expected = now;
      break;
    }
    if (now === expected) break;
    // Short (lying Content-Length, cut body) or long: resume or restart on the next turn.
    if (now > before) stalls = 0;
    await stall(new StudyError({ code: 'BAD_RESPONSE', message: `The download of ${recordId} ended at ${now} of ${expected} bytes.` }));
  }

  // Verify, make durable, publish.
  const size = (await sizeOf(part)) ?? 0;
  if (expected !== null && size !== expected) {
    throw failure(lastError ?? new Error(`size ${size} ≠ ${expected}`));
  }
  if (checksum) {
    checksumBy = inline !== null && inline.bytes === size && inline.hash.digest('hex') === checksum ? 'inline' : 'file';
    if (checksumBy === 'file' && (await sha256File(part)) !== checksum) {
      await restart();
      await removeSidecar(sidecarFile);
      throw new StudyError({
        code: 'BAD_RESPONSE',
        message: `The recording ${recordId} arrived damaged (its checksum does not match).`,
        fix: 'Retry the download; the damaged copy was discarded.',
      });
    }
  }
  const fh = await open(part, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(part, file);
  await removeSidecar(sidecarFile);
  return { status: 'downloaded', bytes: size, mints, ...(checksumBy ? { checksumBy } : {}) };

  function failure(e: unknown): unknown {
    if (isStudyError(e) || isDiskFailure(e)) return e;
    return new StudyError(
      { code: 'UNREACHABLE', message: `The recording ${recordId} could not be downloaded: the connection kept failing.`, fix: 'Check the network and retry; the bytes already downloaded are kept.' },
      { cause: e },
    );
  }
}
