// One media GET on its own connection, at wire speed. The socket reads straight into reused 1 MiB
// slabs (the `onread` option of net/tls.connect), http-parser-js frames the response, and the body
// bytes are written from those slabs (one writev per slab, in order): no allocation or copy per
// read. Measured on loopback, 385 MiB to a file: node:http 0.82 of curl whatever the write path,
// undici's dispatcher slower than node:http (its socket is read through the same stream machinery
// and copied into wasm), these slabs 1.4× curl. See BENCHMARKS.md (media) for the figures.
// Guarantees kept from the node:http version: every byte that arrived before a drop reaches the
// file (the slabs are written out before saveTo settles), backpressure (at most `maxQueuedSlabs`
// slabs wait for the disk, then the socket stops reading), abort, and nothing but the request line,
// Host, Accept-Encoding, Connection and the caller's (already filtered) headers is sent.
// One request per connection (`Connection: close`): media files are large, a handshake is cheap next to them.
import { open } from 'node:fs/promises';
import net from 'node:net';
import tls from 'node:tls';
import { HTTPParser } from 'http-parser-js';
import { abortError } from '../../ports';
import { backgroundFlush } from './background-flush';
import { orderedWriter, type OrderedWriter } from './ordered-writer';
import type { MediaResponse } from './media-http';

export interface MediaExchangeOptions {
  signal?: AbortSignal;
  /** Early writeback interval in bytes (see background-flush.ts). */
  flushEveryBytes?: number;
  /** Trusted CA certificates instead of the system's (a test server's self-signed certificate). */
  ca?: string | Buffer;
  /** Size of a read slab (default 1 MiB). */
  slabBytes?: number;
  /** Filled slabs that may wait for the disk (or for saveTo) before the socket stops reading (default 4). */
  maxQueuedSlabs?: number;
}

/** Smallest free tail of a slab worth reading into; below it the next read takes a fresh slab. */
const MIN_READ = 64 * 1024;
/** Headers of which only the first copy counts (as node:http does). */
const SINGLE = new Set(['content-length', 'content-range', 'content-type', 'etag', 'last-modified', 'location']);

function badHttp(message: string): Error {
  return Object.assign(new Error(`The storage server's answer is not valid HTTP/1.1: ${message}.`), { code: 'HPE_MEDIA' });
}

function requestHead(u: URL, headers: Record<string, string>): string {
  const lines = [`GET ${u.pathname || '/'}${u.search} HTTP/1.1`, `Host: ${u.host}`, 'Accept-Encoding: identity', 'Connection: close'];
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
}

export function mediaExchange(u: URL, headers: Record<string, string>, opts: MediaExchangeOptions = {}): Promise<MediaResponse> {
  return new Promise<MediaResponse>((resolve, reject) => {
    const { signal } = opts;
    if (signal?.aborted) {
      reject(signal.reason ?? abortError());
      return;
    }
    let request: string;
    try {
      request = requestHead(u, headers);
    } catch (e) {
      reject(e);
      return;
    }
    const slabBytes = opts.slabBytes ?? 1 << 20;
    const minRead = Math.min(MIN_READ, slabBytes >> 1);
    const maxQueued = Math.max(1, opts.maxQueuedSlabs ?? 4);

    // Reads land in `slab` from `used` on; `views` are the body bytes in it, in order.
    let slab: Buffer = Buffer.allocUnsafe(slabBytes);
    let used = 0;
    let views: Buffer[] = [];
    const spare: Buffer[] = [];
    // Filled slabs before saveTo gave them a file; afterwards they go to `writer`.
    const early: Array<{ views: Buffer[]; release: () => void }> = [];
    let writer: OrderedWriter | null = null;
    let deliver: ((views: Buffer[]) => void) | null = null;

    let answered = false; // the final (non-1xx) head arrived
    let complete = false; // the whole message arrived
    let discarded = false;
    let closed = false;
    let paused = false;
    let broken = false; // the answer could not be parsed
    let informational = false;
    let socketError: Error | null = null;
    let onClosed: (() => void) | null = null;

    const held = () => early.length + (writer?.queued ?? 0);
    const relieve = () => {
      if (paused && !closed && held() < maxQueued) {
        paused = false;
        socket.resume();
      }
    };
    const recycle = (s: Buffer) => {
      if (spare.length <= maxQueued) spare.push(s);
      relieve();
      if (writer?.failed) socket.destroy();
    };
    const hand = (batch: Buffer[], release: () => void) => {
      if (discarded) return release();
      if (!writer) return void early.push({ views: batch, release });
      deliver?.(batch);
      writer.push(batch, release);
    };
    /** Hands the current slab's body bytes on (if any) and starts a fresh slab. */
    const retire = () => {
      if (views.length) {
        const s = slab;
        hand(views, () => recycle(s));
        slab = spare.pop() ?? Buffer.allocUnsafe(slabBytes);
        views = [];
      }
      used = 0;
    };
    const addBody = (v: Buffer) => {
      const last = views[views.length - 1];
      if (last && last.buffer === v.buffer && last.byteOffset + last.length === v.byteOffset) {
        views[views.length - 1] = Buffer.from(last.buffer, last.byteOffset, last.length + v.length);
      } else views.push(v);
    };

    const parser = new HTTPParser(HTTPParser.RESPONSE);
    parser[HTTPParser.kOnHeadersComplete] = (info: HeadInfo) => {
      if (info.statusCode >= 100 && info.statusCode < 200) {
        if (info.statusCode === 101) throw badHttp('an unrequested protocol switch');
        informational = true; // 100/102/103: the real answer follows
        return;
      }
      checkFraming(info.headers);
      const head = headerMap(info.headers);
      answered = true;
      resolve(response(info.statusCode, head));
    };
    parser[HTTPParser.kOnBody] = (chunk: Buffer, offset: number, length: number) => {
      if (length > 0) addBody(chunk.subarray(offset, offset + length));
    };
    parser[HTTPParser.kOnMessageComplete] = () => {
      if (informational) {
        informational = false;
        return;
      }
      complete = true;
      process.nextTick(() => socket.destroy()); // one request per connection: done with it
    };

    const onread = {
      buffer: () => {
        if (slabBytes - used < minRead) retire();
        return slab.subarray(used);
      },
      callback: (n: number, buf: Uint8Array): boolean => {
        used += n;
        if (complete || discarded || broken) return true;
        let r: number | Error;
        try {
          r = parser.execute(buf as Buffer, 0, n);
        } catch (e) {
          r = e instanceof Error ? e : new Error(String(e));
        }
        if (r instanceof Error && !complete) {
          broken = true;
          const e = (r as { code?: string }).code === 'HPE_MEDIA' ? r : badHttp(r.message);
          process.nextTick(() => socket.destroy(e));
          return true;
        }
        if (!paused && held() >= maxQueued) {
          paused = true;
          socket.pause();
        }
        return true;
      },
    };
    const host = u.hostname.replace(/^\[|\]$/g, '');
    const port = Number(u.port) || (u.protocol === 'https:' ? 443 : 80);
    const socket: net.Socket =
      u.protocol === 'https:'
        ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ALPNProtocols: ['http/1.1'], ...(opts.ca ? { ca: opts.ca } : {}), onread } as tls.ConnectionOptions)
        : net.connect({ host, port, onread });
    socket.write(request);

    const onAbort = () => socket.destroy(signal?.reason ?? abortError());
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('error', (e) => {
      socketError ??= e;
    });
    socket.on('end', () => {
      // A body without a length ends with the connection (any other unfinished body stays incomplete).
      if (answered && !complete && !socketError && !broken) parser.finish();
    });
    socket.on('close', () => {
      signal?.removeEventListener('abort', onAbort);
      closed = true;
      if (!answered) reject(socketError ?? new Error('The storage server closed the connection without an answer.'));
      retire();
      onClosed?.();
    });

    function response(status: number, head: Map<string, string>): MediaResponse {
      return {
        status,
        header: (name) => head.get(name.toLowerCase()) ?? null,
        discard: () => {
          if (discarded) return;
          discarded = true;
          for (const b of early.splice(0)) b.release();
          socket.destroy();
        },
        saveTo: async (file, append, onBytes, onChunk) => {
          if (discarded || writer || deliver) throw new Error('The storage connection closed before the body was read.');
          deliver = (batch) => {
            for (const v of batch) {
              onBytes?.(v.length);
              onChunk?.(v);
            }
          };
          let fh;
          try {
            fh = await open(file, append ? 'a' : 'w');
          } catch (e) {
            discarded = true;
            socket.destroy();
            throw e;
          }
          const flush = backgroundFlush(file, opts.flushEveryBytes);
          writer = orderedWriter(fh.fd, (n) => flush.wrote(n));
          for (const b of early.splice(0)) hand(b.views, b.release);
          relieve();
          if (!closed) await new Promise<void>((r) => (onClosed = r));
          let sinkError: unknown = null;
          await writer.idle().catch((e: unknown) => (sinkError = e));
          await flush.close();
          await fh.close().catch((e: unknown) => (sinkError ??= e));
          if (sinkError) throw sinkError;
          if (!complete) throw socketError ?? new Error('The storage connection closed before the file was complete.');
        },
      };
    }
  });
}
