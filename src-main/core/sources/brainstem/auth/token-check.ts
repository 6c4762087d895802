// Checks a personal access token before it is saved, and says the result in plain words
// (reference §7.2): first the public project list WITHOUT the token (so the token is never sent to
// a server that does not answer like BrainSTEM), then GET /api/private/stem/project/?limit=1 with
// it. Both go through the shared transport, so the token stays on BrainSTEM's origin.
import { isStudyError } from '../../../../../src-shared/errors';
import { readListPage } from '../envelope';
import { createBrainstemTransport } from '../transport';
import { createBrainstemLimiter } from '../policy';
import { signInContext, type SignInDeps } from './sign-in-deps';

export type TokenCheckOutcome = 'accepted' | 'rejected' | 'unreachable' | 'not-brainstem' | 'error';

export interface TokenCheck {
  outcome: TokenCheckOutcome;
  message: string;
  fix?: string;
  /** Projects the token can see (accepted only, when the server counts them). */
  projects?: number;
}

export interface TokenCheckOptions extends SignInDeps {
  token: string;
  signal?: AbortSignal;
}

const PROBE = '/stem/project/?limit=1';

export async function checkToken(o: TokenCheckOptions): Promise<TokenCheck> {
  let ctx;
  try {
    ctx = signInContext({ retry: { maxAttempts: 2 }, ...o });
  } catch (e) {
    return { outcome: 'error', message: (e as Error).message, ...(isStudyError(e) && e.fix ? { fix: e.fix } : {}) };
  }
  const token = o.token.trim();
  const host = new URL(ctx.urls.site).host;
  if (!token || /\s/.test(token)) {
    return {
      outcome: 'rejected',
      message: token ? 'This token contains spaces or line breaks, so it was not copied whole.' : 'No token was given.',
      fix: `Copy the whole personal access token from ${ctx.urls.tokensPage} and paste it again.`,
    };
  }
  ctx.redactor.add(token);

  // 1. Is this BrainSTEM at all? Asked without the token.
  try {
    const res = await ctx.transport.request({ path: `/public${PROBE}`, what: 'public project list', signal: o.signal });
    readListPage(res.body, 'project', res.url);
  } catch (e) {
    return verdict(e, host, ctx.urls.tokensPage, false);
  }

  // 2. Does it accept the token?
  const authed = createBrainstemTransport({
    api: ctx.urls.api,
    errors: { site: ctx.urls.site, portal: 'private', auth: 'token' },
    limiter: createBrainstemLimiter(ctx.clock),
    clock: ctx.clock,
    fetch: o.fetch,
    logger: ctx.logger,
    retry: { maxAttempts: 2, ...(o.retry ?? {}) },
    timeoutMs: o.timeoutMs,
    credential: { headers: { Authorization: `Bearer ${token}` } },
  });
  try {
    const res = await authed.request({ path: `/private${PROBE}`, what: 'project list', signal: o.signal });
    const page = readListPage(res.body, 'project', res.url);
    const n = page.total;
    return {
      outcome: 'accepted',
      message: `BrainSTEM accepted this token${n === null ? '' : `; it can see ${n} project${n === 1 ? '' : 's'}`}.`,
      ...(n === null ? {} : { projects: n }),
    };
  } catch (e) {
    return verdict(ctx.redactor.error(e), host, ctx.urls.tokensPage, true);
  }
}

function verdict(e: unknown, host: string, tokensPage: string, withToken: boolean): TokenCheck {
  if (!isStudyError(e)) throw e; // cancelled
  const said = { message: e.message, ...(e.fix ? { fix: e.fix } : {}) };
  switch (e.code) {
    case 'UNAUTHORIZED':
    case 'FORBIDDEN':
      return withToken
        ? {
            outcome: 'rejected',
            // A 401's message already says the token was refused: say it once.
            message: e.code === 'UNAUTHORIZED' ? e.message : `This token was refused by BrainSTEM (invalid, expired or revoked). ${e.message}`,
            fix: `Create a new personal access token at ${tokensPage} or sign in again.`,
          }
        : { outcome: 'not-brainstem', message: `${host} asked for a sign-in where BrainSTEM's public portal is open, so it does not look like BrainSTEM. The token was not sent.`, fix: said.fix };
    case 'UNREACHABLE':
    case 'TIMEOUT':
      return { outcome: 'unreachable', message: `${e.message} The token was not checked.`, fix: e.fix ?? 'Check the address and your internet connection, then try again.' };
    case 'NOT_HYPERSTUDY':
    case 'CROSS_ORIGIN':
    case 'NOT_FOUND':
      return { outcome: 'not-brainstem', message: `${e.message}${withToken ? '' : ' The token was not sent.'}`, fix: e.fix ?? 'Check the address: it should be BrainSTEM’s site, e.g. https://www.brainstem.org/.' };
    default:
      return { outcome: 'error', ...said };
  }
}
