// Session download links (reference §5.1, §5.2): BrainSTEM hosts metadata, and points to the data
// in external repositories (DANDI, Zenodo, …). They are listed, one row per link, and never fetched.
import type { JsonRecord } from './envelope';

export interface LinkRow {
  session_id: string;
  session_name: string;
  repository: string;
  url: string;
  [key: string]: string;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));

/** One row per download link of each session, in session order; links without a url are skipped. */
export function linkRows(sessions: Iterable<JsonRecord>): LinkRow[] {
  const rows: LinkRow[] = [];
  for (const s of sessions) {
    const links = Array.isArray(s.download_links) ? s.download_links : [];
    for (const l of links) {
      if (!l || typeof l !== 'object') continue;
      const link = l as JsonRecord;
      const url = text(link.url).trim();
      if (!url) continue;
      rows.push({ session_id: text(s.id), session_name: text(s.name), repository: text(link.repository), url });
    }
  }
  return rows;
}
