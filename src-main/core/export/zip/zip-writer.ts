// Streams a finished export folder into one ZIP with yazl (ZIP64 switches on automatically past
// 4 GiB or 65,535 entries). Deterministic: entries in sorted order with a fixed time and mode, so
// the same tree gives the same bytes. Input files are opened one at a time as the archive reaches
// them and entries are queued a few at a time, so memory and open handles stay bounded.
// The archive is written to `<outPath>.part`, fsync'd, and renamed only once it is complete.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { compareCodePoints } from '../naming';
import { useNativeCrc32ForYazl } from './native-crc32';

/** Extensions stored without compression (already compressed media and archives). */
export const DEFAULT_STORE_EXTENSIONS: readonly string[] = ['mp4', 'webm', 'mkv', 'mov', 'm4a', 'mp3', 'ogg', 'oga', 'opus', 'wav', 'flac', 'aac', 'jpg', 'jpeg', 'png', 'gif', 'webp', 'zip', 'gz', 'zst', 'bz2', 'xz', '7z'];

/** Default entry time: the earliest a ZIP (DOS) timestamp can hold. */
export const DEFAULT_ZIP_MTIME = new Date(Date.UTC(1980, 0, 1, 0, 0, 0));

export interface ZipFromDirOptions {
  sourceDir: string;
  outPath: string;
  /** Folder name inside the ZIP that holds everything (default: none, files at the top). */
  rootName?: string;
  /** Extensions (no dot, case-insensitive) stored as-is; everything else is deflated. */
  storeExtensions?: readonly string[];
  /** Entry time for every file (default 1980-01-01). Its UTC wall-clock time is stored, so the archive is the same in every time zone. */
  mtime?: Date;
  /** Deflate level for text (default 6). */
  compressionLevel?: number;
  signal?: AbortSignal;
  onProgress?(bytesWritten: number, entriesDone: number, entriesTotal: number): void;
  /** Files to leave out, by path relative to sourceDir with "/" (e.g. a job's own scratch files). */
  exclude?: (relPath: string) => boolean;
}

export interface ZipResult {
  bytes: number;
  entries: number;
  sha256: string;
}

interface SourceFile {
  rel: string;
  abs: string;
  size: number;
}

/** Every regular file under dir, by relative path with "/", in a deterministic order. */
export async function listFilesSorted(dir: string, exclude?: (rel: string) => boolean): Promise<SourceFile[]> {
  const out: SourceFile[] = [];
  async function walk(abs: string, rel: string): Promise<void> {
    const entries = await readdir(abs, { withFileTypes: true });
    entries.sort((a, b) => compareCodePoints(a.name, b.name));
    // Sizes of a folder's files are read in parallel; subfolders are walked in order.
    const sized = new Map<string, Promise<number>>();
    for (const e of entries) {
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      if (e.isFile() && !exclude?.(childRel)) sized.set(e.name, stat(path.join(abs, e.name)).then((s) => s.size));
    }
    for (const e of entries) {
      const childAbs = path.join(abs, e.name);
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(childAbs, childRel);
      else if (sized.has(e.name)) out.push({ rel: childRel, abs: childAbs, size: await sized.get(e.name)! });
    }
  }
  await walk(dir, '');
  return out;
}

function abortError(signal: AbortSignal): Error {
  if (signal.reason instanceof Error) return signal.reason;
  const e = new Error('The operation was aborted.');
  e.name = 'AbortError';
  return e;
}

/** The UTC wall-clock time of `d` as a local Date (yazl encodes DOS times in local time). */
function utcWallClockAsLocal(d: Date): Date {
  return new Date(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds());
}

/** Entries queued in yazl ahead of the one being written. */
const QUEUE_AHEAD = 32;
/** Files up to this size are read ahead into memory (at most QUEUE_AHEAD of them at once). */
const PREFETCH_MAX_BYTES = 64 * 1024;

/**
 * Zips `sourceDir` into `outPath`. Returns the archive size, entry count and SHA-256. On error or
 * abort the `.part` file is removed and nothing is left at `outPath`.
 */
export async function writeZipFromDir(opts: ZipFromDirOptions): Promise<ZipResult> {
  useNativeCrc32ForYazl();
  const { signal } = opts;
  if (signal?.aborted) throw abortError(signal);
  const partPath = `${opts.outPath}.part`;
  // The archive itself never goes into the archive, even when written inside sourceDir.
  const own = new Set([path.resolve(opts.outPath), path.resolve(partPath)]);
  const sourceRoot = path.resolve(opts.sourceDir);
  const exclude = (rel: string) => own.has(path.join(sourceRoot, ...rel.split('/'))) || !!opts.exclude?.(rel);
  const files = await listFilesSorted(opts.sourceDir, exclude);
  const store = new Set((opts.storeExtensions ?? DEFAULT_STORE_EXTENSIONS).map((e) => e.toLowerCase().replace(/^\./, '')));
  const mtime = utcWallClockAsLocal(opts.mtime ?? DEFAULT_ZIP_MTIME);
  const level = opts.compressionLevel ?? 6;
  const root = opts.rootName ? opts.rootName.replace(/\/+$/, '') + '/' : '';

  const zip = new yazl.ZipFile();
  let added = 0;
  let started = 0;
  let bytes = 0;
  const hash = createHash('sha256');
  const total = files.length;
  let zipError: Error | null = null;

  // yazl scans its whole entry list from the start on every step (O(n²) over 70k entries: minutes).
  // Entries before the one being written are finished, so we park them outside the list while
  // the archive is written and put them back, in order, before end() writes the central directory.
  const internals = zip as unknown as { entries?: unknown[] };
  const canCompact = Array.isArray(internals.entries);
  const parked: unknown[] = [];
  let ended = false;
  const compactDoneEntries = (current: number) => {
    if (!canCompact || ended) return;
    const finished = current - parked.length;
    if (finished > 0) for (const e of internals.entries!.splice(0, finished)) parked.push(e);
  };
  const restoreEntries = () => {
    if (canCompact && parked.length) internals.entries = parked.concat(internals.entries!);
    parked.length = 0;
  };

  const progress = () => opts.onProgress?.(bytes, Math.max(0, started - 1), total);

  const addNext = () => {
    while (added < total && added - started < QUEUE_AHEAD) {
      const k = added;
      const f = files[added++];
      const ext = path.extname(f.rel).slice(1).toLowerCase();
      const compress = level > 0 && !store.has(ext);
      // Small files are read ahead while earlier entries are written: opening files one by one,
      // each only when its turn comes, made many-small-file archives wait on file-open latency.
      let prefetch = f.size <= PREFETCH_MAX_BYTES ? readFile(f.abs) : null;
      prefetch?.catch(() => {}); // reported when its turn comes
      zip.addReadStreamLazy(
        root + f.rel,
        { mtime, mode: 0o100644, compress, ...(compress ? { compressionLevel: level } : {}), size: f.size, forceDosTimestamp: true },
        (cb) => {
          started++;
          compactDoneEntries(k);
          progress();
          addNext();
          if (prefetch) {
            // yazl keeps this callback until the archive ends: drop the buffer's last reference here.
            const pending = prefetch;
            prefetch = null;
            pending.then(
              (buf) => cb(null, Readable.from([buf], { objectMode: false })),
              (e) => zip.emit('error', e),
            );
            return;
          }
          const rs = createReadStream(f.abs);
          rs.on('error', (e) => zip.emit('error', e));
          cb(null, rs);
        },
      );
    }
    if (added === total && !ended) {
      ended = true;
      restoreEntries();
      zip.end();
    }
  };

  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      hash.update(chunk);
      cb(null, chunk);
    },
  });

  const onZipError = (e: Error) => {
    zipError = e;
    (zip.outputStream as unknown as { destroy(err: Error): void }).destroy(e);
  };
  zip.on('error', onZipError);

  try {
    addNext(); // also ends the archive at once when the folder is empty
    await pipeline(zip.outputStream, counter, createWriteStream(partPath), { signal });
    if (zipError) throw zipError;
    const fh = await open(partPath, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (signal?.aborted) throw abortError(signal);
    await rename(partPath, opts.outPath);
    opts.onProgress?.(bytes, total, total);
    return { bytes, entries: total, sha256: hash.digest('hex') };
  } catch (e) {
    await rm(partPath, { force: true }).catch(() => {});
    throw zipError ?? e;
  }
}
