// How a recording's file is reached (docs/hyperstudy-api-notes.md): the documented records carry
// a signed, expiring `downloadUrl` on a storage server; the SDK's current records carry a
// `downloadPath`, an API route that mints such a URL just in time. A signed URL is fetched
// without the API key (media-http.ts); here we only find it. When one has expired, a fresh one
// comes from minting again, or, without a mint route, from listing the recording's room (or its
// participant) once more: one request.
import { StudyError } from '../../../../src-shared/errors';
import type { DataTypeId, Scope } from '../../../../src-shared/model';
import { badResponseError, crossOriginError } from '../../net/http-errors';
import type { Page, PageQuery, RequestOptions } from './client-types';
import { readSingle } from './envelope';
import { participantOfRecord, roomOfRecord } from './record-room';

type Rec = Record<string, unknown>;

/** Fields that hold a signed (credential-bearing, expiring) link. */
export const SIGNED_LINK_FIELDS: readonly string[] = ['downloadUrl', 'signedUrl'];

/** The record without its signed links (they must not end up in export files). */
export function withoutSignedLinks(rec: Rec): Rec {
  if (!SIGNED_LINK_FIELDS.some((f) => f in rec)) return rec;
  return Object.fromEntries(Object.entries(rec).filter(([k]) => !SIGNED_LINK_FIELDS.includes(k)));
}

/** A recording's id: recordingId, else id, else egressId. */
export function recordingIdOf(rec: Rec): string {
  for (const k of ['recordingId', 'id', 'egressId']) {
    const v = rec[k];
    if (typeof v === 'string' && v) return v;
  }
  return 'unknown';
}

const isHttpUrl = (s: string) => /^https?:\/\//i.test(s);

export interface RecordingLinkDeps {
  /** The API base URL (its origin is the only one that gets the key). */
  baseUrl: string;
  /** An authenticated GET below the base URL, through the limiter. */
  get(path: string, o: RequestOptions | undefined, what: string): Promise<{ body: unknown; url: string }>;
  fetchPage(type: DataTypeId, scope: Scope, scopeId: string, query: PageQuery, o?: RequestOptions): Promise<Page>;
}

export interface RecordingLinks {
  /** A URL for the recording's file: minted through downloadPath, else its signed downloadUrl (no request). */
  mintRecordingUrl(recording: Rec, o?: RequestOptions): Promise<string>;
  /** A fresh URL after the last one was refused: a new mint, or the recording listed again from its room or participant. */
  refreshRecordingUrl(recording: Rec, o?: RequestOptions & { roomId?: string }): Promise<string>;
}

export function createRecordingLinks(deps: RecordingLinkDeps): RecordingLinks {
  const apiOrigin = new URL(deps.baseUrl).origin;

  /** downloadPath below the base URL; an absolute one only on the API's own origin (it gets the key). */
  function mintPath(downloadPath: string): string {
    if (isHttpUrl(downloadPath) || downloadPath.startsWith('//')) {
      let target: URL;
      try {
        target = new URL(downloadPath, deps.baseUrl);
      } catch {
        throw badResponseError(deps.baseUrl, 1);
      }
      // Refused here, before the transport would refuse it too: the key stays with the API's origin.
      if (target.origin !== apiOrigin) throw crossOriginError(apiOrigin, target.origin, 'absolute-url');
      return target.toString();
    }
    const basePath = new URL(deps.baseUrl).pathname.replace(/\/+$/, '');
    let p = downloadPath.startsWith('/') ? downloadPath : '/' + downloadPath;
    if (basePath && p.startsWith(basePath + '/')) p = p.slice(basePath.length);
    return p;
  }

  async function mint(downloadPath: string, id: string, o: RequestOptions | undefined): Promise<string> {
    const { body, url } = await deps.get(mintPath(downloadPath), o, `recording ${id}`);
    const { item } = readSingle(body, url);
    const signed = [item.url, item.signedUrl, item.downloadUrl].find((v) => typeof v === 'string' && v) as string | undefined;
    if (!signed) throw badResponseError(url, 1);
    return new URL(signed, deps.baseUrl + '/').toString();
  }

  function noLink(id: string): StudyError {
    return new StudyError({
      code: 'NOT_FOUND',
      message: `Recording ${id} has no download link (no downloadPath, downloadUrl or url).`,
      fix: 'The recording may still be processing on the server: try again later.',
    });
  }

  async function mintRecordingUrl(recording: Rec, o?: RequestOptions): Promise<string> {
    const id = recordingIdOf(recording);
    if (typeof recording.downloadPath === 'string' && recording.downloadPath) return mint(recording.downloadPath, id, o);
    const signed = [recording.downloadUrl, recording.signedUrl, recording.url].find((v) => typeof v === 'string' && isHttpUrl(v)) as string | undefined;
    if (signed) return signed;
    throw noLink(id);
  }

  /** The recording as a fresh listing of its room (or participant) shows it, with a newly signed link. */
  async function relisted(recording: Rec, id: string, o: RequestOptions & { roomId?: string }): Promise<Rec> {
    const roomId = o.roomId ?? roomOfRecord(recording);
    const participantId = participantOfRecord(recording);
    const where: [Scope, string, PageQuery] | null = roomId
      ? ['room', roomId, {}]
      : participantId
        ? ['participant', participantId, {}]
        : null;
    if (!where) throw noLink(id);
    const [scope, scopeId, query] = where;
    for (let offset = 0; ; ) {
      const page = await deps.fetchPage('recordings', scope, scopeId, { ...query, offset }, o);
      const found = page.records.find((r) => recordingIdOf(r) === id);
      if (found) return found;
      if (!page.hasMore || page.nextOffset === null || page.nextOffset <= offset) break;
      offset = page.nextOffset;
    }
    throw new StudyError({
      code: 'NOT_FOUND',
      message: `Recording ${id} is no longer listed in its ${scope} ${scopeId}, so no fresh download link could be had.`,
      fix: 'It may have been deleted on the server. The other recordings are downloaded as usual.',
    });
  }

  async function refreshRecordingUrl(recording: Rec, o: RequestOptions & { roomId?: string } = {}): Promise<string> {
    const id = recordingIdOf(recording);
    if (typeof recording.downloadPath === 'string' && recording.downloadPath) return mint(recording.downloadPath, id, o);
    return mintRecordingUrl(await relisted(recording, id, o), o);
  }

  return { mintRecordingUrl, refreshRecordingUrl };
}
