// A BrainSTEM connection's settings and credential as the port checks them: the base URL
// (BrainSTEM's site or its /api root; stored as the /api root), the portal, the token's format
// (personal access tokens have no documented shape: one line, no spaces), its check against the
// server before it is saved (the client's checkToken), and the public portal's check (no token).
import { StudyError } from '../../../../src-shared/errors';
import type { KeyValidation } from '../../../../src-shared/model';
import type { ConnectionInput, CredentialCheckDeps, ResolvedConnectionSettings, SourceConnection } from '../source';
import { checkToken, type TokenCheckOutcome } from './auth/token-check';
import { signInContext } from './auth/sign-in-deps';
import { brainstemUrlProblem, brainstemUrls, DEFAULT_BRAINSTEM_URL } from './connection';
import { readListPage } from './envelope';

/** The default server as a profile stores it (the API root). */
export const DEFAULT_BRAINSTEM_API = brainstemUrls(DEFAULT_BRAINSTEM_URL).api;

/** Normalized settings: the API root of the given site, the portal (private unless said). Throws INVALID_ARGUMENT. */
export function resolveBrainstemConnection(input: ConnectionInput): ResolvedConnectionSettings {
  const given = input.baseUrl?.trim() || DEFAULT_BRAINSTEM_URL;
  const problem = brainstemUrlProblem(given);
  if (problem) throw new StudyError({ code: 'INVALID_ARGUMENT', message: problem.message, ...(problem.fix ? { fix: problem.fix } : {}) });
  const baseUrl = brainstemUrls(given).api;
  return { baseUrl, environment: baseUrl === DEFAULT_BRAINSTEM_API ? 'production' : 'custom', portal: input.portal ?? 'private' };
}

const MAX_TOKEN = 4096;

export function tokenFormatProblem(secret: string): KeyValidation | null {
  const token = secret.trim();
  const fix = `Copy the whole personal access token from ${brainstemUrls().tokensPage} (it is shown once, when it is created) and paste it again.`;
  if (!token) return { outcome: 'wrong-format', message: 'No BrainSTEM token was given.', fix };
  if (/\s/.test(token)) return { outcome: 'wrong-format', message: 'This BrainSTEM token contains spaces or line breaks, so it was not copied whole.', fix };
  if (token.length < 8 || token.length > MAX_TOKEN) return { outcome: 'wrong-format', message: `This does not look like a BrainSTEM token (${token.length} characters).`, fix };
  return null;
}

export function assertToken(secret: string): void {
  const p = tokenFormatProblem(secret);
  if (p) throw new StudyError({ code: 'KEY_FORMAT', message: p.message, ...(p.fix ? { fix: p.fix } : {}) });
}

/** "3f5e…0f67": enough to tell two tokens apart, nothing to use. */
export function tokenHint(secret: string): string | undefined {
  const t = secret.trim();
  return t.length >= 16 ? `${t.slice(0, 4)}…` : undefined;
}

const OUTCOME: Record<TokenCheckOutcome, KeyValidation['outcome']> = {
  accepted: 'accepted',
  rejected: 'rejected',
  unreachable: 'unreachable',
  'not-brainstem': 'not-hyperstudy', // the shared outcome's name predates plug-in sources: "not this API"
  error: 'error',
};

/** Is the server BrainSTEM, with its public portal open? Sends no credential. */
async function checkPublicPortal(baseUrl: string, deps: CredentialCheckDeps): Promise<KeyValidation> {
  let ctx;
  try {
    ctx = signInContext({ baseUrl, fetch: deps.fetch, clock: deps.clock, retry: { maxAttempts: 2 } });
  } catch (e) {
    return { outcome: 'error', message: (e as Error).message };
  }
  try {
    const res = await ctx.transport.request({ path: '/public/stem/project/?limit=1', what: 'public project list' });
    const page = readListPage(res.body, 'project', res.url);
    const n = page.total;
    return { outcome: 'accepted', message: `BrainSTEM's public portal answers${n === null ? '' : `: ${n} public project${n === 1 ? '' : 's'}`}. No sign-in is needed.` };
  } catch (e) {
    const info = e instanceof StudyError ? e : null;
    const outcome: KeyValidation['outcome'] = info?.code === 'UNREACHABLE' || info?.code === 'TIMEOUT' ? 'unreachable' : info?.code === 'NOT_HYPERSTUDY' || info?.code === 'NOT_FOUND' || info?.code === 'UNAUTHORIZED' ? 'not-hyperstudy' : 'error';
    return { outcome, message: info?.message ?? 'The public portal could not be checked.', ...(info?.fix ? { fix: info.fix } : {}) };
  }
}

/** Checks a connection's credential (or, on the public portal, the server) before it is saved. */
export async function validateBrainstemCredential(conn: SourceConnection, deps: CredentialCheckDeps = {}): Promise<KeyValidation> {
  if (conn.portal === 'public' || conn.authMethod === 'password-refresh') {
    // A refresh token cannot be tried without spending it (it rotates): the server is checked instead.
    return checkPublicPortal(conn.baseUrl, deps);
  }
  const r = await checkToken({ baseUrl: conn.baseUrl, token: conn.secret, fetch: deps.fetch, clock: deps.clock, ...(conn.timeoutMs ? { timeoutMs: conn.timeoutMs } : {}) });
  return { outcome: OUTCOME[r.outcome], message: r.message, ...(r.fix ? { fix: r.fix } : {}) };
}
