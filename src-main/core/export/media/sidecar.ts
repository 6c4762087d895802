// `<file>.part.json`: what a `.part` file is a partial copy of, so a resume after a restart
// only appends to bytes of the very same object (record id, size, strong ETag, checksum).
import { readFile, rm } from 'node:fs/promises';
import { writeFileAtomic } from '../run/page-store';

export interface PartSidecar {
  recordId: string;
  expectedSize: number | null;
  /** Strong ETag of the object the bytes came from (weak ETags cannot validate a Range). */
  etag: string | null;
  sha256: string | null;
}

export async function readSidecar(file: string): Promise<PartSidecar | null> {
  try {
    const v = JSON.parse(await readFile(file, 'utf8')) as PartSidecar;
    return typeof v?.recordId === 'string' ? v : null;
  } catch {
    return null;
  }
}

export const writeSidecar = (file: string, s: PartSidecar) => writeFileAtomic(file, JSON.stringify(s));
export const removeSidecar = (file: string) => rm(file, { force: true });

/** True for an ETag usable in If-Range (strong, quoted). */
export function isStrongEtag(etag: string | null | undefined): etag is string {
  return !!etag && !etag.startsWith('W/') && /^".*"$/.test(etag);
}
