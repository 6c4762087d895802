// Email and password → an access token (1 h) and a rotating refresh token (30 days), for servers
// that still offer it (reference §2.3; removed from the docs in 2026 because of two-factor
// sign-in). The password is used for this one request: it is never stored, logged or shown. Only
// the refresh token is meant for the keychain; the access token stays in memory.
import { StudyError, isStudyError } from '../../../../../src-shared/errors';
import { requestTokenPair } from './auth-routes';
import { signInContext, type SignInDeps } from './sign-in-deps';

export interface PasswordSignIn extends SignInDeps {
  email: string;
  password: string;
  signal?: AbortSignal;
}

export interface SignedIn {
  accessToken: string;
  /** Keep this one (keychain); it changes at every refresh. */
  refreshToken: string;
  /** When the access token expires, ms since epoch (client clock). */
  accessExpiresAt: number;
}

const DEFAULT_ACCESS_LIFETIME_S = 3600;

export async function signInWithPassword(o: PasswordSignIn): Promise<SignedIn> {
  const ctx = signInContext(o);
  ctx.redactor.add(o.password);
  if (!o.email.trim() || !o.password) {
    throw new StudyError({ code: 'INVALID_ARGUMENT', message: 'Both the email address and the password are needed to sign in.', fix: 'Fill in both, or sign in with the browser instead.' });
  }
  try {
    const pair = await requestTokenPair(ctx.transport, o.email.trim(), o.password, o.signal);
    return { accessToken: pair.access, refreshToken: pair.refresh, accessExpiresAt: ctx.clock.now() + (pair.expiresIn ?? DEFAULT_ACCESS_LIFETIME_S) * 1000 };
  } catch (e) {
    if (isStudyError(e) && e.status === 401) {
      throw new StudyError({
        code: 'UNAUTHORIZED',
        status: 401,
        message: 'BrainSTEM did not accept this email address and password.',
        fix: 'Check them and try again. Accounts with two-factor sign-in cannot use a password here: sign in with the browser, or paste a personal access token.',
      });
    }
    if (isStudyError(e) && (e.status === 404 || e.status === 405)) {
      throw new StudyError({
        code: 'UNSUPPORTED',
        status: e.status,
        message: 'This BrainSTEM server does not offer sign-in with a password.',
        fix: `Sign in with the browser, or paste a personal access token from ${ctx.urls.tokensPage}.`,
      });
    }
    throw ctx.redactor.error(e);
  }
}
