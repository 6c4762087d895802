// The read-only part of an export: which streams to fetch (at the widest scope the target
// allows), how many requests they cost (from each first page's total), how long the limits
// make that take, and how much media comes with it. The first pages are kept so the export
// engine never fetches them twice (the export benchmark holds us to requests ÷ ideal = 1.00).
import { StudyError } from '../../../src-shared/errors';
import type { DataTypeId, Plan, PlannedStream, Scope, Target } from '../../../src-shared/model';
import { endpointKey } from '../net/endpoint-key';
import type { HyperStudyClient, Page, RequestOptions } from '../sources/hyperstudy/client-types';
import { MAX_PAGE_LIMIT } from '../sources/hyperstudy/client';
import { dataTypeDescriptor } from '../sources/hyperstudy/descriptors';
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
  /** Every recording record in scope (after the recordingIds filter), when recordings were planned. */
  recordings: Array<Record<string, unknown>>;
  /** Pages after the first already fetched while planning (the recordings listing), by streamKey. */
  extraPages: Map<string, Page[]>;
}

/** A stable key for a stream: `type:scope:scopeId` plus `@roomId` for participant scope. */
export function streamKey(s: Pick<PlannedStream, 'type' | 'scope' | 'scopeId' | 'roomId'>): string {
  return `${s.type}:${s.scope}:${s.scopeId}${s.roomId ? `@${s.roomId}` : ''}`;
}

/** The `/data/{type}/{scope}/{id}` endpoint template a stream's requests count against. */
export function streamEndpoint(s: Pick<PlannedStream, 'type' | 'scope'>): string {
  return endpointKey(`/data/${dataTypeDescriptor(s.type).endpoint}/${s.scope}/x`);
}

export const MINT_ENDPOINT = '/data/recordings/download/{id}/{id}';

function targetScope(t: Target): { scope: Scope; scopeId: string; roomId?: string } {
  if (t.level === 'participant') {
    if (!t.participantId || !t.roomId) throw invalid('A participant target needs the participant id and its room id.');
    return { scope: 'participant', scopeId: t.participantId, roomId: t.roomId };
  }
  if (t.level === 'room') {
    if (!t.roomId) throw invalid('A room target needs the room id.');
    return { scope: 'room', scopeId: t.roomId };
  }
  return { scope: 'experiment', scopeId: t.experimentId };
}

function invalid(message: string) {
  return new StudyError({ code: 'INVALID_ARGUMENT', message, fix: 'Choose an experiment, a room, or a participant with its room.' });
}

const requestsFor = (total: number) => Math.max(1, Math.ceil(total / MAX_PAGE_LIMIT));

export async function createPlan(client: HyperStudyClient, req: PlanRequest, opts: PlanOptions = {}): Promise<InternalPlan> {
  const ro: RequestOptions = { signal: opts.signal, onWait: opts.onWait };
  const startRequests = client.requestsMade();
  const warnings: string[] = [];
  const { scope, scopeId, roomId } = targetScope(req.target);
  const types = [...new Set(req.types)];
  if (req.includeRecordings && !types.includes('recordings')) types.push('recordings');

  // 1. Streams at the widest scope the target allows.
  const wanted: Array<Omit<PlannedStream, 'total' | 'requests'>> = [];
  let listingRequests = 0;
  let roomIds: string[] | null = null;
  for (const type of types) {
    const d = dataTypeDescriptor(type);
    if (d.scopes.includes(scope)) {
      wanted.push({ type, scope, scopeId, ...(roomId ? { roomId } : {}) });
    } else if (d.scopes.includes('room') && scope === 'experiment') {
      if (roomIds === null) {
        const before = client.requestsMade();
        const rooms = await client.listRooms(req.target.experimentId, ro);
        listingRequests += client.requestsMade() - before;
        warnings.push(...rooms.warnings);
        roomIds = rooms.items.map((r) => r.id);
      }
      for (const id of roomIds) wanted.push({ type, scope: 'room', scopeId: id });
    } else if (d.scopes.includes('room') && scope === 'participant' && roomId) {
      wanted.push({ type, scope: 'room', scopeId: roomId });
      warnings.push(`${d.label} are kept per room: the participant’s whole room is included.`);
    } else {
      warnings.push(`${d.label} cannot be exported per ${scope}; skipped.`);
    }
  }

  // 2. The first page of each stream gives its total (and is kept).
  const firstPages = new Map<string, Page>();
  const streams: PlannedStream[] = [];
  const query = { startTime: req.since, endTime: req.until, limit: MAX_PAGE_LIMIT, offset: 0 };
  const results = await Promise.all(
    wanted.map(async (s) => {
      try {
        const page = await client.fetchPage(s.type, s.scope, s.scopeId, { ...query, ...(s.roomId ? { roomId: s.roomId } : {}) }, ro);
        return { s, page };
      } catch (e) {
        // A missing scope for one type should not hide the rest of the plan.
        if (e instanceof StudyError && e.code === 'FORBIDDEN') {
          warnings.push(`${dataTypeDescriptor(s.type).label}: ${e.message}`);
          return null;
        }
        throw e;
      }
    }),
  );
  for (const r of results) {
    if (!r) continue;
    const { s, page } = r;
    let total = page.total ?? page.records.length;
    if (page.total === null && page.hasMore) {
      total = Math.max(total, (page.nextOffset ?? page.records.length) + 1);
      warnings.push(`${dataTypeDescriptor(s.type).label}: the server did not say how many records there are; the estimate is a minimum.`);
    }
    const stream: PlannedStream = { ...s, total, requests: requestsFor(total) };
    streams.push(stream);
    firstPages.set(streamKey(stream), page);
    warnings.push(...page.warnings);
  }

  // 3. Media: every recording in scope (all listing pages), one link request per file: its mint
  //    (downloadPath), or, for a signed downloadUrl, the listing of its room again should the URL
  //    have expired by the time it is downloaded (docs/hyperstudy-api-notes.md).
  let recordings: Array<Record<string, unknown>> = [];
  const extraPages = new Map<string, Page[]>();
  let mediaRequests = 0;
  let relistRequests = 0;
  let mediaBytes = 0;
  if (req.includeRecordings) {
    const recStreams = streams.filter((s) => s.type === 'recordings');
    for (const s of recStreams) {
      const key = streamKey(s);
      const first = firstPages.get(key)!;
      const extra: Page[] = [];
      let isFirst = true;
      for await (const page of client.pages('recordings', s.scope, s.scopeId, { ...query, ...(s.roomId ? { roomId: s.roomId } : {}) }, { ...ro, firstPage: first, concurrency: 1 })) {
        recordings.push(...page.records);
        if (!isFirst) extra.push(page);
        isFirst = false;
      }
      if (extra.length) extraPages.set(key, extra);
    }
    if (req.recordingIds?.length) {
      const ids = new Set(req.recordingIds);
      recordings = recordings.filter((r) => ids.has(String(r.recordingId ?? r.egressId ?? r.id)));
      const missing = req.recordingIds.length - recordings.length;
      if (missing > 0) warnings.push(`${missing} of the chosen recordings were not found.`);
    }
    let unknownSize = 0;
    for (const r of recordings) {
      if (typeof r.downloadPath === 'string' && r.downloadPath) mediaRequests++;
      else relistRequests++;
      if (typeof r.fileSize === 'number' && Number.isFinite(r.fileSize)) mediaBytes += r.fileSize;
      else unknownSize++;
    }
    if (unknownSize) warnings.push(`${unknownSize} recording${unknownSize === 1 ? ' has' : 's have'} no known size; the media size is a minimum.`);
  }

  // 4. Requests and time still ahead (first pages and extra listing pages are already spent).
  const remaining = new Map<string, number>();
  for (const s of streams) {
    const done = 1 + (extraPages.get(streamKey(s))?.length ?? 0);
    const ep = streamEndpoint(s);
    remaining.set(ep, (remaining.get(ep) ?? 0) + Math.max(0, s.requests - done));
  }
  if (mediaRequests) remaining.set(MINT_ENDPOINT, (remaining.get(MINT_ENDPOINT) ?? 0) + mediaRequests);
  const relistEndpoint = streamEndpoint({ type: 'recordings', scope: 'room' });
  if (relistRequests) remaining.set(relistEndpoint, (remaining.get(relistEndpoint) ?? 0) + relistRequests);
  mediaRequests += relistRequests;
  // The export also saves the experiment object, its rooms and its participants (one page each up
  // to 1000 items). A rooms listing already fetched here is reused by the export, not fetched again.
  const listingEndpoints = req.mediaOnly ? [] : ['/experiments/{id}', `/data/participants/${req.target.level === 'experiment' ? 'experiment' : 'room'}/{id}`];
  if (roomIds === null && !req.mediaOnly) listingEndpoints.push('/data/rooms/experiment/{id}');
  for (const ep of listingEndpoints) remaining.set(ep, (remaining.get(ep) ?? 0) + 1);
  listingRequests += listingEndpoints.length;
  const budget = client.budget();
  const estimated = estimateSeconds({ requestsByEndpoint: remaining, budget, latencySec: opts.latencySec, concurrency: opts.concurrency });

  const requestsSpentPlanning = client.requestsMade() - startRequests;
  const plan: Plan = {
    target: req.target,
    streams,
    listingRequests,
    mediaRequests,
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
