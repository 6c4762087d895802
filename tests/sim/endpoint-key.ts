// The endpoint template used for per-endpoint rate limits and counters (shared definition with the
// client's limiter): the path below /api/v3 with every id segment replaced by {id}, query ignored.

const DATA_TYPES = new Set(['events', 'recordings', 'chat', 'videochat', 'sync', 'components', 'eyetracking', 'participants', 'rooms', 'variables', 'counts', 'agent-decisions', 'agent-runs']);
const SCOPES = new Set(['experiment', 'room', 'participant']);

export function endpointTemplate(pathBelowApi: string): string {
  const seg = pathBelowApi.split('/').filter((s) => s.length > 0);
  const [a, b, c, d] = seg;
  if (seg.length === 0) return '/';
  if (a === 'health' && seg.length === 1) return '/health';
  if (a === 'experiments') {
    if (seg.length === 1) return '/experiments';
    if (seg.length === 2) return b === 'shared' ? '/experiments/shared' : '/experiments/{id}';
    return `/experiments/{id}/${seg.slice(2).join('/')}`;
  }
  if (a === 'deployments') {
    if (seg.length === 1) return '/deployments';
    if (seg.length === 2) return '/deployments/{id}';
    if (seg.length === 3 && c === 'sessions') return '/deployments/{id}/sessions';
  }
  if (a === 'data') {
    if (b === 'check-access' && seg.length === 4) return `/data/check-access/${c}/{id}`;
    if (b === 'recordings' && c === 'download' && seg.length === 5) return '/data/recordings/download/{id}/{id}';
    if (b === 'ratings' && seg.length === 5) return `/data/ratings/${c}/${d}/{id}`;
    if (seg.length === 4 && DATA_TYPES.has(b) && SCOPES.has(c)) return `/data/${b}/${c}/{id}`;
  }
  // Unknown routes still get a stable template: literal first segment, the rest generic.
  return '/' + [a, ...seg.slice(1).map(() => '{id}')].join('/');
}
