// Which BrainSTEM streams an export reads (reference §7.2), in dependency order:
// - the sessions of a project as ONE filtered stream (filter{projects.id}), read whole while
//   planning when others need their ids or their epochs, and handed back (prefetched) so the export
//   does not read them again;
// - their acquisitions, behaviors and manipulations batched by filter{session.id.in}: one stream
//   per batch, each naming its session ids (params.ids) and the stream it depends on;
// - epochs out of the sessions list (include[]=epochs.*): no request of their own;
// - subjects likewise, then procedures and subject logs batched by subject id, procedure logs by
//   procedure id; collections and cohorts filtered by project.
// A data type that has no parents in the target (a project without sessions) still gets one
// empty stream, so its file is written (empty) like every other chosen type's.
import type { DataTypeId, Target } from '../../../../src-shared/model';
import { streamKey } from '../../plan/planner';
import type { Page, PageQuery, PlanStreamsOptions, SourceStreamPlan, StreamRef, StreamSpec } from '../source';
import type { BrainstemClient } from './client';
import { brainstemDataType, type BrainstemStreamId } from './descriptors';
import type { JsonRecord } from './envelope';
import type { Page as ClientPage } from './pager';
import { brainstemEndpointKey, BRAINSTEM_PAGE_LIMIT } from './policy';
import { listPath, type ListRequest } from './query';
import { brainstemDescriptor } from './source-descriptor';
import { IDS_PARAM, inWindow, listRecords, sessionsOf, type StreamReader } from './stream-reader';
import { idsOf } from './streams';
import { checkItemId, readTarget } from './targets';
import { listingReads } from './export-listings';

/** Types an export's listings read anyway (the root's name, the split groups): read whole while planning when wanted. */
const LISTED: ReadonlySet<string> = new Set(['projects', 'sessions', 'subjects']);

/** The pages as the export keeps them: only the records inside its time window (as fetchPage gives them). */
function portPages(type: string, req: ListRequest, pages: ClientPage[], window: PageQuery): Page[] {
  return pages.map((p) => ({ records: inWindow(type, sessionsOf(req, p), window), offset: p.offset, returned: p.records.length, total: p.total, hasMore: p.nextOffset !== null, nextOffset: p.nextOffset, warnings: [], metadata: {} }));
}

/** A whole list cut into pages of the page size (epochs, taken out of the sessions). */
function chunked(records: JsonRecord[]): Page[] {
  const out: Page[] = [];
  for (let offset = 0; offset < records.length || offset === 0; offset += BRAINSTEM_PAGE_LIMIT) {
    const slice = records.slice(offset, offset + BRAINSTEM_PAGE_LIMIT);
    const next = offset + BRAINSTEM_PAGE_LIMIT < records.length ? offset + BRAINSTEM_PAGE_LIMIT : null;
    out.push({ records: slice, offset, returned: slice.length, total: records.length, hasMore: next !== null, nextOffset: next, warnings: [], metadata: {} });
    if (next === null) break;
  }
  return out;
}

/** "the sessions of project 1a2b…" style words for a plan listing. */
function batchContext(parent: string, n: number, i: number, of: number): string {
  const what = `${n} ${parent}${n === 1 ? '' : 's'}`;
  return of > 1 ? `${what}, batch ${i + 1} of ${of}` : what;
}

export async function planBrainstemStreams(client: BrainstemClient, reader: StreamReader, target: Target, types: readonly DataTypeId[], options: PlanStreamsOptions = {}): Promise<SourceStreamPlan> {
  const { window = {}, ...o } = options;
  const t = readTarget(target);
  checkItemId(t.level, t.id, client.portal);
  const warnings: string[] = [];
  const readable: BrainstemStreamId[] = [];
  for (const type of new Set(types)) {
    const d = brainstemDescriptor.dataTypes.find((x) => x.id === type);
    if (d?.scopes.includes(t.level)) readable.push(type as BrainstemStreamId);
    else warnings.push(`${d?.label ?? type} cannot be exported per ${t.level}; skipped.`);
  }
  const scope = { level: t.level, ids: [t.id] } as const;
  const plans = client.planStreams(scope, readable);
  const needed = new Set(plans.map((p) => p.dependsOn).filter((x): x is BrainstemStreamId => x !== null));
  const carriesEpochs = (type: string) => plans.some((p) => p.type === type && p.include.includes('epochs'));

  const streams: StreamSpec[] = [];
  const prefetched = new Map<string, Page[]>();
  const idsOfType = new Map<string, string[]>();
  let listingRequests = 0;
  const at = (type: string): StreamRef => ({ type, scope: t.level, scopeId: t.id });
  const endpoint = (req: ListRequest) => brainstemEndpointKey(listPath(client.portal, req));
  /** Reads a whole list now; requests for a stream that is not exported count as listings. */
  const readNow = async (req: ListRequest, wanted: boolean) => {
    const before = client.requestsMade();
    const pages = await reader.readAll(req, o);
    if (!wanted) listingRequests += client.requestsMade() - before;
    return pages;
  };

  for (const plan of plans) {
    const ref = at(plan.type);
    if (plan.embeddedIn) {
      // Epochs: out of the sessions list, which was read (with its epochs) just before.
      const spec: StreamSpec = { ...ref, endpoint: endpoint(client.requestsFor(plans.find((p) => p.type === 'sessions')!)[0]), context: 'carried by the sessions list', embedded: true };
      streams.push(spec);
      prefetched.set(streamKey(spec), chunked(await reader.allRecords(ref, window, o)));
      continue;
    }
    if (plan.dependsOn) {
      const parentIds = idsOfType.get(plan.dependsOn) ?? [];
      const reqs = client.requestsFor(plan, parentIds);
      const parent = brainstemDataType(plan.dependsOn).model;
      if (reqs.length === 0) {
        if (plan.wanted) streams.push({ ...ref, params: { [IDS_PARAM]: '' }, endpoint: endpoint(client.requestsFor(plan, ['x'])[0]), context: `no ${parent}s`, dependsOn: at(plan.dependsOn) });
        idsOfType.set(plan.type, []);
        continue;
      }
      const collected: string[] = [];
      for (const [i, req] of reqs.entries()) {
        const batchIds = req.filters.map(([, v]) => v);
        const spec: StreamSpec = { ...ref, params: { [IDS_PARAM]: batchIds.join(',') }, endpoint: endpoint(req), context: batchContext(parent, batchIds.length, i, reqs.length), dependsOn: at(plan.dependsOn) };
        if (needed.has(plan.type)) {
          const pages = await readNow(req, plan.wanted);
          collected.push(...idsOf(pages.flatMap((p) => p.records)));
          if (plan.wanted) prefetched.set(streamKey(spec), portPages(plan.type, req, pages, window));
        }
        if (plan.wanted) streams.push(spec);
      }
      idsOfType.set(plan.type, collected);
      continue;
    }
    const req = client.requestsFor(plan)[0];
    const spec: StreamSpec = { ...ref, endpoint: endpoint(req) };
    if (needed.has(plan.type) || carriesEpochs(plan.type) || (plan.wanted && LISTED.has(plan.type))) {
      const pages = await readNow(req, plan.wanted);
      idsOfType.set(plan.type, idsOf(listRecords(req, pages)));
      if (plan.wanted) prefetched.set(streamKey(spec), portPages(plan.type, req, pages, window));
    }
    if (plan.wanted) streams.push(spec);
  }

  // What the export's listings will still read (the root's name, the groups of each split).
  const exportListingEndpoints = listingReads(client, t)
    .filter((alternatives) => !alternatives.some((req) => reader.peek(req)))
    .map((alternatives) => endpoint(alternatives[0]));
  return { streams, warnings, listingRequests, exportListingEndpoints, prefetched };
}
