// Reading generic targets and paths (model.ts: Target, PathStep). Pure; shared by the core, the CLI
// and the renderer, so nobody spells out a source's levels to find an id in a path.
import type { LevelId, PathStep, Target } from './model';

/** The id of the target's own item (the last step of its path). */
export function targetItemId(t: Target): string {
  return t.path[t.path.length - 1]?.id ?? '';
}

/** The id of the path's step at `level`, or undefined when the path does not pass through it. */
export function pathIdAt(path: readonly PathStep[], level: LevelId): string | undefined {
  return path.find((s) => s.level === level)?.id;
}

/** The target's root item (the first step of its path). */
export function targetRoot(t: Target): PathStep {
  return t.path[0] ?? { level: t.level, id: '' };
}

/** A target for the last step of a path. */
export function targetAt(path: readonly PathStep[]): Target {
  const last = path[path.length - 1];
  return { level: last?.level ?? '', path: path.map((s) => ({ level: s.level, id: s.id })) };
}

/** A stable text key for a path (cache keys, maps). */
export function pathKey(path: readonly PathStep[]): string {
  return path.map((s) => `${s.level}=${s.id}`).join('\u0000');
}
