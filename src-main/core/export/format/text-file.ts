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
  /** Bytes appended so far (written or buffered). */
  readonly bytes: number;
}

export interface TextFilePool {
  /** A logical file at this final path (created empty on first flush; `.part` until finish). */
  file(finalPath: string): PooledFile;
  /** Buffers text for the file; flushes it when its buffer or the pool's total grows large. */
  append(file: PooledFile, text: string): Promise<void>;
  /** Flushes, fsyncs, closes and renames every file into place. */
  finish(): Promise<Map<string, FileResult>>;
  /** Closes every handle and removes every `.part` file this pool created. */
  abort(): Promise<void>;
}

export interface PoolOptions {
  /** Open file handles at most (default 32). */
  maxOpen?: number;
  /** Per-file buffer before a write (default 64 KiB). */
  fileBufferBytes?: number;
  /** All buffers together before everything is flushed (default 8 MiB). */
  totalBufferBytes?: number;
  /** fsync each file before the rename (default true). */
  fsync?: boolean;
}

class FileState implements PooledFile {
  readonly partPath: string;
  bytes = 0;
  pending: string[] = [];
  pendingBytes = 0;
  handle: FileHandle | null = null;
  created = false;
  readonly hash: Hash = createHash('sha256');
  constructor(readonly path: string) {
    this.partPath = path + PART_SUFFIX;
  }
}

export function createTextFilePool(opts: PoolOptions = {}): TextFilePool {
  const maxOpen = Math.max(1, opts.maxOpen ?? 32);
  const fileBuffer = opts.fileBufferBytes ?? 64 * 1024;
  const totalBuffer = opts.totalBufferBytes ?? 8 * 1024 * 1024;
  const files = new Map<string, FileState>();
  // Open handles in least-recently-used order (Map keeps insertion order; re-insert on use).
  const open_ = new Map<string, FileState>();
  const dirsMade = new Set<string>();
  let totalPending = 0;

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
    const dir = path.dirname(f.partPath);
    if (!dirsMade.has(dir)) {
      await mkdir(dir, { recursive: true });
      dirsMade.add(dir);
    }
    f.handle = await open(f.partPath, f.created ? 'a' : 'w');
    f.created = true;
    open_.set(f.path, f);
    return f.handle;
  }

  async function flush(f: FileState): Promise<void> {
    if (f.pending.length === 0 && f.created) return;
    const buf = Buffer.from(f.pending.join(''), 'utf8');
    totalPending -= f.pendingBytes;
    f.pending = [];
    f.pendingBytes = 0;
    const h = await ensureOpen(f);
    if (buf.length) {
      f.hash.update(buf);
      await h.write(buf, 0, buf.length);
    }
  }

  async function flushAll(): Promise<void> {
    // Open handles first: cheapest, and keeps the LRU from thrashing.
    const order = [...files.values()].sort((a, b) => Number(!!b.handle) - Number(!!a.handle));
    for (const f of order) if (f.pendingBytes) await flush(f);
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
    async append(file, text) {
      const f = file as FileState;
      if (!text) return;
      const n = Buffer.byteLength(text, 'utf8');
      f.pending.push(text);
      f.pendingBytes += n;
      f.bytes += n;
      totalPending += n;
      if (f.pendingBytes >= fileBuffer) await flush(f);
      else if (totalPending >= totalBuffer) await flushAll();
    },
    async finish() {
      const results = new Map<string, FileResult>();
      for (const f of files.values()) {
        await flush(f);
        const h = await ensureOpen(f);
        if (opts.fsync !== false) await h.datasync();
        open_.delete(f.path);
        f.handle = null;
        await h.close();
        await rename(f.partPath, f.path);
        results.set(f.path, { bytes: f.bytes, sha256: f.hash.digest('hex') });
      }
      return results;
    },
    async abort() {
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
  write(text: string): Promise<void>;
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
