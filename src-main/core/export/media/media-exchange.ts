// One media GET at wire speed: the request goes out on a pooled MediaConnection (reads land in
// reused slabs), http-parser-js frames the answer, and the body bytes are written from the slabs,
// one writev per slab, in order. Measured on loopback, 385 MiB to a file: node:http ~0.8 of curl
// whatever the write path, undici no better (its socket is read through the same stream machinery
// and copied into wasm), these slabs above curl. See BENCHMARKS.md (media).
// Guarantees kept from the node:http version: every byte that arrived before a drop reaches the
// file (the slabs are written out before saveTo settles), backpressure (at most `maxQueuedSlabs`
// slabs wait for the disk, or for saveTo, then the socket stops reading), abort, and nothing is
// sent but the request line, Host, Accept-Encoding and the caller's (already filtered) headers.
import { open } from 'node:fs/promises';
import { HTTPParser } from 'http-parser-js';
import { abortError } from '../../ports';
import { backgroundFlush } from './background-flush';
import type { ConnectionPool, ConnectionReader, MediaConnection } from './media-connection';
import { orderedWriter, type OrderedWriter } from './ordered-writer';
import type { MediaResponse } from './media-http';

export interface MediaExchangeOptions {
  signal?: AbortSignal;
  /** Early writeback interval in bytes (see background-flush.ts). */
  flushEveryBytes?: number;
  /** Filled slabs that may wait for the disk (or for saveTo) before the socket stops reading (default 4). */
  maxQueuedSlabs?: number;
  /** A server silent this long (while we are reading) is cut off; the download then resumes (default 60 s). */
  stallMs?: number;
}

/** How long a storage server may send nothing while we wait for it before the connection is cut. */
export const MEDIA_STALL_MS = 60_000;

function stalled(ms: number): Error {
  return Object.assign(new Error(`The storage server sent nothing for ${ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`}.`), { code: 'ETIMEDOUT' });
}

/** Headers of which only the first copy counts (as node:http does). */
const SINGLE = new Set(['content-length', 'content-range', 'content-type', 'etag', 'last-modified', 'location']);
/** Bytes after the head that may carry no body (chunk-size lines, trailers) before the answer counts as broken. */
const MAX_FRAMING_BYTES = 1 << 20;
/** Thrown from the parser's message-complete callback to stop it there (bytes after an answer are not another answer). */
const DONE = Symbol('message complete');

function badHttp(message: string): Error {
  return Object.assign(new Error(`The storage server's answer is not valid HTTP/1.1: ${message}.`), { code: 'HPE_MEDIA' });
}

/** A reused connection the server had already closed: nothing was received, the GET can be sent again. */
class StaleConnection extends Error {}

function requestHead(u: URL, headers: Record<string, string>): string {
  const lines = [`GET ${u.pathname || '/'}${u.search} HTTP/1.1`, `Host: ${u.host}`, 'Accept-Encoding: identity'];
  for (const [k, v] of Object.entries(headers)) {
    if (!/^[A-Za-z0-9-]+$/.test(k) || /[\r\n\0]/.test(v)) throw new TypeError(`Refusing to send the header ${JSON.stringify(k)}: invalid characters.`);
    lines.push(`${k}: ${v}`);
  }
  return lines.join('\r\n') + '\r\n\r\n';
}

/** Lower-cased names; repeated headers joined with ", " except those that count once. */
function headerMap(raw: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = raw[i].toLowerCase();
    const v = raw[i + 1];
    const had = m.get(k);
    if (had === undefined) m.set(k, v);
    else if (!SINGLE.has(k)) m.set(k, `${had}, ${v}`);
  }
  return m;
}

/** Framing a parser must not guess at: a Content-Length that is not digits, or a transfer coding other than chunked. */
function checkFraming(raw: string[]): void {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = raw[i].toLowerCase();
    if (k === 'content-length' && !/^\d+$/.test(raw[i + 1].trim())) throw badHttp(`Content-Length "${raw[i + 1]}"`);
    if (k === 'transfer-encoding' && raw[i + 1].trim().toLowerCase() !== 'chunked') throw badHttp(`Transfer-Encoding "${raw[i + 1]}"`);
  }
}

interface HeadInfo {
  statusCode: number;
  headers: string[];
  shouldKeepAlive: boolean;
}

/** GETs `u` on an idle connection of `pool` (or a new one); a reused one found closed is replaced once. */
export async function mediaExchange(pool: ConnectionPool, u: URL, headers: Record<string, string>, opts: MediaExchangeOptions = {}): Promise<MediaResponse> {
  const request = requestHead(u, headers);
  opts.signal?.throwIfAborted();
  const conn = pool.get(u);
  try {
    return await exchange(conn, pool, u, request, opts);
  } catch (e) {
    if (!(e instanceof StaleConnection)) throw e;
    opts.signal?.throwIfAborted();
    return exchange(pool.get(u, true), pool, u, request, opts);
  }
}

function exchange(conn: MediaConnection, pool: ConnectionPool, u: URL, request: string, opts: MediaExchangeOptions): Promise<MediaResponse> {
  return new Promise<MediaResponse>((resolve, reject) => {
    const { signal } = opts;
    const maxQueued = Math.max(1, opts.maxQueuedSlabs ?? 4);
    // Filled slabs before saveTo gave them a file; afterwards they go to `writer`.
    const early: Array<{ views: Buffer[]; release: () => void }> = [];
    let writer: OrderedWriter | null = null;
    let deliver: ((views: Buffer[]) => void) | null = null;

    let gotBytes = false; // anything at all arrived for this request
    let answered = false; // the final (non-1xx) head arrived
    let complete = false; // the whole answer arrived
    let ended = false; // this request is done with the connection (complete, cut or discarded)
    let discarded = false;
    let paused = false;
    let broken = false; // the answer could not be parsed
    let informational = false;
    let keepAlive = false;
    let closeDelimited = false; // no Content-Length, not chunked: the body ends with the connection
    let error: Error | null = null;
    let onEnded: (() => void) | null = null;
    let bodyBytes = 0;
    let framingBytes = 0; // bytes in a row since the head that brought no body byte

    const held = () => early.length + (writer?.queued ?? 0);
    // Silence counts only while we read: a socket paused for the disk is quiet by our choice.
    const stallMs = opts.stallMs ?? MEDIA_STALL_MS;
    const onStall = () => {
      if (!paused && !ended) conn.socket.destroy(stalled(stallMs));
    };
    const relieve = () => {
      if (paused && !ended && held() < maxQueued) {
        paused = false;
        conn.socket.setTimeout(stallMs); // a timeout ignored while paused is not re-armed by itself
        conn.socket.resume();
      }
    };
    const hand = (views: Buffer[], release: () => void) => {
      const done = () => {
        release();
        relieve();
        if (writer?.failed && !ended) conn.socket.destroy();
      };
      if (discarded) return done();
      if (!writer) return void early.push({ views, release });
      deliver?.(views);
      writer.push(views, done);
    };
    const discard = () => {
      if (discarded) return;
      discarded = true;
      for (const b of early.splice(0)) b.release();
      if (!ended) {
        conn.detach(false);
        end(null);
      }
    };
    const end = (e: Error | null) => {
      if (ended) return;
      ended = true;
      error ??= e;
      conn.socket.off('timeout', onStall);
      conn.socket.setTimeout(0);
      signal?.removeEventListener('abort', onAbort);
      onEnded?.();
    };
    const onAbort = () => conn.socket.destroy(signal?.reason ?? abortError());

    const parser = new HTTPParser(HTTPParser.RESPONSE);
    parser[HTTPParser.kOnHeadersComplete] = (info: HeadInfo) => {
      if (info.statusCode >= 100 && info.statusCode < 200) {
        if (info.statusCode === 101) throw badHttp('an unrequested protocol switch');
        informational = true; // 100/102/103: the real answer follows
        return;
      }
      checkFraming(info.headers);
      const head = headerMap(info.headers);
      keepAlive = info.shouldKeepAlive;
      closeDelimited = !head.has('content-length') && !head.has('transfer-encoding') && info.statusCode !== 204 && info.statusCode !== 304;
      answered = true;
      resolve(response(info.statusCode, head));
    };
    parser[HTTPParser.kOnBody] = (chunk: Buffer, offset: number, length: number) => {
      if (length > 0) conn.keep(chunk.subarray(offset, offset + length));
      bodyBytes += length;
    };
    parser[HTTPParser.kOnMessageComplete] = () => {
      if (informational) {
        informational = false;
        return;
      }
      complete = true;
      // Reusable only if the server allows it and sent nothing after the answer (its parser's
      // position within the chunk; if that ever changes shape, the connection is simply not reused).
      const at = parser as unknown as { offset?: unknown; end?: unknown };
      const nothingAfter = typeof at.offset === 'number' && typeof at.end === 'number' && at.offset >= at.end;
      if (conn.detach(keepAlive && nothingAfter && !discarded)) pool.park(u, conn);
      end(null);
      throw DONE;
    };
    const run = (f: () => unknown) => {
      try {
        const r = f();
        if (r instanceof Error) throw r;
      } catch (e) {
        if (e === DONE || complete) return;
        broken = true;
        conn.socket.destroy((e as { code?: string }).code === 'HPE_MEDIA' ? (e as Error) : badHttp(e instanceof Error ? e.message : String(e)));
      }
    };

    const reader: ConnectionReader = {
      onData(chunk) {
        gotBytes = true;
        if (complete || discarded || broken) return;
        const before = bodyBytes;
        run(() => parser.execute(chunk, 0, chunk.length));
        // The parser keeps an unfinished line in memory: a server that never ends one is cut off.
        framingBytes = answered && bodyBytes === before ? framingBytes + chunk.length : 0;
        if (framingBytes > MAX_FRAMING_BYTES && !broken && !complete) run(() => badHttp('over 1 MiB without a body byte'));
        if (!paused && !ended && held() >= maxQueued) {
          paused = true;
          conn.socket.pause();
        }
      },
      take: hand,
      onEnd() {
        // A body without a length ends with the connection (any other unfinished body stays incomplete).
        if (closeDelimited && !complete && !broken) run(() => parser.finish());
      },
      onClose(e) {
        const stale = !gotBytes && conn.served > 1 && !signal?.aborted;
        if (!answered) reject(stale ? new StaleConnection() : (e ?? new Error('The storage server closed the connection without an answer.')));
        end(e);
      },
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    conn.attach(reader);
    conn.socket.on('timeout', onStall);
    conn.socket.setTimeout(stallMs);
    conn.socket.write(request);

    function response(status: number, head: Map<string, string>): MediaResponse {
      return {
        status,
        header: (name) => head.get(name.toLowerCase()) ?? null,
        discard,
        saveTo: async (file, append, onBytes, onChunk) => {
          if (discarded || deliver) throw new Error('The storage connection closed before the body was read.');
          deliver = (views) => {
            for (const v of views) {
              onBytes?.(v.length);
              onChunk?.(v);
            }
          };
          let fh;
          try {
            fh = await open(file, append ? 'a' : 'w');
          } catch (e) {
            discard();
            throw e;
          }
          const flush = backgroundFlush(file, opts.flushEveryBytes);
          writer = orderedWriter(fh.fd, (n) => flush.wrote(n));
          for (const b of early.splice(0)) hand(b.views, b.release);
          if (!ended) await new Promise<void>((r) => (onEnded = r));
          let sinkError: unknown = null;
          await writer.idle().catch((e: unknown) => (sinkError = e));
          await flush.close();
          await fh.close().catch((e: unknown) => (sinkError ??= e));
          if (sinkError) throw sinkError;
          if (!complete) throw error ?? new Error('The storage connection closed before the file was complete.');
        },
      };
    }
  });
}
