// Pure helpers for the export dialog, from the source's descriptor: which split modes a level
// offers, which anonymization modes the source has and what each does in plain words (naming
// the source's people and studies by its own level words), and ISO conversion of the time range.
import type { AnonymizeMode, LevelId, SourceDescriptor, SplitMode } from '../../../src-shared/model';
import { cap, personLevel } from './levels';

export interface SplitChoice { id: SplitMode; label: string }

/** "One file per data type", then the source's splits offered at this level. */
export function splitChoicesAt(descriptor: SourceDescriptor | null, level: LevelId): SplitChoice[] {
  const splits = (descriptor?.splits ?? []).filter((s) => s.offeredAt.includes(level)).map((s) => ({ id: s.id, label: s.label }));
  return [{ id: 'none', label: 'One file per data type' }, ...splits];
}

export interface AnonymizeChoice { mode: AnonymizeMode; label: string; explain: string }

const LABELS: Record<AnonymizeMode, string> = { keep: 'Keep identifiers', pseudonymize: 'Pseudonymize', aggregate: 'Aggregate only' };

/** The words for a mode (a finished job's summary). */
export function anonymizeLabel(mode: AnonymizeMode): string {
  return LABELS[mode] ?? mode;
}

/** The source's anonymization modes, each explained with its own words for people and studies. */
export function anonymizeChoices(descriptor: SourceDescriptor | null): AnonymizeChoice[] {
  if (!descriptor) return [];
  const person = personLevel(descriptor);
  const one = person?.singular ?? 'person';
  const study = descriptor.levels.find((l) => l.parent === null)?.singular ?? 'study';
  const source = descriptor.label;
  const explain: Record<AnonymizeMode, string> = {
    keep: person
      ? `${cap(one)} IDs, names and emails stay as ${source} stores them. For your own lab analysis.`
      : `Records stay as ${source} stores them.`,
    pseudonymize: `${cap(one)} IDs become codes (P001, P002 …) everywhere, file names included, and each ${one} keeps the same code in every export of this ${study}; names, emails and IP addresses are removed.`,
    aggregate: `No individual records: for each ${one} code and data type, the record count, first and last time, and min/max/mean/SD of the numeric values. For sharing summaries.`,
  };
  return descriptor.anonymization.map((mode) => ({ mode, label: LABELS[mode], explain: explain[mode] }));
}

/** A `datetime-local` value (local time, no zone) to ISO; empty → undefined. */
export function localToIso(value: string): string | undefined {
  if (!value) return undefined;
  const t = new Date(value);
  return Number.isNaN(t.getTime()) ? undefined : t.toISOString();
}

/** An ISO time as a `datetime-local` value (local time, to the second); undefined or invalid → empty. */
export function isoToLocal(iso: string | undefined): string {
  const t = iso ? new Date(iso) : null;
  if (!t || Number.isNaN(t.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  const seconds = t.getSeconds() ? `:${pad(t.getSeconds())}` : '';
  return `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}T${pad(t.getHours())}:${pad(t.getMinutes())}${seconds}`;
}

/** True when the range is set and ends before it starts. */
export function rangeInverted(since?: string, until?: string): boolean {
  return !!since && !!until && Date.parse(since) > Date.parse(until);
}
