// Signing in through the browser (reference §2.2): start a device session, show the user where to
// approve it (the desktop opens verificationUriComplete in the system browser; the CLI and browser
// mode show verificationUri and the user code), then poll every `interval` seconds until the
// answer is a token, a refusal or the end of the code's life. Cancel with the signal.
// Servers without the device routes ("older deployments") get the paste-a-token fallback.
import { StudyError, isStudyError } from '../../../../../src-shared/errors';
import { isLoopbackHost } from '../../../net/base-url';
import { abortError } from '../../../ports';
import { pollDeviceAuthorization, startDeviceAuthorization } from './auth-routes';
import { signInContext, type SignInDeps } from './sign-in-deps';

export interface DeviceCodeInfo {
  /** The page where the code is typed in. */
  verificationUri: string;
  /** The same page with the code filled in (open this one in the browser when possible). */
  verificationUriComplete: string;
  /** The code the user checks (or types) on that page, e.g. WXYZ-1234. */
  userCode: string;
  /** Seconds the code stays valid. */
  expiresIn: number;
}

export type DeviceFlowResult =
  /** Signed in: a personal access token (keep it in the keychain). */
  | { kind: 'token'; token: string }
  /** The server has no device sign-in: ask the user to paste a token made on this page instead. */
  | { kind: 'paste-token'; tokensPageUrl: string; reason: string };

export interface DeviceFlowOptions extends SignInDeps {
  /** Called once with the code to show (await it: e.g. the browser is opened before polling starts). */
  onCode: (info: DeviceCodeInfo) => void | Promise<void>;
  signal?: AbortSignal;
  /** Sent as client_name (the name shown on the approval page). */
  clientName?: string;
  /** Consecutive failed polls (network, 5xx) before giving up (default 5). */
  maxPollFailures?: number;
}

/** Documented defaults when the server does not say (reference §2.2). */
const DEFAULT_INTERVAL_S = 5;
const DEFAULT_EXPIRES_S = 900;
const SLOW_DOWN_STEP_S = 5;
const TRANSIENT = new Set(['SERVER', 'TIMEOUT', 'UNREACHABLE', 'BAD_RESPONSE']);

function deviceError(code: 'UNAUTHORIZED' | 'TIMEOUT' | 'BAD_RESPONSE', reason: string, message: string, fix: string): StudyError {
  return new StudyError({ code, message, fix, details: { deviceFlow: reason } });
}

/** An address the desktop may hand to the system browser: https, or http on this machine. Never file:, javascript:… */
function browserSafe(url: string, field: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw deviceError('BAD_RESPONSE', 'bad-uri', `BrainSTEM sent an unusable sign-in address (${field}).`, 'Try again; if it keeps happening, paste a personal access token instead.');
  }
  if (u.protocol === 'https:' || (u.protocol === 'http:' && isLoopbackHost(u.hostname))) return u.toString();
  throw deviceError('BAD_RESPONSE', 'bad-uri', `BrainSTEM sent a sign-in address that is not https (${u.protocol}//${u.host}); it was not opened.`, 'Check the server address, or paste a personal access token instead.');
}

export async function runDeviceFlow(o: DeviceFlowOptions): Promise<DeviceFlowResult> {
  const ctx = signInContext(o);
  // Polls are not retried inside the transport: the poll loop is the retry, and it must know when
  // an answer was lost (a token collected once cannot be collected again).
  const pollCtx = signInContext(o, { retry: { maxAttempts: 1 } });
  const { clock, signal } = { clock: ctx.clock, signal: o.signal };
  const sleep = async (ms: number) => {
    try {
      await clock.sleep(ms, signal);
    } catch {
      throw signal?.reason ?? abortError();
    }
  };

  let start;
  try {
    start = await startDeviceAuthorization(ctx.transport, o.clientName ?? 'Study Downloader', signal);
  } catch (e) {
    if (isStudyError(e) && (e.status === 404 || e.status === 405)) {
      ctx.logger.info('BrainSTEM has no device sign-in route; falling back to a pasted token', { status: e.status });
      return { kind: 'paste-token', tokensPageUrl: ctx.urls.tokensPage, reason: 'This BrainSTEM server does not offer sign-in through the browser (an older deployment).' };
    }
    throw ctx.redactor.error(e);
  }
  ctx.redactor.add(start.deviceCode);
  pollCtx.redactor.add(start.deviceCode);

  const expiresIn = start.expiresIn ?? DEFAULT_EXPIRES_S;
  const info: DeviceCodeInfo = {
    verificationUri: browserSafe(start.verificationUri, 'verification_uri'),
    verificationUriComplete: browserSafe(start.verificationUriComplete ?? start.verificationUri, 'verification_uri_complete'),
    userCode: start.userCode,
    expiresIn,
  };
  await o.onCode(info);

  const deadline = clock.now() + expiresIn * 1000;
  let intervalMs = Math.max(1, start.interval ?? DEFAULT_INTERVAL_S) * 1000;
  const maxFailures = o.maxPollFailures ?? 5;
  let failures = 0;
  let lostAnswer = false;
  let finalPoll = false;

  for (;;) {
    if (signal?.aborted) throw signal.reason ?? abortError();
    const wait = Math.min(intervalMs, Math.max(0, deadline - clock.now()));
    await sleep(wait);
    // Past the deadline one last poll still runs: an approval in the last second counts.
    finalPoll = clock.now() >= deadline;
    let answer;
    try {
      answer = await pollDeviceAuthorization(pollCtx.transport, start.deviceCode, signal);
      failures = 0;
    } catch (e) {
      if (signal?.aborted) throw signal.reason ?? abortError();
      if (isStudyError(e) && TRANSIENT.has(e.code) && ++failures < maxFailures && !finalPoll) {
        lostAnswer = true;
        ctx.logger.debug('device sign-in poll failed; polling again', { code: e.code });
        continue;
      }
      throw pollCtx.redactor.error(e);
    }
    switch (answer.kind) {
      case 'success':
        return { kind: 'token', token: answer.token };
      case 'pending':
        lostAnswer = false;
        if (finalPoll) throw expired();
        continue;
      case 'slow-down':
        intervalMs += SLOW_DOWN_STEP_S * 1000;
        if (finalPoll) throw expired();
        continue;
      case 'error':
        throw refusal(answer.error, lostAnswer);
    }
  }

  function expired(): StudyError {
    return deviceError('TIMEOUT', 'expired_token', `The sign-in code ${info.userCode} expired before it was approved (it is valid for ${Math.round(expiresIn / 60)} minutes).`, 'Start the sign-in again and approve the new code in the browser.');
  }

  function refusal(error: string, afterLostAnswer: boolean): StudyError {
    switch (error) {
      case 'access_denied':
        return deviceError('UNAUTHORIZED', error, 'The sign-in was denied in the browser.', 'Start the sign-in again and click Approve, or paste a personal access token instead.');
      case 'expired_token':
        return expired();
      case 'already_used':
        return deviceError(
          'UNAUTHORIZED',
          error,
          afterLostAnswer ? 'The sign-in was approved, but the answer carrying the token was lost on the way, and a code can be collected only once.' : 'This sign-in code was already used.',
          'Start the sign-in again.',
        );
      default:
        return deviceError('UNAUTHORIZED', error, `BrainSTEM refused the sign-in ("${error.slice(0, 60)}").`, 'Start the sign-in again, or paste a personal access token instead.');
    }
  }
}
