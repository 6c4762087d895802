// BrainSTEM's reading of a generic target and of item ids. An export reads one project, one
// session or one subject; a session or a subject is read by its own id (it may belong to several
// projects, so the project in its path is context only and may be '-' when it is not known).
import { StudyError } from '../../../../src-shared/errors';
import type { PathStep, Target } from '../../../../src-shared/model';
import type { ScopeLevelId } from './source-descriptor';

export interface BrainstemTarget {
  level: ScopeLevelId;
  id: string;
  /** The project the path names, when it names one. */
  projectId?: string;
}

/** BrainSTEM ids: lowercase v4 UUIDs, small integers for users (reference §1.1). */
const BRAINSTEM_ID = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d{1,18})$/i;

export function looksLikeBrainstemId(id: string): boolean {
  return BRAINSTEM_ID.test(id);
}

/**
 * NOT_FOUND, without a request, for an id BrainSTEM cannot have (the server would answer 400 to
 * it in a filter): says what ids look like.
 */
export function checkItemId(level: string, id: string, portal: string): void {
  if (looksLikeBrainstemId(id)) return;
  throw new StudyError({
    code: 'NOT_FOUND',
    message: `BrainSTEM has no ${level} "${id.slice(0, 80)}" on the ${portal} portal: its ids look like 3f5ea7d7-4bac-47ed-8f03-fa9661ab0f67.`,
    fix: 'Copy the id from `studydl --source brainstem ls` or from the app.',
  });
}

/** The project, session or subject a target names. */
export function readTarget(t: Target): BrainstemTarget {
  const last = t.path[t.path.length - 1];
  if ((t.level !== 'project' && t.level !== 'session' && t.level !== 'subject') || !last) {
    throw new StudyError({
      code: 'INVALID_ARGUMENT',
      message: `BrainSTEM data is exported per project, session or subject, not per ${t.level.replace(/_/g, ' ')}.`,
      fix: 'Choose a project, a session or a subject.',
    });
  }
  const project = t.path.find((s) => s.level === 'project')?.id;
  return { level: t.level, id: last.id, ...(project && project !== '-' ? { projectId: project } : {}) };
}

/** The target as metadata.json names it: { level, projectId?, sessionId? | subjectId? }. */
export function manifestTarget(t: Target): Record<string, unknown> {
  const r = readTarget(t);
  return {
    level: r.level,
    ...(r.projectId !== undefined ? { projectId: r.projectId } : {}),
    ...(r.level !== 'project' ? { [`${r.level}Id`]: r.id } : {}),
  };
}

/** The id of `level` in a path, or undefined. */
export function idAt(path: readonly PathStep[], level: string): string | undefined {
  return path.find((s) => s.level === level)?.id;
}
