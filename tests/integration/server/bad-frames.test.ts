// Browser mode survives bad frames: each one closes only the connection that sent it, with the
// close code RFC 6455 assigns, while a client connected all along keeps getting answers and new
// clients can still connect. Frames are written by hand over raw TCP (raw-ws.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Api } from '../../../src-shared/contract';
import type { WsTransport } from '../../../src-shared/ws-client';
import { WS_MAX_PAYLOAD, WS_SUBPROTOCOL } from '../../../src-shared/ws-protocol';
import { startAppServer, type AppServer } from '../../e2e/fixtures/app-server';
import { connectApi, fakeRendererDir } from './helpers';
import { closePayload, encodeFrame, OP, rawUpgrade, sendAndWaitForClose } from './raw-ws';

let app: AppServer;
let api: Api;
let transport: WsTransport;

beforeAll(async () => {
  app = await startAppServer({ scale: 'tiny', rendererDir: await fakeRendererDir() });
  ({ api, transport } = await connectApi(app.port, app.token));
});
afterAll(async () => {
  transport?.close();
  await app?.close();
});

async function badFrame(frames: Buffer[]): Promise<number | null> {
  const conn = await rawUpgrade(app.port, { token: app.token });
  expect(conn.status).toBe(101);
  expect(conn.protocol).toBe(WS_SUBPROTOCOL);
  return sendAndWaitForClose(conn, frames);
}

async function stillServes(): Promise<void> {
  // the client connected before the bad frame…
  expect(transport.linkState).toBe('open');
  await expect(api.getAppInfo()).resolves.toMatchObject({ mode: 'browser' });
  // …and a new one
  const fresh = await connectApi(app.port, app.token);
  await expect(fresh.api.listJobs()).resolves.toEqual(expect.any(Array));
  fresh.transport.close();
}

const call = JSON.stringify({ type: 'call', id: 1, method: 'getAppInfo' });

describe('the done-when of issue 11: browser mode still serves after', () => {
  it('an oversized frame (1009 Message Too Big)', async () => {
    const header = encodeFrame({ opcode: OP.text, payload: Buffer.alloc(64 * 1024, 0x61), declaredLength: BigInt(WS_MAX_PAYLOAD + 1) });
    expect(await badFrame([header])).toBe(1009);
    await stillServes();
  });

  it('an invalid UTF-8 text frame (1007)', async () => {
    expect(await badFrame([encodeFrame({ opcode: OP.text, payload: Buffer.from([0x7b, 0xc0, 0xaf, 0xff, 0x7d]) })])).toBe(1007);
    await stillServes();
  });
});

describe('every other kind of bad frame closes only its own connection, with the right code', () => {
  it.each([
    ['a length header of 2^63-1', [encodeFrame({ opcode: OP.text, payload: 'x', declaredLength: 2n ** 63n - 1n })], 1009],
    ['a binary frame', [encodeFrame({ opcode: OP.binary, payload: Buffer.from(call) })], 1003],
    ['text that is not JSON', [encodeFrame({ opcode: OP.text, payload: '{"type":"call",' })], 1007],
    ['JSON that is not a message', [encodeFrame({ opcode: OP.text, payload: '[1,2,3]' })], 1008],
    ['a call without an id', [encodeFrame({ opcode: OP.text, payload: '{"type":"call","method":"getAppInfo"}' })], 1008],
    ['an unmasked client frame', [encodeFrame({ opcode: OP.text, payload: call, mask: false })], 1002],
    ['a reserved opcode', [encodeFrame({ opcode: 0x3, payload: 'x' })], 1002],
    ['a reserved bit (no extension was agreed)', [encodeFrame({ opcode: OP.text, payload: call, rsv: 4 })], 1002],
    ['a continuation with nothing to continue', [encodeFrame({ opcode: OP.continuation, payload: 'x' })], 1002],
    ['a fragmented ping', [encodeFrame({ opcode: OP.ping, payload: 'x', fin: false })], 1002],
    ['a ping longer than 125 bytes', [encodeFrame({ opcode: OP.ping, payload: Buffer.alloc(126) })], 1002],
    ['a new text frame inside a fragmented one', [encodeFrame({ opcode: OP.text, payload: '{"ty', fin: false }), encodeFrame({ opcode: OP.text, payload: 'pe"' })], 1002],
    ['a close frame with a reserved code', [encodeFrame({ opcode: OP.close, payload: closePayload(1004) })], 1002],
    ['a close frame with a one-byte body', [encodeFrame({ opcode: OP.close, payload: Buffer.from([3]) })], 1002],
    ['a close reason that is not UTF-8', [encodeFrame({ opcode: OP.close, payload: Buffer.concat([closePayload(1000), Buffer.from([0xff])]) })], 1007],
  ])('%s', async (_label, frames, code) => {
    expect(await badFrame(frames as Buffer[])).toBe(code);
    await stillServes();
  });

  it('a fragmented message that overflows the limit across fragments (1009)', async () => {
    const half = Buffer.alloc(WS_MAX_PAYLOAD / 2 + 1, 0x20);
    expect(await badFrame([encodeFrame({ opcode: OP.text, payload: half, fin: false }), encodeFrame({ opcode: OP.continuation, payload: half })])).toBe(1009);
    await stillServes();
  });

  it('frames after a close frame are ignored; the close is answered with its own code', async () => {
    const conn = await rawUpgrade(app.port, { token: app.token });
    const code = await sendAndWaitForClose(conn, [
      encodeFrame({ opcode: OP.close, payload: closePayload(1000, 'bye') }),
      encodeFrame({ opcode: OP.text, payload: call }),
      encodeFrame({ opcode: OP.binary, payload: Buffer.from([1, 2, 3]) }),
      Buffer.from('garbage after the close'),
    ]);
    expect(code).toBe(1000);
    expect(conn.frames.filter((f) => f.opcode === OP.text).map((f) => JSON.parse(f.payload.toString()).type)).not.toContain('result');
    await stillServes();
  });

  it('a frame cut off by the client hanging up, and a reset mid-frame', async () => {
    const cut = await rawUpgrade(app.port, { token: app.token });
    cut.send(encodeFrame({ opcode: OP.text, payload: call }).subarray(0, 9));
    cut.socket.end();
    await cut.closed;
    const reset = await rawUpgrade(app.port, { token: app.token });
    reset.send(encodeFrame({ opcode: OP.text, payload: Buffer.alloc(5000, 0x20), declaredLength: 10_000n }));
    reset.socket.resetAndDestroy();
    await reset.closed;
    await stillServes();
  });

  it('answers a good call on a raw connection, then still closes it on a bad frame that follows', async () => {
    const conn = await rawUpgrade(app.port, { token: app.token });
    conn.send(encodeFrame({ opcode: OP.text, payload: call }));
    await expect.poll(() => conn.frames.some((f) => f.opcode === OP.text && JSON.parse(f.payload.toString()).type === 'result')).toBe(true);
    const code = await sendAndWaitForClose(conn, [encodeFrame({ opcode: OP.text, payload: Buffer.from([0xed, 0xa0, 0x80]) })]); // a UTF-16 surrogate: not UTF-8
    expect(code).toBe(1007);
    await stillServes();
  });
});
