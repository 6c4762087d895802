// The renderer's Content-Security-Policy. Strict in production (our own scripts only, no
// network: the main process makes every request); in dev, Vite's server and its HMR
// WebSocket must be allowed.
export function contentSecurityPolicy(opts: { dev: boolean; devServerUrl?: string }): string {
  const dev = opts.dev && opts.devServerUrl ? new URL(opts.devServerUrl) : null;
  const connect = dev ? `'self' ${dev.origin} ws://${dev.host}` : "'none'";
  const script = dev ? `'self' ${dev.origin}` : "'self'";
  return [
    "default-src 'none'",
    `script-src ${script}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src ${connect}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}
