// shell.openExternal only for https links to hosts we know (docs, the HyperStudy dashboard).
export const EXTERNAL_HOSTS = new Set(['hyperstudy.io', 'docs.hyperstudy.io', 'api.hyperstudy.io', 'app.hyperstudy.io', 'github.com']);

export function isAllowedExternalUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && !u.username && !u.password && EXTERNAL_HOSTS.has(u.hostname);
  } catch {
    return false;
  }
}
