// Raw API pages on disk, one file per page, named by offset. A page file only ever appears
// complete (written under a temporary name, then renamed), so the set of page files *is* the
// per-stream checkpoint: after a crash the fetcher skips every page already on disk.
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Page } from '../../sources/source';

export interface StreamPages {
  readonly dir: string;
  /** The saved page at this offset, or null when absent or unreadable (then it is fetched again). */
  read(offset: number): Promise<Page | null>;
  write(page: Page): Promise<void>;
  /** Offsets of the pages on disk, ascending. */
  offsets(): Promise<number[]>;
}

export interface PageStore {
  readonly dir: string;
  stream(key: string): StreamPages;
}

let tmpCounter = 0;

/** Writes a file atomically: a reader sees either nothing or the whole content. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${file}.${process.pid}.${++tmpCounter}.tmp`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => {});
    throw e;
  }
}

/** Directory name for a stream key: readable prefix plus a hash, safe on every file system. */
export function streamDirName(key: string): string {
  const readable = key.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 40);
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 16);
  return `${readable}-${hash}`;
}

const pageFile = (offset: number) => `${String(offset).padStart(12, '0')}.json`;

export function createPageStore(dir: string): PageStore {
  return {
    dir,
    stream(key: string): StreamPages {
      const streamDir = path.join(dir, streamDirName(key));
      let made: Promise<unknown> | null = null;
      const ensureDir = () => (made ??= mkdir(streamDir, { recursive: true }));
      return {
        dir: streamDir,
        async read(offset) {
          let text: string;
          try {
            text = await readFile(path.join(streamDir, pageFile(offset)), 'utf8');
          } catch (e) {
            if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
            throw e;
          }
          try {
            const page = JSON.parse(text) as Page;
            return Array.isArray(page.records) && page.offset === offset ? page : null;
          } catch {
            return null; // torn by a power loss: fetch it again
          }
        },
        async write(page) {
          await ensureDir();
          await writeFileAtomic(path.join(streamDir, pageFile(page.offset)), JSON.stringify(page));
        },
        async offsets() {
          let names: string[];
          try {
            names = await readdir(streamDir);
          } catch (e) {
            if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
            throw e;
          }
          return names
            .filter((n) => /^\d{12}\.json$/.test(n))
            .map((n) => Number(n.slice(0, 12)))
            .sort((a, b) => a - b);
        },
      };
    },
  };
}

const YIELD_EVERY = 100;

/** The next offset after a page, following nextOffset (not total), or null at the end. */
export function nextOffsetOf(page: Page): number | null {
  if (!page.hasMore) return null;
  const next = page.nextOffset ?? page.offset + page.records.length;
  return next > page.offset ? next : null;
}

/**
 * Records of a stream in server order, walking the page chain from offset 0 and dropping
 * records already seen on the previous page (offsets shift when the server inserts mid-run).
 * Only one page is in memory at a time.
 */
export async function* readStreamRecords(pages: StreamPages, idField: string): AsyncGenerator<Record<string, unknown>> {
  let offset: number | null = 0;
  let previousIds = new Set<unknown>();
  let sinceYield = 0;
  while (offset !== null) {
    const page = await pages.read(offset);
    if (!page) throw new Error(`Saved page at offset ${offset} is missing from ${pages.dir}.`);
    const ids = new Set<unknown>();
    for (const r of page.records) {
      const id = r[idField];
      if (id !== undefined && id !== null) {
        if (previousIds.has(id) || ids.has(id)) continue;
        ids.add(id);
      }
      // Consumers convert records synchronously; give the event loop a turn every so often
      // (this runs in Electron's main process: the UI must stay responsive).
      if (++sinceYield >= YIELD_EVERY) {
        sinceYield = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      yield r;
    }
    previousIds = ids;
    offset = nextOffsetOf(page);
  }
}
