// The read-only part of an export: which streams to fetch (the source plans them, at the widest
// scope the target allows), how many requests they cost (from each first page's total), how long
// the limits make that take, and how much media comes with it. The first pages are kept so the export
// engine never fetches them twice (the export benchmark holds us to requests ÷ ideal = 1.00).
import { StudyError } from '../../../src-shared/errors';
import type { DataTypeId, Plan, PlannedStream, Target } from '../../../src-shared/model';
import type { Page, RequestOptions, Source, StreamRef, StreamSpec } from '../sources/source';
import { estimateSeconds } from './estimate';

export { estimateSeconds } from './estimate';

export interface PlanRequest {
  target: Target;
  types: DataTypeId[];
  since?: string;
  until?: string;
  includeRecordings: boolean;
  recordingIds?: string[];
  /** Only the recording files themselves (no listings are saved beside them). */
  mediaOnly?: boolean;
}

export interface PlanOptions extends RequestOptions {
  /** Expected seconds per request, for the estimate (default 0: limits only). */
  latencySec?: number;
  /** Page requests in flight during the export (for the estimate; default 4). */
  concurrency?: number;
}

export interface InternalPlan {
  plan: Plan;
  /** First page of each stream, by streamKey(stream). */
  firstPages: Map<string, Page>;
  /** Every media record in scope (after the recordingIds filter), when media were planned. */
  recordings: Array<Record<string, unknown>>;
  /** Pages after the first already fetched while planning (the media listing), by streamKey. */
  extraPages: Map<string, Page[]>;
}

/** A stable key for a stream: `type:scope:scopeId`, plus `@value` per source parameter (HyperStudy: the participant's room). */
export function streamKey(s: Pick<StreamRef, 'type' | 'scope' | 'scopeId' | 'params'>): string {
  const params = Object.values(s.params ?? {}).map((v) => `@${v}`).join('');
  return `${s.type}:${s.scope}:${s.scopeId}${params}`;
}

/** The stream a planned stream reads. */
export function streamRefOf(s: PlannedStream): StreamRef {
  return { type: s.type, scope: s.scope, scopeId: s.scopeId, ...(s.params ? { params: s.params } : {}) };
}

export async function createPlan(source: Source, req: PlanRequest, opts: PlanOptions = {}): Promise<InternalPlan> {
  const ro: RequestOptions = { signal: opts.signal, onWait: opts.onWait };
  const startRequests = source.requestsMade();
  const pageSize = source.policy.pageSize;
  const requestsFor = (total: number) => Math.max(1, Math.ceil(total / pageSize));
  const label = (type: DataTypeId) => source.descriptor.dataTypes.find((d) => d.id === type)?.label ?? type;
  const media = source.media;
  const types = [...new Set(req.types)];
  if (req.includeRecordings && media && !types.includes(media.type)) types.push(media.type);

  // 1. Streams at the widest scope the target allows (the source knows which).
  const planned = await source.planStreams(req.target, types, { ...ro, window: { since: req.since, until: req.until } });
  const warnings: string[] = [...planned.warnings];
  let listingRequests = planned.listingRequests;

  // 2. The first page of each stream gives its total (and is kept).
  const firstPages = new Map<string, Page>();
  const streams: PlannedStream[] = [];
  const query = { since: req.since, until: req.until, limit: pageSize, offset: 0 };
  const results = await Promise.all(
    planned.streams.map(async (s) => {
      const ready = planned.prefetched?.get(streamKey(s))?.[0];
      if (ready) return { s, page: ready };
      try {
        const page = await source.fetchPage(s, query, ro);
        return { s, page };
      } catch (e) {
        // A missing scope for one type should not hide the rest of the plan.
        if (e instanceof StudyError && e.code === 'FORBIDDEN') {
          warnings.push(`${label(s.type)}: ${e.message}`);
          return null;
        }
        throw e;
      }
    }),
  );
  const endpointOf = new Map<string, string>();
  for (const r of results) {
    if (!r) continue;
    const { s, page } = r;
    let total = page.total ?? page.records.length;
    if (page.total === null && page.hasMore) {
      total = Math.max(total, (page.nextOffset ?? page.records.length) + 1);
      warnings.push(`${label(s.type)}: the server did not say how many records there are; the estimate is a minimum.`);
    }
    const stream = plannedStream(s, total, s.embedded ? 0 : requestsFor(total));
    streams.push(stream);
    firstPages.set(streamKey(stream), page);
    endpointOf.set(streamKey(stream), s.endpoint);
    warnings.push(...page.warnings);
  }

  // 3. Media: every file record in scope (all listing pages), one link request per file: its mint,
  //    or, for a signed URL already on the record, the listing again should it have expired by the
  //    time it is downloaded (the source says which endpoint that request goes to). The latter are
  //    a reserve (mediaReserve): planned, so the plan is an upper bound, but often not spent.
  let recordings: Array<Record<string, unknown>> = [];
  const extraPages = new Map<string, Page[]>();
  let mediaRequests = 0;
  let mediaReserve = 0;
  let mediaBytes = 0;
  const remaining = new Map<string, number>();
  const spend = (endpoint: string, n: number) => remaining.set(endpoint, (remaining.get(endpoint) ?? 0) + n);
  for (const [key, pages] of planned.prefetched ?? []) if (pages.length > 1) extraPages.set(key, pages.slice(1));
  if (req.includeRecordings && media) {
    for (const s of streams.filter((x) => x.type === media.type)) {
      const key = streamKey(s);
      // Pages the source read while planning are used as they are; paging goes on after the last.
      const known = [firstPages.get(key)!, ...(extraPages.get(key) ?? [])];
      const extra = known.slice(1);
      const idField = source.descriptor.dataTypes.find((d) => d.id === media.type)?.idField ?? 'id';
      const seenIds = new Set<string>();
      for (const p of known.slice(0, -1)) {
        for (const r of p.records) {
          const id = r[idField] ?? r.id;
          const key = typeof id === 'string' || typeof id === 'number' ? String(id) : null;
          if (key !== null && seenIds.has(key)) continue;
          if (key !== null) seenIds.add(key);
          recordings.push(r);
        }
      }
      let isLast = true;
      for await (const page of source.pages(streamRefOf(s), query, { ...ro, firstPage: known[known.length - 1], seenIds, concurrency: 1 })) {
        if (!isLast) extra.push(page);
        isLast = false;
        recordings.push(...page.records);
      }
      if (extra.length) extraPages.set(key, extra);
    }
    // Records of the media type without a file (BrainSTEM: acquisitions without an image) cost nothing.
    recordings = recordings.filter((r) => media.fileOf(r) !== null);
    if (req.recordingIds?.length) {
      const ids = new Set(req.recordingIds);
      recordings = recordings.filter((r) => ids.has(media.fileOf(r)?.id ?? ''));
      const missing = req.recordingIds.length - recordings.length;
      if (missing > 0) warnings.push(`${missing} of the chosen ${media.noun.many} were not found.`);
    }
    let unknownSize = 0;
    for (const r of recordings) {
      mediaRequests++;
      spend(media.linkEndpoint(r), 1);
      if ((media.upFrontRequests?.(r) ?? 1) === 0) mediaReserve++;
      const size = media.fileOf(r)?.size ?? null;
      if (size !== null) mediaBytes += size;
      else unknownSize++;
    }
    if (unknownSize) warnings.push(`${unknownSize} ${unknownSize === 1 ? `${media.noun.one} has` : `${media.noun.many} have`} no known size; the media size is a minimum.`);
  }

  // 4. Requests and time still ahead (first pages and extra listing pages are already spent).
  for (const s of streams) {
    const key = streamKey(s);
    const done = 1 + (extraPages.get(key)?.length ?? 0);
    spend(endpointOf.get(key)!, Math.max(0, s.requests - done));
  }
  // The export also saves the source's listings (HyperStudy: the experiment, its rooms and
  // participants), except a media-only export, which saves nothing beside its files.
  const listingEndpoints = req.mediaOnly ? [] : planned.exportListingEndpoints;
  for (const ep of listingEndpoints) spend(ep, 1);
  listingRequests += listingEndpoints.length;
  const budget = source.budget();
  const estimated = estimateSeconds({ requestsByEndpoint: remaining, budget, latencySec: opts.latencySec, concurrency: opts.concurrency });

  const requestsSpentPlanning = source.requestsMade() - startRequests;
  const plan: Plan = {
    target: req.target,
    streams,
    listingRequests,
    mediaRequests,
    mediaReserve,
    requestsNeeded: streams.reduce((a, s) => a + s.requests, 0) + listingRequests + mediaRequests,
    requestsSpentPlanning,
    records: streams.reduce((a, s) => a + s.total, 0),
    mediaFiles: req.includeRecordings ? recordings.length : 0,
    mediaBytes,
    estimatedSeconds: Math.ceil(estimated),
    budget,
    warnings: [...new Set(warnings)],
  };
  return { plan, firstPages, recordings, extraPages };
}

function plannedStream(s: StreamSpec, total: number, requests: number): PlannedStream {
  return {
    type: s.type,
    scope: s.scope,
    scopeId: s.scopeId,
    ...(s.params ? { params: s.params } : {}),
    ...(s.context ? { context: s.context } : {}),
    total,
    requests,
  };
}
