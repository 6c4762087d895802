// The renderer is served from app://renderer/…, a privileged custom scheme, instead of file://
// (Electron security checklist item 18): a file:// page has an opaque origin and can reach any
// file on the disk, while app://renderer is a real origin that serves only the files inside the
// built renderer folder, with the CSP as a response header. The scheme is standard (relative
// URLs resolve, `'self'` means app://renderer) and secure, and nothing more: no corsEnabled
// (which would let other origins read it) and no bypassCSP.
import { readFile } from 'node:fs/promises';
import type { CustomScheme } from 'electron';
import { contentTypeFor, pathInside } from '../server/static-files';

export const APP_SCHEME = 'app';
export const APP_HOST = 'renderer';
export const APP_INDEX_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** Passed to protocol.registerSchemesAsPrivileged, which must run before the app is ready. */
export const appScheme: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
};

export type AppRequestResolution = { ok: true; path: string } | { ok: false; status: 403 | 404 | 405 };

/**
 * Which file an app:// request may read: GET/HEAD of a path inside `rendererDir` on our host;
 * "/" is index.html. Pure (no file system), so traversal attempts are unit-tested directly.
 */
export function resolveAppRequest(rendererDir: string, requestUrl: string, method = 'GET'): AppRequestResolution {
  if (method !== 'GET' && method !== 'HEAD') return { ok: false, status: 405 };
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return { ok: false, status: 404 };
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST || url.username || url.password) return { ok: false, status: 403 };
  // a backslash is a separator on Windows: never let one through, encoded or not
  if (/\\|%5c/i.test(url.pathname)) return { ok: false, status: 404 };
  const path = pathInside(rendererDir, url.pathname || '/');
  return path ? { ok: true, path } : { ok: false, status: 404 };
}

/** Headers on every app:// response: the CSP (as a header, which a page cannot weaken) and no sniffing. */
export function appResponseHeaders(csp: string, contentType: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-cache',
  };
}

export interface AppProtocolOptions {
  rendererDir: string;
  csp: string;
  read?: (path: string) => Promise<Uint8Array>;
}

/** The protocol.handle handler: the standard Request in, a Response out (testable with Node's own). */
export function createAppProtocolHandler(opts: AppProtocolOptions): (request: Request) => Promise<Response> {
  const read = opts.read ?? ((p: string) => readFile(p));
  const refuse = (status: number) => new Response(null, { status, headers: appResponseHeaders(opts.csp, 'text/plain; charset=utf-8') });
  return async (request) => {
    const r = resolveAppRequest(opts.rendererDir, request.url, request.method);
    if (!r.ok) return refuse(r.status);
    let body: Uint8Array;
    try {
      body = await read(r.path);
    } catch {
      return refuse(404); // missing, or a folder
    }
    const headers = appResponseHeaders(opts.csp, contentTypeFor(r.path));
    return new Response(request.method === 'HEAD' ? null : (body as Uint8Array<ArrayBuffer>), { status: 200, headers });
  };
}
