// Column order for CSV output: the documented schema of each table first (always present, so a
// script reading the file can rely on it even when a field is missing from every record), then any
// fields the data brought along, in the order they were first seen. Same input, same columns.
import type { DataTypeId } from '../../../../src-shared/model';
import type { FlatRow } from './flatten';

/** A table the export writes: a data type, or one of the listing tables. */
export type TableId = DataTypeId | 'rooms' | 'participants' | 'recordings_metadata' | SummaryTableId;

/** Tables of anonymized exports: aggregate summaries and the (optional) pseudonym code map. */
export type SummaryTableId = 'summary_counts' | 'summary_stats' | 'participant_code_map';

const TIMING = ['onset', 'onset_sec', 'timestamp'];

/** Documented fields per table, as flattened column names (docs/hyperstudy-api-notes.md). */
export const KNOWN_COLUMNS: Readonly<Record<TableId, readonly string[]>> = {
  events: ['id', 'experimentId', 'roomId', 'sessionId', 'participantId', 'participantRole', ...TIMING, 'category', 'eventType', 'componentType', 'componentId', 'stateId', 'stateName', 'content', 'response_value', 'response_responseTime', 'duration'],
  components: ['componentId', 'componentType', 'experimentId', 'participantId', 'stateId', ...TIMING, 'completed'],
  recordings: ['recordingId', 'experimentId', 'roomId', 'participantId', 'participantName', 'startTime', 'endTime', 'duration', 'videoOffset', 'format', 'fileSize', 'status', 'fileName', 'metadata_type', 'metadata_recordingType'],
  chat: ['messageId', 'experimentId', 'roomId', 'senderId', 'senderName', 'recipientIds', 'messageType', ...TIMING, 'content'],
  videochat: ['id', 'experimentId', 'roomId', 'participantId', 'participantName', ...TIMING, 'event'],
  'ratings-continuous': ['ratingId', 'experimentId', 'roomId', 'participantId', 'componentId', ...TIMING, 'value', 'normalizedValue', 'rawValue', 'scaleMin', 'scaleMax'],
  'ratings-sparse': ['ratingId', 'experimentId', 'roomId', 'participantId', 'componentId', ...TIMING, 'value', 'responseTime', 'scaleMin', 'scaleMax', 'labels_min', 'labels_max'],
  sync: ['metricId', 'experimentId', 'roomId', 'participantId', ...TIMING, 'timeDrift', 'playbackRate', 'syncQuality', 'latency', 'bufferHealth'],
  eyetracking: ['id', 'experimentId', 'roomId', 'participantId', ...TIMING, 'gazeX', 'gazeY', 'pupilDiameter', 'confidence', 'fixation', 'validity'],
  variables: ['variable', 'value', 'source', 'persisted'],
  rooms: ['id', 'experimentId', 'deploymentId', 'deploymentName', 'name', 'status', 'participantCount', 'startTime', 'endTime'],
  participants: ['id', 'experimentId', 'roomId', 'name', 'email', 'role', 'status', 'completionCode', 'joinedAt', 'completedAt'],
  summary_counts: ['participant', 'type', 'records', 'first_timestamp', 'last_timestamp'],
  summary_stats: ['participant', 'type', 'field', 'n', 'min', 'max', 'mean', 'sd'],
  participant_code_map: ['code', 'participantId', 'name', 'email'],
  recordings_metadata: ['recordingId', 'roomId', 'participantId', 'participantName', 'format', 'fileSize', 'status', 'local_path', 'download_status'],
};

/** File base name of a table: "ratings-continuous" → "ratings_continuous". */
export function tableFileBase(table: TableId): string {
  return table.replace(/[^a-z0-9]+/gi, '_');
}

export interface ColumnSet {
  /** Notes the keys of one flattened row. */
  add(row: FlatRow): void;
  /** Notes one column name (in the order the row would list it). */
  addName(name: string): void;
  /** Known columns first, then new ones in first-seen order. */
  columns(): string[];
}

/**
 * Collects the column union of a table. `known` overrides the documented schema (e.g. [] to keep
 * only what the data has); `omit` names documented columns to leave out unless the data has them
 * (e.g. PII that anonymization removes): if a record does carry one, it keeps its documented place.
 */
export function createColumnSet(table: TableId, opts: { known?: readonly string[]; omit?: ReadonlySet<string> } = {}): ColumnSet {
  const known = [...new Set(opts.known ?? KNOWN_COLUMNS[table] ?? [])];
  const knownSet = new Set(known);
  const seenKnown = new Set<string>();
  const extras = new Set<string>();
  const addName = (key: string) => {
    if (knownSet.has(key)) seenKnown.add(key);
    else extras.add(key);
  };
  return {
    add(row) {
      for (const key of Object.keys(row)) addName(key);
    },
    addName,
    columns: () => [...known.filter((c) => !opts.omit?.has(c) || seenKnown.has(c)), ...extras],
  };
}
