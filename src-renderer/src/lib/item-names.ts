// What the app calls an item on a path: its name where the listings gave one, else its id.
// The one place that knows which hierarchy store holds which level's items.
import type { HierarchyState } from '../stores/hierarchy-store';
import { participantKey, roomKey } from '../stores/hierarchy-store';
import { idAt, type PathStep } from './location';

/** The name of the step at `index` of `path`, if the listings loaded so far know it. */
export function itemName(h: HierarchyState, path: readonly PathStep[], index: number): string | undefined {
  const step = path[index];
  if (!step) return undefined;
  const experimentId = idAt(path, 'experiment');
  switch (step.level) {
    case 'experiment':
      return h.experimentsById[step.id]?.name;
    case 'room':
      return experimentId ? h.roomsById[roomKey(experimentId, step.id)]?.name : undefined;
    case 'participant': {
      const roomId = idAt(path, 'room');
      return (roomId ? h.participantsByKey[participantKey(roomId, step.id)]?.name : undefined) ?? (experimentId ? h.studyParticipants[experimentId]?.[step.id]?.name : undefined);
    }
    default:
      return undefined;
  }
}

/** The listings names come from. */
export type NameSources = Pick<HierarchyState, 'studyParticipants' | 'participantsByKey' | 'roomsById'>;

/** The name of the item a data field names (e.g. a participantId column), if known in this study. */
export function nameForField(h: NameSources, path: readonly PathStep[], field: string, value: string): string | undefined {
  const level = /^(.+)Id$/.exec(field)?.[1];
  if (!level || !value) return undefined;
  const experimentId = idAt(path, 'experiment');
  if (level === 'participant' && experimentId) {
    const roomId = idAt(path, 'room');
    return (roomId ? h.participantsByKey[participantKey(roomId, value)]?.name : undefined) ?? h.studyParticipants[experimentId]?.[value]?.name;
  }
  if (level === 'room' && experimentId) return h.roomsById[roomKey(experimentId, value)]?.name;
  return undefined;
}
