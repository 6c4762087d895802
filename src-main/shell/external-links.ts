// shell.openExternal only for https links to hosts we know (docs, the sources' own sites where a
// browser sign-in is approved), or to the host of the connection's own server (a self-hosted one).
export const EXTERNAL_HOSTS = new Set([
  'hyperstudy.io', 'docs.hyperstudy.io', 'api.hyperstudy.io', 'app.hyperstudy.io',
  'brainstem.org', 'www.brainstem.org',
  'github.com',
]);

/** `alsoHosts`: hostnames allowed for this one link (the sign-in's own API host). */
export function isAllowedExternalUrl(url: string, alsoHosts: readonly string[] = []): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && !u.username && !u.password && (EXTERNAL_HOSTS.has(u.hostname) || alsoHosts.includes(u.hostname));
  } catch {
    return false;
  }
}
