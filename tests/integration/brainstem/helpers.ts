// Shared set-up for the BrainSTEM client tests: the simulator on loopback, a client wired to it,
// and expectations computed from the simulator's dataset
// accessors (never from the client's code).
import { afterAll, afterEach, beforeAll } from 'vitest';
import { systemClock, type Clock } from '../../../src-main/core/ports';
import { createBrainstemClient, type BrainstemClient, type BrainstemClientOptions } from '../../../src-main/core/sources/brainstem/index';
import type { ReadableType, BrainstemScope, JsonRecord } from '../../../src-main/core/sources/brainstem/index';
import { startBrainstemSimulator, type BrainstemOptions, type BrainstemSimulator } from '../../sim/index';

/** Fast retries so failure paths finish quickly. */
export const FAST_RETRY = { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 4 };

export function makeClient(sim: BrainstemSimulator, o: Partial<BrainstemClientOptions> = {}): BrainstemClient {
  return createBrainstemClient({ baseUrl: sim.baseUrl, portal: 'private', auth: { kind: 'token', token: sim.token }, retry: FAST_RETRY, ...o });
}

/** One simulator for the file; shapes, faults and counters reset after every test; clients closed. */
export function brainstemSuite(opts: BrainstemOptions = {}): { sim(): BrainstemSimulator; use(o?: Partial<BrainstemClientOptions>): BrainstemClient } {
  let sim: BrainstemSimulator | undefined;
  const clients: BrainstemClient[] = [];
  beforeAll(async () => {
    sim = await startBrainstemSimulator({ scale: 'tiny', seed: 1, ...opts });
  });
  afterAll(async () => {
    await sim?.close();
  });
  afterEach(async () => {
    sim?.resetFaults();
    sim?.resetShapes();
    for (const c of clients.splice(0)) await c.close();
  });
  return {
    sim: () => sim!,
    use(o = {}) {
      const c = makeClient(sim!, o);
      clients.push(c);
      sim!.resetCounters();
      return c;
    },
  };
}

/** Every record the client hands out, by type, in order. */
export async function readAll(client: BrainstemClient, scope: BrainstemScope, types: readonly ReadableType[]): Promise<Record<string, JsonRecord[]>> {
  const out: Record<string, JsonRecord[]> = {};
  for await (const b of client.readStreams(scope, types)) (out[b.type] ??= []).push(...b.records);
  return out;
}

export const ids = (records: readonly JsonRecord[] | undefined) => (records ?? []).map((r) => r.id as string);
export const sorted = (a: readonly string[]) => [...a].sort();

/** The dataset's records of a model whose `field` (id or id list) points into `parents`. */
export function rowsUnder(sim: BrainstemSimulator, model: string, field: string, parents: Iterable<string>): JsonRecord[] {
  const set = new Set(parents);
  return sim.dataset.rows(model).filter((r) => {
    const v = r[field];
    return Array.isArray(v) ? v.some((x) => set.has(x as string)) : set.has(v as string);
  });
}

/** What a whole project holds, from the dataset alone. */
export function projectExpectation(sim: BrainstemSimulator, projectId: string) {
  const p = sim.dataset.projects().find((x) => x.id === projectId)!;
  const sessions = rowsUnder(sim, 'session', 'projects', [projectId]);
  const subjects = rowsUnder(sim, 'subject', 'projects', [projectId]);
  const procedures = rowsUnder(sim, 'procedure', 'subject', ids(subjects));
  return {
    info: p,
    projects: sim.dataset.rows('project').filter((r) => r.id === projectId),
    sessions,
    data_acquisitions: rowsUnder(sim, 'dataacquisition', 'session', ids(sessions)),
    behaviors: rowsUnder(sim, 'behavior', 'session', ids(sessions)),
    manipulations: rowsUnder(sim, 'manipulation', 'session', ids(sessions)),
    epochs: rowsUnder(sim, 'epoch', 'session', ids(sessions)),
    subjects,
    procedures,
    procedure_logs: rowsUnder(sim, 'procedurelog', 'procedure', ids(procedures)),
    subject_logs: rowsUnder(sim, 'subjectlog', 'subject', ids(subjects)),
    collections: rowsUnder(sim, 'collection', 'project', [projectId]),
    cohorts: rowsUnder(sim, 'cohort', 'project', [projectId]),
  };
}

export const ALL_TYPES = ['projects', 'sessions', 'data_acquisitions', 'behaviors', 'manipulations', 'epochs', 'subjects', 'procedures', 'procedure_logs', 'subject_logs', 'collections', 'cohorts'] as const;

/** A clock whose time the test sets, sleeping in real time (for token expiry without waiting an hour). */
export function settableClock(now: () => number): Clock {
  return { now, sleep: systemClock.sleep };
}
