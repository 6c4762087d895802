// Output text files written under `<name>.part` and renamed when complete, so nothing that looks
// finished is ever half-written. A pool keeps thousands of logical files (one per participant) with
// only a bounded number of OS handles open: least-recently-used handles are flushed and closed and
// reopened in append mode when needed, so large split exports never hit EMFILE.
import { createHash, type Hash } from 'node:crypto';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

export const PART_SUFFIX = '.part';

export interface FileResult {
  bytes: number;
  sha256: string;
}

export interface PooledFile {
  readonly path: string;
  /** Bytes written so far (text still buffered is not counted yet). */
  readonly bytes: number;
}

export interface TextFilePool {
  /** A logical file at this final path (created empty on first flush; `.part` until finish). */
  file(finalPath: string): PooledFile;
  /**
   * Buffers text for the file; flushes it when its buffer or the pool's total grows large. Returns
   * a promise only when it writes: a caller in a hot loop awaits only then (backpressure).
   */
  append(file: PooledFile, text: string): Promise<void> | void;
  /** Flushes, fsyncs, closes and renames every file into place. */
  finish(): Promise<Map<string, FileResult>>;
  /** Closes every handle and removes every `.part` file this pool created. */
  abort(): Promise<void>;
}

export interface PoolOptions {
  /** Open file handles at most (default 32). */
  maxOpen?: number;
  /** Per-file buffer: text is written in chunks of about this many bytes (default 64 KiB). */
  fileBufferBytes?: number;
  /** All buffers together before everything is flushed (default 8 MiB; text not yet encoded counts per character). */
  totalBufferBytes?: number;
  /** Bytes handed to the disk but not yet written, before append waits for the disk (default 4 MiB). */
  maxQueuedBytes?: number;
  /** fsync each file before the rename (default true). */
  fsync?: boolean;
}

/**
 * Appended text is gathered per file in a short string, then encoded once it is this long
 * (characters). Short-lived strings stay cheap for the garbage collector even when thousands of
 * split files are being filled at once; the encoded bytes live outside the JS heap.
 */
const TEXT_BATCH_CHARS = 4096;
/** Files synced and renamed at once when the pool finishes. */
const FINISH_CONCURRENCY = 8;

class FileState implements PooledFile {
  readonly partPath: string;
  bytes = 0;
  /** Text not encoded yet; only whole appends, so a surrogate pair is never split between encodings. */
  text = '';
  /** Encoded bytes not written yet, `used` of them. */
  encoded: Buffer[] = [];
  used = 0;
  handle: FileHandle | null = null;
  created = false;
  readonly hash: Hash = createHash('sha256');
  constructor(readonly path: string) {
    this.partPath = path + PART_SUFFIX;
  }
}

export function createTextFilePool(opts: PoolOptions = {}): TextFilePool {
  const maxOpen = Math.max(1, opts.maxOpen ?? 32);
  const fileBuffer = Math.max(1, opts.fileBufferBytes ?? 64 * 1024);
  const totalBuffer = opts.totalBufferBytes ?? 8 * 1024 * 1024;
  const textBatch = Math.min(TEXT_BATCH_CHARS, fileBuffer);
  const files = new Map<string, FileState>();
  // Open handles in least-recently-used order (Map keeps insertion order; re-insert on use).
  const open_ = new Map<string, FileState>();
  const dirsMade = new Set<string>();
  /** Encoded bytes plus characters of text not yet encoded, over all files. */
  let buffered = 0;

  // Disk work runs in one ordered queue while the caller goes on encoding: writes overlap the
  // CPU work instead of stalling it. Appends wait only once more than maxQueued bytes are queued.
  const maxQueued = opts.maxQueuedBytes ?? 4 * 1024 * 1024;
  let queue: Promise<void> = Promise.resolve();
  const queued: Array<{ done: Promise<void>; bytes: number }> = [];
  let queuedBytes = 0;
  /** The first disk error: every later call fails with it, and nothing queued after it runs. */
  let failure: { error: unknown } | null = null;

  const failed = (): Promise<never> => Promise.reject(failure!.error);

  function enqueue(op: () => Promise<void>, bytes: number): Promise<void> | void {
    queue = queue.then(() => (failure ? undefined : op())).catch((error: unknown) => {
      failure ??= { error };
    });
    queued.push({ done: queue, bytes });
    queuedBytes += bytes;
    if (queuedBytes > maxQueued) return drainTo(maxQueued);
  }

  /** Waits until at most `limit` bytes are queued, then reports a disk error if there was one. */
  async function drainTo(limit: number): Promise<void> {
    while (queued.length && queuedBytes > limit) {
      const first = queued[0];
      await first.done;
      // Another waiter may have removed it already.
      if (queued[0] === first) {
        queued.shift();
        queuedBytes -= first.bytes;
      }
    }
    if (limit === 0) await queue;
    if (failure) throw failure.error;
  }

  async function ensureOpen(f: FileState): Promise<FileHandle> {
    if (f.handle) {
      open_.delete(f.path);
      open_.set(f.path, f);
      return f.handle;
    }
    while (open_.size >= maxOpen) {
      const [, oldest] = open_.entries().next().value as [string, FileState];
      open_.delete(oldest.path);
      const h = oldest.handle;
      oldest.handle = null;
      await h?.close();
    }
    f.handle = await openPart(f);
    open_.set(f.path, f);
    return f.handle;
  }

  /** Opens the file's `.part`: created (or emptied) the first time, appended to after. */
  async function openPart(f: FileState): Promise<FileHandle> {
    const dir = path.dirname(f.partPath);
    if (!dirsMade.has(dir)) {
      await mkdir(dir, { recursive: true });
      dirsMade.add(dir);
    }
    const h = await open(f.partPath, f.created ? 'a' : 'w');
    f.created = true;
    return h;
  }

  function encodeText(f: FileState): void {
    const buf = Buffer.from(f.text, 'utf8');
    f.encoded.push(buf);
    buffered += buf.length - f.text.length;
    f.used += buf.length;
    f.text = '';
  }

  /** Queues the write of everything buffered for the file, hashing exactly the bytes written. */
  function flush(f: FileState): Promise<void> | void {
    if (failure) return failed();
    if (f.text) encodeText(f);
    if (f.used === 0) return;
    const buf = f.encoded.length === 1 ? f.encoded[0] : Buffer.concat(f.encoded, f.used);
    buffered -= f.used;
    f.encoded = [];
    f.used = 0;
    f.hash.update(buf);
    f.bytes += buf.length;
    return enqueue(async () => {
      const h = await ensureOpen(f);
      for (let done = 0; done < buf.length; ) done += (await h.write(buf, done, buf.length - done)).bytesWritten;
    }, buf.length);
  }

  async function flushAll(): Promise<void> {
    // Open handles first: cheapest, and keeps the LRU from thrashing.
    const order = [...files.values()].sort((a, b) => Number(!!b.handle) - Number(!!a.handle));
    for (const f of order) if (f.used || f.text) await flush(f);
  }

  return {
    file(finalPath) {
      let f = files.get(finalPath);
      if (!f) {
        f = new FileState(finalPath);
        files.set(finalPath, f);
      }
      return f;
    },
    append(file, text) {
      const f = file as FileState;
      if (failure) return failed();
      if (!text) return;
      f.text += text;
      buffered += text.length;
      if (f.text.length >= textBatch) {
        encodeText(f);
        if (f.used >= fileBuffer) return flush(f);
      }
      if (buffered >= totalBuffer) return flushAll();
    },
    async finish() {
      for (const f of files.values()) await flush(f);
      await drainTo(0);
      // Every file is now whole on disk: sync, close and rename them a few at a time, so the
      // disk's round trips overlap instead of adding up. A handle still open is used as it is.
      const list = [...files.values()];
      let next = 0;
      const worker = async () => {
        while (next < list.length) {
          const f = list[next++];
          let h = f.handle;
          if (h) {
            open_.delete(f.path);
            f.handle = null;
          } else h = await openPart(f); // also creates a file that got no text at all (an empty NDJSON table)
          try {
            if (opts.fsync !== false) await h.datasync();
          } finally {
            await h.close();
          }
          await rename(f.partPath, f.path);
        }
      };
      const settled = await Promise.allSettled(Array.from({ length: Math.min(FINISH_CONCURRENCY, list.length) }, worker));
      const failedWorker = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failedWorker) throw failedWorker.reason;
      return new Map(list.map((f): [string, FileResult] => [f.path, { bytes: f.bytes, sha256: f.hash.digest('hex') }]));
    },
    async abort() {
      await queue; // never rejects: errors are kept in `failure`
      for (const f of files.values()) {
        const h = f.handle;
        f.handle = null;
        await h?.close().catch(() => {});
        if (f.created) await rm(f.partPath, { force: true }).catch(() => {});
      }
      open_.clear();
    },
  };
}

export interface AtomicTextFile {
  write(text: string): Promise<void> | void;
  commit(): Promise<FileResult>;
  abort(): Promise<void>;
}

/** A single text file written to `<path>.part` and renamed on commit. */
export async function openAtomicTextFile(finalPath: string, opts: PoolOptions = {}): Promise<AtomicTextFile> {
  const pool = createTextFilePool({ ...opts, maxOpen: 1 });
  const f = pool.file(finalPath);
  return {
    write: (text) => pool.append(f, text),
    async commit() {
      const r = await pool.finish();
      return r.get(finalPath)!;
    },
    abort: () => pool.abort(),
  };
}
