// The shared transport (core/net/http.ts) set up for BrainSTEM: its API root, its policy
// (policy.ts), its error wording (errors.ts), its route templates, and a credential that is read at
// send time (the access token of a signed-in session changes when it is refreshed). The transport
// keeps the credential on BrainSTEM's origin: never across a redirect, never to another host.
import { createApiTransport, type ApiCredential, type ApiTransport } from '../../net/http';
import type { JointLimiter } from '../../net/limiter';
import type { RetryPolicy } from '../../net/retry';
import type { Clock, FetchLike, Logger } from '../../ports';
import { brainstemTransportErrors, type ErrorContext } from './errors';
import { BRAINSTEM_MAX_IN_FLIGHT, BRAINSTEM_RETRY, BRAINSTEM_TIMEOUT_MS, brainstemEndpointKey } from './policy';

export interface BrainstemTransportOptions {
  /** The API root, e.g. https://www.brainstem.org/api */
  api: string;
  errors: ErrorContext;
  limiter: JointLimiter;
  clock: Clock;
  /** Headers for BrainSTEM's origin only; none (the default) for the public portal and the auth routes. */
  credential?: ApiCredential;
  fetch?: FetchLike;
  logger?: Logger;
  retry?: Partial<RetryPolicy>;
  maxInFlight?: number;
  timeoutMs?: number;
}

/** No credential at all: the public portal and the sign-in routes. */
export const NO_CREDENTIAL: ApiCredential = { headers: {} };

export function createBrainstemTransport(o: BrainstemTransportOptions): ApiTransport {
  return createApiTransport({
    connection: { baseUrl: o.api, timeoutMs: o.timeoutMs ?? BRAINSTEM_TIMEOUT_MS },
    credential: o.credential ?? NO_CREDENTIAL,
    limiter: o.limiter,
    clock: o.clock,
    fetch: o.fetch,
    logger: o.logger,
    retry: { ...BRAINSTEM_RETRY, ...(o.retry ?? {}) },
    maxInFlight: o.maxInFlight ?? BRAINSTEM_MAX_IN_FLIGHT,
    errors: brainstemTransportErrors(o.errors),
    endpointKey: brainstemEndpointKey,
  });
}
