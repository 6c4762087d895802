// metadata.json: the provenance record of an export. Where the data came from (never the key),
// what was asked for, when, how many requests it cost, and per file its records, bytes and SHA-256,
// so a researcher can later prove a file is unchanged.
import type { AnonymizeMode, DataTypeId, ExportFormat, FormulaCellsSummary, LevelId, SourceId, SplitMode, Target } from '../../../../src-shared/model';
import { redactSecrets } from '../../../../src-shared/errors';
import type { TableId } from '../format/columns';
import { compareCodePoints } from '../naming';
import type { Anonymizer } from '../anonymize/anonymizer';

export const MANIFEST_FILE_NAME = 'metadata.json';
export const MANIFEST_SCHEMA_VERSION = 1;

export interface ManifestFile {
  path: string;
  /** Data type or table; "recording" for media files, "other" for anything else. */
  type: TableId | 'recording' | 'other';
  records?: number;
  bytes: number;
  sha256: string;
  /** A split file's group id, under its split's name: roomId, participantId (HyperStudy). */
  [groupField: `${string}Id`]: string | undefined;
  /** CSV files only: text cells a spreadsheet would run as formulas (listed when there are any). */
  formulaCells?: number;
}

export interface RecordingsSummary {
  total: number;
  downloaded: number;
  skipped: number;
  failed: number;
  bytes: number;
}

export interface ManifestInput {
  app: { name: string; version: string };
  /** The source's id ("hyperstudy"). */
  sourceId: SourceId;
  /** API base URL; any credentials in it are removed. */
  baseUrl: string;
  organizationId?: string;
  /** The target's root item, listed under its level's id ("experiment": { id, name }). */
  root: { level: LevelId; id: string; name?: string };
  target: Target;
  /** How the source names a target in metadata.json (its manifestTarget). */
  describeTarget: (t: Target) => Record<string, unknown>;
  /** Levels whose items are people: their ids in the target are pseudonymized. */
  personLevels?: readonly LevelId[];
  /** Tables listed but not counted as records (the source's listing tables, the media table). */
  nonDataTables?: readonly string[];
  filters: {
    types: DataTypeId[];
    since?: string;
    until?: string;
    format: ExportFormat;
    split: SplitMode;
    zip: boolean;
    recordings: boolean;
    bom?: boolean;
    formulaProtection?: boolean;
  };
  anonymization: AnonymizeMode;
  /** True when participant_code_map.csv was written. */
  codeMapWritten?: boolean;
  startedAt: string;
  finishedAt: string;
  requestsUsed: number;
  requestsPlanned?: number;
  files: ManifestFile[];
  recordings?: RecordingsSummary;
  /** Server `_warnings` and export warnings, shown to the user too. */
  warnings?: string[];
  /** Records the server reported per type (plan totals), to compare with what was written. */
  serverTotals?: Partial<Record<DataTypeId, number>>;
  /** Formula-looking cells of the CSV files (summarizeFormulaCells over the written files). */
  formulaCells?: FormulaCellsSummary;
  /** With pseudonymization: the export's anonymizer, applied to the target's participant id and the warnings. */
  anonymizer?: Pick<Anonymizer, 'mode' | 'participant' | 'rewriteString'>;
  /** More members, after the standard ones (a sync folder's `sync` history). */
  extra?: Record<string, unknown>;
}

export interface Manifest {
  schemaVersion: number;
  generator: { name: string; version: string };
  source: { kind: SourceId; baseUrl: string; organizationId?: string };
  /** The target as its source names it (HyperStudy: { level, experimentId, roomId?, participantId? }). */
  target: Record<string, unknown>;
  filters: ManifestInput['filters'];
  anonymization: { mode: AnonymizeMode; codeMapWritten: boolean };
  startedAt: string;
  finishedAt: string;
  requests: { used: number; planned?: number };
  totals: { files: number; bytes: number; records: number; recordsByType: Record<string, number>; serverTotals?: Partial<Record<DataTypeId, number>> };
  recordings?: RecordingsSummary;
  warnings: string[];
  /** Formula-looking text cells across the CSV files (present whenever the export has CSV files). */
  formulaCells?: FormulaCellsSummary;
  files: ManifestFile[];
  /** The root item under its level's id, e.g. experiment: { id, name }. */
  [rootLevel: string]: unknown;
}

/**
 * The formula-looking cells of an export from its files' counts; undefined when no file is a CSV
 * (counts exist for CSV files only). Files without any are left out of the list.
 */
export function summarizeFormulaCells(files: ReadonlyArray<{ path: string; formulaCells?: number }>, isProtected: boolean): FormulaCellsSummary | undefined {
  const csv = files.filter((f) => f.formulaCells !== undefined);
  if (!csv.length) return undefined;
  const withCells = csv
    .filter((f) => f.formulaCells! > 0)
    .map((f) => ({ path: f.path, cells: f.formulaCells! }))
    .sort((a, b) => compareCodePoints(a.path, b.path));
  return { total: withCells.reduce((n, f) => n + f.cells, 0), protected: isProtected, files: withCells };
}

/** Removes user info, query strings and fragments from a URL, and anything that looks like a key. */
export function sanitizeBaseUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    return redactSecrets(u.toString().replace(/\/+$/, ''));
  } catch {
    return redactSecrets(url.replace(/[?#].*$/, ''));
  }
}

/**
 * Builds the metadata.json object. Files are listed sorted by path; totals count records of data
 * tables (listing tables such as HyperStudy's rooms and participants, the media table and the
 * summaries are listed but not added to the record totals).
 */
export function buildManifest(input: ManifestInput): Manifest {
  const files = [...input.files].sort((a, b) => compareCodePoints(a.path, b.path));
  const recordsByType: Record<string, number> = {};
  let records = 0;
  let bytes = 0;
  const nonData = new Set(['summary_counts', 'summary_stats', 'participant_code_map', 'recording', 'other', ...(input.nonDataTables ?? [])]);
  for (const f of files) {
    bytes += f.bytes;
    if (f.records === undefined || nonData.has(f.type)) continue;
    recordsByType[f.type] = (recordsByType[f.type] ?? 0) + f.records;
    records += f.records;
  }
  const anon = input.anonymizer && input.anonymizer.mode !== 'keep' ? input.anonymizer : null;
  const people = new Set(input.personLevels ?? []);
  const target = input.describeTarget(anon ? { ...input.target, path: input.target.path.map((s) => (people.has(s.level) ? { ...s, id: anon.participant(s.id) } : s)) } : input.target);
  const warnings = (input.warnings ?? []).map((w) => redactSecrets(anon ? anon.rewriteString(w) : w));
  const manifest: Manifest = {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    generator: { name: input.app.name, version: input.app.version },
    source: { kind: input.sourceId, baseUrl: sanitizeBaseUrl(input.baseUrl), ...(input.organizationId ? { organizationId: input.organizationId } : {}) },
    [input.root.level]: { id: input.root.id, ...(input.root.name !== undefined ? { name: input.root.name } : {}) },
    target,
    filters: input.filters,
    anonymization: { mode: input.anonymization, codeMapWritten: !!input.codeMapWritten },
    startedAt: input.startedAt,
    finishedAt: input.finishedAt,
    requests: { used: input.requestsUsed, ...(input.requestsPlanned !== undefined ? { planned: input.requestsPlanned } : {}) },
    totals: { files: files.length, bytes, records, recordsByType, ...(input.serverTotals ? { serverTotals: input.serverTotals } : {}) },
    ...(input.recordings ? { recordings: input.recordings } : {}),
    warnings,
    ...(input.formulaCells ? { formulaCells: input.formulaCells } : {}),
    files,
    ...(input.extra ?? {}),
  };
  return manifest;
}

/** metadata.json text (2-space indented, trailing newline). */
export function manifestText(manifest: Manifest): string {
  return redactSecrets(JSON.stringify(manifest, null, 2)) + '\n';
}
