// The list of sources. The only module that imports a source's entry point (an ESLint rule keeps
// it so): everything else finds a source here, by id, and talks to it through the port (source.ts).
import { StudyError } from '../../../src-shared/errors';
import type { SourceDescriptor, SourceId, Target } from '../../../src-shared/model';
import { brainstem } from './brainstem/index';
import { hyperstudy } from './hyperstudy/index';
import type { SourceModule } from './source';

/** Every source, the default (the one a profile without a source, or a legacy job, means) first. */
export const SOURCES: readonly SourceModule[] = [hyperstudy, brainstem];

/** The source of profiles and jobs saved before sources were plug-ins. */
export const DEFAULT_SOURCE_ID: SourceId = SOURCES[0].id;

export function isSourceId(id: string): boolean {
  return SOURCES.some((s) => s.id === id);
}

/** The source with this id; INVALID_ARGUMENT naming the known ones otherwise. */
export function sourceModule(id: SourceId = DEFAULT_SOURCE_ID): SourceModule {
  const found = SOURCES.find((s) => s.id === id);
  if (found) return found;
  throw new StudyError({
    code: 'INVALID_ARGUMENT',
    message: `There is no source "${String(id).slice(0, 64)}".`,
    fix: `Use one of: ${SOURCES.map((s) => s.id).join(', ')}.`,
  });
}

/** The source's name for people ("BrainSTEM"); the id itself for one this build does not know. */
export function sourceLabel(id: string): string {
  return SOURCES.find((s) => s.id === id)?.descriptor.label ?? id;
}

export function sourceDescriptor(id: SourceId = DEFAULT_SOURCE_ID): SourceDescriptor {
  return sourceModule(id).descriptor;
}

/** The sources whose credential may come from the environment (each names its own variables). */
export function sourcesWithEnvironmentKey(): SourceModule[] {
  return SOURCES.filter((s) => s.environmentKey);
}

/** The first of them (the default source's: HyperStudy), as older callers asked. */
export function sourceWithEnvironmentKey(): SourceModule | undefined {
  return sourcesWithEnvironmentKey()[0];
}

/** A target saved before targets were generic (its source is the default one), or null. */
export function upgradeLegacyTarget(raw: unknown): Target | null {
  return sourceModule(DEFAULT_SOURCE_ID).legacyTarget?.(raw) ?? null;
}
