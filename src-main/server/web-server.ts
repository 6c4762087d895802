// Browser mode: the built renderer over HTTP plus a WebSocket bridge to the same core.
// Loopback only, a random port unless given, a random per-run token on every request
// and upgrade, our own Host and Origin only, and a strict CSP.
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';
import { WebSocketServer } from 'ws';
import { toErrorInfo } from '../../src-shared/errors';
import { WS_MAX_PAYLOAD, WS_PATH } from '../../src-shared/ws-protocol';
import type { Core } from '../core/create-core';
import { silentLogger, type Logger } from '../core/ports';
import { checkRequest, securityHeaders, type Gate } from './security';
import { resolveStatic, sendFile } from './static-files';
import { generateToken, sessionCookie } from './token';
import { attachBridge } from './ws-bridge';

export interface WebServerOptions {
  core: Core;
  /** The built renderer, normally out/renderer. */
  rendererDir: string;
  /** 0 or omitted: a random free port. */
  port?: number;
  /** Only loopback is allowed. */
  host?: '127.0.0.1';
  /** Fixed token (tests); a fresh random one otherwise. */
  token?: string;
  logger?: Logger;
}

export interface WebServer {
  /** http://127.0.0.1:PORT/?token=TOKEN — the link to open. */
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

function plain(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}

const REFUSED: Record<401 | 403, string> = {
  401: 'Study Downloader: this page needs the link printed by `npm run web` (it includes ?token=…).\n',
  403: 'Study Downloader: access refused. Open the most recent link printed by `npm run web`.\n',
};

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const host = opts.host ?? '127.0.0.1';
  if (host !== '127.0.0.1') throw new Error('Browser mode binds 127.0.0.1 only.');
  const logger = opts.logger ?? silentLogger;
  const token = opts.token ?? generateToken();
  const gate: Gate = { port: 0, token };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const headers = securityHeaders(gate.port);
    const verdict = checkRequest(req, gate, { requireOrigin: false });
    if (!verdict.ok) return plain(res, verdict.status, REFUSED[verdict.status], headers);
    if (verdict.source === 'query') headers['Set-Cookie'] = sessionCookie(gate.port, token);
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'Method not allowed\n', { ...headers, Allow: 'GET, HEAD' });
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);

    if (url.pathname.startsWith('/download/')) return sendDownload(url, res, headers, req.method === 'HEAD');
    if (url.pathname === WS_PATH) return plain(res, 426, 'Upgrade required\n', headers);

    const file = await resolveStatic(opts.rendererDir, url.pathname);
    if (!file && url.pathname === '/favicon.ico') {
      res.writeHead(204, headers); // browsers ask for it unprompted; say "nothing" instead of 404
      return res.end();
    }
    if (!file) {
      if (url.pathname === '/' || url.pathname === '/index.html') {
        return plain(res, 503, 'The app is not built yet. Run `npm run build`, then start `npm run web` again.\n', headers);
      }
      return plain(res, 404, 'Not found\n', headers);
    }
    sendFile(res, file, headers, req.method === 'HEAD');
  };

  // A finished export as a download (browser mode's stand-in for drag-out and show-in-folder).
  const sendDownload = async (url: URL, res: ServerResponse, headers: Record<string, string>, head: boolean) => {
    let jobId: string;
    try {
      jobId = decodeURIComponent(url.pathname.slice('/download/'.length));
    } catch {
      return plain(res, 400, 'Bad job id\n', headers);
    }
    try {
      const out = await opts.core.outputs.resolve(jobId);
      if (out.kind !== 'file') return plain(res, 409, 'This export is a folder, not a ZIP: open it from the download folder.\n', headers);
      const name = basename(out.path).replace(/["\\\r\n]/g, '_');
      res.writeHead(200, {
        ...headers,
        'Content-Type': 'application/zip',
        'Content-Length': String(out.size),
        'Content-Disposition': `attachment; filename="${name}"; filename*=UTF-8''${encodeURIComponent(basename(out.path))}`,
        'Cache-Control': 'no-store',
      });
      if (head) return res.end();
      const stream = createReadStream(out.path);
      stream.on('error', () => res.destroy());
      stream.pipe(res);
    } catch (e) {
      const info = toErrorInfo(e);
      plain(res, info.code === 'NOT_FOUND' ? 404 : 409, `${info.message}\n${info.fix ?? ''}\n`, headers);
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      logger.error('request failed', { error: toErrorInfo(e).message });
      if (!res.headersSent) plain(res, 500, 'Internal error\n');
      else res.destroy();
    });
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD });
  const detach = attachBridge(wss, opts.core, logger);

  server.on('upgrade', (req, socket, head) => {
    const verdict = checkRequest(req, gate, { requireOrigin: true });
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (!verdict.ok || path !== WS_PATH) {
      const status = !verdict.ok ? verdict.status : 404;
      socket.end(`HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Not Found'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  gate.port = port;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    token,
    port,
    close: async () => {
      detach();
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      server.closeAllConnections?.();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
