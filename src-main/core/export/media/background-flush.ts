// Early writeback for a file being downloaded: every `everyBytes` received, ask the OS to write the
// file's dirty pages now (fdatasync on a second handle, never awaited on the hot path, at most one
// in flight), so the fsync before the atomic rename only waits for the tail instead of the whole
// file (measured on a 385 MiB download: the final fsync went from ~240 ms to ~10 ms, ~18 % of the
// wall time). Durability still comes from that final fsync; a failed early flush is ignored here
// because the final one reports it. Not on macOS, where libuv's fdatasync is F_FULLFSYNC (a
// drive-cache flush each time), which would cost more than it saves.
import { open, type FileHandle } from 'node:fs/promises';

export interface BackgroundFlush {
  /** Counts bytes handed to the file; starts a flush each time `everyBytes` have accumulated. */
  wrote(n: number): void;
  /** Waits for the flush in flight (if any) and closes the second handle. Never rejects. */
  close(): Promise<void>;
}

const NONE: BackgroundFlush = { wrote: () => {}, close: async () => {} };

export function backgroundFlush(file: string, everyBytes = 32 << 20, platform = process.platform): BackgroundFlush {
  if (platform === 'darwin' || !(everyBytes > 0)) return NONE;
  let pending = 0;
  let closed = false;
  let handle: Promise<FileHandle | null> | null = null;
  let inFlight: Promise<void> | null = null;
  return {
    wrote(n) {
      pending += n;
      if (closed || inFlight || pending < everyBytes) return;
      pending = 0;
      // 'r+' (not 'r'): Windows only flushes through a handle with write access. Never truncates.
      handle ??= open(file, 'r+').catch(() => null);
      inFlight = handle
        .then((h) => h?.datasync())
        .catch(() => {})
        .finally(() => {
          inFlight = null;
        });
    },
    async close() {
      closed = true;
      await inFlight;
      const h = await handle;
      await h?.close().catch(() => {});
    },
  };
}
