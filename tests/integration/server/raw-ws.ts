// WebSocket at the byte level, for the bad-frame and fuzz tests: a hand-written upgrade over a
// plain TCP socket, a frame encoder that can lie (wrong lengths, reserved opcodes and bits,
// unmasked, fragmented), and a reader of the server's frames that reports its close code.
// Written from RFC 6455 directly, so it shares nothing with the `ws` library under test.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { webSocketProtocolsFor, WS_PATH } from '../../../src-shared/ws-protocol';

export const OP = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

export interface FrameSpec {
  opcode: number;
  payload?: Buffer | string;
  fin?: boolean;
  /** RSV1–3 as a 3-bit number (must be 0 without extensions). */
  rsv?: number;
  /** Clients must mask; default true. */
  mask?: boolean;
  /** Length to put in the header instead of the payload's (a lie when they differ). */
  declaredLength?: bigint;
}

export function encodeFrame(spec: FrameSpec): Buffer {
  const payload = typeof spec.payload === 'string' ? Buffer.from(spec.payload, 'utf8') : spec.payload ?? Buffer.alloc(0);
  const len = spec.declaredLength ?? BigInt(payload.length);
  const masked = spec.mask ?? true;
  const b0 = ((spec.fin ?? true) ? 0x80 : 0) | (((spec.rsv ?? 0) & 7) << 4) | (spec.opcode & 0x0f);
  const m = masked ? 0x80 : 0;
  let header: Buffer;
  if (len < 126n) header = Buffer.from([b0, m | Number(len)]);
  else if (len < 65536n) {
    header = Buffer.alloc(4);
    header[0] = b0;
    header[1] = m | 126;
    header.writeUInt16BE(Number(len), 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = b0;
    header[1] = m | 127;
    header.writeBigUInt64BE(len, 2);
  }
  if (!masked) return Buffer.concat([header, payload]);
  const key = randomBytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] ^= key[i % 4];
  return Buffer.concat([header, key, body]);
}

export const closePayload = (code: number, reason = '') => {
  const b = Buffer.alloc(2 + Buffer.byteLength(reason));
  b.writeUInt16BE(code, 0);
  b.write(reason, 2);
  return b;
};

export interface ServerFrame {
  opcode: number;
  payload: Buffer;
}

/** Parses the server's (unmasked) frames out of a byte stream. */
function parseServerFrames(buf: Buffer): { frames: ServerFrame[]; rest: Buffer } {
  const frames: ServerFrame[] = [];
  let at = 0;
  for (;;) {
    if (buf.length - at < 2) break;
    const opcode = buf[at] & 0x0f;
    let len = buf[at + 1] & 0x7f;
    let head = 2;
    if (len === 126) {
      if (buf.length - at < 4) break;
      len = buf.readUInt16BE(at + 2);
      head = 4;
    } else if (len === 127) {
      if (buf.length - at < 10) break;
      len = Number(buf.readBigUInt64BE(at + 2));
      head = 10;
    }
    if (buf.length - at < head + len) break;
    frames.push({ opcode, payload: buf.subarray(at + head, at + head + len) });
    at += head + len;
  }
  return { frames, rest: buf.subarray(at) };
}

export interface RawConnection {
  socket: Socket;
  /** The HTTP status of the upgrade answer (101 when it was accepted). */
  status: number;
  /** The subprotocol the server selected. */
  protocol: string | null;
  /** The whole upgrade answer (status line and headers). */
  responseHead: string;
  frames: ServerFrame[];
  /** Resolves when the TCP connection has closed, for whatever reason. */
  closed: Promise<void>;
  /** The code of the first close frame the server sent, or null. */
  closeCode(): number | null;
  /** Resolves when the server has sent a close frame or ended the connection. */
  serverDone: Promise<void>;
  send(bytes: Buffer): void;
}

export interface RawUpgradeOptions {
  token?: string;
  origin?: string;
  path?: string;
  /** Replaces the whole request (to send a malformed one). */
  request?: string;
}

/** Opens a TCP connection, sends an upgrade request and waits for the answer head. */
export function rawUpgrade(port: number, opts: RawUpgradeOptions = {}): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let buf: Buffer = Buffer.alloc(0);
    let head: string | null = null;
    const frames: ServerFrame[] = [];
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    let markDone!: () => void;
    const serverDone = new Promise<void>((r) => (markDone = r));
    socket.once('end', () => markDone());
    void closed.then(() => markDone());
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (head === null) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        head = buf.subarray(0, end).toString('latin1');
        buf = buf.subarray(end + 4);
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
        const protocol = /^sec-websocket-protocol:\s*(.+)$/im.exec(head)?.[1]?.trim() ?? null;
        resolve({
          socket,
          status,
          protocol,
          responseHead: head,
          frames,
          closed,
          serverDone,
          closeCode: () => {
            const c = frames.find((f) => f.opcode === OP.close);
            return c && c.payload.length >= 2 ? c.payload.readUInt16BE(0) : c ? 1005 : null;
          },
          send: (bytes) => {
            if (!socket.destroyed && socket.writable) socket.write(bytes);
          },
        });
      }
      const parsed = parseServerFrames(buf);
      frames.push(...parsed.frames);
      buf = parsed.rest;
      if (parsed.frames.some((f) => f.opcode === OP.close)) markDone();
    });
    socket.once('close', () => {
      if (head === null) reject(new Error('connection closed before an upgrade answer'));
    });
    socket.once('connect', () => {
      if (opts.request !== undefined) {
        socket.write(opts.request);
        return;
      }
      const lines = [
        `GET ${opts.path ?? WS_PATH} HTTP/1.1`,
        `Host: 127.0.0.1:${port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Version: 13',
        `Origin: ${opts.origin ?? `http://127.0.0.1:${port}`}`,
        ...(opts.token ? [`Sec-WebSocket-Protocol: ${webSocketProtocolsFor(opts.token).join(', ')}`] : []),
      ];
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
  });
}

/** Sends `frames`, waits for the server's close frame (or end), then ends our side; returns the server's close code. */
export async function sendAndWaitForClose(conn: RawConnection, frames: Buffer[]): Promise<number | null> {
  for (const f of frames) conn.send(f);
  await conn.serverDone;
  conn.socket.end();
  await conn.closed;
  return conn.closeCode();
}
