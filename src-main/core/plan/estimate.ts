// How long a number of requests takes under the joint limits with our limiter's schedule.
// Generalises performance-notes §5 (T ≈ ⌊(R−1)/K⌋·W_key + ⌊((R−1) mod K)/E⌋·W_ep for one endpoint)
// to the live budget and to several endpoints fetched side by side. It follows what the limiter
// does (net/limiter.ts, keyShares): when the key runs out, its slots go to the endpoints with the
// most to send, so the requests left for the key's last window are spread evenly over the
// endpoints (a water level), and that window's requests go out as fast as the first window's did.
import type { RateBudget } from '../../../src-shared/model';

export interface EstimateInput {
  /** Requests still to send, by endpoint template (or any stable per-endpoint label). */
  requestsByEndpoint: Record<string, number> | Map<string, number>;
  budget: Pick<RateBudget, 'keyLimit' | 'keyWindowSec' | 'keyRemaining' | 'endpointLimit' | 'endpointWindowSec'> & { keyNextFreeSec?: number };
  /** Seconds per request round trip (adds the last response and the concurrency floor). Default 0. */
  latencySec?: number;
  /** Requests in flight at once (for the latency floor). Default 4. */
  concurrency?: number;
}

/** Seconds until the last request can have completed; 0 when there is nothing to send. */
export function estimateSeconds(input: EstimateInput): number {
  const entries = input.requestsByEndpoint instanceof Map ? [...input.requestsByEndpoint.values()] : Object.values(input.requestsByEndpoint);
  const perEndpoint = entries.filter((n) => n > 0);
  const R = perEndpoint.reduce((a, b) => a + b, 0);
  if (R === 0) return 0;
  const b = input.budget;
  const K = Math.max(1, b.keyLimit);
  const Wk = b.keyWindowSec;
  const E = Math.max(1, b.endpointLimit);
  const We = b.endpointWindowSec;
  const rem = Math.max(0, Math.min(K, b.keyRemaining));

  // Endpoint-only bound: each endpoint sends at most E per window, whatever the key allows.
  const endpointOnly = Math.max(...perEndpoint.map((n) => Math.floor((n - 1) / E) * We));

  let keyBound = 0;
  let lastWindowShare = R; // requests sent in the last key window
  if (R > rem) {
    const firstFree = b.keyNextFreeSec ?? Wk;
    const beyond = R - rem; // requests that need key slots to free up
    keyBound = firstFree + Math.floor((beyond - 1) / K) * Wk;
    lastWindowShare = ((beyond - 1) % K) + 1;
  }
  // Inside the last key window, the endpoint cap still spaces each endpoint's part of that window's share.
  const inLastWindow = Math.max(...evenShares(perEndpoint, lastWindowShare).map((x) => Math.floor((Math.max(1, x) - 1) / E) * We));

  const latency = Math.max(0, input.latencySec ?? 0);
  const concurrency = Math.max(1, input.concurrency ?? 4);
  // The last window's requests follow the first window's slots as they age out: as fast as those went out.
  const ramp = R > rem ? (lastWindowShare * latency) / concurrency : 0;
  const limitsBound = Math.max(endpointOnly, keyBound + inLastWindow + ramp);
  const latencyFloor = (R * latency) / concurrency;
  return Math.max(limitsBound + latency, latencyFloor);
}

/** How `share` requests split over endpoints that have `demand` each when every endpoint keeps the same amount (capped by its demand). */
function evenShares(demand: number[], share: number): number[] {
  const sorted = [...demand].sort((a, b) => a - b);
  let left = share;
  let level = 0;
  for (let i = 0; i < sorted.length; i++) {
    const each = left / (sorted.length - i);
    if (sorted[i] >= each) {
      level = Math.ceil(each);
      break;
    }
    left -= sorted[i];
  }
  return demand.map((n) => Math.min(n, level));
}
