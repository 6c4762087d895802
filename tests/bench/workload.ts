// The request workloads the benchmarks measure, derived from the simulator's dataset (the oracle),
// not from the product's planner: the fewest requests any client needs, stream by stream, each on
// the endpoint template the server rate-limits by. The lower-bound scheduler turns them into times.
import { endpointTemplate } from '../sim/endpoint-key';
import type { DatasetAccessor, StreamType } from '../sim/types';
import type { StreamDemand } from './lower-bound';

export const PAGE = 1000;

/** Data types with an experiment-scope stream (variables exist per room only). */
export const EXPERIMENT_STREAM_TYPES: StreamType[] = ['events', 'components', 'recordings', 'chat', 'videochat', 'ratings/continuous', 'ratings/sparse', 'sync', 'eyetracking'];

export interface WorkStream extends StreamDemand {
  /** The concrete path below the API base (for the sequential pager; listings page like streams). */
  path: string;
  /** Records the stream holds (null: not counted, e.g. variables). */
  records: number | null;
}

/** Requests to read N items in pages of PAGE: at least one (the first page says there are none). */
export const pagesFor = (n: number) => Math.max(1, Math.ceil(n / PAGE));

const stream = (path: string, records: number | null, requests = records === null ? 1 : pagesFor(records)): WorkStream => ({
  endpoint: endpointTemplate(path),
  path,
  requests,
  records,
});

/** What an experiment's full download reads: its data-type streams, variables per room, rooms and participants. */
function experimentStreams(ds: DatasetAccessor, experimentId: string): WorkStream[] {
  const exp = ds.experiments({ includeShared: true }).find((e) => e.id === experimentId);
  if (!exp) throw new Error(`no experiment ${experimentId} in the dataset`);
  const out = [stream(`/data/rooms/experiment/${exp.id}`, exp.roomIds.length), stream(`/data/participants/experiment/${exp.id}`, exp.participantIds.length)];
  for (const t of EXPERIMENT_STREAM_TYPES) out.push(stream(`/data/${t}/experiment/${exp.id}`, ds.count(t, 'experiment', exp.id)));
  for (const roomId of exp.roomIds) out.push(stream(`/data/variables/room/${roomId}`, null));
  return out;
}

/** The paging benchmark: both experiment listings, then every experiment's streams (shared ones included). */
export function pagingWorkload(ds: DatasetAccessor): WorkStream[] {
  const out = [stream('/experiments', ds.experiments().length), stream('/experiments/shared', ds.experiments({ includeShared: true }).length - ds.experiments().length)];
  for (const exp of ds.experiments({ includeShared: true })) out.push(...experimentStreams(ds, exp.id));
  return out;
}

/** The export benchmark: one experiment's details, streams and one signed-URL mint per recording. */
export function exportWorkload(ds: DatasetAccessor, experimentId: string, opts: { recordings: boolean }): WorkStream[] {
  const out = [stream(`/experiments/${experimentId}`, null), ...experimentStreams(ds, experimentId)];
  if (opts.recordings) for (const r of ds.recordings(experimentId)) out.push(stream(r.downloadPath, null));
  return out;
}

export const totalRequests = (w: WorkStream[]) => w.reduce((n, s) => n + s.requests, 0);

export function requestsByEndpoint(w: WorkStream[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const s of w) m.set(s.endpoint, (m.get(s.endpoint) ?? 0) + s.requests);
  return m;
}
