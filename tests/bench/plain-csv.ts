// The baseline of the writers-alone figure: the same job as our CSV writers, done plainly by hand
// and sharing none of their code. Records split by participant, flattened (nested objects joined
// with "_", arrays as JSON, epoch-ms times as ISO 8601, onset_sec beside onset), the union of
// columns per file from a first pass, then RFC 4180 rows (CRLF, quotes doubled), a BOM, formula
// protection, and one write per 1000 rows.
import { open } from 'node:fs/promises';
import path from 'node:path';

type Cell = string | number | boolean | null;

const TIME_FIELD = /^(timestamp|serverTimestamp|clientTimestamp|clientTime|startTime|endTime|stateStartTime|pauseTimestamp)$|[a-z](Timestamp|At)$/;

function flatten(record: Record<string, unknown>, into: Record<string, Cell> = {}, prefix = ''): Record<string, Cell> {
  for (const [k, v] of Object.entries(record)) {
    const key = prefix ? `${prefix}_${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flatten(v as Record<string, unknown>, into, key);
    else if (Array.isArray(v)) into[key] = JSON.stringify(v);
    else if (typeof v === 'number' && v > 1e11 && v < 2e13 && TIME_FIELD.test(k)) into[key] = new Date(v).toISOString();
    else {
      into[key] = (v ?? null) as Cell;
      if (!prefix && k === 'onset' && typeof v === 'number') into.onset_sec = v / 1000;
    }
  }
  return into;
}

function cell(v: Cell | undefined): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Writes `<type>_<participant>.csv` files into dir; returns the number of files. */
export async function writePlainCsv(records: Array<Record<string, unknown>>, dir: string, type: string): Promise<number> {
  const groups = new Map<string, { rows: Array<Record<string, Cell>>; columns: Set<string> }>();
  for (const r of records) {
    const key = String(r.participantId ?? 'unknown');
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { rows: [], columns: new Set() }));
    const row = flatten(r);
    for (const c of Object.keys(row)) g.columns.add(c);
    g.rows.push(row);
  }
  for (const [key, g] of groups) {
    const columns = [...g.columns];
    const fh = await open(path.join(dir, `${type}_${key.replace(/[^\w-]/g, '_')}.csv`), 'w');
    try {
      let chunk = '\uFEFF' + columns.map((c) => cell(c)).join(',') + '\r\n';
      for (let i = 0; i < g.rows.length; i++) {
        const row = g.rows[i];
        chunk += columns.map((c) => cell(row[c])).join(',') + '\r\n';
        if (i % 1000 === 999) {
          await fh.write(chunk);
          chunk = '';
        }
      }
      if (chunk) await fh.write(chunk);
    } finally {
      await fh.close();
    }
  }
  return groups.size;
}
