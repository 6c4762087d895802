// Serves the built renderer (out/renderer) read-only. Paths are resolved inside the
// folder (no traversal); unknown paths without an extension fall back to index.html.
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

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** The file to serve for a URL path, or null (404). */
export async function resolveStatic(rendererDir: string, pathname: string): Promise<string | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const root = await realpath(rendererDir).catch(() => resolve(rendererDir));
  const candidate = resolve(join(root, decoded === '/' ? 'index.html' : decoded));
  if (candidate !== root && !candidate.startsWith(root + sep)) return null;
  if (await isFile(candidate)) {
    const real = await realpath(candidate);
    return real.startsWith(root + sep) ? real : null;
  }
  // client-side routes (no extension) get the app shell
  if (!extname(decoded)) {
    const index = join(root, 'index.html');
    return (await isFile(index)) ? index : null;
  }
  return null;
}

export function sendFile(res: ServerResponse, path: string, headers: Record<string, string>, head: boolean): void {
  const type = TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
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
