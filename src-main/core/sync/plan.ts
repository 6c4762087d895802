// The sync planner: for each stream, the cheapest read that brings it up to date correctly, and
// what that costs, shown before anything is fetched ("12 requests, about 40 s").
//
// Per stream (a data type paged at one item, as an export plans it):
//   - new (no records yet, its layout changed, or --full): read whole;
//   - its item settled (a completed room, read once since it completed, and settled for a while):
//     skip, no request;
//   - split by groups (an experiment's events, by room), two correct reads, the cheaper wins:
//       groups: only the groups that can still change (new rooms whole, live or just-finished
//               rooms from their cursor), settled ones skipped;
//       scope:  one read from the stream's cursor at the target, every group at once (cheaper
//               when many rooms are live with little new data each);
//   - otherwise: from its cursor, or whole when that costs no more (a stream of one page).
// A read from a cursor re-reads the overlap window and checks that the records before it are
// where they were; a mismatch (late data, deletions) is repaired as it is found (see run-sync).
import type { DataTypeId, LevelId, RateBudget, SourceDescriptor, SyncPlan, SyncStreamPlan, Target } from '../../../src-shared/model';
import { formatSeconds, plural } from '../../../src-shared/display-format';
import { estimateSeconds } from '../plan/estimate';
import { streamKey } from '../plan/planner';
import type { ExportListings, StreamSpec } from '../sources/source';
import { groupingFor, type Grouping } from './layout';
import type { PartitionState, StreamState, SyncState } from './state';

/** How one stream is read this time. */
export type StreamAction =
  | { kind: 'whole' }
  | { kind: 'skip' }
  | { kind: 'cursor' }
  /** `since`: where the read from the cursor starts (ms): the live groups' earliest cursor minus the overlap. */
  | { kind: 'scope'; candidates: string[]; since: number | null }
  | { kind: 'groups'; whole: string[]; cursor: string[]; skipped: string[] };

export interface StreamDecision {
  key: string;
  spec: StreamSpec;
  grouping: Grouping | null;
  action: StreamAction;
  requests: number;
  why: string;
}

export interface PlanInputs {
  descriptor: SourceDescriptor;
  target: Target;
  /** The folder's state before this sync; null for its first. */
  state: SyncState | null;
  /** The streams an export of the selection reads now. */
  streams: StreamSpec[];
  /** This sync's listings (null: an estimate from the state alone). */
  listings: ExportListings | null;
  now: number;
  full: boolean;
  verify: boolean;
  pageSize: number;
  /** Requests the listings take (the export's listing endpoints and the plan's own). */
  listingRequests: number;
  /** Totals of streams whose first page is in already (a first sync's plan). */
  knownTotals?: Map<string, number>;
  budget?: RateBudget;
  latencySec?: number;
  concurrency?: number;
  /** Records newer than a cursor minus this are read again (ms). */
  overlapMs?: number;
  /** Streams the source already read whole while planning (BrainSTEM's sessions): taken as they are, at no cost. */
  readWhilePlanning?: ReadonlySet<string>;
}

export interface SyncPlanResult {
  plan: SyncPlan;
  decisions: StreamDecision[];
}

const pagesFor = (n: number, pageSize: number) => Math.max(1, Math.ceil(Math.max(0, n) / pageSize));

/** Whether an item may be skipped: settled now, settled already when the stream was last read, and for long enough. */
export function isSettledItem(state: SyncState, listings: ExportListings | null, level: LevelId, id: string, streamSyncedAt: string | undefined, now: number): boolean {
  const seen = state.levels[level]?.[id];
  if (!seen?.settledSince || !streamSyncedAt) return false;
  const settledNow = listings ? (listings.settled?.[level] ?? []).includes(id) : true;
  const since = Date.parse(seen.settledSince);
  return settledNow && since <= Date.parse(streamSyncedAt) && now - since >= state.settleMs;
}

/** Records per second a type gained over the last sync interval (0 when unknown). */
function growthRate(state: SyncState, type: DataTypeId): number {
  const [prev, last] = state.syncs.slice(-2);
  if (!prev || !last) return 0;
  const sec = (Date.parse(last.at) - Date.parse(prev.at)) / 1000;
  const n = last.newRecords[type] ?? 0;
  return sec > 0 && n > 0 ? n / sec : 0;
}

function lastSyncAt(state: SyncState): number | null {
  const last = state.syncs[state.syncs.length - 1];
  return last ? Date.parse(last.at) : null;
}

export function planSync(inp: PlanInputs): SyncPlanResult {
  const { descriptor, target, state, now, pageSize } = inp;
  const ps = pageSize;
  const decisions: StreamDecision[] = [];
  const warnings: string[] = [];
  const elapsedSec = state ? Math.max(0, (now - (lastSyncAt(state) ?? now)) / 1000) : 0;
  const targetItem = target.path[target.path.length - 1];

  for (const spec of inp.streams) {
    const key = streamKey(spec);
    const prev: StreamState | undefined = state?.streams[key];
    // A stream whose records could not be merged back by time stays whole (until --full).
    const grouping = prev?.unsplittable && !inp.full ? null : groupingFor(descriptor, target, spec);
    const growth = state ? growthRate(state, spec.type) * elapsedSec : 0;
    const decide = (action: StreamAction, requests: number, why: string) => decisions.push({ key, spec, grouping, action, requests, why });

    if (inp.readWhilePlanning?.has(key)) {
      decide({ kind: 'whole' }, 0, 'read while planning');
      continue;
    }
    if (!state || !prev || inp.full || JSON.stringify(prev.groupedBy ?? null) !== JSON.stringify(grouping)) {
      const total = inp.knownTotals?.get(key);
      const why = !state ? 'first sync' : inp.full ? 'full rebuild' : !prev ? 'not synced before' : 'kept differently now';
      decide({ kind: 'whole' }, total !== undefined ? pagesFor(total, ps) : 1, why);
      continue;
    }
    // The stream's own item (the target, or the item a per-item stream reads) settled: nothing to read.
    const own = spec.scope === target.level ? targetItem : { level: spec.scope, id: spec.scopeId };
    if (!inp.verify && own && isSettledItem(state, inp.listings, own.level, own.id, prev.syncedAt, now)) {
      decide({ kind: 'skip' }, 0, `${levelWord(descriptor, own.level)} settled`);
      continue;
    }
    const count = prev.partitions.reduce((n, p) => n + p.count, 0);
    if (!grouping) {
      const whole = pagesFor(count + growth, ps);
      const cursor = pagesFor(1 + growth, ps);
      if (!inp.verify && whole <= cursor) decide({ kind: 'whole' }, whole, 'fits in one read');
      else decide({ kind: 'cursor' }, cursor, 'from its cursor');
      continue;
    }
    // Split by groups: which can still change?
    const listed = inp.listings ? (inp.listings.groups[grouping.split] ?? []) : Object.keys(state.levels[grouping.level] ?? {});
    const parts = new Map<string | null, PartitionState>(prev.partitions.map((p) => [p.group, p]));
    const known = new Set([...listed, ...prev.partitions.map((p) => p.group).filter((g): g is string => g !== null)]);
    const whole: string[] = [];
    const cursor: string[] = [];
    const skipped: string[] = [];
    for (const g of known) {
      const part = parts.get(g);
      const seenBefore = state.levels[grouping.level]?.[g] !== undefined;
      if (isSettledItem(state, inp.listings, grouping.level, g, prev.syncedAt, now)) skipped.push(g);
      else if (!part && !seenBefore) whole.push(g);
      else cursor.push(g);
    }
    const sizes = prev.partitions.filter((p) => p.group !== null).map((p) => p.count);
    const average = sizes.length ? sizes.reduce((a, b) => a + b, 0) / sizes.length : 0;
    const live = Math.max(1, whole.length + cursor.length);
    const perGroupGrowth = growth / live;
    // Each group: whole when that costs no more than from its cursor (a room of one page).
    let groupsCost = whole.reduce((n) => n + pagesFor(average, ps), 0);
    for (const g of cursor) groupsCost += Math.min(pagesFor((parts.get(g)?.count ?? 0) + perGroupGrowth, ps), pagesFor(1 + perGroupGrowth, ps));
    // One read at the target from the earliest cursor of the groups that hold records and may
    // change: every group's records after it come again (estimated from each group's time span).
    const overlapMs = inp.overlapMs ?? 5_000;
    const withData = cursor.map((id) => parts.get(id)).filter((x): x is PartitionState => !!x && x.count > 0 && x.newest !== null);
    const newestAll = Math.max(...prev.partitions.map((x) => x.newest ?? -Infinity));
    const since = withData.length ? Math.min(...withData.map((x) => x.newest!)) - overlapMs : Number.isFinite(newestAll) ? newestAll - overlapMs : null;
    const again = since === null ? 0 : prev.partitions.reduce((n, x) => n + recordsSince(x, since), 0);
    const scopeCost = pagesFor(again + 1 + growth, ps);
    const noneRecords = parts.get(null)?.count ?? 0;
    const groupsCorrect = noneRecords === 0;
    if (!groupsCorrect) warnings.push(`${typeLabel(descriptor, spec.type)}: some records name no ${levelWord(descriptor, grouping.level)}, so they are read at the ${levelWord(descriptor, spec.scope)}.`);
    if (inp.verify || !groupsCorrect || scopeCost < groupsCost) {
      decide({ kind: 'scope', candidates: [...whole, ...cursor], since }, scopeCost, inp.verify ? 'checking everything' : !groupsCorrect ? 'records without a group' : `${whole.length + cursor.length} ${levelWord(descriptor, grouping.level)}s may change`);
    } else {
      decide({ kind: 'groups', whole, cursor, skipped }, groupsCost, `${whole.length} new, ${cursor.length} live, ${skipped.length} settled ${levelWord(descriptor, grouping.level)}s`);
    }
  }

  const streamRequests = decisions.reduce((n, d) => n + d.requests, 0);
  const requests = streamRequests + inp.listingRequests;
  let estimatedSeconds = 0;
  if (inp.budget) {
    const byEndpoint = new Map<string, number>();
    for (const d of decisions) byEndpoint.set(d.spec.endpoint, (byEndpoint.get(d.spec.endpoint) ?? 0) + d.requests);
    byEndpoint.set('listings', (byEndpoint.get('listings') ?? 0) + inp.listingRequests);
    estimatedSeconds = Math.ceil(estimateSeconds({ requestsByEndpoint: byEndpoint, budget: inp.budget, latencySec: inp.latencySec, concurrency: inp.concurrency }));
  }
  const kind: SyncPlan['kind'] = !state ? 'first' : inp.full ? 'full' : inp.verify ? 'verify' : 'incremental';
  const streams: SyncStreamPlan[] = decisions.map((d) => ({
    type: d.spec.type,
    scope: d.spec.scope,
    scopeId: d.spec.scopeId,
    mode: d.action.kind,
    requests: d.requests,
    ...(d.action.kind === 'groups' ? { groups: { whole: d.action.whole.length, fromCursor: d.action.cursor.length, skipped: d.action.skipped.length } } : {}),
    why: d.why,
  }));
  const summary = `${plural(requests, 'request')}, about ${formatSeconds(estimatedSeconds)}`;
  return { plan: { kind, streams, listingRequests: inp.listingRequests, requests, estimatedSeconds, summary, fromState: inp.listings === null, warnings }, decisions };
}

/** About how many of a record file's records are at or after `since` (its records spread evenly over its time span). */
function recordsSince(p: PartitionState, since: number): number {
  if (p.newest === null || p.newest < since) return 0;
  const oldest = p.oldest ?? p.newest;
  if (oldest >= since) return p.count;
  return Math.ceil((p.count * (p.newest - since)) / Math.max(1, p.newest - oldest));
}

function levelWord(d: SourceDescriptor, level: LevelId): string {
  return d.levels.find((l) => l.id === level)?.singular ?? level;
}

function typeLabel(d: SourceDescriptor, type: DataTypeId): string {
  return d.dataTypes.find((t) => t.id === type)?.label ?? type;
}
