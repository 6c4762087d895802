// The GET for signed media URLs: node:http(s), not fetch. Why: when a storage connection drops
// right after a burst (an expiring signed URL cut mid-file, a reset), fetch's web stream *errors
// its queue away*: every byte received but not yet read is lost, and on loopback that can be the
// whole burst, so a resume never advances (measured against the simulator's expiry fault).
// node:http hands each chunk to a 'data' listener as it is parsed, so every byte that arrived
// reaches the file. Backpressure is kept by pausing the response while the file stream drains.
// No API key is ever sent here: signed URLs carry their own authorization.
import { createWriteStream } from 'node:fs';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { StudyError } from '../../../../src-shared/errors';
import { tooManyRedirectsError } from '../../net/http-errors';
import { backgroundFlush } from './background-flush';

export interface MediaResponse {
  status: number;
  header(name: string): string | null;
  /**
   * Streams the body into `file` (append or truncate). Resolves when every received byte is on disk; rejects after that if the connection dropped.
   * `onChunk` sees each chunk, in file order, just before it is written (for an inline checksum).
   */
  saveTo(file: string, append: boolean, onBytes?: (n: number) => void, onChunk?: (chunk: Buffer) => void): Promise<void>;
  /** Discards the body (frees the connection). */
  discard(): void;
}

export type MediaGet = (url: string, headers: Record<string, string>, signal?: AbortSignal) => Promise<MediaResponse>;

const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

export interface NodeMediaGetOptions {
  /** Early writeback interval in bytes (default 32 MiB; 0 turns it off). See background-flush.ts. */
  flushEveryBytes?: number;
}

/** Redirects followed for one media GET; a longer chain is a loop. */
export const MAX_MEDIA_REDIRECTS = 5;

export function createNodeMediaGet(opts: NodeMediaGetOptions = {}): MediaGet {
  const get = (url: string, headers: Record<string, string>, signal: AbortSignal | undefined, hops: number): Promise<MediaResponse> =>
    new Promise((resolve, reject) => {
      const u = new URL(url);
      if (u.protocol !== 'https:' && u.protocol !== 'http:') {
        return reject(new StudyError({ code: 'BAD_RESPONSE', message: `A media link pointed to a ${u.protocol} address, not a web address; it was not opened.`, fix: 'Report it to the data owner; the rest of the export is unaffected.' }));
      }
      const mod = u.protocol === 'https:' ? https : http;
      const req = mod.get(u, { headers: { 'Accept-Encoding': 'identity', ...headers }, agent: u.protocol === 'https:' ? agents.https : agents.http, signal }, (res) => {
        const location = res.headers.location;
        if (res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && location) {
          res.resume();
          if (hops >= MAX_MEDIA_REDIRECTS) return reject(tooManyRedirectsError(url, MAX_MEDIA_REDIRECTS));
          get(new URL(location, u).toString(), headers, signal, hops + 1).then(resolve, reject);
          return;
        }
        resolve(wrap(res, opts.flushEveryBytes));
      });
      req.on('error', reject);
    });
  return (url, headers, signal) => get(url, headers, signal, 0);
}

export const nodeMediaGet: MediaGet = createNodeMediaGet();

function wrap(res: IncomingMessage, flushEveryBytes: number | undefined): MediaResponse {
  return {
    status: res.statusCode ?? 0,
    header: (name) => {
      const v = res.headers[name.toLowerCase()];
      return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
    },
    discard: () => {
      res.resume();
    },
    saveTo: (file, append, onBytes, onChunk) =>
      new Promise<void>((resolve, reject) => {
        if (res.destroyed) {
          // Closed before anyone read it: nothing to keep; the caller resumes.
          reject(new Error('The storage connection closed before the body was read.'));
          return;
        }
        // Hot path: one 'data' listener straight into the file stream (no Transform; at most an
        // inline hash update, ~1 GB/s), 1 MiB write batches, early writeback.
        const sink = createWriteStream(file, { flags: append ? 'a' : 'w', highWaterMark: 1 << 20 });
        const flush = backgroundFlush(file, flushEveryBytes);
        let dropped: Error | null = null;
        let sinkError: Error | null = null;
        let ended = false;
        const finish = () => {
          if (ended) return;
          ended = true;
          sink.end();
        };
        res.on('data', (chunk: Buffer) => {
          onBytes?.(chunk.length);
          onChunk?.(chunk);
          flush.wrote(chunk.length);
          if (!sink.write(chunk)) res.pause();
        });
        sink.on('drain', () => res.resume());
        res.on('end', () => {
          if (!res.complete) dropped ??= new Error('The storage connection closed before the file was complete.');
          finish();
        });
        res.on('aborted', () => {
          dropped ??= new Error('The storage connection was cut.');
        });
        res.on('error', (e) => {
          dropped ??= e;
          finish();
        });
        res.on('close', finish);
        sink.on('error', (e) => {
          sinkError = e;
          res.destroy();
        });
        sink.on('close', () => {
          void flush.close().then(() => {
            if (sinkError) reject(sinkError);
            else if (dropped) reject(dropped);
            else resolve();
          });
        });
      }),
  };
}
