// The README section every source's README.txt ends with when CSV cells look like spreadsheet
// formulas: how many, where, and what to do before opening the files in a spreadsheet.
import type { ReadmeInput } from '../../sources/source';

/** How many text cells look like spreadsheet formulas, where, and what that means. */
export function formulaSection(f: NonNullable<ReadmeInput['formulaCells']>): string[] {
  const cells = (n: number) => `${n.toLocaleString('en-US')} text cell${n === 1 ? '' : 's'}`;
  const out = ['CELLS THAT LOOK LIKE SPREADSHEET FORMULAS', ''];
  if (f.protected) {
    out.push(`  ${cells(f.total)} started with = + - @ (or tab/CR) and got a leading ' (formula protection is ON),`);
    out.push('  so a spreadsheet shows them as text. Remove that first character to get the original value.');
  } else {
    out.push(`  ${cells(f.total)} start with = + - @ (or tab/CR). Excel, LibreOffice or Google Sheets may run`);
    out.push('  such a cell as a formula when the file is opened. The values are kept exactly as recorded, which');
    out.push('  is what R, Python and SPSS need. To open these files in a spreadsheet, export again with formula');
    out.push('  protection on (it adds a leading \' to those text cells only; numbers are never changed).');
  }
  out.push('', '  Where:');
  const width = Math.max(...f.files.map((x) => x.path.length));
  for (const x of f.files) out.push(`    ${x.path.padEnd(width)}  ${x.cells.toLocaleString('en-US')}`);
  return out;
}
