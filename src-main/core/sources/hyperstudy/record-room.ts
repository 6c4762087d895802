// The room a HyperStudy record belongs to, decided here and nowhere else. Records name their room
// in different ways (docs/hyperstudy-api-notes.md): most types carry roomId; the documented events
// carry sessionId, which is the room id; some records name neither, and then the room is the one
// their participant was in (from the participants listing).

/** Participant id → room id, from the participants listing. */
export type ParticipantRooms = ReadonlyMap<string, string>;

/** Fields that name the participant a record belongs to (chat: its sender). */
export const RECORD_PARTICIPANT_FIELDS = ['participantId', 'senderId', 'userId'] as const;

function idIn(record: Record<string, unknown>, field: string): string | null {
  const v = record[field];
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

/** The participant a record belongs to, or null (server-side events have none). */
export function participantOfRecord(record: Record<string, unknown>): string | null {
  for (const f of RECORD_PARTICIPANT_FIELDS) {
    const id = idIn(record, f);
    if (id !== null) return id;
  }
  return null;
}

/** The participants listing as a lookup from participant to room. */
export function participantRooms(participants: Iterable<{ id: string; roomId?: string }>): Map<string, string> {
  const m = new Map<string, string>();
  for (const p of participants) if (p.roomId && !m.has(p.id)) m.set(p.id, p.roomId);
  return m;
}

/** The record's room: roomId, else sessionId, else its participant's room; null when nothing tells. */
export function roomOfRecord(record: Record<string, unknown>, rooms?: ParticipantRooms): string | null {
  const own = idIn(record, 'roomId') ?? idIn(record, 'sessionId');
  if (own !== null) return own;
  const participant = participantOfRecord(record);
  return participant !== null ? (rooms?.get(participant) ?? null) : null;
}
