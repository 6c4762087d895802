// metadata.json: the provenance record of an export. Where the data came from (never the key),
// what was asked for, when, how many requests it cost, and per file its records, bytes and SHA-256,
// so a researcher can later prove a file is unchanged.
import type { AnonymizeMode, DataTypeId, ExportFormat, FormulaCellsSummary, SplitMode, Target } from '../../../../src-shared/model';
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
  roomId?: string;
  participantId?: string;
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
  /** API base URL; any credentials in it are removed. */
  baseUrl: string;
  organizationId?: string;
  experiment: { id: string; name?: string };
  target: Target;
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
}

export interface Manifest {
  schemaVersion: number;
  generator: { name: string; version: string };
  source: { kind: 'hyperstudy'; baseUrl: string; organizationId?: string };
  experiment: { id: string; name?: string };
  target: Target;
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
 * tables (rooms, participants and summaries are listed but not added to the record totals).
 */
export function buildManifest(input: ManifestInput): Manifest {
  const files = [...input.files].sort((a, b) => compareCodePoints(a.path, b.path));
  const recordsByType: Record<string, number> = {};
  let records = 0;
  let bytes = 0;
  const nonData = new Set(['rooms', 'participants', 'recordings_metadata', 'summary_counts', 'summary_stats', 'participant_code_map', 'recording', 'other']);
  for (const f of files) {
    bytes += f.bytes;
    if (f.records === undefined || nonData.has(f.type)) continue;
    recordsByType[f.type] = (recordsByType[f.type] ?? 0) + f.records;
    records += f.records;
  }
  const anon = input.anonymizer && input.anonymizer.mode !== 'keep' ? input.anonymizer : null;
  const target: Target = anon && input.target.participantId ? { ...input.target, participantId: anon.participant(input.target.participantId) } : input.target;
  const warnings = (input.warnings ?? []).map((w) => redactSecrets(anon ? anon.rewriteString(w) : w));
  const manifest: Manifest = {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    generator: { name: input.app.name, version: input.app.version },
    source: { kind: 'hyperstudy', baseUrl: sanitizeBaseUrl(input.baseUrl), ...(input.organizationId ? { organizationId: input.organizationId } : {}) },
    experiment: { id: input.experiment.id, ...(input.experiment.name !== undefined ? { name: input.experiment.name } : {}) },
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
  };
  return manifest;
}

/** metadata.json text (2-space indented, trailing newline). */
export function manifestText(manifest: Manifest): string {
  return redactSecrets(JSON.stringify(manifest, null, 2)) + '\n';
}
