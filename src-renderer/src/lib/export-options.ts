// Pure helpers for the export dialog: which split modes fit a level, ISO conversion of the time range,
// and the plain-words explanation of each anonymization mode.
import type { AnonymizeMode, LevelId, SplitMode } from '../../../src-shared/model';

export function splitOptionsFor(level: LevelId): SplitMode[] {
  if (level === 'experiment') return ['none', 'room', 'participant'];
  if (level === 'room') return ['none', 'participant'];
  return ['none'];
}

export const SPLIT_LABEL: Record<SplitMode, string> = {
  none: 'One file per data type',
  room: 'One file per room',
  participant: 'One file per participant',
};

export const ANONYMIZE_INFO: Record<AnonymizeMode, { label: string; explain: string }> = {
  keep: { label: 'Keep identifiers', explain: 'Participant IDs, names and emails stay as HyperStudy stores them. For your own lab analysis.' },
  pseudonymize: { label: 'Pseudonymize', explain: 'Participant IDs become codes (P001, P002 …) everywhere, file names included, and each participant keeps the same code in every export of this study; names, emails and IP addresses are removed.' },
  aggregate: { label: 'Aggregate only', explain: 'No individual records: for each participant code and data type, the record count, first and last time, and min/max/mean/SD of the numeric values. For sharing summaries.' },
};

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
