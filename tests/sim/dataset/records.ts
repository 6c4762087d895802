// One generator per record type: (room, index, timestamp, shapes) → the JSON item the API serves.
// Each record is a pure function of the seed, its index and the response shapes, so streams can be
// generated lazily. The random draws never depend on the shapes: a switch changes only the fields
// it is about, the rest of the record stays the same.
import { Rng, hash32 } from '../prng';
import type { JsonRecord, ShapeConfig } from '../types';
import { CHAT_LINES, COMPONENT_TYPES, STATE_NAMES } from './names';
import type { LazyStreamType } from './scales';
import type { RoomM } from './world';

export interface RecordContext {
  seed: number;
  room: RoomM;
  /** Index within the room's stream (extras use indexes from 1e9 up). */
  k: number;
  ts: number;
  shapes: ShapeConfig;
}

type Generator = (c: RecordContext, rng: Rng) => JsonRecord;

const iso = (ms: number): string => new Date(ms).toISOString();

/** How a record type names its room when roomField is 'documented' (docs field lists; see the notes). */
const DOCUMENTED_ROOM_FIELD: Record<LazyStreamType | 'recordings', 'roomId' | 'sessionId' | null> = {
  events: 'sessionId',
  components: null,
  recordings: 'roomId',
  chat: 'roomId',
  videochat: 'roomId',
  'ratings/continuous': 'roomId',
  'ratings/sparse': 'roomId',
  sync: 'roomId',
  eyetracking: 'roomId',
};

/** The room reference of a record under the current shapes: {roomId}, {sessionId} or nothing. */
export function roomRef(type: LazyStreamType | 'recordings', room: RoomM, shapes: ShapeConfig): JsonRecord {
  if (shapes.roomField === 'none') return {};
  if (shapes.roomField === 'roomId') return { roomId: room.id };
  if (type === 'ratings/sparse' && shapes.sparseRatings === 'sdk') return {}; // the fixture has no room
  const field = DOCUMENTED_ROOM_FIELD[type];
  return field ? { [field]: room.id } : {};
}

function base(c: RecordContext, type: LazyStreamType): JsonRecord {
  return { experimentId: c.room.experiment.id, ...roomRef(type, c.room, c.shapes) };
}

/** onset: ms from the experiment's start (as experimentStartedAt says) or from the room's start. */
export function onsetOrigin(room: RoomM, shapes: ShapeConfig): number {
  return shapes.onsetFrom === 'room' ? room.startMs : room.experiment.startMs;
}

const onsetOf = (c: RecordContext): number => c.ts - onsetOrigin(c.room, c.shapes);

function participantAt(c: RecordContext) {
  const ps = c.room.participants;
  return ps[c.k % ps.length];
}

function stateFor(c: RecordContext): { stateId: string; stateName: string } {
  const onset = c.ts - c.room.startMs;
  const dur = c.room.endMs - c.room.startMs;
  const i = onset < 0 ? 0 : Math.min(STATE_NAMES.length - 1, 1 + Math.floor((onset / dur) * (STATE_NAMES.length - 1)));
  return { stateId: `state_${i}`, stateName: STATE_NAMES[i] };
}

function responseValue(rng: Rng, componentType: string): unknown {
  switch (componentType) {
    case 'TextInput':
      return rng.pick(CHAT_LINES);
    case 'MultipleChoice':
      return rng.bool(0.3) ? ['A', 'C'] : rng.pick(['A', 'B', 'C', 'D']);
    case 'VASRating':
    case 'Likert':
      return rng.int(1, 7);
    default:
      return { acknowledged: true, detail: { scrolledToEnd: rng.bool(0.8) } };
  }
}

const events: Generator = (c, rng) => {
  const p = participantAt(c);
  const onset = c.ts - c.room.startMs; // within the room: decides the phase of the session
  const dur = c.room.endMs - c.room.startMs;
  const { stateId, stateName } = stateFor(c);
  let category: string;
  let eventType: string;
  if (onset < 0) {
    category = 'pre_experiment';
    eventType = rng.pick(['consent.view', 'consent.accept', 'instructions.page', 'instructions.complete']);
  } else if (onset > dur - 60_000) {
    const sdkCategory = rng.bool(0.5) ? 'post_experiment' : 'questionnaire';
    category = c.shapes.questionnaireCategory === 'mixed' ? sdkCategory : 'post_experiment';
    eventType = 'questionnaire.answer';
  } else {
    category = rng.pick(['component', 'component', 'state', 'media', 'communication', 'sync', 'system']);
    eventType = {
      component: rng.pick(['component.start', 'component.complete']),
      state: rng.pick(['state.enter', 'state.exit']),
      media: rng.pick(['media.play', 'media.pause', 'video.recording.started']),
      communication: 'chat.message',
      sync: 'sync.check',
      system: rng.pick(['system.heartbeat', 'system.reconnect']),
    }[category] as string;
  }
  const componentType = rng.pick(COMPONENT_TYPES);
  const rec: JsonRecord = {
    id: `evt_${c.room.short}_${c.k}`,
    ...base(c, 'events'),
    participantId: p.id,
    participantRole: p.role,
    onset: onsetOf(c),
    timestamp: iso(c.ts),
    category,
    eventType,
    stateId,
    stateName,
  };
  if (category === 'system' && rng.bool(0.5)) delete rec.participantId; // server-side events carry no participant
  if (category === 'component' || category === 'pre_experiment' || category === 'questionnaire' || category === 'post_experiment') {
    rec.componentType = componentType;
    rec.componentId = `cmp_${componentType.toLowerCase()}_${rng.int(1, 9)}`;
    if (eventType.endsWith('complete') || eventType.endsWith('answer') || eventType.endsWith('accept')) {
      rec.response = { value: responseValue(rng, componentType), responseTime: rng.int(250, 9000) };
      if (rng.bool(0.1)) delete (rec.response as JsonRecord).responseTime;
    }
  }
  if (rng.bool(0.4)) rec.content = rng.pick(CHAT_LINES);
  if (rng.bool(0.6)) rec.duration = rng.int(10, 5000);
  if (rng.bool(0.3)) rec.clientTimestamp = iso(c.ts - rng.int(-40, 40));
  return rec;
};

const chat: Generator = (c, rng) => {
  const sender = participantAt(c);
  const others = c.room.participants.filter((p) => p.id !== sender.id);
  const direct = rng.bool(0.2) && others.length > 0;
  return {
    messageId: `msg_${c.room.short}_${c.k}`,
    ...base(c, 'chat'),
    senderId: sender.id,
    senderName: sender.name,
    content: rng.pick(CHAT_LINES),
    timestamp: iso(c.ts),
    onset: onsetOf(c),
    recipientIds: direct ? [rng.pick(others).id] : others.map((p) => p.id),
    messageType: c.shapes.chatMessageType === 'text' ? 'text' : direct ? 'direct' : 'broadcast',
  };
};

const videochat: Generator = (c, rng) => {
  const p = participantAt(c);
  const event = rng.pick(['participant_connected', 'track_published', 'connection_quality_changed', 'track_unpublished', 'participant_disconnected']);
  const rec: JsonRecord = {
    id: `vc_${c.room.short}_${c.k}`,
    ...base(c, 'videochat'),
    participantId: p.id,
    participantName: p.name,
    event,
    timestamp: iso(c.ts),
    onset: onsetOf(c),
    livekitRoom: `lk_${c.room.short}`,
  };
  if (event.startsWith('track')) rec.trackKind = rng.pick(['audio', 'video']);
  if (event === 'connection_quality_changed') rec.quality = rng.pick(['excellent', 'good', 'poor']);
  return rec;
};

const continuous: Generator = (c, rng) => {
  const ps = c.room.participants;
  const p = participantAt(c);
  const sample = Math.floor(c.k / ps.length);
  const phase = (c.k % ps.length) * 1.3;
  const raw = 50 + 35 * Math.sin(sample / 25 + phase) + rng.range(-4, 4);
  const onScale = Math.round(Math.min(100, Math.max(0, raw)) * 10) / 10; // the slider's 0–100
  const normalized = Math.round(onScale * 10) / 1000;
  const rec: JsonRecord = {
    ratingId: `cr_${c.room.short}_${c.k}`,
    ...base(c, 'ratings/continuous'),
    participantId: p.id,
    componentId: 'cmp_vasrating_cont',
    timestamp: iso(c.ts),
    onset: onsetOf(c),
  };
  if (c.shapes.continuousValue === 'normalized') Object.assign(rec, { value: normalized, normalizedValue: normalized, rawValue: onScale });
  else Object.assign(rec, { value: onScale, normalizedValue: Math.round(onScale) / 100, rawValue: Math.round(onScale * 0.8) });
  return Object.assign(rec, { scaleMin: 0, scaleMax: 100 });
};

const sparse: Generator = (c, rng) => {
  const p = participantAt(c);
  const onset = onsetOf(c);
  const rawValue = rng.int(0, 80);
  const responseTime = rng.int(600, 5000);
  const stimulusTime = rng.int(1000, 60_000);
  const confidence = rng.bool(0.7) ? null : rng.int(1, 5);
  const value = Math.round((rawValue / 80) * 1000) / 10;
  if (c.shapes.sparseRatings === 'documented') {
    return {
      ratingId: `sr_${c.room.short}_${c.k}`,
      ...base(c, 'ratings/sparse'),
      participantId: p.id,
      componentId: 'cmp_vasrating_engagement',
      timestamp: iso(c.ts),
      onset,
      value,
      responseTime,
      scaleMin: 0,
      scaleMax: 100,
      labels: { min: 'Not at all', max: 'Extremely' },
    };
  }
  // The SDK fixture (sparse_ratings_response.json): raw value on the slider, scale{}, the pause data.
  return {
    ratingId: `sr_${c.room.short}_${c.k}`,
    ...base(c, 'ratings/sparse'),
    participantId: p.id,
    timestamp: iso(c.ts),
    onset,
    rawOnset: onset + 20,
    clockOffsetApplied: 20,
    value,
    rawValue,
    scale: { min: 0, max: 80 },
    type: 'sparse',
    stateId: stateFor(c).stateId,
    stimulusId: `video_${c.room.short}`,
    stimulusTime,
    responseTime,
    confidence,
    metadata: { question: 'How engaging is this video?', dimension: 'engagement', componentType: 'vasrating', sampleIndex: c.k },
    ratingEndOnset: onset + responseTime,
    sparseRatingData: {
      videoId: `video_${c.room.short}`,
      pauseIndex: Math.floor(c.k / c.room.participants.length),
      videoRelativeTime: stimulusTime,
      pauseTimestamp: c.ts - 300,
      componentType: 'vasrating',
      componentData: { value: rawValue },
      previousRatings: null,
      mediaPauseOnset: onset - 300,
      mediaResumeOnset: onset + responseTime + 200,
      actualPauseDuration: responseTime + 500,
    },
    stateStartTime: iso(c.room.startMs),
    stateDuration: 60_000,
  };
};

const sync: Generator = (c, rng) => {
  const rec: JsonRecord = {
    metricId: `sync_${c.room.short}_${c.k}`,
    ...base(c, 'sync'),
    participantId: participantAt(c).id,
    timestamp: iso(c.ts),
    onset: onsetOf(c),
    timeDrift: Math.round(rng.range(-120, 120)),
    playbackRate: rng.pick([1, 1, 1, 0.95, 1.05]),
    syncQuality: syncQuality(Math.round(rng.range(0.5, 1) * 1000) / 1000, c.shapes),
    latency: rng.int(8, 300),
    bufferHealth: Math.round(rng.range(0, 30) * 10) / 10,
  };
  if (rng.bool(0.1)) delete rec.bufferHealth;
  return rec;
};

function syncQuality(q: number, shapes: ShapeConfig): number | string {
  if (shapes.syncQuality === 'number') return q;
  return q >= 0.85 ? 'good' : q >= 0.7 ? 'fair' : 'poor';
}

const components: Generator = (c, rng) => {
  const componentType = rng.pick(COMPONENT_TYPES);
  const completed = rng.bool(0.85);
  // The documented fields, plus participantId (whose response it is) and completed/response (the
  // documented filter and "how they responded"); id and roomId only with componentExtras.
  const extras = c.shapes.componentExtras;
  const rec: JsonRecord = {
    ...(extras ? { id: `cmpr_${c.room.short}_${c.k}` } : {}),
    componentId: `cmp_${componentType.toLowerCase()}_${rng.int(1, 9)}`,
    componentType,
    ...base(c, 'components'),
    ...(extras ? { roomId: c.room.id } : {}),
    participantId: participantAt(c).id,
    stateId: stateFor(c).stateId,
    config: { title: `${componentType} block`, required: rng.bool(0.5), options: componentType === 'MultipleChoice' ? ['A', 'B', 'C', 'D'] : undefined },
    timestamp: iso(c.ts),
    onset: onsetOf(c),
    completed,
    variableSnapshot: { trial: c.k % 12, condition: rng.pick(['congruent', 'incongruent']) },
  };
  if (completed) rec.response = { value: responseValue(rng, componentType), responseTime: rng.int(300, 12_000) };
  return rec;
};

const eyetracking: Generator = (c, rng) => {
  const valid = rng.bool(0.93);
  return {
    id: `gaze_${c.room.short}_${c.k}`,
    ...base(c, 'eyetracking'),
    participantId: participantAt(c).id,
    timestamp: iso(c.ts),
    onset: onsetOf(c),
    gazeX: valid ? Math.round(rng.range(0, 1) * 1000) / 1000 : null,
    gazeY: valid ? Math.round(rng.range(0, 1) * 1000) / 1000 : null,
    pupilDiameter: valid ? Math.round(rng.range(2.5, 6) * 100) / 100 : null,
    confidence: Math.round(rng.range(valid ? 0.6 : 0, valid ? 1 : 0.3) * 100) / 100,
    fixation: valid && rng.bool(0.6),
    validity: valid ? 'valid' : 'lost',
  };
};

const GENERATORS: Record<LazyStreamType, Generator> = {
  events,
  chat,
  videochat,
  'ratings/continuous': continuous,
  'ratings/sparse': sparse,
  sync,
  components,
  eyetracking,
};

/** Per-stream salt, so each record costs one integer hash to seed. */
export function recordSalt(seed: number, type: LazyStreamType, room: RoomM): number {
  return hash32(seed, type, room.short);
}

export function generateRecord(type: LazyStreamType, c: RecordContext, salt = recordSalt(c.seed, type, c.room)): JsonRecord {
  return GENERATORS[type](c, new Rng(hash32(salt, c.k)));
}

/** Participant ids a record belongs to (participant scope and counts). */
export function participantsOf(type: string, rec: JsonRecord): string[] {
  if (type === 'chat') return [rec.senderId as string, ...((rec.recipientIds as string[]) ?? [])];
  const id = rec.participantId;
  return typeof id === 'string' ? [id] : [];
}
