// Sync benchmark (issue 14): the `large` experiment (every streamed data type but recordings, as
// CSV) kept up to date. A full folder export and a first sync, then +1 % new records (1 % of each
// type's count, appended after the end) in one active room through the simulator's control
// route, then a re-sync. Figures:
//   - re-sync requests ÷ (new pages + listings), target ≤ 1.1. The ideal is computed here from the
//     dataset (tests/sim's own generator, same scale and seed) and the appended counts: the
//     listings a fresh export reads (the experiment, its rooms and participants, in pages of
//     1000) plus, per type, the pages the new records fill (at least one). Not from the planner.
//   - re-sync wall ÷ full export wall (both in this process, no rate limits, 5 ms latency).
// The simulator runs in its own process and counts the requests it serves.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ExportRequest } from '../../src-shared/model';
import { runExport } from '../../src-main/core/export/run/run-export';
import { createJointLimiter } from '../../src-main/core/net/limiter';
import { systemClock } from '../../src-main/core/ports';
import { sourceModule } from '../../src-main/core/sources/registry';
import type { Source } from '../../src-main/core/sources/source';
import { runSync } from '../../src-main/core/sync/run-sync';
import type { ScaleName, StreamType } from '../sim/types';
import { NO_LIMITS, startSimProcess, type SimProcess } from './sim-process';
import type { BenchContext, BenchResult } from './types';
import { pagesFor } from './workload';

const SEED = 1;
const LATENCY_MS = 5;
const SHARE = 0.01;
/** The selection's data types, as the product and as the simulator name them. */
const TYPES: Array<[string, StreamType]> = [
  ['events', 'events'], ['components', 'components'], ['chat', 'chat'], ['videochat', 'videochat'],
  ['ratings-continuous', 'ratings/continuous'], ['ratings-sparse', 'ratings/sparse'], ['sync', 'sync'], ['eyetracking', 'eyetracking'],
];

function openSource(sim: SimProcess): Source {
  const limiter = createJointLimiter({ keyLimit: NO_LIMITS.keyLimit, keyWindowMs: 3_600_000, endpointLimit: NO_LIMITS.endpointLimit, endpointWindowMs: 60_000, clock: systemClock });
  return sourceModule('hyperstudy').open({ source: 'hyperstudy', baseUrl: sim.baseUrl, secret: sim.apiKey }, { limiter });
}

async function control(sim: SimProcess, route: string, body: unknown): Promise<void> {
  const res = await fetch(`${sim.origin}/__sim${route}`, { method: 'POST', body: JSON.stringify(body) });
  if (res.status !== 200) throw new Error(`${route}: ${res.status} ${await res.text()}`);
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t0 };
}

export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const scale: ScaleName = ctx.quick ? 'small' : 'large';
  const { Dataset } = await import('../sim/dataset/index');
  const ds = new Dataset(scale, SEED).accessor();
  const exp = ds.experiments().filter((e) => !e.shared)[0];
  const active = ds.rooms(exp.id).filter((r) => r.status === 'active');
  if (!active.length) throw new Error(`the ${scale} experiment ${exp.id} has no active room`);
  const room = active[0].id;

  const sim = await startSimProcess({ scale, seed: SEED, ...NO_LIMITS, latencyMs: LATENCY_MS });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-sync-'));
  try {
    const request: ExportRequest = {
      target: { level: 'experiment', path: [{ level: 'experiment', id: exp.id }] },
      types: TYPES.map(([t]) => t),
      format: 'csv', zip: false, split: 'none', anonymize: 'keep', includeRecordings: false, bom: true, formulaProtection: false,
    };
    const common = { sourceUrl: sim.baseUrl, appVersion: 'bench', concurrency: 4, mediaConcurrency: 3 };

    const exportDir = path.join(dir, 'export');
    await sim.resetCounters();
    const full = await timed(() => runExport({ ...common, source: openSource(sim), request: { ...request, destination: exportDir }, workDir: path.join(exportDir, '.work'), destination: exportDir }));
    const exportRequests = (await sim.counters()).requests;

    const syncDir = path.join(dir, 'synced');
    const { target, types, format, split, anonymize, includeRecordings, bom, formulaProtection } = request;
    await sim.resetCounters();
    const first = await timed(() => runSync({ ...common, source: openSource(sim), dir: syncDir, create: { selection: { target, types, format, split, anonymize, includeRecordings, bom, formulaProtection } } }));
    const firstRequests = (await sim.counters()).requests;

    // +1 % of each type's records, appended after the end, to one active room.
    const appended: Record<string, number> = {};
    let newPages = 0;
    let total = 0;
    for (const [id, simType] of TYPES) {
      const count = ds.count(simType, 'experiment', exp.id);
      const n = Math.max(1, Math.round(count * SHARE));
      total += count;
      appended[id] = n;
      newPages += pagesFor(n);
      await control(sim, '/append', { type: simType, experimentId: exp.id, roomId: room, n, where: 'after' });
    }
    const listings = 1 + pagesFor(exp.roomIds.length) + pagesFor(exp.participantIds.length);
    const ideal = newPages + listings;

    await sim.resetCounters();
    const again = await timed(() => runSync({ ...common, source: openSource(sim), dir: syncDir }));
    const resyncRequests = (await sim.counters()).requests;
    const got = again.value.record.newRecords as Record<string, number>;
    for (const [id] of TYPES) if ((got[id] ?? 0) !== appended[id]) throw new Error(`re-sync found ${got[id] ?? 0} new ${id}, ${appended[id]} were appended`);

    const requestRatio = resyncRequests / ideal;
    const wallRatio = again.ms / full.ms;
    const appendedTotal = Object.values(appended).reduce((a, b) => a + b, 0);
    return [
      {
        name: `sync: +1 % new records in one active room of the ${scale} experiment`,
        figures: {
          'records before (selection)': total,
          'records appended (1 % per type, one active room)': appendedTotal,
          'active rooms': active.length,
          'full export: requests': exportRequests,
          'full export: wall s': full.ms / 1000,
          'first sync: requests': firstRequests,
          'first sync: wall s': first.ms / 1000,
          'ideal re-sync: new pages': newPages,
          'ideal re-sync: listings': listings,
          're-sync: requests (server-counted)': resyncRequests,
          're-sync: planned requests': again.value.plan.requests,
          're-sync requests ÷ (new pages + listings) (target ≤ 1.1)': requestRatio,
          're-sync: wall s': again.ms / 1000,
          're-sync wall ÷ full export wall': wallRatio,
        },
        notes: [
          `Selection: ${TYPES.map(([t]) => t).join(', ')} as CSV, one file per type (recordings and per-room variables left out: they have no time cursor). `,
          `Appended to ${room}: ${TYPES.map(([t]) => `${appended[t]} ${t}`).join(', ')}. `,
          'The ideal counts, per type, the pages the new records fill (at least one: the first page says there are none) and the listings a fresh export reads (the experiment, its rooms and participants); it is computed from the simulator\'s dataset, not from the product\'s planner. ',
          `The re-sync ${requestRatio <= 1.1 ? 'meets' : 'misses'} the 1.1 target.`,
        ].join(''),
        headlines: [
          {
            target: 'syncRequests',
            value: requestRatio,
            method: `server-counted requests of \`studydl sync\`'s engine after +1 % new records (${appendedTotal} of ${total}) in one active room, ÷ (new pages + listings) computed from the dataset`,
            ...(requestRatio > 1.1 ? { why: `${resyncRequests} requests against ${ideal} (plan: ${again.value.plan.streams.map((x) => `${x.type} ${x.mode} ${x.requests}`).join(', ')})` } : {}),
          },
        ],
      },
    ];
  } finally {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  }
}
