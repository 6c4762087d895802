// README.txt: a short plain-text guide to the export, written for a researcher opening the folder
// for the first time: what each file is, what a row means, the key columns, and how to load it.
import type { DataTypeId } from '../../../../src-shared/model';
import type { ReadmeInput } from '../source';
import { tableFileBase } from '../../export/format/columns';
import { formulaSection } from '../../export/manifest/readme-formulas';

export type { ReadmeInput } from '../source';

/** What one row (record) of each data type is, and its key columns. */
export const TYPE_DESCRIPTIONS: Readonly<Record<DataTypeId, { row: string; keys: string }>> = {
  events: { row: 'one event logged during the session (a component shown, a state entered, a response given)', keys: 'eventType, category, componentType, stateId, content, response_value' },
  components: { row: 'one component (screen element) instance and its configuration', keys: 'componentId, componentType, stateId' },
  recordings: { row: 'one audio or video recording', keys: 'recordingId, participantId, startTime, endTime, duration (ms), format, fileSize (bytes)' },
  chat: { row: 'one chat message', keys: 'senderId, recipientIds (JSON list), messageType, content' },
  videochat: { row: 'one video-call (LiveKit) connection or session event', keys: 'participantId, event, timestamp' },
  'ratings-continuous': { row: 'one sample of a continuous rating (e.g. a slider moved while watching a video)', keys: 'value, normalizedValue, rawValue, scaleMin, scaleMax' },
  'ratings-sparse': { row: 'one discrete rating given at a pause', keys: 'value, rawValue, responseTime (ms), stimulusId, sparseRatingData_*' },
  sync: { row: 'one media synchronisation measurement', keys: 'timeDrift, syncQuality, latency, bufferHealth, playbackRate' },
  eyetracking: { row: 'one eye-tracking gaze sample', keys: 'gazeX, gazeY (screen fractions), pupilDiameter, confidence, fixation, validity' },
  variables: { row: 'one experiment variable value (room scope)', keys: 'variable, value, source' },
};

function ext(format: ReadmeInput['format']): string {
  return format;
}

/** README.txt text, CRLF line endings so Notepad shows it properly everywhere. */
export function readmeText(input: ReadmeInput): string {
  const e = ext(input.format);
  const name = input.root.name ? `"${input.root.name}" (${input.root.id})` : input.root.id;
  const lines: string[] = [];
  const add = (...ls: string[]) => lines.push(...ls);
  add(`Study Downloader export of HyperStudy experiment ${name}`, `Exported ${input.exportedAt} with ${input.appName} ${input.appVersion}.`, '');
  add('FILES', '');
  add('  metadata.json      Provenance: source, filters, times, requests used, and for every file its');
  add('                     record count, size and SHA-256 checksum (to prove a file is unchanged).');
  if (input.anonymization !== 'aggregate') {
    add('  experiment.json    The experiment as the API describes it.');
    add('  rooms.csv, participants.csv   The rooms (sessions) and participants of the experiment (always CSV).');
  }
  const where =
    input.split === 'none'
      ? `one file per data type at the top of this folder, e.g. events.${e}`
      : input.split === 'room'
        ? `one folder per room: rooms/<roomId>/<type>.${e}; records without a room are in rooms/_no_room/`
        : `one folder per participant: participants/<participantId>/<type>.${e}; records without a participant are in participants/_no_participant/`;
  if (input.anonymization === 'aggregate') {
    add(`  summary_counts.${e}   Per participant and data type: records, first_timestamp, last_timestamp.`);
    add(`  summary_stats.${e}    Per participant, data type and numeric field: n, min, max, mean, sd`);
    add('                     (sd is the sample standard deviation, n-1; empty when n < 2).');
    add('  This is an aggregate-only export: it holds no individual records.');
  } else {
    add(`  Data: ${where}.`);
    if (input.split !== 'none') {
      add('  Folder names are the ids made safe for every operating system (unusual characters replaced,');
      add('  long ids shortened with a short code); the exact ids are inside the files and in metadata.json.');
    }
  }
  if (input.recordings) {
    add('  recordings/        Audio and video files, named <participant>_<type>_<recordingId>.<format>.');
    add('  recordings_metadata.csv   One row per recording with its local_path and download_status.');
  }
  if (input.codeMapWritten) add('  participant_code_map.csv   Pseudonym code -> original participant. Keep it separate and secure.');
  add('');
  if (input.anonymization !== 'aggregate' && input.types.length) {
    add('DATA TYPES (what one row is; key columns)', '');
    for (const t of input.types) {
      const d = TYPE_DESCRIPTIONS[t];
      if (!d) continue;
      add(`  ${tableFileBase(t)}: ${d.row}.`, `      Key columns: ${d.keys}.`);
    }
    add('');
  }
  add('COLUMNS AND VALUES', '');
  add('  onset       Milliseconds from the start of the experiment (may be negative: before the start).');
  add('  onset_sec   The same in seconds (onset / 1000), added for convenience.');
  add('  timestamp and other times are ISO 8601 in UTC, e.g. 2024-06-15T10:00:01.500Z.');
  if (input.format === 'csv') {
    add('  Nested fields are flattened with "_": response.value -> response_value.');
    add('  Lists (e.g. recipientIds) are JSON text in one cell: ["a","b"]. true/false are written as text.');
    add('  Empty cell = no value. Columns documented for a type are always present, even when empty.');
  } else {
    add('  Records are kept exactly as the API returned them (nested, not flattened).');
  }
  add('');
  if (input.anonymization === 'pseudonymize' || input.anonymization === 'aggregate') {
    add('ANONYMIZATION', '');
    add('  Participant ids are replaced by codes (P001, P002, ...) everywhere, including file names.');
    add('  Codes follow the sorted participant ids, so re-exporting the same experiment gives the same codes.');
    add('  Emails, IP addresses and names were removed. Free text (chat) may still contain what people typed.');
    add('');
  }
  add('OPENING THE FILES', '');
  if (input.format === 'csv') {
    add('  CSV is RFC 4180: comma-separated, "double-quoted" where needed, CRLF line ends, UTF-8.');
    if (input.bom) add('  The files start with a UTF-8 byte order mark (BOM) so Excel shows accents and emoji correctly.');
    add(`  R:       read.csv("events.csv", fileEncoding = "UTF-8-BOM")   or   readr::read_csv("events.csv")`);
    add(`  pandas:  pd.read_csv("events.csv", encoding="utf-8-sig")`);
    add('  Excel:   double-click, or Data > From Text/CSV. Excel shows at most 1,048,576 rows per sheet.');
    if (input.formulaProtection) {
      add('  Formula protection is ON: text cells starting with = + - @ (or tab/CR) got a leading \' so a');
      add('  spreadsheet does not run them as formulas. Remove that first character to get the original text.');
      add('  Numbers are never changed: -3.5 stays -3.5.');
    }
  } else if (input.format === 'json') {
    add('  Each file is one JSON array of records.');
    add('  R:       jsonlite::fromJSON("events.json")');
    add('  pandas:  pd.read_json("events.json")');
  } else {
    add('  NDJSON: one JSON record per line.');
    add('  R:       jsonlite::stream_in(file("events.ndjson"))');
    add('  pandas:  pd.read_json("events.ndjson", lines=True)');
  }
  add('');
  if (input.formulaCells && input.formulaCells.total > 0) add(...formulaSection(input.formulaCells), '');
  return lines.join('\r\n') + '\r\n';
}
