// Raw API pages on disk, one file per page, named by offset. A page file only ever appears
// complete (written under a temporary name, then renamed), so the set of page files *is* the
// per-stream checkpoint: after a crash the fetcher skips every page already on disk.
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Page } from '../../sources/source';
import { pageBytes, pageLines, parsePage, type PageLines } from './page-file';

export interface StreamPages {
  readonly dir: string;
  /** The saved page at this offset, or null when absent or unreadable (then it is fetched again). */
  read(offset: number): Promise<Page | null>;
  /** The saved page at this offset to read a line of records at a time, or null when absent or torn. */
  readLines(offset: number): Promise<PageLines | null>;
  /** Saves the page (its text is made at once, so the caller may drop the page while it is written). */
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
      const readBytes = async (offset: number): Promise<Buffer | null> => {
        try {
          return await readFile(path.join(streamDir, pageFile(offset)));
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
          throw e;
        }
      };
      return {
        dir: streamDir,
        async read(offset) {
          const bytes = await readBytes(offset);
          try {
            const page = bytes && parsePage(bytes);
            return page && page.offset === offset ? page : null;
          } catch {
            return null; // torn by a power loss: fetch it again
          }
        },
        async readLines(offset) {
          const bytes = await readBytes(offset);
          try {
            const found = bytes && pageLines(bytes);
            return found && found.head.offset === offset ? found : null;
          } catch {
            return null;
          }
        },
        write(page) {
          // Bytes first, then the disk: not an async function, which would keep `page` (a parameter)
          // alive while it waits.
          const bytes = pageBytes(page);
          const file = path.join(streamDir, pageFile(page.offset));
          return ensureDir().then(() => writeFileAtomic(file, bytes));
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

/** The next offset after a page, following nextOffset (not total), or null at the end. */
export function nextOffsetOf(page: Page): number | null {
  return nextOffsetAfter(page, page.records.length);
}

function nextOffsetAfter(page: Pick<Page, 'offset' | 'hasMore' | 'nextOffset'>, recordCount: number): number | null {
  if (!page.hasMore) return null;
  const next = page.nextOffset ?? page.offset + recordCount;
  return next > page.offset ? next : null;
}

/** The records of a stream in server order, one at a time (readStreamPages, flattened). */
export async function* readStreamRecords(pages: StreamPages, idField: string): AsyncGenerator<Record<string, unknown>> {
  for await (const batch of readStreamPages(pages, idField)) yield* batch;
}

/**
 * The records of a stream in server order, a line of a page file at a time, walking the page chain
 * from offset 0 and dropping records already seen on the previous page (offsets shift when the
 * server inserts mid-run). One page's bytes are in memory at a time, and one line's records: they
 * die young. Reading each page gives the event loop its turns.
 */
export async function* readStreamPages(pages: StreamPages, idField: string): AsyncGenerator<Array<Record<string, unknown>>> {
  let offset: number | null = 0;
  let previousIds = new Set<unknown>();
  while (offset !== null) {
    const found = await pages.readLines(offset);
    if (!found) throw new Error(`Saved page at offset ${offset} is missing from ${pages.dir}.`);
    const ids = new Set<unknown>();
    let count = 0;
    const damaged = () => new Error(`Saved page at offset ${offset} in ${pages.dir} is damaged.`);
    try {
      // (A consumer's error does not come back here: an async generator is only returned from.)
      for (const line of found.lines()) {
        count += line.length;
        const fresh = line.filter((r) => {
          const id = r[idField];
          if (id === undefined || id === null) return true;
          if (previousIds.has(id) || ids.has(id)) return false;
          ids.add(id);
          return true;
        });
        if (fresh.length) yield fresh;
      }
    } catch {
      throw damaged(); // a line that is not JSON
    }
    if (count !== found.head.recordCount) throw damaged();
    previousIds = ids;
    offset = nextOffsetAfter(found.head, count);
  }
}
