// Reads the planned streams of one scope, in dependency order, and hands out their records page
// by page: de-duplicated by id per type (across pages, batches and projects), with the ids a
// dependant stream needs collected on the way, the epochs taken out of the sessions pages that
// carried them, and one links row per session download link.
import type { BrainstemApi } from './api';
import type { Portal } from './connection';
import type { BrainstemStreamId } from './descriptors';
import type { JsonRecord } from './envelope';
import { linkRows } from './links';
import { dropSeen, pages } from './pager';
import { BRAINSTEM_MAX_IN_FLIGHT } from './policy';
import { idsOf, planStreams, requestsFor, splitEpochs, type BrainstemScope, type StreamPlan } from './streams';

/** A data type, or the links table drawn from the sessions' download links. */
export type ReadableType = BrainstemStreamId | 'links';

export interface StreamBatch {
  type: ReadableType;
  /** Records not handed out before (links: rows). */
  records: JsonRecord[];
}

export interface ReadStreamsOptions {
  signal?: AbortSignal;
  /** Pages in flight for one request once its total is known (default 4). */
  concurrency?: number;
}

export interface ReadContext {
  api: BrainstemApi;
  portal: Portal;
  /** Path of the API root on its host ("/api"), for the request-line budget. */
  apiPath: string;
}

/** The plans for `types`, sessions added (not wanted) when only their links are. */
export function planReadable(scope: BrainstemScope, types: readonly ReadableType[]): StreamPlan[] {
  const streams = types.filter((t): t is BrainstemStreamId => t !== 'links');
  if (!types.includes('links') || streams.includes('sessions')) return planStreams(scope, streams);
  const plans = planStreams(scope, [...streams, 'sessions']);
  plans.find((p) => p.type === 'sessions')!.wanted = false;
  return plans;
}

export async function* readStreams(ctx: ReadContext, scope: BrainstemScope, types: readonly ReadableType[], o: ReadStreamsOptions = {}): AsyncGenerator<StreamBatch> {
  const plans = planReadable(scope, types);
  const wantLinks = types.includes('links');
  const wantEpochs = plans.some((p) => p.type === 'epochs' && p.wanted);
  const neededIds = new Set(plans.map((p) => p.dependsOn).filter((t): t is BrainstemStreamId => t !== null));
  const idsByType = new Map<BrainstemStreamId, string[]>();
  const seenByType = new Map<ReadableType, Set<string>>();
  const seen = (t: ReadableType) => {
    let s = seenByType.get(t);
    if (!s) seenByType.set(t, (s = new Set()));
    return s;
  };
  const concurrency = o.concurrency ?? BRAINSTEM_MAX_IN_FLIGHT;

  for (const plan of plans) {
    if (plan.embeddedIn) continue; // epochs come out of the sessions pages
    const requests = requestsFor(plan, ctx.portal, ctx.apiPath, plan.dependsOn ? (idsByType.get(plan.dependsOn) ?? []) : undefined);
    const collected: string[] = [];
    for (const req of requests) {
      for await (const page of pages(ctx.api, ctx.portal, req, { signal: o.signal, concurrency, seenIds: seen(plan.type) })) {
        let records = page.records;
        if (plan.include.includes('epochs')) {
          const split = splitEpochs(records, page.sideloaded);
          records = split.sessions;
          const epochs = wantEpochs ? dropSeen(split.epochs, seen('epochs')) : [];
          if (epochs.length) yield { type: 'epochs', records: epochs };
        }
        if (neededIds.has(plan.type)) collected.push(...idsOf(records));
        if (plan.type === 'sessions' && wantLinks) {
          const rows = linkRows(records);
          if (rows.length) yield { type: 'links', records: rows };
        }
        if (plan.wanted) yield { type: plan.type, records };
      }
    }
    idsByType.set(plan.type, collected);
  }
}
