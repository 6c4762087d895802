// README.txt of a BrainSTEM export, for a researcher opening the folder for the first time: what
// each file is, what one row means, how nested metadata became columns, and how to load it.
import type { ReadmeInput } from '../source';
import { formulaSection } from '../../export/manifest/readme-formulas';
import { brainstemDataType, type BrainstemStreamId } from './descriptors';

/** What one row of each file is, and its key columns. */
const ROWS: Readonly<Record<string, { row: string; keys: string }>> = {
  projects: { row: 'the project', keys: 'name, description, is_public, sessions and subjects (id lists)' },
  sessions: { row: 'one recording session', keys: 'name, date_time, projects (id list), description (HTML), download_links' },
  data_acquisitions: { row: 'one data acquisition (one recording file, described)', keys: 'session, type, details.* (type-specific), type_schema_version, image' },
  behaviors: { row: 'one behavior of a session', keys: 'session, subjects (id list), setup, behavioralassay' },
  manipulations: { row: 'one manipulation of a session', keys: 'session, type, details (a list, as JSON text), procedures' },
  epochs: { row: 'one epoch of a session (taken from its session: epochs have no list of their own)', keys: 'session, name, start_time, end_time' },
  subjects: { row: 'one subject (animal)', keys: 'name, sex, strain, genotype, birth_date, status' },
  procedures: { row: 'one procedure on a subject', keys: 'subject, type, date_time, details.*, coordinates_details.*' },
  procedure_logs: { row: 'one log entry of a procedure', keys: 'procedure, type, date_time, details.*' },
  subject_logs: { row: 'one log entry of a subject (e.g. a weighing)', keys: 'subject, type, date_time, details.*' },
  collections: { row: 'one collection (a named group of sessions)', keys: 'name, sessions (id list)' },
  cohorts: { row: 'one cohort (a named group of subjects)', keys: 'name, subjects (id list)' },
};

export function brainstemReadme(input: ReadmeInput): string {
  const e = input.format;
  const name = input.root.name ? `"${input.root.name}" (${input.root.id})` : input.root.id;
  const lines: string[] = [];
  const add = (...ls: string[]) => lines.push(...ls);
  add(`Study Downloader export of BrainSTEM ${name}`, `Exported ${input.exportedAt} with ${input.appName} ${input.appVersion}.`, '');
  add('BrainSTEM keeps metadata about experiments; the raw data lives in external repositories. This');
  add('export holds that metadata, the links to the raw data, and the images BrainSTEM hosts.', '');
  add('FILES', '');
  add('  metadata.json      Provenance: source, portal address, times, requests used, and for every file');
  add('                     its record count, size and SHA-256 checksum (to prove a file is unchanged).');
  const where =
    input.split === 'none'
      ? `one file per kind of record at the top of this folder, named after BrainSTEM's lists, e.g. sessions.${e}`
      : input.split === 'session'
        ? `one folder per session: sessions/<sessionId>/<type>.${e}; records of no session are in sessions/_no_session/`
        : `one folder per subject: subjects/<subjectId>/<type>.${e}; records of no subject are in subjects/_no_subject/`;
  add(`  Data: ${where}.`);
  if (input.types.includes('sessions')) {
    add('  links.csv          One row per download link of a session (session_id, session_name, repository, url):');
    add('                     where its raw data is (DANDI, Zenodo, ...). The links were not followed.');
  }
  if (input.recordings) {
    add('  images/            The images of data acquisitions, named <acquisition id>.<ext>.');
    add('  images_metadata.csv   One row per image with its local_path and download_status.');
  }
  add('');
  if (input.types.length) {
    add('RECORDS (what one row is; key columns)', '');
    for (const t of input.types) {
      const d = ROWS[t];
      if (!d) continue;
      add(`  ${brainstemDataType(t as BrainstemStreamId).file}: ${d.row}.`, `      Key columns: ${d.keys}.`);
    }
    add('');
  }
  add('COLUMNS AND VALUES', '');
  add('  Related records are their ids (lowercase UUIDs), e.g. session, subject, projects.');
  add('  Times are as BrainSTEM gives them (ISO 8601, UTC).');
  if (input.format === 'csv') {
    add('  Nested fields are flattened with ".": details.sr.value is the value of sr inside details.');
    add('  The same setting may appear as details.sr (older schema: a bare number) and as details.sr.value');
    add('  with details.sr.unit (schema 1.1.0): type_schema_version says which one a row uses.');
    add('  Lists are JSON text in one cell: ["a","b"]. true/false are written as text. Empty cell = no value.');
  } else {
    add('  Records are kept exactly as the API returned them (nested, not flattened).');
  }
  add('');
  add('OPENING THE FILES', '');
  if (input.format === 'csv') {
    add('  CSV is RFC 4180: comma-separated, "double-quoted" where needed, CRLF line ends, UTF-8.');
    if (input.bom) add('  The files start with a UTF-8 byte order mark (BOM) so Excel shows accents and emoji correctly.');
    add('  R:       readr::read_csv("sessions.csv")');
    add('  pandas:  pd.read_csv("sessions.csv", encoding="utf-8-sig")');
    add('  Excel:   double-click, or Data > From Text/CSV.');
    if (input.formulaProtection) {
      add('  Formula protection is ON: text cells starting with = + - @ (or tab/CR) got a leading \' so a');
      add('  spreadsheet does not run them as formulas. Remove that first character to get the original text.');
    }
  } else if (input.format === 'json') {
    add('  Each file is one JSON array of records.');
    add('  R:       jsonlite::fromJSON("sessions.json")');
    add('  pandas:  pd.read_json("sessions.json")');
  } else {
    add('  NDJSON: one JSON record per line.');
    add('  R:       jsonlite::stream_in(file("sessions.ndjson"))');
    add('  pandas:  pd.read_json("sessions.ndjson", lines=True)');
  }
  add('');
  if (input.formulaCells && input.formulaCells.total > 0) add(...formulaSection(input.formulaCells), '');
  return lines.join('\r\n') + '\r\n';
}
