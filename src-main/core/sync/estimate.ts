// A sync's plan from the folder's state alone, without a request: what the app's header and the
// downloads panel show before the user asks ("Sync now · 12 requests"), and `studydl sync DIR
// --plan`. It knows the rooms of the last sync, not the ones added since (each of those will cost
// at least one more request), so it is a lower bound, and says so.
import type { RateBudget, SourceDescriptor, SyncPlan } from '../../../src-shared/model';
import type { StreamSpec } from '../sources/source';
import { planSync } from './plan';
import type { SyncState } from './state';

export interface EstimateOptions {
  descriptor: SourceDescriptor;
  state: SyncState;
  now: number;
  pageSize: number;
  /** Requests the listings take; default: as many as the last sync's. */
  listingRequests?: number;
  budget?: RateBudget;
  full?: boolean;
  verify?: boolean;
}

export function estimateSync(o: EstimateOptions): SyncPlan {
  const streams: StreamSpec[] = Object.values(o.state.streams).map((s) => ({ ...s.ref, endpoint: `${s.ref.type}:${s.ref.scope}` }));
  const { plan } = planSync({
    descriptor: o.descriptor,
    target: o.state.selection.target,
    state: o.full ? { ...o.state, streams: {} } : o.state,
    streams,
    listings: null,
    now: o.now,
    full: !!o.full,
    verify: !!o.verify,
    pageSize: o.pageSize,
    listingRequests: o.listingRequests ?? o.state.syncs[o.state.syncs.length - 1]?.listingRequests ?? 1,
    ...(o.budget ? { budget: o.budget } : {}),
    ...(o.full ? { knownTotals: new Map(Object.entries(o.state.streams).map(([k, s]) => [k, s.partitions.reduce((n, p) => n + p.count, 0)])) } : {}),
  });
  plan.kind = o.full ? 'full' : o.verify ? 'verify' : 'incremental';
  return plan;
}
