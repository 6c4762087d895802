// Server items → the shared model shapes. Field names vary across fixtures and docs
// (reference §4), so each field accepts its known spellings; unknown fields are dropped.
import type { DataTypeId, Experiment, Participant, ParticipantCounts, Room } from '../../../../src-shared/model';
import { COUNTS_KEY_ALIASES } from './descriptors';
import { isObject, num, type JsonObject } from './envelope';

function str(o: JsonObject, ...keys: string[]): string | undefined {
  for (const k of keys) {
    const v = o[k];
    if (typeof v === 'string' && v !== '') return v;
    if (typeof v === 'number' && Number.isFinite(v) && k !== 'name') return String(v);
  }
  return undefined;
}

/** ISO time from an ISO string, epoch ms, or a Firestore-style {_seconds}. */
function time(o: JsonObject, ...keys: string[]): string | undefined {
  for (const k of keys) {
    const v = o[k];
    if (typeof v === 'string' && v !== '') return v;
    if (typeof v === 'number' && Number.isFinite(v)) return new Date(v).toISOString();
    if (isObject(v)) {
      const s = num(v._seconds ?? v.seconds);
      if (s !== null) return new Date(s * 1000).toISOString();
    }
  }
  return undefined;
}

function count(o: JsonObject, ...keys: string[]): number | undefined {
  for (const k of keys) {
    const v = num(o[k]);
    if (v !== null) return v;
    if (Array.isArray(o[k])) return (o[k] as unknown[]).length;
  }
  return undefined;
}

function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export function toExperiment(o: JsonObject, origin: 'own' | 'shared'): Experiment | null {
  const id = str(o, 'id', 'experimentId', '_id');
  if (!id) return null;
  return compact({
    id,
    name: str(o, 'name', 'title') ?? id,
    description: str(o, 'description'),
    origin,
    status: str(o, 'status'),
    roomCount: count(o, 'roomCount', 'roomsCount', 'rooms'),
    participantCount: count(o, 'participantCount', 'participantsCount'),
    ownerEmail: str(o, 'ownerEmail', 'ownerName', 'owner'),
    createdAt: time(o, 'createdAt', 'created'),
    updatedAt: time(o, 'updatedAt', 'updated'),
  });
}

export function toRoom(o: JsonObject, experimentId: string): Room | null {
  const id = str(o, 'id', 'roomId', 'sessionId', '_id');
  if (!id) return null;
  const startTime = time(o, 'startTime', 'startedAt', 'createdAt');
  const endTime = time(o, 'endTime', 'endedAt', 'completedAt');
  let durationMs = count(o, 'durationMs', 'duration');
  if (durationMs === undefined && startTime && endTime) {
    const d = Date.parse(endTime) - Date.parse(startTime);
    if (Number.isFinite(d) && d >= 0) durationMs = d;
  }
  return compact({
    id,
    experimentId: str(o, 'experimentId') ?? experimentId,
    deploymentId: str(o, 'deploymentId'),
    deploymentName: str(o, 'deploymentName'),
    name: str(o, 'name', 'roomName'),
    status: str(o, 'status'),
    participantCount: count(o, 'participantCount', 'participantsCount', 'participants'),
    startTime,
    endTime,
    durationMs,
  });
}

export function toParticipant(o: JsonObject, defaults: { experimentId?: string; roomId?: string }): Participant | null {
  const id = str(o, 'id', 'participantId', 'userId', '_id');
  if (!id) return null;
  return compact({
    id,
    roomId: str(o, 'roomId') ?? defaults.roomId,
    experimentId: str(o, 'experimentId') ?? defaults.experimentId,
    name: str(o, 'name', 'participantName', 'displayName'),
    role: str(o, 'role', 'participantRole'),
    status: str(o, 'status'),
    completionCode: str(o, 'completionCode'),
    joinedAt: time(o, 'joinedAt', 'createdAt'),
    completedAt: time(o, 'completedAt'),
  });
}

/** Counts keys translated to our data type ids (textchat → chat, …); unknown keys are dropped. */
export function toCounts(o: JsonObject | undefined, participantId: string, roomId: string): ParticipantCounts {
  const raw = o && isObject(o.counts) ? o.counts : (o ?? {});
  const counts: Partial<Record<DataTypeId, number>> = {};
  for (const [k, v] of Object.entries(raw)) {
    const id = COUNTS_KEY_ALIASES[k];
    const n = num(v);
    if (id && n !== null) counts[id] = (counts[id] ?? 0) + n;
  }
  return {
    participantId: (o && str(o, 'participantId')) ?? participantId,
    roomId: (o && str(o, 'roomId')) ?? roomId,
    counts,
  };
}
