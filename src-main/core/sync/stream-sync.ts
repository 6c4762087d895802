// One stream brought up to date, as the planner decided (plan.ts), into new record files.
//
// A read from the cursor starts one record before the overlap window (records newer than the
// stream's newest time minus the overlap are read again: records that arrive a little late are
// picked up without a repair) and checks that the first record the server sends there is the one
// the folder has there (the anchor). If it is, nothing moved before the window: the folder keeps
// its records up to the anchor and takes the server's from it on. If it is not, records were
// added (late data) or removed before the window: the records before it are read again and
// stitched to the tail at the anchor's position (checked: the two reads must meet at one
// record), or, failing that, the whole stream (or group) is read again. De-duplication is by
// record id within each read.
import type { SourceDescriptor, Target } from '../../../src-shared/model';
import { streamKey } from '../plan/planner';
import type { ExportListings, RecordContext, StreamRef } from '../sources/source';
import { groupRanks, groupOfRecord, type Grouping } from './layout';
import type { StreamDecision } from './plan';
import { concat, cursorView, partitionState, skip, splitByGroup, take, writeGroup, allTimed, type Fields } from './partitions';
import { readFrom, readPrefix, readWhole, type ReadContext, type ReadResult } from './reads';
import { idOf, readPartition, sameRecord, timeOf, type RawRecord } from './record-store';
import type { PartitionState, StreamState } from './state';

export interface StreamSyncContext {
  read: ReadContext;
  store: string;
  generation: number;
  descriptor: SourceDescriptor;
  target: Target;
  listings: ExportListings;
  contextOf: (type: string, r: RawRecord) => RecordContext;
  /** Records newer than the newest minus this are read again (ms). */
  overlapMs: number;
  pageSize: number;
  fieldsOf(type: string): Fields;
  /** The stream that reads one group's records (its own item as a target, through the source). */
  groupRef(type: string, group: string): Promise<StreamRef>;
  now: string;
}

export interface StreamOutcome {
  state: StreamState;
  /** Records it holds now minus before. */
  added: number;
  /** People of records that are new (by id). */
  people: Set<string>;
  /** What had to be read again because data moved before the cursor. */
  repaired: string[];
}

/** Counts the records of `records` whose id is not in `known` (all of them when known is empty), and their people. */
function noting(records: AsyncIterable<RawRecord>, known: Set<string> | null, idField: string, personOf: (r: RawRecord) => string | null, people: Set<string>): AsyncIterable<RawRecord> {
  return (async function* () {
    for await (const r of records) {
      if (known) {
        const id = idOf(r, idField);
        if (id !== null && !known.has(id)) {
          const p = personOf(r);
          if (p) people.add(p);
        }
      }
      yield r;
    }
  })();
}

const countOf = (parts: PartitionState[]) => parts.reduce((n, p) => n + p.count, 0);

export async function syncStream(ctx: StreamSyncContext, d: StreamDecision, prev: StreamState | undefined, whole?: ReadResult): Promise<StreamOutcome> {
  const type = d.spec.type;
  const fields = ctx.fieldsOf(type);
  const people = new Set<string>();
  const repaired: string[] = [];
  const personOf = (r: RawRecord) => ctx.contextOf(type, r).person;
  const before = prev ? countOf(prev.partitions) : 0;
  const ref: StreamRef = { type, scope: d.spec.scope, scopeId: d.spec.scopeId, ...(d.spec.params ? { params: d.spec.params } : {}) };
  const done = (partitions: PartitionState[], groupedBy: Grouping | null, unsplittable = false): StreamOutcome => ({
    state: { ref, ...(groupedBy ? { groupedBy } : {}), ...(unsplittable ? { unsplittable: true } : {}), partitions: partitions.filter((p) => p.count > 0), syncedAt: ctx.now },
    added: countOf(partitions) - before,
    people,
    repaired,
  });
  const oldIds = async (): Promise<Set<string> | null> => {
    if (!prev) return new Set();
    if (before > 500_000) return null;
    const ids = new Set<string>();
    for (const p of prev.partitions) for await (const r of readPartition(ctx.store, p.file)) {
      const id = idOf(r, fields.idField);
      if (id !== null) ids.add(id);
    }
    return ids;
  };

  /** A whole read at the stream's own scope, split by group when it can be. */
  const fromWhole = async (w: ReadResult): Promise<StreamOutcome> => {
    const known = await oldIds();
    const records = () => noting(w.records(), known, fields.idField, personOf, people);
    if (d.grouping && (await allTimed(w.records(), fields.timeField))) {
      const groupOf = groupOfRecord(ctx.contextOf, type, d.grouping);
      const parts = await splitByGroup(ctx.store, ctx.generation, d.key, records(), groupOf, fields);
      return done([...parts].map(([g, x]) => partitionState(g, x.file, x.facts)), d.grouping);
    }
    return done([await writeGroup(ctx.store, ctx.generation, d.key, null, records(), fields)], null, !!d.grouping);
  };

  switch (d.action.kind) {
    case 'whole':
      return fromWhole(whole ?? (await readFrom(ctx.read, ref, 0, fields.idField)));
    case 'skip':
      return done(prev!.partitions, d.grouping ?? null, prev!.unsplittable);
    case 'cursor': {
      const part = prev!.partitions[0];
      const next = part ? await fromCursor(ctx, ref, part, null, d.key, fields, personOf, people, repaired, `${type}`) : await writeGroup(ctx.store, ctx.generation, d.key, null, (await readFrom(ctx.read, ref, 0, fields.idField)).records(), fields);
      return done([next], null, prev!.unsplittable);
    }
    case 'groups': {
      const g = d.grouping!;
      const parts = new Map(prev!.partitions.map((p) => [p.group, p]));
      const touched = new Set([...d.action.whole, ...d.action.cursor]);
      const out: PartitionState[] = prev!.partitions.filter((p) => p.group === null || !touched.has(p.group));
      // New groups: read whole, side by side.
      if (d.action.whole.length) {
        const refs = await Promise.all(d.action.whole.map((id) => ctx.groupRef(type, id)));
        const reads = await readWhole(ctx.read, refs, () => fields.idField);
        for (const [i, id] of d.action.whole.entries()) {
          const r = reads.get(streamKey(refs[i]))!;
          out.push(await writeGroup(ctx.store, ctx.generation, d.key, id, noting(r.records(), new Set(), fields.idField, personOf, people), fields));
        }
      }
      // Live groups: from their cursor (or whole, when the group fits in one page), a few at a time.
      await inTurns(d.action.cursor, ctx.read.concurrency, async (id) => {
        out.push(await readGroup(ctx, type, id, parts.get(id), d.key, fields, personOf, people, repaired));
      });
      return done(out, g);
    }
    case 'scope':
      return fromScopeCursor(ctx, d, prev!, ref, fields, personOf, people, repaired, done, fromWhole);
  }
}


/** Runs `work` over items, at most `n` at a time. */
async function inTurns<T>(items: T[], n: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(Math.max(1, n), items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(runners);
}

/** One group again: whole when it has no records yet or fits in one page, else from its cursor. */
async function readGroup(
  ctx: StreamSyncContext,
  type: string,
  id: string,
  part: PartitionState | undefined,
  key: string,
  fields: Fields,
  personOf: (r: RawRecord) => string | null,
  people: Set<string>,
  repaired: string[],
): Promise<PartitionState> {
  const groupRef = await ctx.groupRef(type, id);
  if (part && part.count >= ctx.pageSize) return fromCursor(ctx, groupRef, part, id, key, fields, personOf, people, repaired, `${type} in ${id}`);
  const known = part ? (await cursorView(ctx.store, part, null, fields)).ids : new Set<string>();
  const w = await readFrom(ctx.read, groupRef, 0, fields.idField);
  return writeGroup(ctx.store, ctx.generation, key, id, noting(w.records(), known, fields.idField, personOf, people), fields);
}

/** One record file (a whole stream, or one group's) from its cursor on: see the top of the file. */
async function fromCursor(
  ctx: StreamSyncContext,
  ref: StreamRef,
  part: PartitionState,
  group: string | null,
  key: string,
  fields: Fields,
  personOf: (r: RawRecord) => string | null,
  people: Set<string>,
  repaired: string[],
  what: string,
): Promise<PartitionState> {
  const since = fields.timeField && part.newest !== null ? part.newest - ctx.overlapMs : null;
  const view = await cursorView(ctx.store, part, since, fields);
  const write = (records: AsyncIterable<RawRecord>) => writeGroup(ctx.store, ctx.generation, key, group, noting(records, view.ids, fields.idField, personOf, people), fields);
  const P = view.before;
  if (P === 0) return write((await readFrom(ctx.read, ref, 0, fields.idField)).records());
  const tail = await readFrom(ctx.read, ref, P - 1, fields.idField);
  if (sameRecord(tail.first, view.anchor, fields.idField)) {
    return write(concat(take(readPartition(ctx.store, part.file), P - 1), tail.records()));
  }
  // Something moved before the cursor (late data, or a deletion): read the records before it
  // again and join them to the tail where the two reads meet.
  repaired.push(what);
  const head = await readPrefix(ctx.read, ref, P, fields.idField);
  if (tail.first && head.count === P && sameRecord(head.last, tail.first, fields.idField)) {
    return write(concat(take(head.records(), P - 1), tail.records()));
  }
  return write((await readFrom(ctx.read, ref, 0, fields.idField)).records());
}

/**
 * A grouped stream from its cursor at the target, all groups at once. The anchor is the last
 * record before the window in the merged order. If it is met, each group keeps its records
 * before the window and takes the tail's records of its own. If not, the groups that may have
 * changed (new, live, just settled), and any other group whose tail shows records new to it
 * before the window, are read again whole; the rest keep theirs; and the count must then come
 * out as the server's, else the stream is read again whole.
 */
async function fromScopeCursor(
  ctx: StreamSyncContext,
  d: StreamDecision,
  prev: StreamState,
  ref: StreamRef,
  fields: Fields,
  personOf: (r: RawRecord) => string | null,
  people: Set<string>,
  repaired: string[],
  done: (parts: PartitionState[], g: Grouping | null, unsplittable?: boolean) => StreamOutcome,
  fromWhole: (w: ReadResult) => Promise<StreamOutcome>,
): Promise<StreamOutcome> {
  const g = d.grouping!;
  const type = d.spec.type;
  const candidates = d.action.kind === 'scope' ? d.action.candidates : [];
  const newest = Math.max(...prev.partitions.map((p) => p.newest ?? -Infinity));
  const since = d.action.kind === 'scope' && d.action.since !== null ? d.action.since : Number.isFinite(newest) ? newest - ctx.overlapMs : null;
  const rank = groupRanks(ctx.listings, g, prev.partitions.map((p) => p.group));
  const views = new Map<string | null, { part: PartitionState; view: Awaited<ReturnType<typeof cursorView>> }>();
  for (const part of prev.partitions) views.set(part.group, { part, view: await cursorView(ctx.store, part, since, fields) });
  const P = [...views.values()].reduce((n, x) => n + x.view.before, 0);
  if (P === 0) return fromWhole(await readFrom(ctx.read, ref, 0, fields.idField));
  let anchor: { group: string | null; record: RawRecord; t: number; r: number } | null = null;
  for (const [group, { view }] of views) {
    if (!view.before || !view.anchor) continue;
    const t = view.anchorTime ?? -Infinity;
    const r = rank(group);
    if (!anchor || t > anchor.t || (t === anchor.t && r > anchor.r)) anchor = { group, record: view.anchor, t, r };
  }
  const tail = await readFrom(ctx.read, ref, P - 1, fields.idField);
  const ok = sameRecord(tail.first, anchor?.record, fields.idField);
  // The tail, split by group (without the anchor when it was met: the folder has it).
  const groupOf = groupOfRecord(ctx.contextOf, type, g);
  const tailParts = await splitByGroup(ctx.read.workDir, ctx.generation, `tail:${d.key}`, ok ? skip(tail.records(), 1) : tail.records(), groupOf, fields);
  const tailOf = (group: string | null): AsyncIterable<RawRecord> => {
    const x = tailParts.get(group);
    return x ? readPartition(ctx.read.workDir, x.file) : concat<RawRecord>([]);
  };
  const groups = new Set<string | null>([...views.keys(), ...tailParts.keys()]);
  const out: PartitionState[] = [];
  const write = (group: string | null, records: AsyncIterable<RawRecord>, known: Set<string> | null) =>
    writeGroup(ctx.store, ctx.generation, d.key, group, noting(records, known, fields.idField, personOf, people), fields);
  if (ok) {
    for (const group of groups) {
      const v = views.get(group);
      const kept = v ? take(readPartition(ctx.store, v.part.file), v.view.before) : concat<RawRecord>([]);
      out.push(await write(group, concat(kept, tailOf(group)), v?.view.ids ?? new Set()));
    }
    return done(out, g);
  }
  repaired.push(`${type} (late data at the ${g.level} level)`);
  // Groups that may have changed and hold records: each from its own cursor (or whole). Any other
  // group whose tail shows records new to it before the window had late data too: the same.
  const again = new Set(candidates.filter((id) => views.has(id)));
  for (const group of groups) {
    if (group !== null && again.has(group)) continue;
    const v = views.get(group);
    if (!v) continue; // a new group: its records are in the tail (checked by the count below)
    for await (const r of tailOf(group)) {
      const t = timeOf(r, fields.timeField);
      if (t === null || since === null || t >= since) continue;
      const id = idOf(r, fields.idField);
      if (id !== null && v.view.idsBefore?.has(id)) continue; // shifted, already here
      if (group === null || id === null) return fromWhole(await readFrom(ctx.read, ref, 0, fields.idField));
      again.add(group); // late data in a group that was thought settled
      break;
    }
  }
  const kept = async (newGroupsWhole: boolean): Promise<PartitionState[]> => {
    const parts: PartitionState[] = [];
    for (const group of groups) {
      if (group !== null && again.has(group)) continue;
      const v = views.get(group);
      if (!v && newGroupsWhole && group !== null) {
        const w = await readFrom(ctx.read, await ctx.groupRef(type, group), 0, fields.idField);
        parts.push(await write(group, w.records(), new Set()));
        continue;
      }
      const before = v ? take(readPartition(ctx.store, v.part.file), v.view.before) : concat<RawRecord>([]);
      const fresh = (async function* () {
        for await (const r of tailOf(group)) {
          const t = timeOf(r, fields.timeField);
          if (v && t !== null && since !== null && t < since) continue; // a record of the part kept, shifted into the tail
          yield r;
        }
      })();
      parts.push(await write(group, concat(before, fresh), v?.view.ids ?? new Set()));
    }
    return parts;
  };
  await inTurns([...again], ctx.read.concurrency, async (id) => {
    const v = views.get(id);
    out.push(await readGroup(ctx, type, id, v?.part, d.key, fields, personOf, people, repaired));
  });
  // The server's count at the time of the tail: every position up to its end.
  const serverCount = P - 1 + tail.count;
  let rest = await kept(false);
  if (countOf([...out, ...rest]) !== serverCount) {
    // A new group with records before the window: read new groups whole.
    rest = await kept(true);
    if (countOf([...out, ...rest]) !== serverCount) return fromWhole(await readFrom(ctx.read, ref, 0, fields.idField));
  }
  out.push(...rest);
  return done(out, g);
}
