// JSON items of the listing endpoints (experiments, deployments, rooms, sessions, participants,
// recordings, variables, counts) built from the materialised world.
import { hash32 } from '../prng';
import { mediaSha256, type MediaSpec } from '../media';
import type { JsonRecord, ShapeConfig } from '../types';
import { roomRef } from './records';
import type { Dep, Exp, PartM, RecM, RoomM } from './world';

const iso = (ms: number): string => new Date(ms).toISOString();

export function participantCountOf(exp: Exp): number {
  return exp.rooms.reduce((n, r) => n + r.participants.length, 0);
}

export function experimentItem(exp: Exp): JsonRecord {
  const item: JsonRecord = {
    id: exp.id,
    name: exp.name,
    description: exp.description,
    ownerEmail: exp.ownerEmail,
    roomCount: exp.rooms.length,
    participantCount: participantCountOf(exp),
    status: exp.status,
    createdAt: iso(exp.createdAtMs),
    updatedAt: iso(exp.updatedAtMs),
  };
  if (exp.shared) item.sharedBy = { organizationId: exp.ownerOrgId, organizationName: 'Partner Lab (Kraków)' };
  return item;
}

export function experimentDetail(exp: Exp): JsonRecord {
  return {
    ...experimentItem(exp),
    ownerId: exp.ownerId,
    states: ['Welcome', 'Consent', 'Instructions', 'Clip 1', 'Clip 2', 'Discussion', 'Questionnaire', 'Debrief'].map((name, i) => ({ id: `state_${i}`, name })),
    roles: { viewer: { label: 'Viewer' }, speaker: { label: 'Speaker' }, listener: { label: 'Listener' } },
    requiredParticipants: exp.requiredParticipants,
  };
}

export function deploymentItem(dep: Dep, detail: boolean): JsonRecord {
  const item: JsonRecord = {
    id: dep.id,
    experimentId: dep.experiment.id,
    name: dep.name,
    status: dep.status,
    type: dep.type,
    ownerId: dep.experiment.ownerId,
    ownerName: dep.experiment.ownerName,
    createdAt: iso(dep.createdAtMs),
  };
  if (detail) {
    item.participantCount = dep.rooms.reduce((n, r) => n + r.participants.length, 0);
    item.roomCount = dep.rooms.length;
    item.maxParticipants = dep.maxParticipants;
    item.updatedAt = iso(dep.updatedAtMs);
  }
  return item;
}

export function roomItem(room: RoomM): JsonRecord {
  const item: JsonRecord = {
    id: room.id,
    name: room.name,
    experimentId: room.experiment.id,
    deploymentId: room.deployment.id,
    deploymentName: room.deployment.name,
    status: room.active ? 'active' : 'completed',
    participantCount: room.participants.length,
    startTime: iso(room.startMs),
    createdAt: iso(room.startMs - 5 * 60_000),
  };
  if (!room.active) {
    item.endTime = iso(room.endMs);
    item.duration = room.endMs - room.startMs;
  }
  return item;
}

export function sessionItem(room: RoomM): JsonRecord {
  return {
    id: room.id,
    experimentId: room.experiment.id,
    deploymentId: room.deployment.id,
    status: room.active ? 'active' : 'completed',
    participantCount: room.participants.length,
    createdAt: iso(room.startMs - 5 * 60_000),
  };
}

export function participantItem(p: PartM): JsonRecord {
  const item: JsonRecord = {
    id: p.id,
    name: p.name,
    email: p.email,
    role: p.role,
    status: p.status,
    completionCode: p.completionCode,
    joinedAt: iso(p.joinedAtMs),
    roomId: p.room.id,
    experimentId: p.room.experiment.id,
    deploymentId: p.room.deployment.id,
  };
  if (p.completedAtMs !== null) item.completedAt = iso(p.completedAtMs);
  if (p.clientInfo) item.clientInfo = p.clientInfo;
  return item;
}

export function mediaSpecOf(rec: RecM, mediaScale: number): MediaSpec {
  return { seed: rec.seed, size: Math.max(1, Math.round(rec.baseSize * mediaScale)), format: rec.format };
}

export function downloadPathOf(rec: RecM): string {
  return `/data/recordings/download/${encodeURIComponent(rec.room.id)}/${encodeURIComponent(rec.recordingId)}`;
}

/** Checksums are only listed for files small enough to hash at listing time. */
const CHECKSUM_MAX_BYTES = 8 * 1024 * 1024;

/**
 * A recording as listed. Documented: a signed downloadUrl on the storage origin, minted while
 * listing (so it expires; list again for a fresh one). With recordingLinks 'downloadPath': the SDK's
 * mint route instead, and some old records still carry a long-expired GCS URL besides it.
 */
export function recordingItem(rec: RecM, mediaScale: number, shapes: ShapeConfig, signedUrl: (rec: RecM) => string): JsonRecord {
  const spec = mediaSpecOf(rec, mediaScale);
  const room = rec.room;
  const item: JsonRecord = {
    recordingId: rec.recordingId,
    egressId: rec.recordingId,
    ...roomRef('recordings', room, shapes),
    experimentId: room.experiment.id,
    participantId: rec.participant.id,
    participantName: rec.participant.name,
    startTime: iso(rec.startMs),
    endTime: iso(rec.endMs),
    duration: rec.endMs - rec.startMs,
    videoOffset: hash32(rec.seed, 'offset') % 900,
    fileSize: rec.sizeMissing ? null : spec.size,
    format: rec.format,
    status: 'completed',
    fileName: `${rec.recordingId}.${rec.format}`,
  };
  if (shapes.recordingLinks === 'downloadUrl') item.downloadUrl = signedUrl(rec);
  else item.downloadPath = downloadPathOf(rec);
  item.metadata = {
    type: rec.kind,
    recordingType: rec.kind === 'video' ? 'individual' : 'audio',
    roomName: room.name,
    experimentId: room.experiment.id,
  };
  if (rec.kind === 'video') item.resolution = '1280x720';
  if (rec.withChecksum && spec.size <= CHECKSUM_MAX_BYTES) item.checksum = { sha256: mediaSha256(spec) };
  if (rec.legacyUrl && shapes.recordingLinks === 'downloadPath') {
    // Old records carry a long-expired GCS URL; clients must mint through downloadPath instead.
    const gcs = `https://storage.googleapis.com/hyperstudy-recordings/${encodeURIComponent(rec.recordingId)}.${rec.format}`;
    item.url = gcs;
    item.downloadUrl = `${gcs}?X-Goog-Expires=604800&X-Goog-Date=${iso(rec.endMs).replace(/[-:]/g, '').slice(0, 15)}Z&X-Goog-Signature=${hash32(rec.seed, 'sig').toString(16)}`;
  }
  return item;
}

const VARIABLES = ['rating', 'condition', 'trialCount', 'partnerChoice', 'note'];

export function variablesOf(room: RoomM): { data: JsonRecord[]; metadata: JsonRecord } {
  const data: JsonRecord[] = [];
  const timeline: JsonRecord[] = [];
  const h = (...p: Array<string | number>) => hash32(room.short, ...p);
  for (let s = 0; s < 4; s++) {
    timeline.push({ stateId: `state_${s + 2}`, enteredAt: iso(room.startMs + s * 5 * 60_000), values: { rating: h('t', s) % 8, condition: s % 2 ? 'incongruent' : 'congruent' } });
  }
  for (const p of room.participants) {
    for (const v of VARIABLES) {
      const k = h(p.id, v);
      const value = v === 'rating' ? k % 8 : v === 'condition' ? (k % 2 ? 'incongruent' : 'congruent') : v === 'trialCount' ? 10 + (k % 5) : v === 'note' ? 'said "ok", then left\nearly' : ['A', 'B'][k % 2];
      data.push({ variable: v, value, participantId: p.id, source: k % 5 === 0 ? 'agent' : 'human', persisted: k % 7 !== 0, stateId: `state_${2 + (k % 4)}`, timestamp: iso(room.startMs + (k % 1800) * 1000) });
    }
  }
  const metadata: JsonRecord = {
    variableNames: VARIABLES,
    timeline,
    matrixColumns: ['participantId', ...VARIABLES],
    droppedWrites: [{ variable: 'rating', reason: 'mismatch' }],
    mode: 'replay',
  };
  return { data, metadata };
}
