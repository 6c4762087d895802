// What a HyperStudy export carries besides its data: the experiment object (experiment.json), its
// rooms and its participants (rooms.csv, participants.csv), narrowed to the target. The
// participants are the people pseudonymization codes; their rooms place records that name no room.
import type { Target } from '../../../../src-shared/model';
import type { ExportListings, RequestOptions } from '../source';
import type { HyperStudyClient } from './client-types';
import { participantRooms } from './record-room';
import { readTarget } from './targets';

export const EXPERIMENT_FILE_NAME = 'experiment.json';

/** A room's status once its session is over: no more data comes (the documented values are active and completed). */
const FINISHED_ROOM = /^(completed|complete|ended|finished|closed|archived)$/i;

/**
 * What will get no more data: completed rooms, the participants of those rooms, and (for an
 * experiment target, whose listing holds all its rooms) the experiment when it says it is
 * completed and every one of its rooms is.
 */
function settledItems(experimentId: string | null, experimentStatus: string | undefined, rooms: Array<{ id: string; status?: string }>, people: Array<{ id: string; roomId?: string }>): Record<string, string[]> {
  const done = new Set(rooms.filter((r) => r.status !== undefined && FINISHED_ROOM.test(r.status)).map((r) => r.id));
  const allDone = experimentId !== null && rooms.length > 0 && done.size === rooms.length && experimentStatus !== undefined && FINISHED_ROOM.test(experimentStatus);
  return {
    room: [...done],
    participant: people.filter((p) => p.roomId !== undefined && done.has(p.roomId)).map((p) => p.id),
    experiment: allDone ? [experimentId!] : [],
  };
}

function nameOf(experiment: Record<string, unknown>): string | undefined {
  return typeof experiment.name === 'string' ? experiment.name : undefined;
}

export async function hyperstudyExportListings(client: HyperStudyClient, target: Target, opts: RequestOptions): Promise<ExportListings> {
  const t = readTarget(target);
  const experiment = await client.getExperiment(t.experimentId, opts);
  const rooms = await client.listRooms(t.experimentId, opts);
  const participants = t.level === 'experiment' ? await client.listParticipants('experiment', t.experimentId, opts) : await client.listParticipants('room', t.roomId!, opts);
  const roomItems = t.level === 'experiment' ? rooms.items : rooms.items.filter((r) => r.id === t.roomId);
  const people = t.level === 'participant' ? participants.items.filter((p) => p.id === t.participantId) : participants.items;
  const name = nameOf(experiment);
  // The target's own item, by name when it has one (the export's name says which room or participant).
  const own = t.level === 'participant' ? people.find((p) => p.id === t.participantId) : t.level === 'room' ? roomItems.find((r) => r.id === t.roomId) : undefined;
  const ownId = t.level === 'participant' ? t.participantId : t.level === 'room' ? t.roomId : undefined;
  const ownName = typeof own?.name === 'string' && own.name.trim() ? own.name : undefined;
  return {
    root: { level: 'experiment', id: t.experimentId, ...(name !== undefined ? { name } : {}) },
    ...(ownId !== undefined ? { item: { level: t.level, id: ownId, ...(ownName !== undefined ? { name: ownName } : {}) } } : {}),
    files: [
      { kind: 'json', path: EXPERIMENT_FILE_NAME, value: experiment },
      { kind: 'table', table: 'rooms', records: roomItems as unknown as Array<Record<string, unknown>> },
      { kind: 'table', table: 'participants', records: people as unknown as Array<Record<string, unknown>> },
    ],
    filesLabel: 'the experiment, rooms and participants',
    people: people.map((p) => ({ id: p.id, ...(p.name ? { name: p.name } : {}), ...(typeof (p as { email?: unknown }).email === 'string' ? { email: (p as { email?: string }).email } : {}) })),
    groups: { room: roomItems.map((r) => r.id), participant: people.map((p) => p.id) },
    personGroups: { room: Object.fromEntries(participantRooms(people)) },
    settled: settledItems(t.level === 'experiment' ? t.experimentId : null, typeof experiment.status === 'string' ? experiment.status : undefined, roomItems, people),
    warnings: [...rooms.warnings, ...participants.warnings],
  };
}
