// RFC 4180 CSV encoding: CRLF between records, fields with , " CR or LF quoted, quotes doubled,
// the same number of fields on every row. UTF-8, optionally with a BOM so Excel detects the encoding.
// Text cells a spreadsheet would run as formulas are counted as they are written (a tally per
// file), so the export can say how many there are and where, whether or not they were protected.
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
/** Text that is just a number ("-3.5", "+1e3"): a spreadsheet reads it as that number, it runs nothing. */
const PLAIN_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * A text cell a spreadsheet would run as a formula: it starts with = + - @ (or a tab or CR, which
 * spreadsheets skip before looking) and is not simply a number. Numbers and booleans never are.
 */
export function looksLikeFormula(text: string): boolean {
  return text.length > 0 && startsFormula(text.charCodeAt(0)) && !PLAIN_NUMBER.test(text);
}

/** = + - @ tab CR (a character test, not a regex: every text cell of every row asks). */
function startsFormula(c: number): boolean {
  return c === 61 || c === 43 || c === 45 || c === 64 || c === 9 || c === 13;
}

/** Counts the formula-looking text cells written into one file. */
export interface FormulaTally {
  formulaCells: number;
}

/**
 * Encodes one cell. A formula-looking text cell is counted in `tally`, and with protection on gets a
 * leading ' so a spreadsheet shows it as text. Numbers and booleans are never touched: -3.5 stays -3.5.
 */
export function csvCell(value: FlatValue | undefined, formulaProtection = false, tally?: FormulaTally): string {
  if (value === null || value === undefined) return '';
  // A finite number's text ("-1.5e-7") and a boolean's never hold , " CR or LF: nothing to quote.
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  let s = value;
  if (looksLikeFormula(s)) {
    if (tally) tally.formulaCells++;
    if (formulaProtection) s = `'${s}`;
  }
  return NEEDS_QUOTES.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** One CSV record including its CRLF terminator. */
export function csvLine(values: ReadonlyArray<FlatValue | undefined>, formulaProtection = false, tally?: FormulaTally): string {
  let line = '';
  for (let i = 0; i < values.length; i++) line += (i ? ',' : '') + csvCell(values[i], formulaProtection, tally);
  return line + CRLF;
}

/** The header line (with the BOM first when asked for). Header names are text like any other cell. */
export function csvHeader(columns: readonly string[], opts: CsvOptions = {}, tally?: FormulaTally): string {
  return (opts.bom !== false ? UTF8_BOM : '') + csvLine(columns, opts.formulaProtection, tally);
}

/** One data row in column order; keys the row lacks become empty cells, extra keys are ignored. */
export function csvRow(row: FlatRow, columns: readonly string[], formulaProtection = false, tally?: FormulaTally): string {
  // (No array of the values: this runs for every record.)
  let line = '';
  for (let i = 0; i < columns.length; i++) line += (i ? ',' : '') + csvCell(row[columns[i]], formulaProtection, tally);
  return line + CRLF;
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
): Promise<{ bytes: number; sha256: string; records: number; formulaCells: number }> {
  const file: AtomicTextFile = await openAtomicTextFile(path);
  const tally: FormulaTally = { formulaCells: 0 };
  try {
    await file.write(csvHeader(columns, opts, tally));
    let records = 0;
    for await (const row of rows) {
      await file.write(csvRow(row, columns, opts.formulaProtection, tally));
      records++;
    }
    const { bytes, sha256 } = await file.commit();
    return { bytes, sha256, records, formulaCells: tally.formulaCells };
  } catch (e) {
    await file.abort();
    throw e;
  }
}
