// Ids from outside (the renderer, the CLI, saved jobs) checked against a source's descriptor: the
// contract only knows they are short safe identifiers; whether "room" or "events" means anything
// is the active source's to say. Every refusal is INVALID_ARGUMENT in plain words.
import { StudyError } from '../../../src-shared/errors';
import type { DataTypeId, LevelDescriptor, LevelId, PathStep, SourceDescriptor, Target } from '../../../src-shared/model';

function invalid(message: string, fix: string): StudyError {
  return new StudyError({ code: 'INVALID_ARGUMENT', message, fix });
}

function levelOf(d: SourceDescriptor, id: LevelId): LevelDescriptor {
  const level = d.levels.find((l) => l.id === id);
  if (!level) throw invalid(`${d.label} has no level "${id}".`, `Use one of: ${d.levels.map((l) => l.id).join(', ')}.`);
  return level;
}

/** The levels from the root down to `id`. */
export function levelChain(d: SourceDescriptor, id: LevelId): LevelDescriptor[] {
  const chain: LevelDescriptor[] = [];
  for (let l: LevelDescriptor | undefined = levelOf(d, id); l; l = l.parent ? levelOf(d, l.parent) : undefined) {
    if (chain.includes(l)) break; // a cycle in a descriptor: the contract suite reports it
    chain.unshift(l);
  }
  return chain;
}

/** Throws unless `path` runs from the root level down, each step a child of the one before. */
export function checkPath(d: SourceDescriptor, path: readonly PathStep[]): void {
  path.forEach((step, i) => {
    const level = levelOf(d, step.level);
    const expectedParent = i === 0 ? null : path[i - 1].level;
    if (level.parent !== expectedParent) {
      const want = levelChain(d, step.level).map((l) => l.singular);
      throw invalid(`A ${level.singular} is named by its path ${want.join(' → ')}; this path does not follow it.`, `Give the ${want.join(', then the ')}.`);
    }
  });
}

/** Throws unless the target's level exists and its path leads to it. */
export function checkTarget(d: SourceDescriptor, t: Target): void {
  levelOf(d, t.level);
  checkPath(d, t.path);
  if (t.path[t.path.length - 1]?.level !== t.level) {
    throw invalid(`A ${t.level} target needs a path ending in the ${t.level}.`, 'Give the path from the top level down to the item.');
  }
}

/** Throws unless `level` may be listed under `parentPath`: a path from the root to one of its ancestors. */
export function checkListing(d: SourceDescriptor, level: LevelId, parentPath: readonly PathStep[]): void {
  const chain = levelChain(d, level);
  checkPath(d, parentPath);
  if (parentPath.length >= chain.length) {
    throw invalid(`${chain[chain.length - 1].label} are not listed under a ${parentPath[parentPath.length - 1].level}.`, `List them under a ${chain.slice(0, -1).map((l) => l.singular).join(' or ') || 'nothing: they are the top level'}.`);
  }
}

/** Throws unless every type is one of the source's data types. */
export function checkTypes(d: SourceDescriptor, types: readonly DataTypeId[]): void {
  for (const t of types) {
    if (!d.dataTypes.some((x) => x.id === t)) {
      throw invalid(`${d.label} has no data type "${t}" (argument: type).`, `Use one of: ${d.dataTypes.map((x) => x.id).join(', ')}.`);
    }
  }
}

/** Throws unless the split mode is "none" or one the source declares. */
export function checkSplit(d: SourceDescriptor, split: string): void {
  if (split !== 'none' && !d.splits.some((s) => s.id === split)) {
    throw invalid(`${d.label} cannot split files by "${split}" (argument: split).`, `Use one of: none, ${d.splits.map((s) => s.id).join(', ')}.`);
  }
}

/** Throws unless the anonymization mode is one the source offers (BrainSTEM: keep only). */
export function checkAnonymization(d: SourceDescriptor, mode: string): void {
  if (!d.anonymization.includes(mode as SourceDescriptor['anonymization'][number])) {
    throw invalid(`${d.label} exports cannot be anonymized as "${mode}" (argument: anonymize).`, `Use one of: ${d.anonymization.join(', ')}.`);
  }
}
