// The materialised part of the dataset: experiments, deployments, rooms, participants, recordings.
// These are small (at most a few thousand objects even at `large`); record streams stay lazy.
import { Rng, hash32 } from '../prng';
import type { ScaleName } from '../types';
import { BROWSERS, COMPLETION_CODES, EXPERIMENT_DESCRIPTIONS, EXPERIMENT_NAMES, OSES, PEOPLE, ROLES, emailFor } from './names';
import { SCALES, type LazyStreamType, type ScaleConfig } from './scales';

export interface Exp {
  index: number;
  id: string;
  name: string;
  description: string;
  shared: boolean;
  /** The organisation that owns a shared experiment. */
  ownerOrgId: string;
  ownerId: string;
  ownerEmail: string;
  ownerName: string;
  createdAtMs: number;
  updatedAtMs: number;
  startMs: number;
  status: string;
  requiredParticipants: number;
  deployments: Dep[];
  rooms: RoomM[];
}

export interface Dep {
  id: string;
  name: string;
  experiment: Exp;
  status: string;
  type: 'private' | 'public';
  createdAtMs: number;
  updatedAtMs: number;
  maxParticipants: number;
  rooms: RoomM[];
}

export interface RoomM {
  /** Position within its experiment (rooms are sequential in time). */
  localIndex: number;
  id: string;
  /** Short token used to build unique record ids. */
  short: string;
  name: string;
  experiment: Exp;
  deployment: Dep;
  startMs: number;
  /** Scheduled end; an active room has no reported endTime. */
  endMs: number;
  active: boolean;
  participants: PartM[];
  counts: Record<LazyStreamType, number>;
  recordings: RecM[];
}

export interface PartM {
  id: string;
  name: string;
  email: string;
  role: string;
  status: string;
  completionCode: string;
  joinedAtMs: number;
  completedAtMs: number | null;
  room: RoomM;
  clientInfo: { browser: string; os: string } | null;
}

export interface RecM {
  recordingId: string;
  room: RoomM;
  participant: PartM;
  kind: 'video' | 'audio';
  format: 'mp4' | 'webm';
  startMs: number;
  endMs: number;
  /** Bytes before mediaScale. */
  baseSize: number;
  /** Whether the listing includes a checksum for this file. */
  withChecksum: boolean;
  /** Whether fileSize is missing on the listing (old records). */
  sizeMissing: boolean;
  legacyUrl: boolean;
  seed: number;
}

export interface World {
  scale: ScaleName;
  seed: number;
  config: ScaleConfig;
  orgId: string;
  ownerId: string;
  experiments: Exp[];
  experimentById: Map<string, Exp>;
  deploymentById: Map<string, Dep>;
  roomById: Map<string, RoomM>;
  participantById: Map<string, PartM>;
  recordingById: Map<string, RecM>;
}

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const BASE_MS = Date.UTC(2024, 2, 4, 9, 0, 0);

export function buildWorld(scale: ScaleName, seed: number): World {
  const config = SCALES[scale];
  const rng = Rng.of(seed, 'world');
  const used = new Set<string>();
  const uniqueId = (prefix: string, len: number): string => {
    for (;;) {
      const id = prefix + rng.token(len);
      if (!used.has(id)) {
        used.add(id);
        return id;
      }
    }
  };
  const world: World = {
    scale,
    seed,
    config,
    orgId: 'org_' + rng.token(10),
    ownerId: 'usr_owner_' + rng.token(6),
    experiments: [],
    experimentById: new Map(),
    deploymentById: new Map(),
    roomById: new Map(),
    participantById: new Map(),
    recordingById: new Map(),
  };
  const roomLists = [...config.ownRooms.map((n) => ({ n, shared: false })), ...config.sharedRooms.map((n) => ({ n, shared: true }))];
  let personIndex = 0;
  let roomCounter = 0;
  roomLists.forEach(({ n: roomCount, shared }, index) => {
    const startMs = BASE_MS + index * 21 * DAY + (shared ? -60 * DAY : 0);
    const exp: Exp = {
      index,
      id: uniqueId('exp_', 10),
      name: EXPERIMENT_NAMES[index % EXPERIMENT_NAMES.length] + (index >= EXPERIMENT_NAMES.length ? ` ${index}` : ''),
      description: EXPERIMENT_DESCRIPTIONS[index % EXPERIMENT_DESCRIPTIONS.length],
      shared,
      ownerOrgId: shared ? 'org_partner_' + rng.token(6) : world.orgId,
      ownerId: shared ? 'usr_' + rng.token(12) : world.ownerId,
      ownerEmail: shared ? 'pi@partner-lab.example' : 'researcher@example.com',
      ownerName: shared ? 'Dr. Łucja Nowak' : 'Dr. Zoë Ångström',
      createdAtMs: startMs - rng.int(5, 30) * DAY,
      updatedAtMs: startMs - rng.int(1, 4) * DAY,
      startMs,
      status: 'completed',
      requiredParticipants: config.participantsPerRoom[0],
      deployments: [],
      rooms: [],
    };
    world.experiments.push(exp);
    world.experimentById.set(exp.id, exp);
    const depCount = roomCount >= 2 ? 2 : 1;
    for (let d = 0; d < depCount; d++) {
      const dep: Dep = {
        id: uniqueId('dep_', 10),
        name: d === 0 ? `${exp.name} — Pilot` : `${exp.name} — Main`,
        experiment: exp,
        status: 'completed',
        type: d === 0 ? 'private' : 'public',
        createdAtMs: startMs - (depCount - d) * DAY,
        updatedAtMs: startMs,
        maxParticipants: 200,
        rooms: [],
      };
      exp.deployments.push(dep);
      world.deploymentById.set(dep.id, dep);
    }
    const roomSpan = (config.roomMinutes + 20) * MIN;
    for (let r = 0; r < roomCount; r++) {
      // One hostile-looking id: exporters must build safe file names from ids.
      const hostile = index === 1 && r === 0;
      const short = rng.token(6);
      const id = hostile ? `room_..:${short}` : uniqueId('room_', 4) + short;
      used.add(id);
      const dep = exp.deployments[depCount === 1 ? 0 : r < Math.ceil(roomCount / 2) ? 0 : 1];
      const roomStart = startMs + r * roomSpan;
      const active = index === 0 && r === roomCount - 1;
      const room: RoomM = {
        localIndex: r,
        id,
        short,
        name: `Session ${r + 1}`,
        experiment: exp,
        deployment: dep,
        startMs: roomStart,
        endMs: roomStart + config.roomMinutes * MIN,
        active,
        participants: [],
        counts: roomCounts(config, seed, roomCounter++),
        recordings: [],
      };
      if (active) {
        exp.status = 'active';
        dep.status = 'active';
      }
      const [pMin, pMax] = config.participantsPerRoom;
      const nP = config.exact ? (r % 2 === 0 ? pMax : pMin) : rng.int(pMin, pMax);
      for (let p = 0; p < nP; p++) {
        const name = PEOPLE[personIndex % PEOPLE.length];
        personIndex++;
        const dropped = !active && rng.bool(0.12);
        const part: PartM = {
          id: uniqueId('usr_', 12),
          name,
          email: emailFor(name, personIndex),
          role: ROLES[p % ROLES.length],
          status: active ? 'active' : dropped ? 'disconnected' : 'completed',
          completionCode: active ? 'IN_PROGRESS' : dropped ? rng.pick(COMPLETION_CODES.slice(1, 5)) : 'SUCCESS',
          joinedAtMs: roomStart - rng.int(30, 180) * 1000,
          completedAtMs: active || dropped ? null : room.endMs + rng.int(5, 90) * 1000,
          room,
          clientInfo: rng.bool(0.8) ? { browser: rng.pick(BROWSERS), os: rng.pick(OSES) } : null,
        };
        room.participants.push(part);
        world.participantById.set(part.id, part);
      }
      exp.rooms.push(room);
      dep.rooms.push(room);
      world.roomById.set(room.id, room);
    }
  });
  addRecordings(world, rng, uniqueId);
  return world;
}

function roomCounts(config: ScaleConfig, seed: number, roomIndex: number): Record<LazyStreamType, number> {
  const out = {} as Record<LazyStreamType, number>;
  for (const [type, n] of Object.entries(config.perRoom) as Array<[LazyStreamType, number]>) {
    if (config.exact) out[type] = n;
    else out[type] = Math.max(1, Math.round(n * (0.85 + (hash32(seed, 'count', type, roomIndex) % 3000) / 10000)));
  }
  return out;
}

function addRecordings(world: World, rng: Rng, uniqueId: (p: string, n: number) => string): void {
  const { recordingsPattern, recordingBytes } = world.config;
  let roomNo = 0;
  for (const exp of world.experiments) {
    for (const room of exp.rooms) {
      const n = recordingsPattern[roomNo++ % recordingsPattern.length];
      for (let i = 0; i < n; i++) {
        const participant = room.participants[i % room.participants.length];
        const kind = i % 2 === 0 ? 'video' : 'audio';
        const hostile = room.id.includes('..') && i === 0;
        const recordingId = hostile ? `EG_..:${rng.token(8)}` : uniqueId('EG_', 12);
        const startMs = room.startMs + rng.int(2, 20) * 1000;
        const rec: RecM = {
          recordingId,
          room,
          participant,
          kind,
          format: kind === 'video' ? 'mp4' : 'webm',
          startMs,
          endMs: startMs + rng.int(5, 25) * MIN,
          baseSize: rng.int(recordingBytes[0], recordingBytes[1]),
          withChecksum: rng.bool(0.5),
          sizeMissing: false,
          legacyUrl: rng.bool(0.2),
          seed: hash32(world.seed, 'media', recordingId),
        };
        // Old records sometimes lack fileSize (reference §4); never in tiny, whose tests rely on it.
        rec.sizeMissing = world.scale !== 'tiny' && rec.legacyUrl && hash32(rec.seed, 'nosize') % 2 === 0;
        room.recordings.push(rec);
        world.recordingById.set(recordingId, rec);
      }
    }
  }
}

/** What a room added at run time looks like (a new session of a live experiment). */
export interface NewRoomOptions {
  /** Participants in it (default: the scale's smallest room). */
  participants?: number;
  /** Still running (no end time, participants in progress); default true. */
  active?: boolean;
}

/**
 * Adds a room at the end of an experiment's last deployment, starting one room span after the
 * experiment's last room (so rooms still follow each other in time), with fresh participants and
 * record counts like the others. Deterministic for a seed and the sequence of additions.
 */
export function addRoom(world: World, exp: Exp, opts: NewRoomOptions, serial: number): RoomM {
  const rng = Rng.of(world.seed, 'added-room', exp.id, serial);
  const config = world.config;
  const fresh = (prefix: string, len: number, taken: (id: string) => boolean) => {
    for (;;) {
      const id = prefix + rng.token(len);
      if (!taken(id)) return id;
    }
  };
  const last = exp.rooms[exp.rooms.length - 1];
  const roomSpan = (config.roomMinutes + 20) * MIN;
  const startMs = (last ? last.startMs : exp.startMs) + roomSpan;
  const short = rng.token(6);
  const id = fresh('room_', 4, (x) => world.roomById.has(x + short)) + short;
  const dep = exp.deployments[exp.deployments.length - 1];
  const active = opts.active ?? true;
  const room: RoomM = {
    localIndex: exp.rooms.length,
    id,
    short,
    name: `Session ${exp.rooms.length + 1}`,
    experiment: exp,
    deployment: dep,
    startMs,
    endMs: startMs + config.roomMinutes * MIN,
    active,
    participants: [],
    counts: roomCounts(config, world.seed, 10_000 + serial),
    recordings: [],
  };
  const n = Math.max(1, opts.participants ?? config.participantsPerRoom[0]);
  for (let p = 0; p < n; p++) {
    const name = PEOPLE[(serial * 7 + p) % PEOPLE.length];
    const part: PartM = {
      id: fresh('usr_', 12, (x) => world.participantById.has(x)),
      name,
      email: emailFor(name, 10_000 + serial * 16 + p),
      role: ROLES[p % ROLES.length],
      status: active ? 'active' : 'completed',
      completionCode: active ? 'IN_PROGRESS' : 'SUCCESS',
      joinedAtMs: startMs - rng.int(30, 180) * 1000,
      completedAtMs: active ? null : startMs + config.roomMinutes * MIN + rng.int(5, 90) * 1000,
      room,
      clientInfo: null,
    };
    room.participants.push(part);
    world.participantById.set(part.id, part);
  }
  if (active) {
    exp.status = 'active';
    dep.status = 'active';
  }
  exp.rooms.push(room);
  dep.rooms.push(room);
  world.roomById.set(room.id, room);
  return room;
}

/** A live room ends (or, for tests, a room is reopened): its status, its participants' and its experiment's follow. */
export function setRoomActive(room: RoomM, active: boolean): void {
  room.active = active;
  for (const p of room.participants) {
    if (active) {
      p.status = 'active';
      p.completionCode = 'IN_PROGRESS';
      p.completedAtMs = null;
    } else if (p.status === 'active') {
      p.status = 'completed';
      p.completionCode = 'SUCCESS';
      p.completedAtMs = room.endMs;
    }
  }
  const exp = room.experiment;
  exp.status = exp.rooms.some((r) => r.active) ? 'active' : 'completed';
  for (const d of exp.deployments) d.status = d.rooms.some((r) => r.active) ? 'active' : 'completed';
}
