// How long a number of requests takes under the joint limits, as a lower bound.
// Generalises performance-notes §5 (T ≈ ⌊(R−1)/K⌋·W_key + ⌊((R−1) mod K)/E⌋·W_ep for one endpoint)
// to the live budget and to several endpoints fetched side by side.
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
  // Inside the last key window, the endpoint cap still spaces that window's share of each endpoint.
  const inLastWindow = Math.max(...perEndpoint.map((n) => Math.floor((Math.ceil((lastWindowShare * n) / R) - 1) / E) * We));
  const limitsBound = Math.max(endpointOnly, keyBound + inLastWindow);

  const latency = Math.max(0, input.latencySec ?? 0);
  const concurrency = Math.max(1, input.concurrency ?? 4);
  const latencyFloor = (R * latency) / concurrency;
  return Math.max(limitsBound + latency, latencyFloor);
}
