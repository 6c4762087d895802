// Navigation endpoints: /health, /experiments, /experiments/shared, /experiments/{id},
// /deployments, /deployments/{id}, /deployments/{id}/sessions.
import { API_VERSION, errors, pagination, successEnvelope } from '../envelope';
import { fail, json, type ApiRequest, type ApiResult, type SimContext } from '../context';
import { deploymentItem, experimentDetail, experimentItem, sessionItem } from '../dataset/items';
import { isError, parseLimit, parseOffset } from '../params';
import { canSee, requireScope } from './access';
import type { JsonRecord } from '../types';

const iso = (ms: number) => new Date(ms).toISOString();

export function health(ctx: SimContext): ApiResult {
  return json({ status: ctx.shapes.health, version: API_VERSION, timestamp: iso(ctx.now()) });
}

function meta(ctx: SimContext, req: ApiRequest, dataType: string, scope: string, scopeId: string) {
  return { dataType, scope, scopeId, timestampMs: ctx.now(), processingTimeMs: Math.round(performance.now() - req.startedAt), warnings: ctx.faults.warnings };
}

/** Single-item endpoints: the documented form, or a forced list/object form (tolerance tests). */
function single(ctx: SimContext, item: JsonRecord, documented: 'list' | 'object'): unknown {
  const form = ctx.shapes.singleItem === 'documented' ? documented : ctx.shapes.singleItem;
  return form === 'list' ? [item] : item;
}

export function listExperiments(ctx: SimContext, req: ApiRequest): ApiResult {
  const denied = requireScope(req, 'read:experiments');
  if (denied) return fail(denied);
  const limit = parseLimit(req.query, 50);
  if (isError(limit)) return fail(limit);
  const offset = parseOffset(req.query);
  if (isError(offset)) return fail(offset);
  const search = req.query.get('search')?.toLowerCase() ?? null;
  const all = ctx.dataset.world.experiments
    .filter((e) => !e.shared)
    .filter((e) => !search || e.name.toLowerCase().includes(search) || e.description.toLowerCase().includes(search));
  const page = all.slice(offset, offset + limit).map(experimentItem);
  if (ctx.shapes.listingsBareArray) return json(page);
  const owner = ctx.dataset.world.ownerId;
  return json(
    successEnvelope(page, { ...meta(ctx, req, 'experiments', 'user', owner), query: { search, limit, offset }, pagination: pagination(all.length, offset, limit, page.length) }, ctx.shapes),
  );
}

export function listSharedExperiments(ctx: SimContext, req: ApiRequest): ApiResult {
  const denied = requireScope(req, 'read:experiments');
  if (denied) return fail(denied);
  const world = ctx.dataset.world;
  const items = req.orgId === world.orgId ? world.experiments.filter((e) => e.shared).map(experimentItem) : [];
  if (ctx.shapes.sharedBareArray || ctx.shapes.listingsBareArray) return json(items);
  return json(
    successEnvelope(items, { ...meta(ctx, req, 'experiments', 'organization', req.orgId ?? ''), query: {}, pagination: pagination(items.length, 0, Math.max(items.length, 1), items.length) }, ctx.shapes),
  );
}

export function getExperiment(ctx: SimContext, req: ApiRequest, id: string): ApiResult {
  const denied = requireScope(req, 'read:experiments');
  if (denied) return fail(denied);
  const exp = ctx.dataset.world.experimentById.get(id);
  if (!exp || !canSee(ctx, req, exp)) return fail(errors.notFound(`Experiment ${id} not found`));
  return json(successEnvelope(single(ctx, experimentDetail(exp), 'list'), meta(ctx, req, 'experiment', 'experiment', id), ctx.shapes));
}

export function listDeployments(ctx: SimContext, req: ApiRequest): ApiResult {
  const denied = requireScope(req, 'read:experiments');
  if (denied) return fail(denied);
  const experimentId = req.query.get('experimentId');
  const status = req.query.get('status');
  const items = ctx.dataset.world.experiments
    .filter((e) => canSee(ctx, req, e))
    .flatMap((e) => e.deployments)
    .filter((d) => (!experimentId || d.experiment.id === experimentId) && (!status || d.status === status))
    .map((d) => deploymentItem(d, false));
  if (ctx.shapes.listingsBareArray) return json(items);
  return json(
    successEnvelope(items, { ...meta(ctx, req, 'deployments', 'user', ctx.dataset.world.ownerId), query: { experimentId, status }, pagination: pagination(items.length, 0, Math.max(1, items.length), items.length) }, ctx.shapes),
  );
}

function findDeployment(ctx: SimContext, req: ApiRequest, id: string) {
  const dep = ctx.dataset.world.deploymentById.get(id);
  return dep && canSee(ctx, req, dep.experiment) ? dep : null;
}

export function getDeployment(ctx: SimContext, req: ApiRequest, id: string): ApiResult {
  const denied = requireScope(req, 'read:experiments');
  if (denied) return fail(denied);
  const dep = findDeployment(ctx, req, id);
  if (!dep) return fail(errors.notFound(`Deployment ${id} not found`));
  return json(successEnvelope(single(ctx, deploymentItem(dep, true), 'object'), meta(ctx, req, 'deployment', 'deployment', id), ctx.shapes));
}

export function deploymentSessions(ctx: SimContext, req: ApiRequest, id: string): ApiResult {
  const denied = requireScope(req, 'read:experiments');
  if (denied) return fail(denied);
  const dep = findDeployment(ctx, req, id);
  if (!dep) return fail(errors.notFound(`Deployment ${id} not found`));
  const items = dep.rooms.map(sessionItem);
  if (ctx.shapes.listingsBareArray) return json(items);
  return json(successEnvelope(items, { ...meta(ctx, req, 'sessions', 'deployment', id), pagination: pagination(items.length, 0, Math.max(1, items.length), items.length) }, ctx.shapes));
}
