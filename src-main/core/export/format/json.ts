// One JSON array per file, streamed record by record: "[\n", records joined by ",\n", "\n]\n".
// The whole array is never built in memory. Records stay nested, exactly as the API sent them
// (after anonymization), so JSON is the lossless format.
import { openAtomicTextFile, type FileResult } from './text-file';

const HAS_LINE_SEPARATOR = /[\u2028\u2029]/;
const LINE_SEPARATORS = /[\u2028\u2029]/g;

/**
 * JSON.stringify, with U+2028/U+2029 escaped: still the same JSON value, but line-based readers
 * (Python's splitlines, some NDJSON tools) no longer see a line break inside a record.
 */
export function stringifyRecord(record: unknown): string {
  const text = JSON.stringify(record) ?? 'null';
  return HAS_LINE_SEPARATOR.test(text) ? text.replace(LINE_SEPARATORS, (c) => (c === '\u2028' ? '\\u2028' : '\\u2029')) : text;
}

/** Text that opens the array. */
export const JSON_ARRAY_OPEN = '[';

/** Text for the record at `index` (0-based), including the separator before it. */
export function jsonArrayItem(record: unknown, index: number): string {
  return (index === 0 ? '\n' : ',\n') + stringifyRecord(record);
}

/** Text that closes an array of `count` records: an empty array is "[]\n". */
export function jsonArrayClose(count: number): string {
  return count === 0 ? ']\n' : '\n]\n';
}

/** Writes records as one JSON array to `<path>.part`, then renames it to `path`. */
export async function writeJsonArrayFile(
  path: string,
  records: Iterable<unknown> | AsyncIterable<unknown>,
): Promise<FileResult & { records: number }> {
  const file = await openAtomicTextFile(path);
  try {
    await file.write(JSON_ARRAY_OPEN);
    let n = 0;
    for await (const r of records) await file.write(jsonArrayItem(r, n++));
    await file.write(jsonArrayClose(n));
    return { ...(await file.commit()), records: n };
  } catch (e) {
    await file.abort();
    throw e;
  }
}

/** Writes one JSON value, pretty-printed, atomically (experiment.json, metadata.json). */
export async function writeJsonValueFile(path: string, value: unknown): Promise<FileResult> {
  const file = await openAtomicTextFile(path);
  try {
    await file.write(JSON.stringify(value, null, 2) + '\n');
    return await file.commit();
  } catch (e) {
    await file.abort();
    throw e;
  }
}
