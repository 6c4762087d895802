// GET /data/{type}/{scope}/{id}: record streams, participants, rooms, variables and counts.
import { TYPE_SCOPES } from '../auth';
import { errors, successEnvelope } from '../envelope';
import { fail, json, type ApiRequest, type ApiResult, type SimContext } from '../context';
import { STREAM_TYPES, type StreamQuery } from '../dataset/index';
import { participantItem, roomItem, variablesOf } from '../dataset/items';
import type { Exp, PartM, RoomM } from '../dataset/world';
import { isError, parseChoice, parseLimit, parseOffset, parseOrder, parseTime } from '../params';
import type { DataScope, JsonRecord, StreamType } from '../types';
import { SORTABLE_TYPES } from '../shapes';
import { onsetOrigin } from '../dataset/records';
import { canSee, orgDenied, requireScope } from './access';
import { pagedResult } from './paged';

const SCOPES_OF: Record<string, DataScope[]> = {
  participants: ['experiment', 'room'],
  rooms: ['experiment'],
  variables: ['room'],
  counts: ['participant'],
};
const ALL_SCOPES: DataScope[] = ['experiment', 'room', 'participant'];
/** format=ndjson only where the ndjson shape allows it (the docs show json and csv). */
const formatsOf = (ctx: SimContext) => (ctx.shapes.ndjson ? (['json', 'csv', 'ndjson'] as const) : (['json', 'csv'] as const));

/** Record fields a type can be filtered on with an equally named query parameter. */
const FIELD_FILTERS: Partial<Record<StreamType, string[]>> = {
  events: ['category'],
  components: ['componentType', 'completed', 'stateId'],
};

/** Counts keys as the server names them (reference §4: chat is "textchat"). */
export const COUNTS_KEYS: Record<StreamType, string> = {
  events: 'events',
  components: 'components',
  recordings: 'recordings',
  chat: 'textchat',
  videochat: 'videochat',
  'ratings/continuous': 'continuousRatings',
  'ratings/sparse': 'sparseRatings',
  sync: 'sync',
  eyetracking: 'eyetracking',
};

export function dataRoute(ctx: SimContext, req: ApiRequest, type: string, scope: string, id: string): ApiResult {
  const scopes = SCOPES_OF[type] ?? ((STREAM_TYPES as string[]).includes(type) ? ALL_SCOPES : null);
  if (!scopes) return fail(errors.notFound(`Unknown data type '${type}'`));
  if (!(scopes as string[]).includes(scope)) return fail(errors.invalid('scope', scope, `one of ${scopes.join(', ')} for ${type}`));
  const denied = requireScope(req, TYPE_SCOPES[type] ?? null);
  if (denied) return fail(denied);
  // roomId filters the participant scope (docs); the SDK says the server refuses it without one, and
  // the counts route (SDK only) always needs it.
  if (scope === 'participant' && !req.query.get('roomId') && (ctx.shapes.participantNeedsRoomId || type === 'counts')) {
    return fail(errors.invalid('roomId', null, 'a room id (required for participant scope)', 'roomId is required for participant scope'));
  }
  switch (type) {
    case 'participants':
      return participants(ctx, req, scope as DataScope, id);
    case 'rooms':
      return rooms(ctx, req, id);
    case 'variables':
      return variables(ctx, req, id);
    case 'counts':
      return counts(ctx, req, id);
    default:
      return stream(ctx, req, type as StreamType, scope as DataScope, id);
  }
}

function common(ctx: SimContext, req: ApiRequest, sortable = true) {
  const q = req.query;
  const limit = parseLimit(q, 1000);
  if (isError(limit)) return limit;
  const offset = parseOffset(q);
  if (isError(offset)) return offset;
  const order = sortable ? parseOrder(q) : 'asc';
  if (isError(order)) return order;
  const format = parseChoice<'json' | 'csv' | 'ndjson'>(q, 'format', formatsOf(ctx), 'json');
  if (isError(format)) return format;
  return { limit, offset, order, format };
}

function stream(ctx: SimContext, req: ApiRequest, type: StreamType, scope: DataScope, id: string): ApiResult {
  const q = req.query;
  // sort/order where the docs show them; elsewhere they are ignored (the server's order stays).
  const sortable = ctx.shapes.sortEverywhere || SORTABLE_TYPES.has(type);
  const c = common(ctx, req, sortable);
  if (isError(c)) return fail(c);
  const sort = sortable ? parseChoice(q, 'sort', ['timestamp', 'onset', 'startTime'] as const, type === 'recordings' ? 'startTime' : 'timestamp') : 'timestamp';
  if (isError(sort)) return fail(sort);
  const startMs = parseTime(q, 'startTime');
  if (isError(startMs)) return fail(startMs);
  const endMs = parseTime(q, 'endTime');
  if (isError(endMs)) return fail(endMs);
  const fields: Record<string, string> = {};
  for (const f of FIELD_FILTERS[type] ?? []) {
    const v = q.get(f);
    if (v !== null && v !== '') fields[f] = v;
  }
  const sq: StreamQuery = {
    roomId: q.get('roomId') ?? undefined,
    deploymentId: q.get('deploymentId') ?? undefined,
    startMs,
    endMs,
    sort: sort === 'onset' ? 'onset' : 'timestamp',
    order: c.order,
    fields,
  };
  const r = ctx.dataset.view(type, scope, id, sq);
  if (r.kind === 'not-found') return fail(errors.notFound(r.what));
  if (!canSee(ctx, req, r.experiment)) return fail(orgDenied(r.experiment));
  const end = Math.min(r.view.length, c.offset + c.limit);
  const records: JsonRecord[] = [];
  for (let i = c.offset; i < end; i++) records.push(r.view.get(i));
  const query: JsonRecord = { startTime: q.get('startTime'), endTime: q.get('endTime') };
  for (const f of FIELD_FILTERS[type] ?? []) query[f] = q.get(f);
  if (type === 'sync') query.aggregationWindow = q.get('aggregationWindow') ? Number(q.get('aggregationWindow')) : null;
  Object.assign(query, { limit: c.limit, offset: c.offset }, sortable ? { sort, order: c.order } : {});
  if (sq.roomId) query.roomId = sq.roomId;
  if (sq.deploymentId) query.deploymentId = sq.deploymentId;
  const ratings = type.startsWith('ratings/');
  return pagedResult(ctx, req, {
    records,
    total: r.view.length,
    offset: c.offset,
    limit: c.limit,
    format: c.format,
    parts: {
      dataType: ratings ? 'ratings' : type,
      scope,
      scopeId: id,
      query,
      experimentStartedAt: startedAt(ctx, r.experiment, r.rooms, scope),
      extra: ratings ? { ratingType: type.slice('ratings/'.length) } : undefined,
    },
  });
}

/** The start every onset of the answer counts from (with onsetFrom 'room', rooms[0]'s: other rooms' onsets disagree). */
function startedAt(ctx: SimContext, exp: Exp, rooms: RoomM[], scope: DataScope): string {
  const room = scope === 'experiment' ? exp.rooms[0] : (rooms[0] ?? exp.rooms[0]);
  return new Date(onsetOrigin(room, ctx.shapes)).toISOString();
}

const PARTICIPANT_SORTS = ['joinedAt', 'completedAt', 'id', 'email', 'role', 'status', 'completionCode', 'timestamp'] as const;

function participants(ctx: SimContext, req: ApiRequest, scope: DataScope, id: string): ApiResult {
  const q = req.query;
  const c = common(ctx, req);
  if (isError(c)) return fail(c);
  const sort = parseChoice(q, 'sort', PARTICIPANT_SORTS, 'joinedAt');
  if (isError(sort)) return fail(sort);
  const world = ctx.dataset.world;
  let exp: Exp | undefined;
  let list: PartM[];
  if (scope === 'experiment') {
    exp = world.experimentById.get(id);
    if (!exp) return fail(errors.notFound(`Experiment ${id} not found`));
    list = exp.rooms.flatMap((r) => r.participants);
  } else {
    const room = world.roomById.get(id);
    if (!room) return fail(errors.notFound(`Room ${id} not found`));
    exp = room.experiment;
    list = room.participants;
  }
  if (!canSee(ctx, req, exp)) return fail(orgDenied(exp));
  const filters = { roomId: q.get('roomId'), deploymentId: q.get('deploymentId'), completionCode: q.get('completionCode') };
  let items = list.map(participantItem).filter((p) => Object.entries(filters).every(([k, v]) => !v || p[k] === v));
  const key = sort === 'timestamp' ? 'joinedAt' : sort;
  items = items
    .map((p, i) => ({ p, i }))
    .sort((a, b) => cmp(a.p[key], b.p[key]) || a.i - b.i)
    .map((x) => x.p);
  if (c.order === 'desc') items.reverse();
  const page = items.slice(c.offset, c.offset + c.limit);
  return pagedResult(ctx, req, {
    records: page,
    total: items.length,
    offset: c.offset,
    limit: c.limit,
    format: c.format,
    parts: { dataType: 'participants', scope, scopeId: id, query: { ...filters, limit: c.limit, offset: c.offset, sort, order: c.order }, experimentStartedAt: startedAt(ctx, exp, [], 'experiment') },
  });
}

function cmp(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return 1; // missing values last
  if (b === undefined || b === null) return -1;
  return String(a) < String(b) ? -1 : 1;
}

function rooms(ctx: SimContext, req: ApiRequest, id: string): ApiResult {
  const c = common(ctx, req);
  if (isError(c)) return fail(c);
  const exp = ctx.dataset.world.experimentById.get(id);
  if (!exp) return fail(errors.notFound(`Experiment ${id} not found`));
  if (!canSee(ctx, req, exp)) return fail(orgDenied(exp));
  const deploymentId = req.query.get('deploymentId');
  let items = exp.rooms.filter((r) => !deploymentId || r.deployment.id === deploymentId).map(roomItem);
  if (c.order === 'desc') items = items.reverse();
  return pagedResult(ctx, req, {
    records: items.slice(c.offset, c.offset + c.limit),
    total: items.length,
    offset: c.offset,
    limit: c.limit,
    format: c.format,
    parts: { dataType: 'rooms', scope: 'experiment', scopeId: id, query: { deploymentId, limit: c.limit, offset: c.offset, order: c.order }, experimentStartedAt: startedAt(ctx, exp, [], 'experiment') },
  });
}

function variables(ctx: SimContext, req: ApiRequest, id: string): ApiResult {
  const room = ctx.dataset.world.roomById.get(id);
  if (!room) return fail(errors.notFound(`Room ${id} not found`));
  if (!canSee(ctx, req, room.experiment)) return fail(orgDenied(room.experiment));
  const { data, metadata } = variablesOf(room);
  return json(
    successEnvelope(
      data,
      {
        dataType: 'variables',
        scope: 'room',
        scopeId: id,
        timestampMs: ctx.now(),
        processingTimeMs: Math.round(performance.now() - req.startedAt),
        experimentStartedAt: startedAt(ctx, room.experiment, [room], 'room'),
        extra: metadata,
        warnings: ctx.faults.warnings,
      },
      ctx.shapes,
    ),
  );
}

function counts(ctx: SimContext, req: ApiRequest, id: string): ApiResult {
  const roomId = req.query.get('roomId') as string;
  const p = ctx.dataset.world.participantById.get(id);
  if (!p) return fail(errors.notFound(`Participant ${id} not found`));
  if (p.room.id !== roomId) return fail(errors.notFound(`Participant ${id} not found in room ${roomId}`));
  if (!canSee(ctx, req, p.room.experiment)) return fail(orgDenied(p.room.experiment));
  const countsObj: Record<string, number> = {};
  const hasData: Record<string, boolean> = {};
  for (const t of STREAM_TYPES) {
    const n = ctx.dataset.participantCount(t, p);
    countsObj[COUNTS_KEYS[t]] = n;
    hasData[COUNTS_KEYS[t]] = n > 0;
  }
  return json(
    successEnvelope(
      [{ participantId: p.id, roomId, counts: countsObj, hasData }],
      { dataType: 'counts', scope: 'participant', scopeId: id, query: { roomId }, timestampMs: ctx.now(), processingTimeMs: Math.round(performance.now() - req.startedAt), experimentStartedAt: startedAt(ctx, p.room.experiment, [p.room], 'participant'), warnings: ctx.faults.warnings },
      ctx.shapes,
    ),
  );
}

export function checkAccess(ctx: SimContext, req: ApiRequest, id: string): ApiResult {
  const exp = ctx.dataset.world.experimentById.get(id);
  if (!exp) return fail(errors.notFound(`Experiment ${id} not found`));
  const ok = canSee(ctx, req, exp);
  return json(
    successEnvelope(
      { canView: ok, canExport: ok },
      { dataType: 'access', scope: 'experiment', scopeId: id, timestampMs: ctx.now(), processingTimeMs: Math.round(performance.now() - req.startedAt), warnings: ctx.faults.warnings },
      ctx.shapes,
    ),
  );
}
