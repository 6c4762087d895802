// What a recording record tells us about its file: id, expected size, checksum.
// Field names follow the API (fileSize, recordingId/egressId) with defensive fallbacks.
export { recordingIdOf as recordingId } from './recording-links';

export function expectedSizeOf(rec: Record<string, unknown>): number | null {
  for (const k of ['fileSize', 'size', 'bytes']) {
    const v = rec[k];
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
  }
  return null;
}

/** Hex SHA-256 when the record carries one (`checksum.sha256`, `sha256`, or `checksum` as "sha256:<hex>"). */
export function sha256Of(rec: Record<string, unknown>): string | null {
  const checksum = rec.checksum;
  const nested = checksum && typeof checksum === 'object' ? (checksum as Record<string, unknown>).sha256 : undefined;
  const candidates = [nested, rec.sha256, checksum, (rec.metadata as Record<string, unknown> | undefined)?.sha256];
  for (const v of candidates) {
    if (typeof v !== 'string') continue;
    const hex = v.replace(/^sha-?256[:=]/i, '').trim().toLowerCase();
    if (/^[0-9a-f]{64}$/.test(hex)) return hex;
  }
  return null;
}
