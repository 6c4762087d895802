// How values are shown to researchers: "48,000", "1.2 GB", "3 min", "30 Nov 2026, 14:03:22 CET".
// One module for the renderer (what a cell shows) and the core (what a filter matches), so a filter
// finds what the table shows. Pure functions; English number formats, the viewer's time zone.
import type { ColumnKind } from './model';

const countFmt = new Intl.NumberFormat('en-US');
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const decimalFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 6 });
const dateFmt = new Intl.DateTimeFormat('en-GB', { year: 'numeric', month: 'short', day: 'numeric' });

/** 48000 → "48,000"; 0.25 → "0.25"; undefined → "—". */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return Number.isInteger(n) ? countFmt.format(n) : decimalFmt.format(n);
}

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** 1_200_000_000 → "1.2 GB" (decimal units, as file managers on macOS show them). */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${oneDecimal.format(value)} ${BYTE_UNITS[unit]}`;
}

/** Seconds → "42 s", "3 min", "1 h 5 min". Rounded for reading, not for accounting. */
export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  const rest = min % 60;
  return rest ? `${h} h ${rest} min` : `${h} h`;
}

/** Milliseconds → "1:02:03" / "4:05" clock-style duration (recordings, sessions). */
export function formatDurationMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? String(iso) : dateFmt.format(t);
}

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();
function dateTimeFormat(timeZone: string | undefined, millis: boolean): Intl.DateTimeFormat {
  const key = `${timeZone ?? ''}|${millis ? 1 : 0}`;
  let f = dateTimeFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit',
      ...(millis ? { fractionalSecondDigits: 3 } : {}),
      timeZoneName: 'short',
      ...(timeZone ? { timeZone } : {}),
    });
    dateTimeFormats.set(key, f);
  }
  return f;
}

/** True when a time given as text or epoch ms has a non-zero millisecond part. */
function hasMillis(value: string | number, t: number): boolean {
  if (typeof value === 'number') return t % 1000 !== 0;
  return /[T ]\d{2}:\d{2}:\d{2}\.\d*[1-9]/.test(value);
}

/**
 * "30 Nov 2026, 14:03:22 CET", with milliseconds when the value has them ("14:03:22.125"), in
 * `timeZone` (an IANA name; the viewer's own zone by default).
 */
export function formatDateTime(value: string | number | null | undefined, timeZone?: string): string {
  if (value === null || value === undefined || value === '') return '—';
  const t = typeof value === 'number' ? value : Date.parse(value);
  if (Number.isNaN(t)) return String(value);
  try {
    return dateTimeFormat(timeZone, hasMillis(value, t)).format(t);
  } catch {
    return dateTimeFormat(undefined, hasMillis(value, t)).format(t); // an unknown zone name
  }
}

/** "3 of 10" style fraction as a whole percentage, clamped. */
export function formatPercent(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '—';
  return `${percentOf(fraction)}%`;
}

/** The whole percentage a fraction shows as (one rounding for the bar, its text and its ARIA value). */
export function percentOf(fraction: number): number {
  return Math.round(Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0)) * 100);
}

/** "1 participant" / "3 participants" / "0 rows". */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatCount(n)} ${n === 1 ? singular : pluralForm}`;
}

/** What a table cell shows for a value of a column kind. */
export function formatCell(value: unknown, kind: ColumnKind, timeZone?: string): string {
  if (value === null || value === undefined || value === '') return '';
  switch (kind) {
    case 'number':
      return typeof value === 'number' ? formatCount(value) : String(value);
    case 'datetime':
      return typeof value === 'string' || typeof value === 'number' ? formatDateTime(value, timeZone) : String(value);
    case 'duration-ms':
      return typeof value === 'number' ? formatDurationMs(value) : String(value);
    case 'bytes':
      return typeof value === 'number' ? formatBytes(value) : String(value);
    case 'badge': {
      const s = String(value);
      return s.charAt(0).toUpperCase() + s.slice(1);
    }
    case 'json':
      return typeof value === 'string' ? value : JSON.stringify(value);
    default:
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}
