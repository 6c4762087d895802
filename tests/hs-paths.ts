// HyperStudy's generic paths and targets, for tests: the contract names an item by its path from
// the root level down (experiment, then room, then participant).
import type { PathStep, Target } from '../src-shared/model';

/** The path to an experiment, one of its rooms, or a participant of that room. */
export function hsPath(experimentId: string, roomId?: string, participantId?: string): PathStep[] {
  const path: PathStep[] = [{ level: 'experiment', id: experimentId }];
  if (roomId !== undefined) path.push({ level: 'room', id: roomId });
  if (participantId !== undefined) path.push({ level: 'participant', id: participantId });
  return path;
}

/** The target at the end of hsPath. */
export function hsTarget(experimentId: string, roomId?: string, participantId?: string): Target {
  const path = hsPath(experimentId, roomId, participantId);
  return { level: path[path.length - 1].level, path };
}
