// A storage connection that reads straight into reused slabs (the `onread` option of net/tls
// .connect: no allocation or copy per read), serving one request at a time, and the pool that
// keeps idle ones for the next file from the same origin (as node:http's keep-alive agent did:
// many small files must not pay a TCP + TLS handshake each).
// Who reads (a MediaExchange) marks the body bytes of each read with keep(); when a slab fills,
// its marked bytes are handed to the reader with a release callback that returns the slab here.
import net from 'node:net';
import tls from 'node:tls';

/** What a connection's current reader must handle. */
export interface ConnectionReader {
  /** Bytes just read (a view into the current slab, valid until the reader's next keep()/the slab's release). */
  onData(chunk: Buffer): void;
  /** Filled slab: the body bytes marked with keep(), in order; call `release` once they are written (or dropped). */
  take(views: Buffer[], release: () => void): void;
  /** The server ended its side (EOF). */
  onEnd(): void;
  /** The connection is gone (after 'end' and/or an error). */
  onClose(error: Error | null): void;
}

export interface ConnectionOptions {
  /** Trusted CA certificates instead of the system's (a test server's self-signed certificate). */
  ca?: string | Buffer;
  /** Size of a read slab (default 1 MiB). */
  slabBytes?: number;
}

/** Smallest free tail of a slab worth reading into; below it the next read takes a fresh slab. */
const MIN_READ = 64 * 1024;

export class MediaConnection {
  readonly socket: net.Socket;
  /** Requests this connection has served (a reused one may find the server already gone). */
  served = 0;
  private reader: ConnectionReader | null = null;
  private slab: Buffer;
  private used = 0;
  private views: Buffer[] = [];
  private readonly spare: Buffer[] = [];
  private readonly slabBytes: number;
  private readonly minRead: number;
  private error: Error | null = null;
  /** Inside a read callback: the buffer for the next read is asked for right after it. */
  private reading = false;
  closed = false;
  /** Set by the pool while the connection is idle: forgets it when it closes, closes it when idle too long. */
  onIdleClose: (() => void) | null = null;
  idleTimer: NodeJS.Timeout | null = null;

  constructor(u: URL, opts: ConnectionOptions) {
    this.slabBytes = opts.slabBytes ?? 1 << 20;
    this.minRead = Math.min(MIN_READ, this.slabBytes >> 1);
    this.slab = Buffer.allocUnsafe(this.slabBytes);
    const onread = {
      buffer: () => {
        if (this.slabBytes - this.used < this.minRead) this.retire();
        return this.slab.subarray(this.used);
      },
      callback: (n: number, buf: Uint8Array): boolean => {
        this.used += n;
        if (!this.reader) {
          this.socket.destroy(); // an idle connection has nothing to say
          return true;
        }
        this.reading = true;
        try {
          this.reader.onData(Buffer.from(buf.buffer, buf.byteOffset, n));
        } finally {
          this.reading = false;
        }
        return true;
      },
    };
    const host = u.hostname.replace(/^\[|\]$/g, '');
    const port = Number(u.port) || (u.protocol === 'https:' ? 443 : 80);
    this.socket =
      u.protocol === 'https:'
        ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ALPNProtocols: ['http/1.1'], ...(opts.ca ? { ca: opts.ca } : {}), onread } as tls.ConnectionOptions)
        : net.connect({ host, port, onread });
    this.socket.on('error', (e) => {
      this.error ??= e;
    });
    this.socket.on('end', () => this.reader?.onEnd());
    this.socket.on('close', () => {
      this.closed = true;
      const r = this.reader;
      this.retire();
      this.reader = null;
      if (r) r.onClose(this.error);
      else this.onIdleClose?.();
    });
  }

  /** Makes `reader` the one who receives this connection's bytes (the request is written by the caller). */
  attach(reader: ConnectionReader): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    this.onIdleClose = null;
    this.reader = reader;
    this.served++;
    this.socket.ref();
    this.socket.resume();
  }

  /** Marks bytes of the last chunk (a subarray of it) as body bytes to be handed on. */
  keep(v: Buffer): void {
    const last = this.views[this.views.length - 1];
    if (last && last.buffer === v.buffer && last.byteOffset + last.length === v.byteOffset) {
      this.views[this.views.length - 1] = Buffer.from(last.buffer, last.byteOffset, last.length + v.length);
    } else this.views.push(v);
  }

  /**
   * Ends the current reader's turn: its remaining body bytes are handed to it, and the connection is
   * either kept for another request (`reusable`: the whole answer was read and the server allows
   * it) or closed. Returns false when it was closed.
   * Only reusable from inside a read callback: the socket then asks for its next buffer right
   * after, so the next read lands in the fresh slab retire() starts, never in the one just handed on.
   */
  detach(reusable: boolean): boolean {
    this.retire();
    this.reader = null;
    if (!reusable || !this.reading || this.closed) {
      this.socket.destroy();
      return false;
    }
    this.spare.length = 0;
    this.socket.resume(); // keep reading while idle, to notice the server closing it
    this.socket.unref();
    return true;
  }

  /** Hands the marked bytes of the current slab to the reader and starts a fresh slab. */
  private retire(): void {
    if (this.views.length) {
      const s = this.slab;
      const views = this.views;
      this.views = [];
      if (!this.closed) this.slab = this.spare.pop() ?? Buffer.allocUnsafe(this.slabBytes);
      // Back to the spares while serving (enough for the slabs in flight); an idle connection keeps none.
      const release = () => {
        if (this.reader && this.spare.length < 6) this.spare.push(s);
      };
      if (this.reader) this.reader.take(views, release);
      else release();
    }
    this.used = 0;
  }
}

export interface ConnectionPool {
  /** An idle connection to the URL's origin, or a new one (always a new one when `fresh`). */
  get(u: URL, fresh?: boolean): MediaConnection;
  /** Keeps a connection whose reader detached it as reusable (until idle too long or too many). */
  park(u: URL, c: MediaConnection): void;
}

export interface PoolOptions extends ConnectionOptions {
  /** How long an idle connection is kept (default 4 s, below common server keep-alive timeouts). */
  idleMs?: number;
  /** Idle connections kept per origin (default 4). */
  maxIdle?: number;
}

export function connectionPool(opts: PoolOptions = {}): ConnectionPool {
  const idle = new Map<string, MediaConnection[]>();
  const idleMs = opts.idleMs ?? 4000;
  const maxIdle = opts.maxIdle ?? 4;
  const key = (u: URL) => `${u.protocol}//${u.host}`;
  const forget = (k: string, c: MediaConnection) => {
    const list = idle.get(k);
    const i = list?.indexOf(c) ?? -1;
    if (list && i >= 0) list.splice(i, 1);
    if (list && !list.length) idle.delete(k);
  };
  return {
    get(u, fresh = false) {
      const k = key(u);
      if (!fresh) for (let c = idle.get(k)?.pop(); c; c = idle.get(k)?.pop()) if (!c.closed && !c.socket.destroyed) return c;
      return new MediaConnection(u, opts);
    },
    park(u, c) {
      const k = key(u);
      const list = idle.get(k) ?? [];
      idle.set(k, list);
      list.push(c);
      if (list.length > maxIdle) list.shift()!.socket.destroy();
      c.onIdleClose = () => forget(k, c);
      c.idleTimer = setTimeout(() => c.socket.destroy(), idleMs);
      c.idleTimer.unref();
    },
  };
}
