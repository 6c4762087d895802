// Serves the built renderer (out/renderer) read-only. Paths are resolved inside the
// folder (no traversal); unknown paths without an extension fall back to index.html.
// `pathInside` and `contentTypeFor` are shared with the Electron shell's app:// protocol.
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentTypeFor(path: string): string {
  return TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The absolute path a URL path names inside `root` ("/" names index.html), or null when it
 * cannot be decoded, holds a NUL, or resolves outside `root`. Pure: no file system access.
 */
export function pathInside(root: string, urlPathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const base = resolve(root);
  const candidate = resolve(join(base, decoded === '/' || decoded === '' ? 'index.html' : decoded));
  return candidate.startsWith(base + sep) ? candidate : null;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** The file to serve for a URL path, or null (404). Symlinks may not lead out of the folder. */
export async function resolveStatic(rendererDir: string, pathname: string): Promise<string | null> {
  const root = await realpath(rendererDir).catch(() => resolve(rendererDir));
  const candidate = pathInside(root, pathname);
  if (!candidate) return null;
  if (await isFile(candidate)) {
    const real = await realpath(candidate);
    return real.startsWith(root + sep) ? real : null;
  }
  // client-side routes (no extension) get the app shell
  if (!extname(candidate)) {
    const index = join(root, 'index.html');
    return (await isFile(index)) ? index : null;
  }
  return null;
}

export function sendFile(res: ServerResponse, path: string, headers: Record<string, string>, head: boolean): void {
  const type = contentTypeFor(path);
  const isHtml = type.startsWith('text/html');
  res.writeHead(200, { ...headers, 'Content-Type': type, 'Cache-Control': isHtml ? 'no-store' : 'private, max-age=300' });
  if (head) {
    res.end();
    return;
  }
  const stream = createReadStream(path);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
