// format=csv and format=ndjson bodies. The server's CSV layout is undocumented; this one flattens
// nested objects with "_" (like the SDK's DataFrames), writes arrays as JSON text and quotes per RFC 4180.
import type { JsonRecord } from './types';

export function flatten(rec: JsonRecord, prefix = '', out: JsonRecord = {}): JsonRecord {
  for (const [k, v] of Object.entries(rec)) {
    const key = prefix ? `${prefix}_${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flatten(v as JsonRecord, key, out);
    else out[key] = v;
  }
  return out;
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(records: JsonRecord[]): string {
  const rows = records.map((r) => flatten(r));
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    for (const k of Object.keys(row)) {
      if (seen.has(k)) continue;
      seen.add(k);
      columns.push(k);
    }
  }
  const lines = [columns.map(cell).join(',')];
  for (const row of rows) lines.push(columns.map((c) => cell(row[c])).join(','));
  return lines.join('\r\n') + '\r\n';
}

export function toNdjson(records: JsonRecord[]): string {
  return records.map((r) => JSON.stringify(r) + '\n').join('');
}
