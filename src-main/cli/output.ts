// Human output (aligned tables, readable numbers) and machine output (JSON) for the CLI.
// Everything printed goes through here, and through terminalSafe / terminalSafeJson: much of it
// (names, ids, warnings, server error messages) comes from the server.
import type { Writable } from 'node:stream';
import { toErrorInfo, type ErrorInfo } from '../../src-shared/errors';
import { terminalSafe, terminalSafeJson } from './terminal-text';

export interface Column<T> {
  label: string;
  value: (row: T) => string | number | undefined | null;
  align?: 'left' | 'right';
}

/** An aligned plain-text table; numbers right-aligned by default. */
export function table<T>(rows: T[], columns: Column<T>[]): string {
  const cells = rows.map((r) => columns.map((c) => cellText(c.value(r))));
  const aligns = columns.map((c, i) => c.align ?? (rows.length && rows.every((r) => typeof c.value(r) === 'number' || c.value(r) == null) && cells.some((row) => row[i] !== '') ? 'right' : 'left'));
  const widths = columns.map((c, i) => Math.max(displayWidth(c.label), ...cells.map((row) => displayWidth(row[i]))));
  const pad = (v: string, w: number, right: boolean) => {
    const fill = ' '.repeat(Math.max(0, w - displayWidth(v)));
    return right ? fill + v : v + fill;
  };
  const line = (vals: string[]) =>
    vals
      .map((v, i) => pad(v, widths[i], aligns[i] === 'right'))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.label)), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n') + '\n';
}

/** Terminal columns a string takes: wide East Asian characters count 2, combining marks 0. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (/\p{Mn}|\p{Me}|\u200b|\u200d/u.test(ch)) continue;
    const wide =
      (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
      (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1faff) || (cp >= 0x20000 && cp <= 0x3fffd);
    w += wide ? 2 : 1;
  }
  return w;
}

function cellText(v: string | number | undefined | null): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') return humanNumber(v);
  return terminalSafe(v, { singleLine: true });
}

export function humanNumber(n: number): string {
  return Number.isInteger(n) ? n.toLocaleString('en-US') : n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

export function humanBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

export function humanDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h) return `${h} h ${m} min`;
  return r ? `${m} min ${r} s` : `${m} min`;
}

/** Prints text (lines and tabs kept, escape sequences and controls dropped) with a final newline. */
export function write(out: Writable, text: string): void {
  const safe = terminalSafe(text);
  out.write(safe.endsWith('\n') ? safe : safe + '\n');
}

/** One line, e.g. "warning: <server text>": line breaks inside `text` become spaces, so it cannot fake another line. */
export function writeLine(out: Writable, text: string): void {
  out.write(terminalSafe(text, { singleLine: true }) + '\n');
}

export function writeJson(out: Writable, value: unknown): void {
  out.write(terminalSafeJson(JSON.stringify(value, null, 2)) + '\n');
}

/** One JSON value on one line (event streams, --json progress). */
export function writeJsonLine(out: Writable, value: unknown): void {
  out.write(terminalSafeJson(JSON.stringify(value)) + '\n');
}

export function writeWarnings(err: Writable, warnings: string[]): void {
  for (const w of warnings) writeLine(err, `warning: ${w}`);
}

/** Prints an error's plain message and its fix on stderr; returns the safe ErrorInfo. */
export function writeError(err: Writable, e: unknown): ErrorInfo {
  const info = toErrorInfo(e);
  writeLine(err, `error: ${info.message}`);
  if (info.fix) writeLine(err, `  fix: ${info.fix}`);
  return info;
}

/** An onWait callback that tells the user on stderr why nothing seems to happen (waits over 2 s only). */
export function waitNotice(err: Writable): (w: { seconds: number; scope: string; reason: string }) => void {
  let lastUntil = 0;
  return (w) => {
    const until = Date.now() + w.seconds * 1000;
    if (w.seconds < 2 || Math.abs(until - lastUntil) < 1000) return;
    lastUntil = until;
    writeLine(err, `waiting ${humanDuration(w.seconds)}: ${w.reason}`);
  };
}
