// HyperStudy's reading of a generic target: an experiment, a room of it, or a participant of a
// room. Participant data is asked for with its roomId (some servers need it), so a participant
// stream carries the room as a parameter.
import { StudyError } from '../../../../src-shared/errors';
import type { Scope, Target } from '../../../../src-shared/model';
import { pathIdAt } from '../../../../src-shared/target';

export interface HyperStudyTarget {
  level: 'experiment' | 'room' | 'participant';
  experimentId: string;
  roomId?: string;
  participantId?: string;
}

function invalid(message: string): StudyError {
  return new StudyError({ code: 'INVALID_ARGUMENT', message, fix: 'Choose an experiment, a room, or a participant with its room.' });
}

/** The experiment, room and participant a target names. */
export function readTarget(t: Target): HyperStudyTarget {
  if (t.level !== 'experiment' && t.level !== 'room' && t.level !== 'participant') throw invalid(`HyperStudy has no level "${t.level}".`);
  const roomId = pathIdAt(t.path, 'room');
  const participantId = pathIdAt(t.path, 'participant');
  return {
    level: t.level,
    experimentId: pathIdAt(t.path, 'experiment') ?? '',
    ...(roomId !== undefined ? { roomId } : {}),
    ...(participantId !== undefined ? { participantId } : {}),
  };
}

/** The scope a target's data is paged at (participant data with its room). */
export function targetScope(target: Target): { scope: Scope; scopeId: string; roomId?: string } {
  const t = readTarget(target);
  if (t.level === 'participant') {
    if (!t.participantId || !t.roomId) throw invalid('A participant target needs the participant id and its room id.');
    return { scope: 'participant', scopeId: t.participantId, roomId: t.roomId };
  }
  if (t.level === 'room') {
    if (!t.roomId) throw invalid('A room target needs the room id.');
    return { scope: 'room', scopeId: t.roomId };
  }
  return { scope: 'experiment', scopeId: t.experimentId };
}

/** The target as metadata.json has always named it: { level, experimentId, roomId?, participantId? }. */
export function manifestTarget(target: Target): Record<string, unknown> {
  const t = readTarget(target);
  return {
    level: t.level,
    experimentId: t.experimentId,
    ...(t.roomId !== undefined ? { roomId: t.roomId } : {}),
    ...(t.participantId !== undefined ? { participantId: t.participantId } : {}),
  };
}

/** A target saved before targets were generic ({ level, experimentId, roomId?, participantId? }), as a generic one. */
export function legacyTarget(raw: unknown): Target | null {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const t = raw as Record<string, unknown>;
  if ('path' in t || typeof t.level !== 'string' || typeof t.experimentId !== 'string') return null;
  const path = [{ level: 'experiment', id: t.experimentId }];
  if (typeof t.roomId === 'string') path.push({ level: 'room', id: t.roomId });
  if (typeof t.participantId === 'string') path.push({ level: 'participant', id: t.participantId });
  return { level: t.level, path };
}
