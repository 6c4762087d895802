// NDJSON: one JSON record per line, "\n"-terminated; an empty type is an empty file.
import { stringifyRecord } from './json';
import { openAtomicTextFile, type FileResult } from './text-file';

export function ndjsonLine(record: unknown): string {
  return stringifyRecord(record) + '\n';
}

/** Writes records as NDJSON to `<path>.part`, then renames it to `path`. */
export async function writeNdjsonFile(
  path: string,
  records: Iterable<unknown> | AsyncIterable<unknown>,
): Promise<FileResult & { records: number }> {
  const file = await openAtomicTextFile(path);
  try {
    let n = 0;
    for await (const r of records) {
      await file.write(ndjsonLine(r));
      n++;
    }
    return { ...(await file.commit()), records: n };
  } catch (e) {
    await file.abort();
    throw e;
  }
}
