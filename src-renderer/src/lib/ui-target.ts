// The renderer's target while its views are still drawn as experiment → room → participant: the
// contract's targets are generic paths ({ level, path }), converted here at the api boundary only.
// (Goes once navigation is a generic path of (level, id) pairs drawn from the descriptor.)
import type { ExportRequest, LevelId, PathStep, Target } from '../../../src-shared/model';
import { pathIdAt } from '../../../src-shared/target';

export interface UiTarget {
  level: LevelId;
  experimentId: string;
  roomId?: string;
  participantId?: string;
}

/** An export request as the export dialog builds it (with a UiTarget). */
export type UiExportRequest = Omit<ExportRequest, 'target'> & { target: UiTarget };

/** The path from the experiment down to the target. */
export function uiPath(t: Pick<UiTarget, 'experimentId' | 'roomId' | 'participantId'>): PathStep[] {
  const path: PathStep[] = [{ level: 'experiment', id: t.experimentId }];
  if (t.roomId !== undefined) path.push({ level: 'room', id: t.roomId });
  if (t.participantId !== undefined) path.push({ level: 'participant', id: t.participantId });
  return path;
}

export function toTarget(t: UiTarget): Target {
  return { level: t.level, path: uiPath(t) };
}

export function fromTarget(t: Target): UiTarget {
  const roomId = pathIdAt(t.path, 'room');
  const participantId = pathIdAt(t.path, 'participant');
  return { level: t.level, experimentId: pathIdAt(t.path, 'experiment') ?? '', ...(roomId !== undefined ? { roomId } : {}), ...(participantId !== undefined ? { participantId } : {}) };
}
