// The separate image origin behind `dataacquisition.image` (reference §5.1: images.brainstem.org):
// GET/HEAD /images/{name}.png without auth, with a strong ETag (304 on If-None-Match), Range/206,
// If-Range and 416. Body faults from the shared fault layer apply (reset, truncate, wrong length).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { htmlErrorPage } from '../../envelope';
import type { BodyFault } from '../../faults';
import type { Responder } from '../../respond';
import { parseRange } from '../../routes/media';
import type { Counters } from '../../counters';
import type { ImageInfo } from '../types';

export const LAST_MODIFIED = new Date(Date.UTC(2024, 0, 8, 9, 0, 0)).toUTCString();

export function imageEtag(img: ImageInfo): string {
  return `"${createHash('sha256').update(img.bytes).digest('hex').slice(0, 16)}"`;
}

export function serveImage(images: ImageInfo[], req: IncomingMessage, res: ServerResponse, url: URL, fault: BodyFault | null, respond: Responder, counters: Counters): number {
  const page = (status: number) => {
    respond.send(res, status, { 'Content-Type': 'text/html' }, Buffer.from(htmlErrorPage(status)), null, req.method === 'HEAD', true);
    return status;
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') return page(405);
  const name = url.pathname.startsWith('/images/') ? decodeURIComponent(url.pathname.slice('/images/'.length)) : '';
  const img = images.find((i) => i.name === name);
  if (!img) return page(404);
  if (fault?.kind === 'expire') {
    counters.fault('expire');
    return page(403);
  }
  const etag = imageEtag(img);
  const headers: Record<string, string> = {
    'Content-Type': 'image/png',
    'Accept-Ranges': 'bytes',
    ETag: etag,
    'Last-Modified': LAST_MODIFIED,
    'Cache-Control': 'public, max-age=86400',
  };
  if (req.headers['if-none-match'] === etag) {
    respond.send(res, 304, headers, Buffer.alloc(0), null, true, true);
    return 304;
  }
  const size = img.bytes.length;
  let range = parseRange(req.headers.range, size);
  const ifRange = req.headers['if-range'];
  if (range && ifRange !== undefined && ifRange !== etag && ifRange !== LAST_MODIFIED) range = null;
  if (range === 'unsatisfiable') {
    respond.send(res, 416, { ...headers, 'Content-Range': `bytes */${size}` }, Buffer.alloc(0), null, true, true);
    return 416;
  }
  const body = range ? img.bytes.subarray(range.start, range.end + 1) : img.bytes;
  const status = range ? 206 : 200;
  if (range) headers['Content-Range'] = `bytes ${range.start}-${range.end}/${size}`;
  if (fault?.kind === 'wrongLength') {
    // The claimed length is off: longer → the connection closes early; shorter → a short body.
    counters.fault('wrongLength');
    counters.status(status);
    const claimed = Math.max(0, body.length + fault.delta);
    res.writeHead(status, { ...headers, 'Content-Length': claimed });
    if (req.method === 'HEAD') res.end();
    else if (fault.delta > 0) res.write(body, () => res.destroy());
    else res.end(body.subarray(0, claimed));
    counters.bytes('media', req.method === 'HEAD' ? 0 : Math.min(claimed, body.length));
    return status;
  }
  respond.send(res, status, headers, body, fault, req.method === 'HEAD', true);
  return status;
}
