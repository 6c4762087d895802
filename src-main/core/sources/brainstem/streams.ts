// Which requests read a data type at a scope, and in which order (reference §7.2):
// - sessions of a project: ONE filtered stream (filter{projects.id}), not one request per session;
// - their acquisitions, behaviors and manipulations: batched by session id (repeated
//   filter{session.id.in}), each batch as long as the request-line budget allows;
// - epochs have no endpoint: they ride along with the sessions stream (include[]=epochs.*), which
//   costs no request of its own (per session it would cost one request per session);
// - subjects of a project: one filtered stream; procedures and subject logs batched by subject
//   id; procedure logs batched by procedure id; collections and cohorts filtered by project;
// - at the portal scope every type is its plain list (the portal already limits what is visible).
// A stream that needs another's ids says so (dependsOn); records are de-duplicated by id across
// pages, batches and projects, so a session shared by two projects appears once.
import { StudyError } from '../../../../src-shared/errors';
import { brainstemDataType, type BrainstemScopeLevel, type BrainstemStreamId } from './descriptors';
import type { JsonRecord } from './envelope';
import { batchedRequests, type ListRequest } from './query';
import type { Portal } from './connection';
import type { ModelName } from './models';

export type BrainstemScope = { level: 'portal' } | { level: Exclude<BrainstemScopeLevel, 'portal'>; ids: readonly string[] };

export interface StreamPlan {
  type: BrainstemStreamId;
  /** false: read only because another stream needs it (its ids, or the epochs it carries). */
  wanted: boolean;
  /** The stream whose record ids this one's requests are batched by; null: it can be read at once. */
  dependsOn: BrainstemStreamId | null;
  /** Epochs: carried by the sessions stream, not requested themselves. */
  embeddedIn: 'sessions' | null;
  /** Relations loaded with each page of this stream (the sessions stream carries epochs). */
  include: string[];
  /** How the requests are built (see requestsFor). */
  filter: { field: string; ids: readonly string[] | 'from-dependency' } | null;
}

/** Ids we put in a query: BrainSTEM's are UUIDs (and small integers for users); anything else is refused before a request. */
const SAFE_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function checkIds(ids: readonly string[], level: string): void {
  if (ids.length === 0) throw new StudyError({ code: 'INVALID_ARGUMENT', message: `No ${level} id was given.`, fix: `Give the id of the ${level} (see \`studydl --source brainstem ls\`).` });
  const bad = ids.find((id) => typeof id !== 'string' || !SAFE_ID.test(id));
  if (bad !== undefined) {
    throw new StudyError({
      code: 'INVALID_ARGUMENT',
      message: `"${String(bad).slice(0, 80)}" is not a BrainSTEM ${level} id.`,
      fix: `BrainSTEM ids look like 3f5ea7d7-4bac-47ed-8f03-fa9661ab0f67; copy it from \`studydl --source brainstem ls\` or the app.`,
    });
  }
}

/** The filter that reads `type` under the scope's items, or the dependency that provides the ids. */
function scopedFilter(type: BrainstemStreamId, scope: BrainstemScope): Pick<StreamPlan, 'dependsOn' | 'filter' | 'embeddedIn'> {
  const d = brainstemDataType(type);
  if (!d.scopes.includes(scope.level)) {
    throw new StudyError({ code: 'INVALID_ARGUMENT', message: `${d.label} cannot be read for a ${scope.level}.`, fix: `Choose one of: ${d.scopes.join(', ')}.` });
  }
  const none = { dependsOn: null, embeddedIn: null } as const;
  if (type === 'epochs') return { dependsOn: null, embeddedIn: 'sessions', filter: null };
  if (scope.level === 'portal') return { ...none, filter: null };
  const ids = scope.ids;
  const byLevel: Record<typeof scope.level, Partial<Record<BrainstemStreamId, Pick<StreamPlan, 'dependsOn' | 'filter'>>>> = {
    project: {
      projects: { dependsOn: null, filter: { field: 'id', ids } },
      sessions: { dependsOn: null, filter: { field: 'projects.id', ids } },
      data_acquisitions: { dependsOn: 'sessions', filter: { field: 'session.id', ids: 'from-dependency' } },
      behaviors: { dependsOn: 'sessions', filter: { field: 'session.id', ids: 'from-dependency' } },
      manipulations: { dependsOn: 'sessions', filter: { field: 'session.id', ids: 'from-dependency' } },
      subjects: { dependsOn: null, filter: { field: 'projects.id', ids } },
      procedures: { dependsOn: 'subjects', filter: { field: 'subject.id', ids: 'from-dependency' } },
      subject_logs: { dependsOn: 'subjects', filter: { field: 'subject.id', ids: 'from-dependency' } },
      procedure_logs: { dependsOn: 'procedures', filter: { field: 'procedure.id', ids: 'from-dependency' } },
      collections: { dependsOn: null, filter: { field: 'project.id', ids } },
      cohorts: { dependsOn: null, filter: { field: 'project.id', ids } },
    },
    session: {
      sessions: { dependsOn: null, filter: { field: 'id', ids } },
      data_acquisitions: { dependsOn: null, filter: { field: 'session.id', ids } },
      behaviors: { dependsOn: null, filter: { field: 'session.id', ids } },
      manipulations: { dependsOn: null, filter: { field: 'session.id', ids } },
    },
    subject: {
      subjects: { dependsOn: null, filter: { field: 'id', ids } },
      procedures: { dependsOn: null, filter: { field: 'subject.id', ids } },
      subject_logs: { dependsOn: null, filter: { field: 'subject.id', ids } },
      procedure_logs: { dependsOn: 'procedures', filter: { field: 'procedure.id', ids: 'from-dependency' } },
    },
  };
  const found = byLevel[scope.level][type];
  if (!found) throw new Error(`no request plan for ${type} at a ${scope.level}`); // descriptors and this table disagree
  return { ...found, embeddedIn: null };
}

/**
 * The streams to read for `types` at `scope`, dependencies first. Streams needed only by others
 * (sessions for their ids or epochs, subjects and procedures for theirs) are planned with
 * wanted: false.
 */
export function planStreams(scope: BrainstemScope, types: readonly BrainstemStreamId[]): StreamPlan[] {
  if (scope.level !== 'portal') checkIds(scope.ids, scope.level);
  const wanted = new Set(types);
  const plans = new Map<BrainstemStreamId, StreamPlan>();
  const add = (type: BrainstemStreamId, isWanted: boolean): StreamPlan => {
    const existing = plans.get(type);
    if (existing) {
      existing.wanted ||= isWanted;
      return existing;
    }
    const f = scopedFilter(type, scope);
    if (f.dependsOn) add(f.dependsOn, wanted.has(f.dependsOn));
    if (f.embeddedIn) add(f.embeddedIn, wanted.has(f.embeddedIn)).include.push('epochs');
    const plan: StreamPlan = { type, wanted: isWanted, include: [], ...f };
    plans.set(type, plan);
    return plan;
  };
  for (const t of types) add(t, true);
  // Dependencies were added before their dependants; keep that order.
  return [...plans.values()];
}

/**
 * The list requests of a planned stream. A batched stream needs the ids of its dependency's
 * records (`parentIds`); a filter over many ids is split to keep each request line short.
 */
export function requestsFor(plan: StreamPlan, portal: Portal, apiPath: string, parentIds?: readonly string[]): ListRequest[] {
  if (plan.embeddedIn) return [];
  const d = brainstemDataType(plan.type);
  const model = d.model as Exclude<ModelName, 'epoch'>;
  const base = { model, include: plan.include };
  if (!plan.filter) return [{ ...base, filters: [], what: `${d.label.toLowerCase()}` }];
  const ids = plan.filter.ids === 'from-dependency' ? (parentIds ?? null) : plan.filter.ids;
  if (ids === null) throw new Error(`${plan.type} needs the ids of ${plan.dependsOn} first`);
  if (ids.length === 0) return [];
  const field = plan.filter.field;
  const label = d.label.toLowerCase();
  const parent = field.split('.')[0].replace(/s$/, '');
  if (ids.length === 1) return [{ ...base, filters: [[field, ids[0]]], what: field === 'id' ? `${d.model} ${ids[0]}` : `${label} of ${parent} ${ids[0]}` }];
  return batchedRequests(portal, base, field, ids, (n) => (field === 'id' ? `${n} ${label}` : `${label} of ${n} ${parent}s`), apiPath);
}

/** The ids of records (their `id` field), in order, without repeats. */
export function idsOf(records: readonly JsonRecord[]): string[] {
  const out = new Set<string>();
  for (const r of records) if (typeof r.id === 'string' && r.id) out.add(r.id);
  return [...out];
}

/**
 * The epochs a sessions page carried (include[]=epochs.*): sideloaded under "epochs", or embedded
 * in each session's `epochs` field. Returns them and the sessions with `epochs` back to ids (the
 * include was ours: sessions then look as a plain list gives them).
 */
export function splitEpochs(sessions: readonly JsonRecord[], sideloaded: Record<string, JsonRecord[]>): { sessions: JsonRecord[]; epochs: JsonRecord[] } {
  const epochs: JsonRecord[] = [...(sideloaded.epochs ?? [])];
  const out = sessions.map((s) => {
    if (!Array.isArray(s.epochs) || !s.epochs.some((e) => e && typeof e === 'object')) return s;
    const ids: unknown[] = [];
    for (const e of s.epochs) {
      if (e && typeof e === 'object' && !Array.isArray(e)) {
        epochs.push(e as JsonRecord);
        ids.push((e as JsonRecord).id);
      } else ids.push(e);
    }
    return { ...s, epochs: ids };
  });
  return { sessions: out, epochs };
}
