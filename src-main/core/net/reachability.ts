// Is HyperStudy reachable? The core's API fetch is wrapped so every answer and every failed
// attempt is reported at once (the first refused connection says "offline" within
// milliseconds, not after the retries have run out), and a cheap probe (GET /health without the
// key, outside the rate limiter, no retries, a short timeout) says when the server is back.
// It also measures how long answers take, for honest time estimates.
import { StudyError, redactSecrets } from '../../../src-shared/errors';
import { abortError, systemClock, type Clock, type FetchLike } from '../ports';
import { hostOf } from './http-errors';
import { classifyNetworkError } from './retry';

export interface ReachabilityEvents {
  /** An HTTP answer arrived (any status). */
  onAnswer?(url: string): void;
  /** An attempt failed before any answer: refused, unknown host, reset, timed out. */
  onFailure?(error: StudyError, url: string): void;
}

export interface Reachability {
  /** The fetch to give the API client: the same as the one it wraps, plus the reports. */
  readonly fetch: FetchLike;
  /** One keyless GET <baseUrl>/health; resolves null when an answer came, else the reason. */
  probe(baseUrl: string, timeoutMs?: number): Promise<StudyError | null>;
  /** Typical seconds from request to answer (a moving average), null before the first answer. */
  latencySec(): number | null;
}

const PROBE_TIMEOUT_MS = 3_000;

/** The plain-words "cannot reach" error for a failed attempt. */
export function unreachableFor(url: string, e: unknown): StudyError {
  const k = classifyNetworkError(e);
  const host = hostOf(url);
  const why =
    k.kind === 'timeout'
      ? 'it did not answer in time'
      : k.code === 'ECONNREFUSED'
        ? 'the connection was refused'
        : k.code === 'ENOTFOUND' || k.code === 'EAI_AGAIN'
          ? 'its name could not be found'
          : k.kind === 'reset'
            ? 'the connection broke off'
            : 'the network is not answering';
  return new StudyError({
    code: k.kind === 'timeout' ? 'TIMEOUT' : 'UNREACHABLE',
    message: redactSecrets(`Can't reach ${host}: ${why}.`),
    fix: 'The app keeps trying and picks up where it was once the server answers. Check your internet connection or VPN.',
  }, { cause: e });
}

export function createReachability(inner: FetchLike, events: ReachabilityEvents = {}, clock: Clock = systemClock): Reachability {
  let latency: number | null = null;
  const urlOf = (input: Parameters<FetchLike>[0]) => (typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);

  const wrapped: FetchLike = async (input, init) => {
    const url = urlOf(input);
    const started = clock.now();
    let res: Response;
    try {
      res = await inner(input, init);
    } catch (e) {
      // A cancelled request says nothing about the server.
      if (!init?.signal?.aborted || (init.signal.reason as { name?: string } | undefined)?.name === 'TimeoutError') {
        events.onFailure?.(unreachableFor(url, e), url);
      }
      throw e;
    }
    const ms = clock.now() - started;
    latency = latency === null ? ms : latency * 0.8 + ms * 0.2;
    events.onAnswer?.(url);
    return res;
  };

  return {
    fetch: wrapped,
    async probe(baseUrl, timeoutMs = PROBE_TIMEOUT_MS) {
      const url = `${baseUrl.replace(/\/+$/, '')}/health`;
      const ac = new AbortController();
      const timer = setTimeout(() => ac.abort(abortError()), timeoutMs);
      timer.unref?.();
      try {
        const res = await inner(url, { method: 'GET', headers: { Accept: 'application/json' }, signal: ac.signal, redirect: 'manual' });
        await res.arrayBuffer().catch(() => undefined);
        return null;
      } catch (e) {
        return unreachableFor(url, ac.signal.aborted ? Object.assign(new Error('timeout'), { name: 'TimeoutError' }) : e);
      } finally {
        clearTimeout(timer);
      }
    },
    latencySec: () => (latency === null ? null : latency / 1000),
  };
}
