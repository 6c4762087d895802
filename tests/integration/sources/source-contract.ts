// The Source port's contract: what every source must do, checked against its simulator over
// loopback through the registry and the port only (no source internals). A source joins with one
// line in source-contract.test.ts and a fixture that starts its simulator and knows its totals.
//
// It checks: the descriptor is well-formed plain data; every level can be listed under a real
// parent; every data type paged at every scope it declares reaches the server's own total with no
// record twice; planStreams gives streams for every level; record context places records in the
// listings' groups and name the target's own item; what the credential may read is said in the
// descriptor's permissions; failures map to the shared error codes (a rejected credential, an unreachable
// host, a web page where the API should be) and no error ever carries the credential.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toErrorInfo } from '../../../src-shared/errors';
import type { LevelDescriptor, PathStep, SourceDescriptor, SourceId, Target } from '../../../src-shared/model';
import { createJointLimiter, type JointLimiter } from '../../../src-main/core/net/limiter';
import { systemClock } from '../../../src-main/core/ports';
import { sourceModule } from '../../../src-main/core/sources/registry';
import type { Source, SourceConnection, SourceModule, StreamRef } from '../../../src-main/core/sources/source';

/** What the suite needs from a source's simulator. */
export interface ContractServer {
  /** A working connection (its secret is a credential the server accepts). */
  connection: SourceConnection;
  /** A credential of the right format that the server rejects. */
  badCredential: string;
  /** The path of the API below its origin ("/api/v3"), for stand-in servers. */
  apiPath: string;
  /** The server's own count of a stream's records (the oracle, from the simulator's data). */
  total(stream: StreamRef): number;
  close(): Promise<void>;
}

export interface SourceFixture {
  /** The source's id in the registry. */
  id: SourceId;
  start(): Promise<ContractServer>;
  /** Records per page while checking paging (small, so every stream takes several pages). */
  pageSize?: number;
}

const FAST_RETRY = { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 2 };

function roomyLimiter(): JointLimiter {
  return createJointLimiter({ keyLimit: 1_000_000, keyWindowMs: 3_600_000, endpointLimit: 1_000_000, endpointWindowMs: 60_000, clock: systemClock });
}

/** A local server that answers every request with a web page (a captive portal, a wrong address). */
async function htmlServer(): Promise<{ origin: string; close(): Promise<void> }> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><html><head><title>Sign in</title></head><body>Please sign in to the network.</body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

/** Resolves with the error a promise rejects with (fails when it resolves). */
async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a failure, the call succeeded');
}

const roots = (d: SourceDescriptor) => d.levels.filter((l) => l.parent === null);
const levelOf = (d: SourceDescriptor, id: string) => d.levels.find((l) => l.id === id);

export function describeSourceContract(fixture: SourceFixture): void {
  describe(`Source contract: ${fixture.id}`, () => {
    let server: ContractServer;
    let module: SourceModule;
    let source: Source;
    let d: SourceDescriptor;
    /** Paths to real items, per level, found by walking the tree. */
    const found = new Map<string, PathStep[]>();
    const open = (connection: SourceConnection) => module.open(connection, { limiter: roomyLimiter(), retry: FAST_RETRY });
    const targetAt = (path: PathStep[]): Target => ({ level: path[path.length - 1].level, path });

    beforeAll(async () => {
      module = sourceModule(fixture.id);
      d = module.descriptor;
      server = await fixture.start();
      source = open(server.connection);
    }, 60_000);
    afterAll(async () => {
      await server?.close();
    });

    describe('descriptor', () => {
      it('is plain data with unique ids: levels, data types, splits, columns', () => {
        expect(JSON.parse(JSON.stringify(d))).toEqual(d);
        expect(d.id).toBe(fixture.id);
        expect(source.id).toBe(fixture.id);
        for (const ids of [d.levels.map((l) => l.id), d.dataTypes.map((t) => t.id), d.splits.map((s) => s.id)]) expect(new Set(ids).size).toBe(ids.length);
        for (const owner of [...d.levels, ...d.dataTypes]) {
          const keys = owner.columns.map((c) => c.key);
          expect(keys.every((k) => typeof k === 'string' && k.length > 0), owner.id).toBe(true);
          expect(new Set(keys).size, `${owner.id} columns`).toBe(keys.length);
        }
        expect(d.pageSize).toBeGreaterThan(0);
        expect(module.policy.pageSize).toBe(d.pageSize);
        expect(d.authMethods.length).toBeGreaterThan(0);
      });

      it('has levels as a tree: parents exist, children point back, no cycles, one root at least', () => {
        expect(roots(d).length).toBeGreaterThan(0);
        for (const l of d.levels) {
          if (l.parent !== null) expect(levelOf(d, l.parent), `${l.id}.parent`).toBeDefined();
          for (const c of l.children) expect(levelOf(d, c)?.parent, `${l.id} → ${c}`).toBe(l.id);
          for (const t of l.dataTypes) expect(d.dataTypes.some((x) => x.id === t), `${l.id} offers ${t}`).toBe(true);
          const seen = new Set<string>();
          for (let x: LevelDescriptor | undefined = l; x; x = x.parent ? levelOf(d, x.parent) : undefined) {
            expect(seen.has(x.id), `cycle through ${x.id}`).toBe(false);
            seen.add(x.id);
          }
        }
      });

      it('has data types as streams: scopes are levels, a primary key, a cursor among the columns', () => {
        for (const t of d.dataTypes) {
          expect(t.scopes.length, t.id).toBeGreaterThan(0);
          for (const s of t.scopes) expect(levelOf(d, s), `${t.id} scope ${s}`).toBeDefined();
          expect(typeof t.idField === 'string' && t.idField.length > 0, `${t.id}.idField`).toBe(true);
          if (t.timeField !== null) expect(t.columns.map((c) => c.key), `${t.id}.timeField`).toContain(t.timeField);
        }
        for (const s of d.splits) {
          expect(levelOf(d, s.level), `split ${s.id}`).toBeDefined();
          expect(s.folder && s.noneFolder && s.folder !== s.noneFolder).toBeTruthy();
        }
        if (source.media) expect(d.dataTypes.find((t) => t.id === source.media!.type)?.media).toBe(true);
      });
    });

    describe('levels and streams', () => {
      it('lists every level under a real parent', async () => {
        const walk = async (level: LevelDescriptor, parentPath: PathStep[]): Promise<void> => {
          const { items, warnings } = await source.listLevel(level.id, parentPath);
          expect(Array.isArray(warnings)).toBe(true);
          for (const it of items) {
            expect(typeof it.id === 'string' && it.id.length > 0, `${level.id} item id`).toBe(true);
            expect(typeof it.label === 'string' && it.label.length > 0, `${level.id} item label`).toBe(true);
          }
          expect(new Set(items.map((x) => x.id)).size, `${level.id} ids unique`).toBe(items.length);
          // Go down through the first items that have something below them.
          for (const item of items.slice(0, 5)) {
            const path = [...parentPath, { level: level.id, id: item.id }];
            if (!found.has(level.id)) found.set(level.id, path);
            const children = level.children.map((c) => levelOf(d, c)!).filter((c) => !found.has(c.id));
            for (const child of children) await walk(child, path);
            if (level.children.every((c) => found.has(c))) break;
          }
        };
        for (const root of roots(d)) await walk(root, []);
        for (const l of d.levels) expect(found.get(l.id), `no ${l.singular} was found to list under`).toBeDefined();
      }, 60_000);

      it('pages every data type at every scope it declares to the server’s total, no record twice', async () => {
        const limit = Math.min(fixture.pageSize ?? 50, d.pageSize);
        let streams = 0;
        for (const t of d.dataTypes) {
          for (const scope of t.scopes) {
            const path = found.get(scope);
            expect(path, `${t.id} at ${scope}`).toBeDefined();
            const stream = source.previewStream(targetAt(path!), t.id);
            expect(stream, `${t.id} at ${scope}`).not.toBeNull();
            // Records without a primary key cannot be told apart: they are counted, not compared (as the engine does).
            const ids: string[] = [];
            let records = 0;
            let pages = 0;
            let reported: number | null = null;
            // A type that says it comes sorted by its time (incremental sync relies on it) does.
            let lastTime = -Infinity;
            let unsorted = 0;
            for await (const page of source.pages(stream!, { limit })) {
              if (pages === 0) reported = page.total;
              pages++;
              records += page.records.length;
              for (const r of page.records) {
                const id = r[t.idField];
                if (typeof id === 'string' || typeof id === 'number') ids.push(String(id));
                const time = t.sortedByTime && t.timeField ? Date.parse(String(r[t.timeField])) : NaN;
                if (!Number.isNaN(time)) {
                  if (time < lastTime) unsorted++;
                  lastTime = time;
                }
              }
            }
            if (t.sortedByTime) expect(unsorted, `${t.id} at ${scope}: records in time order`).toBe(0);
            const expected = server.total(stream!);
            const what = `${t.id} at ${scope} ${stream!.scopeId}`;
            expect(records, what).toBe(expected);
            expect(new Set(ids).size, `${what}: no duplicates`).toBe(ids.length);
            if (reported !== null) expect(reported, `${what}: the total the server reported`).toBe(expected);
            if (expected > limit) expect(pages, `${what}: paged`).toBeGreaterThan(1);
            streams++;
          }
        }
        expect(streams).toBeGreaterThan(0);
      }, 120_000);

      it('plans streams for every level that offers data types', async () => {
        for (const level of d.levels.filter((l) => l.dataTypes.length)) {
          const target = targetAt(found.get(level.id)!);
          const plan = await source.planStreams(target, level.dataTypes);
          for (const type of level.dataTypes) {
            const label = d.dataTypes.find((x) => x.id === type)!.label;
            const has = plan.streams.some((s) => s.type === type) || plan.warnings.some((w) => w.includes(label));
            expect(has, `${type} at ${level.id}: a stream, or a warning why not`).toBe(true);
          }
          for (const s of plan.streams) {
            expect(level.dataTypes).toContain(s.type);
            expect(d.dataTypes.find((x) => x.id === s.type)!.scopes).toContain(s.scope);
            expect(typeof s.endpoint === 'string' && s.endpoint.length > 0).toBe(true);
          }
          expect(plan.listingRequests).toBeGreaterThanOrEqual(0);
          expect(Array.isArray(plan.exportListingEndpoints)).toBe(true);
          // The first stream's first page is there.
          if (plan.streams[0]) expect(Array.isArray((await source.fetchPage(plan.streams[0], { offset: 0, limit: 1 })).records)).toBe(true);
        }
      }, 60_000);
    });

    describe('export listings and record context', () => {
      it('places records in the groups its listings know, and names a person for each', async () => {
        const root = roots(d)[0];
        const target = targetAt(found.get(root.id)!);
        const listings = await source.forExport().exportListings(target);
        expect(listings.root.id).toBe(target.path[0].id);
        expect(new Set(listings.people.map((p) => p.id)).size).toBe(listings.people.length);
        for (const s of d.splits) expect(Array.isArray(listings.groups[s.id]), `groups of ${s.id}`).toBe(true);
        const contextOf = source.recordContext(listings);
        const placed = new Map(d.splits.map((s) => [s.id, 0]));
        for (const t of d.dataTypes.filter((x) => x.scopes.includes(root.id))) {
          const stream = source.previewStream(target, t.id)!;
          const page = await source.fetchPage(stream, { offset: 0, limit: 100 });
          for (const r of page.records) {
            const c = contextOf(t.id, r);
            expect(c.person === null || typeof c.person === 'string').toBe(true);
            for (const s of d.splits) {
              const g = c.groups[s.id];
              expect(g === null || typeof g === 'string', `${t.id} ${s.id}`).toBe(true);
              if (g !== null && listings.groups[s.id].includes(g)) placed.set(s.id, placed.get(s.id)! + 1);
            }
          }
        }
        for (const [split, n] of placed) expect(n, `records placed in a known ${split}`).toBeGreaterThan(0);
      }, 60_000);

      it('names the target’s own item below the root (it names the export), and none for the root', async () => {
        const root = roots(d)[0];
        expect((await source.forExport().exportListings(targetAt(found.get(root.id)!))).item).toBeUndefined();
        // Every level below the root that offers data can be exported (a level without data types cannot).
        for (const level of d.levels.filter((l) => l.parent !== null && l.dataTypes.length > 0)) {
          const path = found.get(level.id)!;
          const listings = await source.forExport().exportListings(targetAt(path));
          expect(listings.root.id).toBe(path[0].id);
          expect(listings.item?.level, level.id).toBe(level.id);
          expect(listings.item?.id, level.id).toBe(path[path.length - 1].id);
          if (listings.item?.name !== undefined) expect(listings.item.name.trim()).not.toBe('');
        }
      }, 60_000);
    });

    describe('what the credential may read', () => {
      it('lists only permissions its data types need, and none for a credential that reads everything', async () => {
        if (!source.access) return; // a source that cannot tell says nothing
        const needed = new Set(d.dataTypes.map((t) => t.requiredScope).filter((x): x is string => !!x));
        const access = await source.access.check(found.get(roots(d)[0].id)!, d.dataTypes.map((t) => t.id));
        expect(access.known).toBe(true);
        for (const scope of access.missingScopes) expect(needed.has(scope), scope).toBe(true);
        expect(access.missingScopes).toEqual([]);
      }, 60_000);
    });

    describe('errors', () => {
      const secrets = () => [server.connection.secret, server.badCredential].filter(Boolean);
      const clean = (e: unknown) => {
        const text = JSON.stringify(toErrorInfo(e)) + String((e as Error)?.stack ?? '');
        for (const s of secrets()) expect(text.includes(s), 'the credential is in the error').toBe(false);
      };

      it('a credential the server rejects is UNAUTHORIZED, and checking it says rejected', async () => {
        const bad = open({ ...server.connection, secret: server.badCredential });
        const e = await failure(bad.listLevel(roots(d)[0].id, []));
        expect(toErrorInfo(e).code).toBe('UNAUTHORIZED');
        clean(e);
        expect((await module.validateCredential({ ...server.connection, secret: server.badCredential })).outcome).toBe('rejected');
        expect((await module.validateCredential(server.connection)).outcome).toBe('accepted');
      });

      it('a host nothing listens on is UNREACHABLE', async () => {
        const nowhere = { ...server.connection, baseUrl: `http://127.0.0.1:1${server.apiPath}` };
        const e = await failure(open(nowhere).listLevel(roots(d)[0].id, []));
        expect(toErrorInfo(e).code).toBe('UNREACHABLE');
        clean(e);
        expect((await module.validateCredential(nowhere)).outcome).toBe('unreachable');
      });

      it('a web page where the API should be is "not this API" (NOT_HYPERSTUDY), and the credential is not sent on', async () => {
        const html = await htmlServer();
        try {
          const there = { ...server.connection, baseUrl: `${html.origin}${server.apiPath}` };
          const e = await failure(open(there).listLevel(roots(d)[0].id, []));
          expect(toErrorInfo(e).code).toBe('NOT_HYPERSTUDY');
          clean(e);
          const v = await module.validateCredential(there);
          expect(v.outcome).toBe('not-hyperstudy');
          expect(JSON.stringify(v)).not.toContain(server.connection.secret);
        } finally {
          await html.close();
        }
      });

      it('an unknown id fails with a typed error that names no credential', async () => {
        const child = d.levels.find((l) => l.parent !== null)!;
        const parent = found.get(child.parent!)!;
        const missing = [...parent.slice(0, -1), { level: child.parent!, id: 'no-such-item-0000' }];
        const e = await failure(source.listLevel(child.id, missing));
        expect(['NOT_FOUND', 'FORBIDDEN']).toContain(toErrorInfo(e).code);
        clean(e);
      });
    });

    it('counts the requests it sends', () => {
      expect(source.requestsMade()).toBeGreaterThan(0);
      expect(source.budget().summary).toBeTruthy();
    });
  });
}
