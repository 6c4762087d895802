// A small HTTP proxy on 127.0.0.1 (random port) in front of the simulator, for tests of what a
// client sends where: it records every request's headers, and a route function can answer with a
// redirect or a canned body instead of forwarding. With no target it only records and answers.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  /** Path with query, as received. */
  url: string;
  headers: http.IncomingHttpHeaders;
}

export type RouteAnswer =
  | { redirect: string; status?: 301 | 302 | 303 | 307 | 308 }
  | { forward: string }
  | { status: number; json: unknown }
  | null;

export interface TestProxy {
  /** http://127.0.0.1:<port> */
  origin: string;
  requests: SeenRequest[];
  /** Requests that carried any of these headers (names case-insensitive). */
  requestsWith(...names: string[]): SeenRequest[];
  close(): Promise<void>;
}

/**
 * `target`: the origin to forward to (e.g. the simulator's). `route` may answer a request itself:
 * a redirect (Location as given), a JSON body, or a rewritten path to forward. null = forward as is.
 */
export async function startProxy(opts: { target?: string; route?: (url: URL) => RouteAnswer }): Promise<TestProxy> {
  const requests: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: { ...req.headers } });
    const url = new URL(req.url ?? '/', 'http://proxy.invalid');
    const answer = opts.route?.(url) ?? null;
    if (answer && 'redirect' in answer) {
      res.writeHead(answer.status ?? 307, { Location: answer.redirect, 'Content-Type': 'text/plain' });
      res.end('moved');
      return;
    }
    if (answer && 'json' in answer) {
      res.writeHead(answer.status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(answer.json));
      return;
    }
    if (!opts.target) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"status":"success","data":[]}');
      return;
    }
    const path = answer && 'forward' in answer ? answer.forward : (req.url ?? '/');
    const upstream = http.request(new URL(path, opts.target), { method: req.method, headers: { ...req.headers, host: new URL(opts.target).host } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    requestsWith: (...names) => requests.filter((r) => names.some((n) => r.headers[n.toLowerCase()] !== undefined)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
