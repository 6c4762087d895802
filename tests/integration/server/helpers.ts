// Helpers for the browser-mode tests: raw HTTP with full header control, raw WebSocket
// upgrades, and a connected Api over the real WebSocket client.
import { request } from 'node:http';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createApi } from '../../../src-shared/api-client';
import type { Api } from '../../../src-shared/contract';
import { connectWebSocketTransport, type WsTransport } from '../../../src-shared/ws-client';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export function httpGet(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Tries a WebSocket upgrade; resolves 'open' or the HTTP status it was refused with. */
export function tryUpgrade(url: string, opts: { origin?: string; headers?: Record<string, string>; protocols?: string[] } = {}): Promise<'open' | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, opts.protocols ?? [], { ...(opts.origin ? { origin: opts.origin } : {}), headers: opts.headers ?? {} });
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? -1);
      res.resume();
    });
    ws.on('error', () => resolve(-1));
  });
}

/** A tiny stand-in renderer build, so these tests do not depend on `npm run build`. */
export async function fakeRendererDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'studydl-renderer-'));
  await mkdir(join(dir, 'assets'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>Study Downloader</title><div id="root"></div>');
  await writeFile(join(dir, 'assets', 'app.js'), 'console.log("app")');
  return dir;
}

/** The real browser transport over the `ws` package, recording every raw server message. */
export async function connectApi(port: number, token: string, onLinkChange?: (s: 'open' | 'reconnecting' | 'closed') => void): Promise<{ api: Api; transport: WsTransport; frames: string[] }> {
  const frames: string[] = [];
  const transport = await connectWebSocketTransport({
    url: `ws://127.0.0.1:${port}/ws`,
    token,
    onLinkChange,
    createSocket: (u, protocols) => {
      const ws = new WebSocket(u, protocols, { origin: `http://127.0.0.1:${port}` });
      ws.on('message', (d) => frames.push(d.toString()));
      return ws as never;
    },
  });
  return { api: createApi(transport), transport, frames };
}
