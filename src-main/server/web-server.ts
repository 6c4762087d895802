// Browser mode: the built renderer over HTTP plus a WebSocket bridge to the same core.
// Loopback only, a random port unless given, our own Host and Origin only, a strict CSP.
// The app shell (HTML/JS/CSS) is public, it holds no data; the WebSocket needs the per-run
// token (offered as a subprotocol), the export download a one-time ticket or the token header.
// No cookie is ever set: cookies are shared by every port on 127.0.0.1.
//
// Nothing a client sends may end the process: the HTTP server, every raw socket and every
// WebSocket have error listeners, and a bad frame closes only its own connection.
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { basename } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { toErrorInfo } from '../../src-shared/errors';
import { LAUNCH_TOKEN_PARAM, TICKET_PARAM, WS_MAX_PAYLOAD, WS_PATH, WS_SUBPROTOCOL } from '../../src-shared/ws-protocol';
import type { Core } from '../core/create-core';
import { silentLogger, type Logger } from '../core/ports';
import { createTicketBook, type TicketBook } from './download-tickets';
import { checkDataRequest, checkHostAndOrigin, checkUpgrade, requestUrl, securityHeaders, type Gate } from './security';
import { resolveStatic, sendFile } from './static-files';
import { generateToken } from './token';
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
  /** Download tickets (tests pass one with a fake clock). */
  tickets?: TicketBook;
  logger?: Logger;
}

export interface WebServer {
  /** http://127.0.0.1:PORT/#token=TOKEN — the link to open (the fragment never leaves the browser). */
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

function plain(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}

const REFUSED: Record<400 | 401 | 403, string> = {
  400: 'Bad request\n',
  401: 'Study Downloader: this download link has no ticket. Use the Download button in the app.\n',
  403: 'Study Downloader: access refused. Open the most recent link printed by `npm run web`, or use the Download button again.\n',
};

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' };

/** Answers a refused upgrade on the raw socket (no WebSocket exists yet). */
function refuseUpgrade(socket: Duplex, status: number): void {
  if (socket.writable) socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  else socket.destroy();
}

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const host = opts.host ?? '127.0.0.1';
  if (host !== '127.0.0.1') throw new Error('Browser mode binds 127.0.0.1 only.');
  const logger = opts.logger ?? silentLogger;
  const token = opts.token ?? generateToken();
  const tickets = opts.tickets ?? createTicketBook();
  const gate: Gate = { port: 0, token };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const headers = securityHeaders(gate.port);
    const url = requestUrl(req, gate.port);
    if (!url) return plain(res, 400, REFUSED[400], headers);
    const place = checkHostAndOrigin(req, gate.port, { requireOrigin: false });
    if (!place.ok) return plain(res, place.status, REFUSED[place.status], headers);
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'Method not allowed\n', { ...headers, Allow: 'GET, HEAD' });

    if (url.pathname.startsWith('/download/')) return sendDownload(req, url, res, headers, req.method === 'HEAD');
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
  const sendDownload = async (req: IncomingMessage, url: URL, res: ServerResponse, headers: Record<string, string>, head: boolean) => {
    let jobId: string;
    try {
      jobId = decodeURIComponent(url.pathname.slice('/download/'.length));
    } catch {
      return plain(res, 400, 'Bad job id\n', headers);
    }
    const ticket = url.searchParams.get(TICKET_PARAM);
    const verdict = checkDataRequest(req, gate, { present: !!ticket, redeem: () => tickets.redeem(ticket ?? '', jobId) });
    if (!verdict.ok) return plain(res, verdict.status, REFUSED[verdict.status], headers);
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
  // A request Node cannot parse (or that is too slow or too big): answer it if the socket still
  // can, as Node would without a listener, and never throw.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    if (err.code !== 'ECONNRESET' && socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    else socket.destroy();
  });
  // Every raw socket gets an error listener for its whole life, also after an upgrade, when
  // Node's HTTP server has removed its own: a reset by a client is normal and must not throw.
  server.on('connection', (socket: Socket) => socket.on('error', () => undefined));

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: WS_MAX_PAYLOAD,
    clientTracking: true,
    // the token protocol is never echoed back: only our fixed subprotocol is selected
    handleProtocols: (protocols) => (protocols.has(WS_SUBPROTOCOL) ? WS_SUBPROTOCOL : false),
  });
  wss.on('error', (e) => logger.error('WebSocket server error', { error: e.message }));
  const detach = attachBridge(wss, opts.core, { logger, tickets });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    try {
      const url = requestUrl(req, gate.port);
      if (!url) return refuseUpgrade(socket, 400);
      const verdict = checkUpgrade(req, gate);
      if (!verdict.ok) return refuseUpgrade(socket, verdict.status);
      if (url.pathname !== WS_PATH) return refuseUpgrade(socket, 404);
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    } catch (e) {
      logger.error('upgrade failed', { error: (e as Error).message });
      socket.destroy();
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (e) => logger.error('browser-mode server error', { error: e.message }));
  const port = (server.address() as AddressInfo).port;
  gate.port = port;

  return {
    url: `http://127.0.0.1:${port}/#${LAUNCH_TOKEN_PARAM}=${token}`,
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
