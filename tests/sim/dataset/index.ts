// The simulator's dataset: a materialised world plus lazy record streams, and the queries the API
// routes run against them.
import { Rng } from '../prng';
import { mediaSha256, mediaSlice } from '../media';
import { defaultShapes } from '../shapes';
import type { AppendOptions, DataScope, DatasetAccessor, JsonRecord, RecordingInfo, ScaleName, ShapeConfig, StreamType } from '../types';
import { downloadPathOf, experimentItem, mediaSpecOf, participantItem, recordingItem, roomItem, variablesOf } from './items';
import { participantsOf } from './records';
import type { LazyStreamType } from './scales';
import { ArrayRoomStream, LazyRoomStream, MergedRoomStream, SIM_EXTRA_BASE, generateRecord, type RoomStream } from './streams';
import { ReversedView, filterView, sortByOnset, timeOrderedView, timeSegments, type View } from './views';
import { addRoom, buildWorld, setRoomActive, type Exp, type NewRoomOptions, type PartM, type RecM, type RoomM, type World } from './world';

export const STREAM_TYPES: StreamType[] = ['events', 'recordings', 'chat', 'videochat', 'ratings/continuous', 'ratings/sparse', 'sync', 'components', 'eyetracking'];

export interface StreamQuery {
  roomId?: string;
  deploymentId?: string;
  startMs?: number | null;
  endMs?: number | null;
  sort?: 'timestamp' | 'onset';
  order?: 'asc' | 'desc';
  /** Equality filters on record fields (category, componentType, stateId, completed…). */
  fields?: Record<string, string>;
}

export type Resolved = { kind: 'ok'; view: View; experiment: Exp; rooms: RoomM[] } | { kind: 'not-found'; what: string };

/** What records depend on besides the seed: the response shapes, and how a listing signs media URLs. */
export interface DatasetEnv {
  shapes: () => ShapeConfig;
  /** A signed storage URL for a recording, minted at listing time (recordingLinks 'downloadUrl'). */
  signedUrl: (rec: RecM) => string;
}

const noSigner = (rec: RecM): string => `http://storage.invalid/${encodeURIComponent(rec.recordingId)}`;

const CACHE_SIZE = 24;

export class Dataset {
  readonly world: World;
  private readonly streams = new Map<string, RoomStream>();
  private readonly cache = new Map<string, View>();
  private version = 0;
  private extraSerial = 0;

  private readonly env: DatasetEnv;

  constructor(
    scale: ScaleName,
    readonly seed: number,
    readonly mediaScale = 1,
    env: Partial<DatasetEnv> = {},
  ) {
    this.world = buildWorld(scale, seed);
    this.env = { shapes: env.shapes ?? defaultShapes, signedUrl: env.signedUrl ?? noSigner };
  }

  get shapes(): ShapeConfig {
    return this.env.shapes();
  }

  roomStream(type: StreamType, room: RoomM): RoomStream {
    const key = `${type}|${room.id}`;
    let s = this.streams.get(key);
    if (!s) {
      if (type === 'recordings') {
        const recs = [...room.recordings].sort((a, b) => a.startMs - b.startMs);
        s = new ArrayRoomStream(room, recs.map((r) => r.startMs), (i) => recordingItem(recs[i], this.mediaScale, this.env.shapes(), this.env.signedUrl));
      } else {
        s = new LazyRoomStream(type, room, this.seed, this.env.shapes);
      }
      this.streams.set(key, s);
    }
    return s;
  }

  /** The rooms a scope covers after roomId/deploymentId filters, or what was not found. */
  scopeRooms(scope: DataScope, id: string, q: StreamQuery): { experiment: Exp; rooms: RoomM[]; participant?: PartM } | { notFound: string } {
    const w = this.world;
    let experiment: Exp;
    let rooms: RoomM[];
    let participant: PartM | undefined;
    if (scope === 'experiment') {
      const exp = w.experimentById.get(id);
      if (!exp) return { notFound: `Experiment ${id} not found` };
      experiment = exp;
      rooms = exp.rooms;
    } else if (scope === 'room') {
      const room = w.roomById.get(id);
      if (!room) return { notFound: `Room ${id} not found` };
      experiment = room.experiment;
      rooms = [room];
    } else {
      const p = w.participantById.get(id);
      if (!p) return { notFound: `Participant ${id} not found` };
      participant = p;
      experiment = p.room.experiment;
      rooms = [p.room];
    }
    if (q.roomId !== undefined) rooms = rooms.filter((r) => r.id === q.roomId);
    if (q.deploymentId !== undefined) rooms = rooms.filter((r) => r.deployment.id === q.deploymentId);
    return { experiment, rooms, participant };
  }

  view(type: StreamType, scope: DataScope, id: string, q: StreamQuery = {}): Resolved {
    const found = this.scopeRooms(scope, id, q);
    if ('notFound' in found) return { kind: 'not-found', what: found.notFound };
    const shapes = this.env.shapes();
    // Filters read record fields, and fields depend on the shapes: a switch makes a new view.
    const key = JSON.stringify([this.version, shapes, type, scope, id, q.roomId, q.deploymentId, q.startMs, q.endMs, q.sort, q.order, q.fields]);
    let view = this.cache.get(key);
    if (!view) {
      view = timeOrderedView(timeSegments(found.rooms.map((r) => this.roomStream(type, r)), q.startMs ?? null, q.endMs ?? null, shapes.timeRange === 'inclusive'));
      const pid = found.participant?.id;
      const fields = Object.entries(q.fields ?? {});
      if (pid !== undefined || fields.length > 0) {
        view = filterView(view, (rec) => (pid === undefined || participantsOf(type, rec).includes(pid)) && fields.every(([k, v]) => String(rec[k]) === v));
      }
      // Onsets from the experiment's start follow the timestamps; from each room's start they interleave.
      if (q.sort === 'onset' && found.rooms.length > 1 && shapes.onsetFrom === 'room') view = sortByOnset(view);
      if (q.order === 'desc') view = new ReversedView(view);
      this.cache.set(key, view);
      if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
    }
    return { kind: 'ok', view, experiment: found.experiment, rooms: found.rooms };
  }

  /**
   * New records arriving in a live room: by default half with timestamps inside the range already
   * recorded (late data: offset paging sees shifted records), half after the last one; `where`
   * asks for only one kind. `extra` fields are added to every appended record (a field the API
   * starts sending later: a new CSV column).
   */
  append(type: StreamType, experimentId: string, roomId: string, n: number, opts: AppendOptions = {}): void {
    if (type === 'recordings') throw new Error('appendRecords: recordings cannot be appended');
    const room = this.world.roomById.get(roomId);
    if (!room || room.experiment.id !== experimentId) throw new Error(`appendRecords: no room ${roomId} in experiment ${experimentId}`);
    const key = `${type}|${room.id}`;
    let s = this.roomStream(type, room);
    if (!(s instanceof MergedRoomStream)) {
      s = new MergedRoomStream(s);
      this.streams.set(key, s);
    }
    const merged = s as MergedRoomStream;
    const first = merged.length > 0 ? merged.tsAt(0) : room.startMs;
    const last = merged.length > 0 ? merged.tsAt(merged.length - 1) : room.startMs;
    const rng = Rng.of(this.seed, 'append', type, room.id, this.extraSerial);
    const where = opts.where ?? 'mixed';
    const extra = opts.extra && Object.keys(opts.extra).length ? { ...opts.extra } : null;
    const items: Array<{ ts: number; rec: () => JsonRecord }> = [];
    for (let j = 0; j < n; j++) {
      const inside = where === 'inside' || (where === 'mixed' && j % 2 === 0);
      const ts = inside ? Math.floor(rng.range(first, last)) : last + 1 + j * 50;
      const k = SIM_EXTRA_BASE + this.extraSerial++;
      const make = () => generateRecord(type as LazyStreamType, { seed: this.seed, room, k, ts, shapes: this.env.shapes() });
      items.push({ ts, rec: extra ? () => ({ ...make(), ...extra }) : make });
    }
    merged.addMany(items);
    this.changed();
  }

  /** A new room (session) in a live experiment: see world.addRoom. Returns its id and its participants' ids. */
  addRoom(experimentId: string, opts: NewRoomOptions = {}): { roomId: string; participantIds: string[] } {
    const exp = this.world.experimentById.get(experimentId);
    if (!exp) throw new Error(`addRoom: no experiment ${experimentId}`);
    const room = addRoom(this.world, exp, opts, this.roomSerial++);
    this.changed();
    return { roomId: room.id, participantIds: room.participants.map((p) => p.id) };
  }

  /** A room ends ('completed') or runs again ('active'). */
  setRoomStatus(roomId: string, status: 'active' | 'completed'): void {
    const room = this.world.roomById.get(roomId);
    if (!room) throw new Error(`setRoomStatus: no room ${roomId}`);
    if (status !== 'active' && status !== 'completed') throw new Error(`setRoomStatus: status must be active or completed, not ${String(status)}`);
    setRoomActive(room, status === 'active');
    this.changed();
  }

  private roomSerial = 0;

  /** The data changed: cached views and counts are stale. */
  private changed(): void {
    this.version++;
    this.cache.clear();
    this.histograms.clear();
  }

  private readonly histograms = new Map<string, Map<string, number>>();

  /** Records of a type for one participant in their room (counts endpoint): one scan per room and type. */
  participantCount(type: StreamType, p: PartM): number {
    const key = `${this.version}|${type}|${p.room.id}`;
    let h = this.histograms.get(key);
    if (!h) {
      h = new Map();
      const s = this.roomStream(type, p.room);
      for (let i = 0; i < s.length; i++) for (const id of participantsOf(type, s.recordAt(i))) h.set(id, (h.get(id) ?? 0) + 1);
      this.histograms.set(key, h);
    }
    return h.get(p.id) ?? 0;
  }

  recordingInfo(rec: RecM): RecordingInfo {
    const spec = mediaSpecOf(rec, this.mediaScale);
    return {
      recordingId: rec.recordingId,
      roomId: rec.room.id,
      experimentId: rec.room.experiment.id,
      participantId: rec.participant.id,
      format: rec.format,
      size: spec.size,
      get sha256() {
        return mediaSha256(spec);
      },
      downloadPath: downloadPathOf(rec),
    };
  }

  accessor(): DatasetAccessor {
    const w = this.world;
    const view = (type: StreamType, scope: DataScope, id: string, roomId?: string) => {
      const r = this.view(type, scope, id, { roomId });
      if (r.kind !== 'ok') throw new Error(r.what);
      return r.view;
    };
    const recordingInfo = (rec: RecM) => this.recordingInfo(rec);
    const mediaScale = this.mediaScale;
    const roomInfo = (r: RoomM) => ({
      id: r.id,
      experimentId: r.experiment.id,
      deploymentId: r.deployment.id,
      participantIds: r.participants.map((p) => p.id),
      startTime: new Date(r.startMs).toISOString(),
      endTime: r.active ? null : new Date(r.endMs).toISOString(),
      status: r.active ? 'active' : 'completed',
    });
    const rooms = (experimentId?: string) => w.experiments.filter((e) => !experimentId || e.id === experimentId).flatMap((e) => e.rooms);
    return {
      scale: w.scale,
      seed: w.seed,
      experiments: (opts) =>
        w.experiments
          .filter((e) => opts?.includeShared !== false || !e.shared)
          .map((e) => ({
            id: e.id,
            name: e.name,
            shared: e.shared,
            roomIds: e.rooms.map((r) => r.id),
            deploymentIds: e.deployments.map((d) => d.id),
            participantIds: e.rooms.flatMap((r) => r.participants.map((p) => p.id)),
            startedAt: new Date(e.startMs).toISOString(),
          })),
      rooms: (experimentId) => rooms(experimentId).map(roomInfo),
      participants: (opts) =>
        rooms(opts?.experimentId)
          .filter((r) => !opts?.roomId || r.id === opts.roomId)
          .flatMap((r) => r.participants.map((p) => ({ id: p.id, name: p.name, roomId: r.id, experimentId: r.experiment.id }))),
      count: (type, scope, id, roomId) => view(type, scope, id, roomId).length,
      *records(type, scope, id, roomId) {
        const v = view(type, scope, id, roomId);
        for (let i = 0; i < v.length; i++) yield v.get(i);
      },
      recordings: (experimentId) => rooms(experimentId).flatMap((r) => r.recordings.map(recordingInfo)),
      variables: (roomId) => {
        const r = w.roomById.get(roomId);
        if (!r) throw new Error(`No room ${roomId}`);
        return variablesOf(r).data;
      },
      mediaBytes(roomId, recordingId, start = 0, end) {
        const rec = w.recordingById.get(recordingId);
        if (!rec || rec.room.id !== roomId) throw new Error(`No recording ${recordingId} in room ${roomId}`);
        const spec = mediaSpecOf(rec, mediaScale);
        return mediaSlice(spec, start, end ?? spec.size);
      },
      experimentItem: (id) => {
        const e = w.experimentById.get(id);
        return e ? experimentItem(e) : undefined;
      },
      roomItem: (id) => {
        const r = w.roomById.get(id);
        return r ? roomItem(r) : undefined;
      },
      participantItem: (id) => {
        const p = w.participantById.get(id);
        return p ? participantItem(p) : undefined;
      },
    };
  }
}
