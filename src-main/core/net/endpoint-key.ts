// The per-endpoint rate limit counts requests per route template: the path below /api/v3 with
// every id segment replaced by {id}, query ignored. The simulator uses the same definition.

const DATA_SCOPES = new Set(['experiment', 'room', 'participant']);

/** Strips scheme, host, query, fragment and everything up to and including /api/v3. */
function apiPath(pathOrUrl: string): string {
  let p = pathOrUrl;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(p);
  if (scheme) p = p.slice(scheme[0].length);
  p = p.split(/[?#]/, 1)[0];
  const v3 = p.indexOf('/api/v3');
  if (v3 >= 0) p = p.slice(v3 + '/api/v3'.length);
  if (!p.startsWith('/')) p = '/' + p;
  return p.replace(/\/+$/, '') || '/';
}

/** Route template for a request path or URL, e.g. `/data/events/experiment/{id}`. */
export function endpointKey(pathOrUrl: string): string {
  const segs = apiPath(pathOrUrl).split('/').filter(Boolean);
  if (segs.length === 0) return '/';
  const [head] = segs;
  if (head === 'health') return '/health';
  if (head === 'experiments') {
    if (segs.length === 1) return '/experiments';
    if (segs[1] === 'shared' && segs.length === 2) return '/experiments/shared';
    return '/experiments/{id}' + (segs.length > 2 ? '/' + segs.slice(2).join('/') : '');
  }
  if (head === 'deployments') {
    if (segs.length === 1) return '/deployments';
    return '/deployments/{id}' + (segs.length > 2 ? '/' + segs.slice(2).join('/') : '');
  }
  if (head === 'data') {
    if (segs[1] === 'recordings' && segs[2] === 'download') return '/data/recordings/download/{id}/{id}';
    if (segs[1] === 'check-access') return `/data/check-access/${segs[2] ?? 'experiment'}/{id}`;
    // /data/{type…}/{scope}/{id}: the type may span two segments (ratings/continuous).
    const scopeAt = segs.findIndex((s, i) => i >= 2 && DATA_SCOPES.has(s));
    if (scopeAt > 0) return '/' + segs.slice(0, scopeAt + 1).join('/') + '/{id}';
    return '/' + segs.join('/');
  }
  return '/' + segs.join('/');
}
