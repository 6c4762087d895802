// The slab-reading media GET (media-exchange.ts) against real servers on loopback.
// With the simulator, slabs are made small (16 KiB) so every download crosses many slab
// boundaries, and the faults that cut a file (reset mid-file, a signed URL expiring mid-file, an
// overstated or understated Content-Length) must still give exactly the object: in particular
// every byte that arrived before a cut must be in the file. Hand-written servers cover the framings
// the simulator never sends (chunked, close-delimited, 100 Continue), malformed answers, HTTPS with
// a certificate made here by openssl, backpressure, abort and a file that cannot be opened.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { downloadRecordingFile } from '../../../src-main/core/export/media/download-file';
import { createNodeMediaGet } from '../../../src-main/core/export/media/media-http';
import type { Source } from '../../../src-main/core/sources/source';
import type { Simulator } from '../../sim/index';
import { mediaFixture, mediaOf } from './export-helpers';

let sim: Simulator;
let root: string;
let source: Source;
let recording: Record<string, unknown>;
let full: Buffer;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const SLAB = 16 * 1024;
const smallSlabs = createNodeMediaGet({ slabBytes: SLAB, maxQueuedSlabs: 1 });

const fixture = mediaFixture('media-exchange-');
beforeAll(() => {
  ({ sim, root, source, recording, full } = fixture);
  expect(full.length).toBeGreaterThan(6 * SLAB);
});

const servers: Array<http.Server | net.Server> = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    (s as http.Server).closeAllConnections?.();
    await new Promise((r) => s.close(r));
  }
});
async function listen<S extends http.Server | net.Server>(server: S): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}
/** A server that answers every connection with these raw bytes (then runs `after`, which ends it by default). */
function rawServer(answer: Buffer | string, after: (s: net.Socket) => void = (s) => s.end()): Promise<string> {
  return listen(
    net.createServer((s) => {
      s.once('data', () => s.write(answer, () => after(s)));
      s.on('error', () => {});
    }),
  );
}
const bytes = (n: number, seed = 1) => {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed * 7 + (i >> 9)) & 0xff;
  return b;
};

describe('against the simulator, across many slab boundaries', () => {
  it('downloads the exact object, fresh and resumed', async () => {
    const file = path.join(root, 'small-slabs.mp4');
    const r = await downloadRecordingFile({ ...mediaOf(source, recording), file, mediaGet: smallSlabs });
    expect(r).toMatchObject({ status: 'downloaded', bytes: full.length });
    expect(sha(await readFile(file))).toBe(sha(full));
  });

  it.each([
    ['small slabs (most bytes handed on when a slab fills)', smallSlabs],
    ['one large slab (every byte still in the slab when the connection drops)', createNodeMediaGet()],
  ])('keeps every byte that arrived before a reset mid-file, with %s', async (_name, get) => {
    const cut = 3 * SLAB + 12_345; // inside a slab
    sim.setFaults({ rules: [{ match: '^/storage/', kind: 'reset', count: 1, afterBytes: cut }] });
    const file = path.join(root, 'reset.part');
    const res = await get(String(recording.downloadUrl), {});
    expect(res.status).toBe(200);
    await expect(res.saveTo(file, false)).rejects.toThrow(/closed before the file was complete|ECONNRESET/);
    expect(sim.counters().faults.reset).toBe(1);
    const got = await readFile(file);
    expect(got.length).toBe(cut);
    expect(got.equals(full.subarray(0, cut))).toBe(true);
  });

  it.each([
    ['a reset mid-file', { rules: [{ match: '^/storage/', kind: 'reset' as const, count: 2, afterBytes: 2 * SLAB + 999 }] }],
    ['signed URLs expiring mid-file', { expireAfterBytes: 3 * SLAB + 5 }],
    ['a Content-Length larger than the body', { rules: [{ match: '^/storage/', kind: 'wrongLength' as const, count: 2, lengthDelta: 1024 }] }],
    ['a Content-Length smaller than the body', { rules: [{ match: '^/storage/', kind: 'wrongLength' as const, count: 2, lengthDelta: -(SLAB + 7) }] }],
  ])('gives the exact object through %s', async (name, faults) => {
    sim.setFaults(faults);
    const file = path.join(root, `${name.replace(/\W+/g, '-')}.mp4`);
    const r = await downloadRecordingFile({ ...mediaOf(source, recording), file, mediaGet: smallSlabs, backoffMs: 1 });
    expect(r.bytes).toBe(full.length);
    expect(sha(await readFile(file))).toBe(sha(full));
    // Every byte sent before a cut was kept, so the resumes asked for exactly the rest (plus the
    // bodies of 403s for expired links, all the same size: measured on the first, now expired, link).
    const c = sim.counters();
    const refused = c.byStatus['403'] ?? 0;
    const refusal = refused ? (await (await fetch(String(recording.downloadUrl))).arrayBuffer()).byteLength : 0;
    expect(c.bytesMedia).toBe(full.length + refused * refusal);
  });
});

describe('framings the simulator does not send', () => {
  const body = bytes(5 * SLAB + 321);

  it('decodes a chunked body (chunks straddling slabs)', async () => {
    const host = await listen(
      http.createServer((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'video/mp4' }); // no length: Node sends chunked
        for (let i = 0; i < body.length; i += 20_000) res.write(body.subarray(i, i + 20_000));
        res.end();
      }),
    );
    const res = await smallSlabs(`http://${host}/chunked`, {});
    expect(res.header('transfer-encoding')).toBe('chunked');
    const file = path.join(root, 'chunked.bin');
    await res.saveTo(file, false);
    expect((await readFile(file)).equals(body)).toBe(true);
  });

  it('reads a body delimited by the connection closing, and reports one cut by a reset', async () => {
    const ok = await rawServer(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\n\r\n'), body]));
    const file = path.join(root, 'close-delimited.bin');
    await (await smallSlabs(`http://${ok}/x`, {})).saveTo(file, false);
    expect((await readFile(file)).equals(body)).toBe(true);

    const cut = await rawServer(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\n\r\n'), body.subarray(0, 2 * SLAB)]), (s) => setTimeout(() => s.resetAndDestroy(), 50));
    const cutFile = path.join(root, 'close-delimited-cut.bin');
    await expect((await smallSlabs(`http://${cut}/x`, {})).saveTo(cutFile, false)).rejects.toThrow();
    expect((await readFile(cutFile)).equals(body.subarray(0, 2 * SLAB))).toBe(true);
  });

  it('skips a 100 Continue before the answer', async () => {
    const head = `HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 206 Partial Content\r\nContent-Range: bytes 10-19/100\r\nContent-Length: 10\r\n\r\n`;
    const host = await rawServer(head + '0123456789');
    const res = await smallSlabs(`http://${host}/x`, { Range: 'bytes=10-19' });
    expect(res.status).toBe(206);
    expect(res.header('content-range')).toBe('bytes 10-19/100');
    const file = path.join(root, 'continue.bin');
    await res.saveTo(file, false);
    expect(await readFile(file, 'utf8')).toBe('0123456789');
  });

  it.each([
    ['a Content-Length that is not a number', 'HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\n0123456789ab', /Content-Length/],
    ['a transfer coding other than chunked', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxxxx', /Transfer-Encoding/],
    ['a status line that is not HTTP', 'SSH-2.0-OpenSSH_9.2\r\n\r\n', /not valid HTTP/],
    ['no answer at all', '', /without an answer/],
  ])('refuses %s with a clear error', async (_name, answer, message) => {
    const host = await rawServer(answer);
    await expect(smallSlabs(`http://${host}/x`, {})).rejects.toThrow(message);
  });

  it('cuts off a chunked answer whose chunk-size line never ends (memory stays bounded)', async () => {
    const host = await rawServer('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' + 'f'.repeat(3 * 2 ** 20), () => {});
    const res = await smallSlabs(`http://${host}/x`, {});
    await expect(res.saveTo(path.join(root, 'endless-line.bin'), false)).rejects.toThrow(/not valid HTTP.*without a body byte/);
  });

  it('refuses a header value that would split the request, before connecting', async () => {
    let connections = 0;
    const host = await listen(net.createServer((s) => (connections++, s.end())));
    await expect(smallSlabs(`http://${host}/x`, { Range: 'bytes=0-\r\nX-Injected: 1' })).rejects.toThrow(/invalid characters/);
    expect(connections).toBe(0);
  });
});

describe('flow control, abort and disk errors', () => {
  it('stops reading while nobody saves the body (backpressure), then saves all of it', async () => {
    const size = 48 * 2 ** 20;
    const payload = bytes(2 ** 20, 3);
    let accepted = 0; // bytes the server's socket took (it only takes more when the client reads)
    let done: () => void = () => {};
    const finished = new Promise<void>((r) => (done = r));
    const host = await listen(
      http.createServer(async (_req, res) => {
        res.writeHead(200, { 'Content-Length': size });
        for (let i = 0; i < size / payload.length; i++) {
          if (!res.write(payload)) await new Promise((r) => res.once('drain', r));
          accepted = res.socket?.bytesWritten ?? accepted;
        }
        res.end(done);
      }),
    );
    const get = createNodeMediaGet({ slabBytes: 2 ** 20, maxQueuedSlabs: 2 });
    const res = await get(`http://${host}/big`, {});
    // Wait until the server is stuck (no progress over several polls), then check how far it got.
    let last = -1;
    for (let still = 0; still < 5; ) {
      await new Promise((r) => setTimeout(r, 40));
      still = accepted === last ? still + 1 : 0;
      last = accepted;
    }
    expect(accepted).toBeLessThan(size / 2); // slabs + kernel buffers, not the file
    const file = path.join(root, 'backpressure.bin');
    await res.saveTo(file, false);
    await finished;
    expect((await stat(file)).size).toBe(size);
    const got = await readFile(file);
    for (let off = 0; off < size; off += payload.length) expect(got.subarray(off, off + payload.length).equals(payload)).toBe(true);
  });

  it('aborts mid-body: saveTo rejects with the reason, the bytes that arrived are in the file', async () => {
    const head = 64 * 1024;
    const host = await listen(
      http.createServer((_req, res) => {
        res.writeHead(200, { 'Content-Length': 10 * head });
        res.write(bytes(head, 5)); // then nothing more: only the abort ends this
      }),
    );
    const ac = new AbortController();
    const res = await smallSlabs(`http://${host}/slow`, {}, ac.signal);
    const file = path.join(root, 'aborted.bin');
    let seen = 0;
    const saving = res.saveTo(file, false, (n) => {
      seen += n;
      ac.abort(new Error('stopped by the user'));
    });
    await expect(saving).rejects.toThrow('stopped by the user');
    const got = await readFile(file);
    expect(seen).toBeGreaterThan(0);
    expect(got.length).toBeGreaterThanOrEqual(seen);
    expect(got.equals(bytes(head, 5).subarray(0, got.length))).toBe(true);
  });

  it('cuts off a server that goes silent mid-body, keeping what arrived', async () => {
    const head = 64 * 1024;
    const host = await listen(
      http.createServer((_req, res) => {
        res.writeHead(200, { 'Content-Length': 10 * head });
        res.write(bytes(head, 6)); // then silence
      }),
    );
    const get = createNodeMediaGet({ slabBytes: SLAB, stallMs: 300 });
    const res = await get(`http://${host}/silent`, {});
    const file = path.join(root, 'silent.bin');
    await expect(res.saveTo(file, false)).rejects.toThrow(/sent nothing for/);
    expect((await readFile(file)).equals(bytes(head, 6))).toBe(true);
  });

  it('cuts off a server that accepts the connection and never answers', async () => {
    const server = net.createServer((s) => s.resume()); // reads the request, says nothing
    const host = await listen(server);
    await expect(createNodeMediaGet({ stallMs: 300 })(`http://${host}/never`, {})).rejects.toThrow(/sent nothing for/);
  });

  it('does not count the time it stops reading for the disk as the server going silent', async () => {
    const size = 8 * 2 ** 20;
    const host = await listen(
      http.createServer((_req, res) => {
        res.writeHead(200, { 'Content-Length': size });
        res.end(bytes(size, 7));
      }),
    );
    // The pause is 4 × the stall limit; the limit leaves room for a busy machine to resume reading.
    const get = createNodeMediaGet({ slabBytes: 2 ** 20, maxQueuedSlabs: 1, stallMs: 500 });
    const res = await get(`http://${host}/paused`, {});
    await new Promise((r) => setTimeout(r, 2000)); // paused: nobody saves the body yet
    const file = path.join(root, 'paused.bin');
    await res.saveTo(file, false);
    expect((await stat(file)).size).toBe(size);
  });

  it('rejects with the disk error when the file cannot be opened, and closes the connection', async () => {
    let closed = false;
    const host = await listen(
      http.createServer((req, res) => {
        req.socket.on('close', () => (closed = true));
        res.writeHead(200, { 'Content-Length': 4 * SLAB });
        res.write(bytes(SLAB));
      }),
    );
    const res = await smallSlabs(`http://${host}/x`, {});
    await expect(res.saveTo(path.join(root, 'no-such-dir', 'x.bin'), false)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect.poll(() => closed).toBe(true);
  });
});

describe('https', () => {
  let cert: Buffer;
  let key: Buffer;
  beforeAll(() => {
    const dir = root;
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'], { stdio: 'ignore' });
    cert = readFileSync(path.join(dir, 'cert.pem'));
    key = readFileSync(path.join(dir, 'key.pem'));
  });

  async function tlsServer(body: Buffer): Promise<number> {
    const server = https.createServer({ key, cert }, (req, res) => {
      const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
      const from = m ? Number(m[1]) : 0;
      res.writeHead(m ? 206 : 200, { 'Content-Length': body.length - from, ...(m ? { 'Content-Range': `bytes ${from}-${body.length - 1}/${body.length}` } : {}) });
      res.end(body.subarray(from));
    });
    const host = await listen(server);
    return Number(host.split(':')[1]);
  }

  it('downloads over TLS from a trusted server, with Range', async () => {
    const body = bytes(3 * SLAB + 17, 9);
    const port = await tlsServer(body);
    const get = createNodeMediaGet({ ca: cert, slabBytes: SLAB });
    const file = path.join(root, 'tls.bin');
    await (await get(`https://localhost:${port}/f`, {})).saveTo(file, false);
    expect((await readFile(file)).equals(body)).toBe(true);
    const part = path.join(root, 'tls-range.bin');
    const res = await get(`https://localhost:${port}/f`, { Range: `bytes=${SLAB}-` });
    expect(res.status).toBe(206);
    await res.saveTo(part, false);
    expect((await readFile(part)).equals(body.subarray(SLAB))).toBe(true);
  });

  it('refuses a certificate it does not trust', async () => {
    const port = await tlsServer(bytes(1000));
    await expect(createNodeMediaGet()(`https://localhost:${port}/f`, {})).rejects.toThrow(/self-signed|certificate/i);
  });
});

describe('keep-alive connections', () => {
  const body = bytes(3 * SLAB + 5, 11);
  /** An http server that counts connections and serves `body` (its answer headers from `extra`). */
  async function counted(extra: Record<string, string> = {}): Promise<{ host: string; connections: () => number; closed: () => number }> {
    let connections = 0;
    let closed = 0;
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Length': body.length, ...extra });
      res.end(body);
    });
    server.on('connection', (s) => {
      connections++;
      s.on('close', () => closed++);
    });
    return { host: await listen(server), connections: () => connections, closed: () => closed };
  }
  const fetchTo = async (get: ReturnType<typeof createNodeMediaGet>, url: string, name: string) => {
    const file = path.join(root, name);
    await (await get(url, {})).saveTo(file, false);
    expect((await readFile(file)).equals(body)).toBe(true);
  };

  it('sends the next GET to the same origin on the same connection', async () => {
    const s = await counted();
    const get = createNodeMediaGet({ slabBytes: SLAB });
    for (let i = 0; i < 3; i++) await fetchTo(get, `http://${s.host}/f${i}`, `reuse-${i}.bin`);
    expect(s.connections()).toBe(1);
  });

  it('does not reuse a connection the server closes, one with bytes after the answer, or one whose body was discarded', async () => {
    const closing = await counted({ Connection: 'close' });
    const get = createNodeMediaGet({ slabBytes: SLAB });
    await fetchTo(get, `http://${closing.host}/a`, 'close-1.bin');
    await fetchTo(get, `http://${closing.host}/b`, 'close-2.bin');
    expect(closing.connections()).toBe(2);

    const answer = Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`), body, Buffer.from('HTTP/1.1 200 OK\r\n')]);
    let chatty = 0;
    const host = await listen(
      net.createServer((s) => {
        chatty++;
        s.on('data', () => s.write(answer));
        s.on('error', () => {});
      }),
    );
    await fetchTo(get, `http://${host}/a`, 'chatty-1.bin');
    await fetchTo(get, `http://${host}/b`, 'chatty-2.bin');
    expect(chatty).toBe(2);

    const big = await counted();
    const res = await get(`http://${big.host}/a`, {});
    res.discard();
    await fetchTo(get, `http://${big.host}/b`, 'after-discard.bin');
    expect(big.connections()).toBe(2);
  });

  it('sends the GET again on a fresh connection when a reused one turns out closed', async () => {
    // Answers the first request of each connection, and drops the connection at its second request.
    let connections = 0;
    const host = await listen(
      net.createServer((s) => {
        connections++;
        let requests = 0;
        s.on('data', () => {
          if (++requests === 1) s.write(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`), body]));
          else s.destroy();
        });
        s.on('error', () => {});
      }),
    );
    const get = createNodeMediaGet({ slabBytes: SLAB });
    await fetchTo(get, `http://${host}/a`, 'stale-1.bin');
    await fetchTo(get, `http://${host}/b`, 'stale-2.bin');
    expect(connections).toBe(2);
  });

  it('aborts a GET waiting for its answer on a reused connection (no retry after an abort)', async () => {
    let connections = 0;
    let second: () => void = () => {};
    const waiting = new Promise<void>((r) => (second = r));
    const host = await listen(
      net.createServer((s) => {
        connections++;
        let requests = 0;
        s.on('data', () => {
          if (++requests === 1) s.write(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`), body]));
          else second(); // and never answers
        });
        s.on('error', () => {});
      }),
    );
    const get = createNodeMediaGet({ slabBytes: SLAB });
    await fetchTo(get, `http://${host}/a`, 'abort-1.bin');
    const ac = new AbortController();
    const pending = get(`http://${host}/b`, {}, ac.signal);
    await waiting;
    ac.abort(new Error('stopped by the user'));
    await expect(pending).rejects.toThrow('stopped by the user');
    expect(connections).toBe(1);
  });

  it('closes an idle connection after idleMs', async () => {
    const s = await counted();
    const get = createNodeMediaGet({ slabBytes: SLAB, idleMs: 20 });
    await fetchTo(get, `http://${s.host}/a`, 'idle.bin');
    await expect.poll(() => s.closed()).toBe(1);
  });
});
