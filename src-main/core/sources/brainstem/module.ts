// BrainSTEM as the registry lists it (a SourceModule): its rules, how its connections are checked
// and opened, where its token may come from in the environment, and its two sign-in procedures
// (the browser's device flow; email and password, for servers that still offer it).
import type { SourceModule } from '../source';
import { brainstemAdapter, brainstemRules } from './adapter';
import { runDeviceFlow } from './auth/device-flow';
import { signInWithPassword } from './auth/password-sign-in';
import type { BrainstemAuth, RefreshChains } from './auth/session';
import { createBrainstemClient } from './client';
import { assertToken, DEFAULT_BRAINSTEM_API, resolveBrainstemConnection, tokenFormatProblem, tokenHint, validateBrainstemCredential } from './credential';

export const brainstem: SourceModule = {
  ...brainstemRules,
  // BRAINSTEM_TOKEN (the docs and the MATLAB client), else BRAINSTEM_API_TOKEN (the Python CLI);
  // BRAINSTEM_URL names its server (the MATLAB client's variable).
  environmentKey: { keyVariable: 'BRAINSTEM_TOKEN', keyVariableAliases: ['BRAINSTEM_API_TOKEN'], baseUrlVariable: 'BRAINSTEM_URL', defaultBaseUrl: DEFAULT_BRAINSTEM_API, loopbackBaseUrls: true },
  typeAliases: {
    acquisitions: ['data_acquisitions'],
    dataacquisitions: ['data_acquisitions'],
    'data-acquisitions': ['data_acquisitions'],
    logs: ['procedure_logs', 'subject_logs'],
  },
  standaloneLevels: ['session', 'subject'],
  defaultTypes: 'all',
  resolveConnection: resolveBrainstemConnection,
  needsCredential: (settings) => (settings.portal ?? 'private') !== 'public',
  credentialFormatProblem: tokenFormatProblem,
  assertCredential: assertToken,
  credentialHint: tokenHint,
  validateCredential: validateBrainstemCredential,
  open(conn, deps) {
    const portal = conn.portal ?? 'private';
    const auth: BrainstemAuth =
      portal === 'public' || !conn.secret
        ? { kind: 'none' }
        : conn.authMethod === 'password-refresh'
          ? { kind: 'refresh', refreshToken: conn.secret, ...(deps.onSecretRotated ? { onRefreshTokenRotated: deps.onSecretRotated } : {}) }
          : { kind: 'token', token: conn.secret };
    const client = createBrainstemClient({
      baseUrl: conn.baseUrl,
      portal,
      auth,
      limiter: deps.limiter,
      clock: deps.clock,
      fetch: deps.fetch,
      logger: deps.logger,
      retry: deps.retry,
      maxInFlight: deps.maxInFlight,
      ...(deps.shared ? { signIns: sharedSignIns(deps.shared) } : {}),
      ...(conn.timeoutMs ? { timeoutMs: conn.timeoutMs } : {}),
    });
    return brainstemAdapter(client, deps.limiter);
  },
  async deviceSignIn(o) {
    const r = await runDeviceFlow({ baseUrl: o.baseUrl, fetch: o.fetch, clock: o.clock, logger: o.logger, signal: o.signal, onCode: o.onCode });
    return r.kind === 'token' ? { kind: 'credential', secret: r.token } : r;
  },
  async passwordSignIn(o) {
    const r = await signInWithPassword({ baseUrl: o.baseUrl, email: o.email, password: o.password, fetch: o.fetch, clock: o.clock, logger: o.logger, signal: o.signal });
    // Only the rotating refresh token is kept; the access token is made again from it when needed.
    return { secret: r.refreshToken };
  },
};

/** The connection's sign-ins, kept in the host's shared state under one key. */
function sharedSignIns(shared: Map<string, unknown>): RefreshChains {
  let chains = shared.get('brainstem.sign-ins') as RefreshChains | undefined;
  if (!chains) {
    chains = new Map();
    shared.set('brainstem.sign-ins', chains);
  }
  return chains;
}
