// RFC 4180 CSV encoding: CRLF between records, fields with , " CR or LF quoted, quotes doubled,
// the same number of fields on every row. UTF-8, optionally with a BOM so Excel detects the encoding.
import type { FlatRow, FlatValue } from './flatten';
import { openAtomicTextFile, type AtomicTextFile } from './text-file';

export const UTF8_BOM = '\ufeff';
export const CRLF = '\r\n';

export interface CsvOptions {
  /** Start the file with a UTF-8 BOM (Excel needs it to read UTF-8). Default true. */
  bom?: boolean;
  /** Prefix text cells that Excel would run as a formula (= + - @ tab CR) with a single quote. */
  formulaProtection?: boolean;
}

const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA_START = /^[=+\-@\t\r]/;

/** Encodes one cell. Numbers and booleans are never formula-protected: -3.5 stays -3.5. */
export function csvCell(value: FlatValue | undefined, formulaProtection = false): string {
  if (value === null || value === undefined) return '';
  let s: string;
  if (typeof value === 'number') s = Number.isFinite(value) ? String(value) : '';
  else if (typeof value === 'boolean') s = value ? 'true' : 'false';
  else {
    s = value;
    if (formulaProtection && FORMULA_START.test(s)) s = `'${s}`;
  }
  return NEEDS_QUOTES.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** One CSV record including its CRLF terminator. */
export function csvLine(values: ReadonlyArray<FlatValue | undefined>, formulaProtection = false): string {
  let line = '';
  for (let i = 0; i < values.length; i++) line += (i ? ',' : '') + csvCell(values[i], formulaProtection);
  return line + CRLF;
}

/** The header line (with the BOM first when asked for). Header names are text like any other cell. */
export function csvHeader(columns: readonly string[], opts: CsvOptions = {}): string {
  return (opts.bom !== false ? UTF8_BOM : '') + csvLine(columns, opts.formulaProtection);
}

/** One data row in column order; keys the row lacks become empty cells, extra keys are ignored. */
export function csvRow(row: FlatRow, columns: readonly string[], formulaProtection = false): string {
  return csvLine(columns.map((c) => row[c]), formulaProtection);
}

/**
 * Writes a whole CSV file (header + rows) to `<path>.part`, then renames it to `path`.
 * Rows are buffered into ~64 KiB writes; each write is awaited, so memory stays bounded.
 */
export async function writeCsvFile(
  path: string,
  columns: readonly string[],
  rows: Iterable<FlatRow> | AsyncIterable<FlatRow>,
  opts: CsvOptions = {},
): Promise<{ bytes: number; sha256: string; records: number }> {
  const file: AtomicTextFile = await openAtomicTextFile(path);
  try {
    await file.write(csvHeader(columns, opts));
    let records = 0;
    for await (const row of rows) {
      await file.write(csvRow(row, columns, opts.formulaProtection));
      records++;
    }
    const { bytes, sha256 } = await file.commit();
    return { bytes, sha256, records };
  } catch (e) {
    await file.abort();
    throw e;
  }
}
