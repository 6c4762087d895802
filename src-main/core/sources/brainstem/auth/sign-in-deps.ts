// What the sign-in procedures (device flow, password, token check) share: the connection they run
// against and the adapters they are given, and the transport they POST through — the shared one,
// with no credential and BrainSTEM's wording.
import type { ApiTransport } from '../../../net/http';
import type { RetryPolicy } from '../../../net/retry';
import { silentLogger, systemClock, type Clock, type FetchLike, type Logger } from '../../../ports';
import { brainstemUrlProblem, brainstemUrls, DEFAULT_BRAINSTEM_URL, type BrainstemUrls } from '../connection';
import { createBrainstemLimiter } from '../policy';
import { createBrainstemTransport } from '../transport';
import { createSecretRedactor, type SecretRedactor } from './secret-redactor';

export interface SignInDeps {
  /** BrainSTEM's site or API address (default https://www.brainstem.org/). */
  baseUrl?: string;
  clock?: Clock;
  fetch?: FetchLike;
  logger?: Logger;
  retry?: Partial<RetryPolicy>;
  timeoutMs?: number;
}

export interface SignInContext {
  urls: BrainstemUrls;
  clock: Clock;
  logger: Logger;
  redactor: SecretRedactor;
  transport: ApiTransport;
}

/** Throws INVALID_ARGUMENT for an unusable address before anything is sent. */
export function signInContext(d: SignInDeps, overrides: { retry?: Partial<RetryPolicy> } = {}): SignInContext {
  const baseUrl = d.baseUrl ?? DEFAULT_BRAINSTEM_URL;
  const problem = brainstemUrlProblem(baseUrl);
  if (problem) throw problem;
  const urls = brainstemUrls(baseUrl);
  const clock = d.clock ?? systemClock;
  const redactor = createSecretRedactor();
  const logger = redactor.logger(d.logger ?? silentLogger);
  const transport = createBrainstemTransport({
    api: urls.api,
    errors: { site: urls.site, portal: 'private', auth: 'none' },
    limiter: createBrainstemLimiter(clock),
    clock,
    fetch: d.fetch,
    logger,
    retry: { ...(d.retry ?? {}), ...(overrides.retry ?? {}) },
    timeoutMs: d.timeoutMs,
  });
  return { urls, clock, logger, redactor, transport };
}
