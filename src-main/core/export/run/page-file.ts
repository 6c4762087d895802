// The bytes of a saved page: a first line with the page's fields and its record count, then its
// records, up to RECORDS_PER_LINE per line, each line a JSON array. Neither writing nor reading
// makes a string of the whole page, and a reader can take the records a line at a time, so they
// die young: V8 keeps strings over ~128 KiB until a full collection, and objects that outlive two
// young collections are copied to the old generation, and a run writes and reads hundreds of
// pages (that held ~100 MB). Files of earlier versions (one JSON document) are still read.
import type { Page } from '../../sources/source';

/** Records per line: a line stays a short-lived string when read back. */
const RECORDS_PER_LINE = 64;
const NL = 0x0a;

/** A page without its records, and how many it has. */
export type PageHead = Omit<Page, 'records'> & { recordCount: number };

export function pageBytes(page: Page): Buffer {
  const { records, ...rest } = page;
  const head: PageHead = { ...rest, recordCount: records.length };
  const lines: Buffer[] = [Buffer.from(JSON.stringify(head) + '\n')];
  for (let i = 0; i < records.length; i += RECORDS_PER_LINE) lines.push(Buffer.from(JSON.stringify(records.slice(i, i + RECORDS_PER_LINE)) + '\n'));
  return Buffer.concat(lines);
}

/** A page file read lazily: its head now, its records line by line (a line that is not JSON throws). */
export interface PageLines {
  head: PageHead;
  lines(): Iterable<Page['records']>;
}

/**
 * The head and lines of a page file, or null when the file is not a whole page (torn by a power
 * loss: too few lines, or no line break at the end). Throws when the head is not JSON.
 */
export function pageLines(bytes: Buffer): PageLines | null {
  const headEnd = bytes.indexOf(NL);
  // One JSON document: JSON text never holds a raw line break.
  if (headEnd === -1) {
    const { records, ...rest } = JSON.parse(bytes.toString('utf8')) as Page;
    if (!Array.isArray(records)) return null;
    return { head: { ...rest, recordCount: records.length }, lines: () => [records] };
  }
  const head = JSON.parse(bytes.toString('utf8', 0, headEnd)) as PageHead;
  if (typeof head.recordCount !== 'number' || bytes[bytes.length - 1] !== NL) return null;
  let lineCount = 0;
  for (let at = bytes.indexOf(NL, headEnd + 1); at !== -1; at = bytes.indexOf(NL, at + 1)) lineCount++;
  if (lineCount !== Math.ceil(head.recordCount / RECORDS_PER_LINE)) return null;
  return {
    head,
    *lines() {
      for (let start = headEnd + 1, end = bytes.indexOf(NL, start); end !== -1; start = end + 1, end = bytes.indexOf(NL, start)) {
        yield JSON.parse(bytes.toString('utf8', start, end)) as Page['records'];
      }
    },
  };
}

/** The whole page of a page file, or null when it is not a whole page. Throws on bad JSON. */
export function parsePage(bytes: Buffer): Page | null {
  const found = pageLines(bytes);
  if (!found) return null;
  const { recordCount, ...rest } = found.head;
  const records: Page['records'] = [];
  for (const line of found.lines()) for (const r of line) records.push(r);
  return records.length === recordCount ? { ...rest, records } : null;
}
