// The GET for signed media URLs, not fetch. Why: when a storage connection drops right after a
// burst (an expiring signed URL cut mid-file, a reset), fetch's web stream *errors its queue away*:
// every byte received but not yet read is lost, and on loopback that can be the whole burst, so a
// resume never advances (measured against the simulator's expiry fault). Here every byte that
// arrived reaches the file before saveTo settles. The exchange itself (socket → reused slabs →
// file, at wire speed) is media-exchange.ts; this module cleans URLs and follows redirects.
// No credential is ever sent here: signed URLs carry their own authorization. Only Range and
// If-Range leave this module, user:password parts of URLs are dropped, and redirects are followed
// at most MAX_MEDIA_REDIRECTS times.
import { StudyError } from '../../../../src-shared/errors';
import { connectionPool, type PoolOptions } from './media-connection';
import { mediaExchange, type MediaExchangeOptions } from './media-exchange';

/** Redirects a media GET follows before it gives up. */
export const MAX_MEDIA_REDIRECTS = 5;

/** The only request headers a media GET sends (besides Accept-Encoding): no key, no cookie, no Authorization. */
const MEDIA_HEADERS = new Set(['range', 'if-range']);

function mediaHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => MEDIA_HEADERS.has(k.toLowerCase())));
}

function refused(message: string): StudyError {
  return new StudyError({ code: 'BAD_RESPONSE', message, fix: 'This recording was skipped; the others are downloaded as usual. Retry later or report it to HyperStudy support.' });
}

/** An http(s) URL without a user:password part (Node would send it as Authorization). */
function storageUrl(raw: string | URL, base?: URL): URL {
  let u: URL;
  try {
    u = new URL(raw, base);
  } catch {
    throw refused(`The storage server sent a link that is not a URL.`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw refused(`The storage server sent a ${u.protocol.replace(':', '')} link; only http(s) is fetched.`);
  u.username = '';
  u.password = '';
  return u;
}

export interface MediaResponse {
  status: number;
  header(name: string): string | null;
  /**
   * Streams the body into `file` (append or truncate). Resolves when every received byte is on disk; rejects after that if the connection dropped.
   * `onBytes` and `onChunk` see the body in file order as it is handed to the file (a read slab, up to 1 MiB, at a time),
   * just before it is written (`onChunk` is for an inline checksum).
   */
  saveTo(file: string, append: boolean, onBytes?: (n: number) => void, onChunk?: (chunk: Buffer) => void): Promise<void>;
  /** Discards the body (frees the connection). */
  discard(): void;
}

export type MediaGet = (url: string, headers: Record<string, string>, signal?: AbortSignal) => Promise<MediaResponse>;

export type NodeMediaGetOptions = Omit<MediaExchangeOptions, 'signal'> & PoolOptions;

/** A MediaGet with its own pool of keep-alive connections. */
export function createNodeMediaGet(opts: NodeMediaGetOptions = {}): MediaGet {
  const pool = connectionPool(opts);
  const hop = async (u: URL, headers: Record<string, string>, signal: AbortSignal | undefined, redirects: number): Promise<MediaResponse> => {
    const res = await mediaExchange(pool, u, headers, { ...opts, signal });
    const location = res.header('location');
    if (res.status < 300 || res.status >= 400 || !location) return res;
    res.discard();
    if (redirects >= MAX_MEDIA_REDIRECTS) throw refused(`The storage server redirected the download more than ${MAX_MEDIA_REDIRECTS} times (last to ${u.host}).`);
    return hop(storageUrl(location, u), headers, signal, redirects + 1);
  };
  return async (url, headers, signal) => hop(storageUrl(url), mediaHeaders(headers), signal, 0);
}

export const nodeMediaGet: MediaGet = createNodeMediaGet();
