// The documented top-level fields of each BrainSTEM model (reference §5.2; the simulator's for the
// models the reference does not list), as the first columns of its CSV file: present, in this
// order, even when a table is empty, so a script reading the file can rely on them. Nested objects
// (details, extra_fields, links, …) become dotted columns after these, in the order the data brings
// them; lists stay one cell (JSON text).
import { LINK_COLUMNS } from './descriptors';

const COLUMNS: Readonly<Record<string, readonly string[]>> = {
  projects: ['id', 'name', 'description', 'is_public', 'sessions', 'subjects', 'collections', 'cohorts', 'publications', 'tags'],
  sessions: ['id', 'name', 'description', 'projects', 'date_time', 'epochs', 'datastorage', 'download_links', 'dataacquisition', 'behaviors', 'manipulations', 'name_used_in_storage', 'tags'],
  data_acquisitions: ['id', 'session', 'type', 'notes', 'procedures', 'equipment', 'type_schema_version', 'image', 'order'],
  behaviors: ['id', 'session', 'subjects', 'setup', 'behavioralassay', 'notes', 'order'],
  manipulations: ['id', 'session', 'type', 'notes', 'procedures', 'equipment', 'details', 'type_schema_version', 'order'],
  epochs: ['id', 'session', 'name', 'description', 'dataacquisition', 'start_time', 'end_time', 'order'],
  subjects: ['id', 'name', 'description', 'projects', 'strain', 'sex', 'genetic_line', 'genotype', 'subject_identifier', 'supplier', 'breeding', 'birth_date', 'death_date', 'status', 'procedures', 'subjectlogs', 'licenses', 'name_used_in_storage', 'tags'],
  procedures: ['id', 'subject', 'type', 'notes', 'date_time', 'consumablestock', 'equipment', 'brain_region', 'licenses', 'type_schema_version', 'coordinates_system', 'created_at', 'updated_at'],
  procedure_logs: ['id', 'procedure', 'type', 'date_time', 'notes', 'type_schema_version'],
  subject_logs: ['id', 'subject', 'type', 'date_time', 'notes', 'type_schema_version'],
  collections: ['id', 'name', 'description', 'project', 'sessions', 'tags'],
  cohorts: ['id', 'name', 'description', 'project', 'subjects', 'tags'],
  links: LINK_COLUMNS,
};

/** The first columns of a table's CSV (undefined: only what the data has). */
export function brainstemCsvColumns(table: string): readonly string[] | undefined {
  if (table === 'images_metadata') return [...COLUMNS.data_acquisitions, 'local_path', 'download_status'];
  return COLUMNS[table];
}
