// Fuzz: hundreds of raw TCP connections throw seeded random input at a browser-mode server
// running in its own process — random bytes, random opcodes and reserved bits, fragments,
// masked and unmasked frames, lying length headers, truncated frames, resets, malformed
// upgrade requests. The process must survive all of it, a client connected all along must keep
// working, and a new well-formed client must get answers. FUZZ_SEED=n replays a run.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webSocketProtocolsFor, WS_MAX_PAYLOAD } from '../../../src-shared/ws-protocol';
import { projectRoot } from '../../../src-main/server/node-core';
import { Rng } from '../../sim/prng';
import { connectApi } from './helpers';
import { closePayload, encodeFrame, OP, rawUpgrade, type FrameSpec } from './raw-ws';

const SEED = Number(process.env.FUZZ_SEED ?? 11);
const CONNECTIONS = 1000;
const PARALLEL = 16;

let child: ChildProcessByStdio<null, Readable, Readable>;
let stderr = '';
let port = 0;
let token = '';

beforeAll(async () => {
  const root = projectRoot();
  child = spawn(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(root, 'tests', 'integration', 'server', 'serve-browser-mode.ts')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr.on('data', (d) => (stderr += d));
  let stdout = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      stdout += d;
      if (stdout.includes('\n')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the server exited (${code}) before it was ready: ${stderr}`)));
  });
  ({ port, token } = JSON.parse(stdout.split('\n')[0]) as { port: number; token: string });
});
afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
});

const tally = { unanswered: 0, connections: 0, frames: 0, bytes: 0, closeCodes: new Map<number | string, number>(), upgradeStatuses: new Map<number, number>() };
const count = <K>(m: Map<K, number>, k: K) => m.set(k, (m.get(k) ?? 0) + 1);

const READ_ONLY_METHODS = ['getAppInfo', 'listJobs', 'getSettings', 'listProfiles', 'noSuchMethod', '__proto__', 'constructor'];

function randomPayload(rng: Rng): Buffer {
  const kind = rng.int(0, 5);
  const size = rng.bool(0.8) ? rng.int(0, 200) : rng.bool(0.8) ? rng.int(126, 70_000) : rng.int(WS_MAX_PAYLOAD - 10, WS_MAX_PAYLOAD + 10);
  if (kind === 0) return Buffer.from(Array.from({ length: size }, () => rng.int(0, 255)));
  if (kind === 1) return Buffer.from(JSON.stringify({ type: 'call', id: rng.int(-5, 1e6), method: rng.pick(READ_ONLY_METHODS), arg: rng.pick([undefined, null, 42, 'x', {}, [], { jobId: rng.token(8) }]) }));
  if (kind === 2) return Buffer.from(JSON.stringify({ type: rng.pick(['call', 'downloadTicket', 'result', 'event', '']), id: rng.pick([1, 1.5, '1', null, 2 ** 60]), jobId: rng.pick(['x', '', 'y'.repeat(300), 7]) }));
  if (kind === 3) return Buffer.from(rng.pick(['{', '}', 'null', '[]', '"x"', '{"type":"call","id":1,"method":', '\u0000', 'true']));
  if (kind === 4) return closePayload(rng.int(0, 5000), rng.bool() ? 'bye' : '');
  return Buffer.from([0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xf8, 0x88, 0x80, 0x80, 0x80].slice(0, rng.int(1, 10))); // invalid UTF-8
}

function randomFrame(rng: Rng): FrameSpec {
  const payload = randomPayload(rng);
  const opcode = rng.bool(0.75) ? rng.pick([OP.continuation, OP.text, OP.binary, OP.close, OP.ping, OP.pong]) : rng.int(0, 15);
  const lie = rng.bool(0.15) ? rng.pick([BigInt(payload.length + rng.int(1, 1000)), 65_536n, 2n ** 31n, 2n ** 53n, 2n ** 63n - 1n, BigInt(WS_MAX_PAYLOAD + 1), 0n]) : undefined;
  return { opcode, payload, fin: rng.bool(0.8), rsv: rng.bool(0.1) ? rng.int(1, 7) : 0, mask: rng.bool(0.9), ...(lie !== undefined ? { declaredLength: lie } : {}) };
}

/** Writes `bytes` in random-sized pieces, maybe cut short. */
function writeInPieces(rng: Rng, send: (b: Buffer) => void, bytes: Buffer): void {
  const cut = rng.bool(0.15) ? rng.int(0, bytes.length) : bytes.length;
  for (let at = 0; at < cut; ) {
    const n = Math.min(cut - at, rng.bool(0.3) ? rng.int(1, 16) : rng.int(1, 65_536));
    send(bytes.subarray(at, at + n));
    at += n;
  }
  tally.bytes += cut;
}

/** Waits for `p` or a short grace period (pacing only; nothing is asserted on time). */
const settle = (p: Promise<unknown>, ms: number) => Promise.race([p, new Promise((r) => setTimeout(r, ms))]);

async function framesAfterUpgrade(rng: Rng): Promise<void> {
  const conn = await rawUpgrade(port, { token });
  count(tally.upgradeStatuses, conn.status);
  const frames = Array.from({ length: rng.int(1, 6) }, () => randomFrame(rng));
  tally.frames += frames.length;
  writeInPieces(rng, conn.send, Buffer.concat(frames.map(encodeFrame)));
  const ending = rng.int(0, 2);
  if (ending === 0) conn.socket.resetAndDestroy();
  else {
    if (ending === 1) await settle(conn.serverDone, 200);
    conn.socket.end();
  }
  await settle(conn.closed, 5_000);
  conn.socket.destroy();
  count(tally.closeCodes, conn.closeCode() ?? 'none');
}

function malformedUpgrade(rng: Rng): string {
  const key = 'dGhlIHNhbXBsZSBub25jZQ==';
  const good = [`Host: 127.0.0.1:${port}`, 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${key}`, 'Sec-WebSocket-Version: 13', `Origin: http://127.0.0.1:${port}`, `Sec-WebSocket-Protocol: ${webSocketProtocolsFor(token).join(', ')}`];
  const variants: Array<() => string[]> = [
    () => ['GET http://[ HTTP/1.1', ...good],
    () => [`GET http://127.0.0.1:${port}/ws HTTP/1.1`, ...good],
    () => ['GET /ws HTTP/1.1', ...good.filter((h) => !h.startsWith('Sec-WebSocket-Key'))],
    () => ['GET /ws HTTP/1.1', ...good.map((h) => (h.startsWith('Sec-WebSocket-Version') ? 'Sec-WebSocket-Version: 8' : h))],
    () => ['GET /ws HTTP/1.1', ...good.map((h) => (h.startsWith('Sec-WebSocket-Key') ? 'Sec-WebSocket-Key: short' : h))],
    () => ['GET /ws HTTP/1.1', ...good.map((h) => (h.startsWith('Sec-WebSocket-Protocol') ? `Sec-WebSocket-Protocol: studydl.v1,, ,studydl.token.${token} x` : h))],
    () => ['GET /ws HTTP/1.1', ...good.map((h) => (h.startsWith('Sec-WebSocket-Protocol') ? `Sec-WebSocket-Protocol: studydl.token.${token}` : h))],
    () => ['GET /ws HTTP/1.1', ...good.map((h) => (h.startsWith('Origin') ? 'Origin: null' : h))],
    () => ['GET /ws/../ws HTTP/1.1', ...good],
    () => ['GET /ws HTTP/1.1', ...good, `X-Padding: ${'a'.repeat(rng.int(10_000, 70_000))}`],
    () => ['POST /ws HTTP/1.1', ...good, 'Content-Length: 5'],
    () => ['GET /ws HTTP/1.1', ...good, 'Transfer-Encoding: chunked', 'Content-Length: 3'],
    () => ['GET /ws HTTP/1.1', ...good.map((h) => (h.startsWith('Host') ? 'Host: ' : h))],
  ];
  return `${rng.pick(variants)().join('\r\n')}\r\n\r\n`;
}

async function garbageBeforeUpgrade(rng: Rng): Promise<void> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  socket.resume(); // read (and drop) whatever the server answers, so its end is seen
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('close', () => reject(new Error('connection refused')));
  });
  const text = rng.bool(0.5) ? Buffer.from(malformedUpgrade(rng), 'latin1') : Buffer.from(Array.from({ length: rng.int(1, 3000) }, () => rng.int(0, 255)));
  writeInPieces(rng, (b) => socket.writable && socket.write(b), text);
  if (rng.bool(0.3)) socket.resetAndDestroy();
  else {
    await settle(new Promise((r) => socket.once('end', r)), 200);
    socket.end();
  }
  await settle(closed, 5_000);
  socket.destroy();
}

describe('bad-frame fuzz against a browser-mode server process', () => {
  it(`survives ${CONNECTIONS} connections of seeded random input (seed ${SEED}) and keeps serving`, async () => {
    const before = await connectApi(port, token);
    const jobs = Array.from({ length: CONNECTIONS }, (_, i) => Rng.of(SEED, i));
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const r = jobs[next++];
        tally.connections++;
        // a connection the server could not even answer is counted; the process check below says why
        await (r.bool(0.8) ? framesAfterUpgrade(r) : garbageBeforeUpgrade(r)).catch(() => tally.unanswered++);
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));

    // the process is alive, and answered every connection
    expect(child.exitCode, `the server process died: ${stderr.slice(-600)}`).toBeNull();
    expect(child.signalCode).toBeNull();
    expect(tally.unanswered).toBe(0);
    expect(stderr).not.toMatch(/uncaught|unhandled|TypeError|RangeError/i);
    // the client connected during the whole fuzz never lost its link, and still gets answers
    expect(before.transport.linkState).toBe('open');
    await expect(before.api.getAppInfo()).resolves.toMatchObject({ mode: 'browser' });
    before.transport.close();
    // a new well-formed client gets answers
    const after = await connectApi(port, token);
    await expect(after.api.getSettings()).resolves.toMatchObject({ downloadFolder: expect.any(String) });
    await expect(after.api.listJobs()).resolves.toEqual([]);
    after.transport.close();

    // the fuzz really reached the frame parser and its error paths
    expect(tally.frames).toBeGreaterThan(CONNECTIONS);
    for (const code of [1002, 1007, 1009]) expect(tally.closeCodes.get(code) ?? 0).toBeGreaterThan(0);
    console.log(`[fuzz] seed ${SEED}: ${tally.connections} connections (${tally.unanswered} unanswered), ${tally.frames} frames, ${tally.bytes} bytes; server close codes ${JSON.stringify([...tally.closeCodes].sort())}; upgrade answers ${JSON.stringify([...tally.upgradeStatuses])}`);
  }, 180_000);
});
