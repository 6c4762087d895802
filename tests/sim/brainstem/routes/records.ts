// GET list, detail and relation routes of the portals (reference §3, §7.3).
import type { Row } from '../data/store';
import { Visibility } from '../data/visibility';
import { detailBody, listBody } from '../envelope';
import { drf } from '../errors';
import { modelSpec, type ModelSpec } from '../models';
import { compileFilter } from '../query/filter';
import { parseFieldTree, parseFilters, parsePaging, parseSideloading, validateFieldTree } from '../query/parse';
import { parseSort, sortRows } from '../query/sort';
import { Serializer } from '../serialize';
import type { Portal } from '../types';
import { ok, type BsContext, type BsRequest, type BsResult } from './context';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function visibility(ctx: BsContext, req: BsRequest, portal: Portal): Visibility {
  return new Visibility(ctx.world.store, { portal, user: req.user });
}

function serializer(ctx: BsContext, req: BsRequest, vis: Visibility, plural: string): Serializer {
  return new Serializer(ctx.world.store, vis, parseSideloading(req.query) ?? ctx.shapes.sideloading, plural);
}

export function listRecords(ctx: BsContext, req: BsRequest, portal: Portal, spec: ModelSpec): BsResult {
  const store = ctx.world.store;
  const vis = visibility(ctx, req, portal);
  const filters = parseFilters(req.query);
  const tree = parseFieldTree(req.query);
  validateFieldTree(spec.name, tree);
  const predicates = filters.map((f) => compileFilter(store, spec.name, f));
  const sort = parseSort(spec.name, req.query.getAll('sort[]'));
  const matching = store.all(spec.name).filter((row) => vis.of(spec.name, row) && predicates.every((p) => p(row)));
  const rows = sortRows(store, spec.name, matching, sort);
  const paging = parsePaging(req.query, () => rows.length);
  const ser = serializer(ctx, req, vis, spec.listKey);
  const records = rows.slice(paging.offset, paging.offset + paging.limit).map((row) => ser.record(spec.name, row, tree));
  return ok(listBody({ listKey: spec.listKey, records, sideloaded: ser.sideloaded(), total: rows.length, paging, url: req.url }, ctx.shapes));
}

/** A record by id; 403 when it exists but the private portal does not show it to this user. */
function findRow(ctx: BsContext, vis: Visibility, model: string, id: string): Row {
  const row = UUID.test(id) ? ctx.world.store.get(model, id.toLowerCase()) : undefined;
  if (!row) throw drf.notFound();
  if (!vis.of(model, row)) throw vis.scope.portal === 'private' ? drf.forbidden() : drf.notFound();
  return row;
}

export function getRecord(ctx: BsContext, req: BsRequest, portal: Portal, spec: ModelSpec, id: string): BsResult {
  const vis = visibility(ctx, req, portal);
  const row = findRow(ctx, vis, spec.name, id);
  const tree = parseFieldTree(req.query);
  validateFieldTree(spec.name, tree);
  const ser = serializer(ctx, req, vis, spec.listKey);
  const record = ser.record(spec.name, row, tree);
  return ok(detailBody(spec.detailKey, record, ser.sideloaded()));
}

/**
 * DREST's relation route /{model}/{id}/{field}/ (the `links` of projects, sessions and subjects):
 * every related record, unpaged; filters are refused; a missing parent is a bare "Not found".
 */
export function relatedRecords(ctx: BsContext, req: BsRequest, portal: Portal, spec: ModelSpec, id: string, field: string): BsResult {
  if (parseFilters(req.query).length > 0) throw drf.invalid('Filtering is not enabled on relation endpoints.');
  const vis = visibility(ctx, req, portal);
  const store = ctx.world.store;
  const row = UUID.test(id) ? vis.get(spec.name, id.toLowerCase()) : undefined;
  if (!row) return ok('Not found', 404);
  const f = spec.fields[field];
  const target = modelSpec(f.target!);
  const tree = parseFieldTree(req.query);
  validateFieldTree(target.name, tree);
  const ser = serializer(ctx, req, vis, target.listKey);
  const related = store
    .relatedIds(spec.name, row, field)
    .map((rid) => vis.get(target.name, rid))
    .filter((r): r is Row => r !== undefined)
    .map((r) => ser.record(target.name, r, tree));
  if (f.type === 'fk') return ok(related.length ? { ...ser.sideloaded(), [target.detailKey]: related[0] } : {});
  return ok({ ...ser.sideloaded(), [target.listKey]: related });
}
