// The BrainSTEM source described as plain data (reference §1.3, §5.2, §7.1): its levels
// (portal → projects → sessions, with subjects, collections and cohorts beside the sessions), its
// data types as streams (columns, record id, time field, the scopes they can be read at, the
// relation fields that become ids in CSV), the session links that are listed but never fetched,
// and the hosted images that are downloaded. Nothing here makes a request; the client and the
// future Source port read it, and the renderer can draw tables from it.
import type { ColumnDescriptor, ColumnKind } from '../../../../src-shared/model';
import type { FlattenOptions } from '../../export/format/flatten';
import type { ModelName } from './models';

export type BrainstemLevelId = 'project' | 'session' | 'subject' | 'collection' | 'cohort';
/** Where a stream can be read: the whole portal, or below one (or several) items of a level. */
export type BrainstemScopeLevel = 'portal' | 'project' | 'session' | 'subject';

export const STREAM_IDS = [
  'projects',
  'sessions',
  'data_acquisitions',
  'behaviors',
  'manipulations',
  'epochs',
  'subjects',
  'procedures',
  'procedure_logs',
  'subject_logs',
  'collections',
  'cohorts',
] as const;
export type BrainstemStreamId = (typeof STREAM_IDS)[number];

export interface BrainstemLevel {
  id: BrainstemLevelId;
  label: string;
  singular: string;
  /** null: listed at the portal's root. */
  parent: BrainstemLevelId | null;
  /** The field an item is labelled by. */
  labelField: string;
  /** The stream an item of this level is a record of. */
  stream: BrainstemStreamId;
  /** Levels listed below an item of this one. */
  children: BrainstemLevelId[];
  /** Data types offered for an item of this level (read at its scope). */
  dataTypes: BrainstemStreamId[];
  columns: ColumnDescriptor[];
}

export interface BrainstemDataType {
  id: BrainstemStreamId;
  label: string;
  /** The model whose endpoint serves it (epochs have none: read through the session relation). */
  model: ModelName;
  /** File name of its table: `${file}.csv` — the API's list key. */
  file: string;
  idField: 'id';
  /** The record's time, for sorting and time ranges; null where the model has none. */
  timeField: string | null;
  scopes: BrainstemScopeLevel[];
  /** Relation fields: ids or embedded objects in the API, always ids in CSV. */
  relations: string[];
  /** The field naming the record's group (its session or subject), for splitting and context. */
  groupField: { field: string; level: 'project' | 'session' | 'subject' | 'procedure' } | null;
  /** Has hosted files to download (data acquisition images). */
  media: boolean;
  /** Has external links to list (session download links), never fetched. */
  links: boolean;
  columns: ColumnDescriptor[];
}

/** Session download links: one row per link in links.csv, never fetched (BrainSTEM hosts metadata, not data). */
export interface BrainstemLinksDescriptor {
  stream: 'sessions';
  field: 'download_links';
  file: 'links';
  columns: ColumnDescriptor[];
}

/** Hosted images (dataacquisition.image): downloaded, from another origin, with no credential. */
export interface BrainstemMediaDescriptor {
  stream: 'data_acquisitions';
  field: 'image';
  folder: 'images';
  /** Sent with the request for the file: nothing — the image host is not the API. */
  credential: false;
}

export interface BrainstemAuthMethod {
  id: 'token' | 'device-flow' | 'password-refresh' | 'none';
  label: string;
  hint: string;
}

export interface BrainstemSourceDescriptor {
  id: 'brainstem';
  label: string;
  levels: BrainstemLevel[];
  dataTypes: BrainstemDataType[];
  links: BrainstemLinksDescriptor;
  media: BrainstemMediaDescriptor;
  /** How nested fields (details) become CSV columns: dotted, details.sr.value. */
  csv: { flatten: FlattenOptions };
  /** Levels an export can be split by (one folder per item). */
  splitLevels: Array<'session' | 'subject'>;
  authMethods: BrainstemAuthMethod[];
  pageSize: number;
}

const col = (key: string, label: string, kind: ColumnKind = 'text', defaultVisible = true, width?: number): ColumnDescriptor => ({ key, label, kind, defaultVisible, ...(width ? { width } : {}) });
const hidden = (key: string, label: string, kind: ColumnKind = 'text') => col(key, label, kind, false);

const PROJECT_COLUMNS = [col('name', 'Name', 'text', true, 320), col('is_public', 'Public', 'badge'), col('tags', 'Tags', 'json'), hidden('description', 'Description'), hidden('id', 'Project ID'), hidden('extra_fields', 'Extra fields', 'json')];
const SESSION_COLUMNS = [
  col('name', 'Name', 'text', true, 260),
  col('date_time', 'Date', 'datetime'),
  col('tags', 'Tags', 'json'),
  hidden('name_used_in_storage', 'Name in storage'),
  hidden('description', 'Description'),
  hidden('projects', 'Projects', 'json'),
  hidden('datastorage', 'Data storage', 'json'),
  hidden('extra_fields', 'Extra fields', 'json'),
  hidden('id', 'Session ID'),
];
const SUBJECT_COLUMNS = [
  col('name', 'Name', 'text', true, 200),
  col('sex', 'Sex', 'badge'),
  col('genotype', 'Genotype'),
  col('status', 'Status', 'badge'),
  col('birth_date', 'Born', 'datetime'),
  hidden('death_date', 'Died', 'datetime'),
  hidden('subject_identifier', 'Identifier'),
  hidden('strain', 'Strain'),
  hidden('genetic_line', 'Genetic line'),
  hidden('description', 'Description'),
  hidden('projects', 'Projects', 'json'),
  hidden('id', 'Subject ID'),
];
const COLLECTION_COLUMNS = [col('name', 'Name', 'text', true, 260), col('sessions', 'Sessions', 'json'), col('tags', 'Tags', 'json'), hidden('description', 'Description'), hidden('id', 'Collection ID')];
const COHORT_COLUMNS = [col('name', 'Name', 'text', true, 260), col('subjects', 'Subjects', 'json'), col('tags', 'Tags', 'json'), hidden('description', 'Description'), hidden('id', 'Cohort ID')];

const SESSION_TYPES: BrainstemStreamId[] = ['data_acquisitions', 'behaviors', 'manipulations', 'epochs'];
const SUBJECT_TYPES: BrainstemStreamId[] = ['procedures', 'procedure_logs', 'subject_logs'];

export const levels: BrainstemLevel[] = [
  {
    id: 'project',
    label: 'Projects',
    singular: 'project',
    parent: null,
    labelField: 'name',
    stream: 'projects',
    children: ['session', 'subject', 'collection', 'cohort'],
    dataTypes: ['projects', 'sessions', ...SESSION_TYPES, 'subjects', ...SUBJECT_TYPES, 'collections', 'cohorts'],
    columns: PROJECT_COLUMNS,
  },
  { id: 'session', label: 'Sessions', singular: 'session', parent: 'project', labelField: 'name', stream: 'sessions', children: [], dataTypes: ['sessions', ...SESSION_TYPES], columns: SESSION_COLUMNS },
  { id: 'subject', label: 'Subjects', singular: 'subject', parent: 'project', labelField: 'name', stream: 'subjects', children: [], dataTypes: ['subjects', ...SUBJECT_TYPES], columns: SUBJECT_COLUMNS },
  { id: 'collection', label: 'Collections', singular: 'collection', parent: 'project', labelField: 'name', stream: 'collections', children: [], dataTypes: [], columns: COLLECTION_COLUMNS },
  { id: 'cohort', label: 'Cohorts', singular: 'cohort', parent: 'project', labelField: 'name', stream: 'cohorts', children: [], dataTypes: [], columns: COHORT_COLUMNS },
];

const sessionGroup = { field: 'session', level: 'session' } as const;
const subjectGroup = { field: 'subject', level: 'subject' } as const;

export const dataTypes: BrainstemDataType[] = [
  { id: 'projects', label: 'Projects', model: 'project', file: 'projects', idField: 'id', timeField: null, scopes: ['portal', 'project'], relations: ['sessions', 'subjects', 'collections', 'cohorts', 'publications'], groupField: null, media: false, links: false, columns: PROJECT_COLUMNS },
  {
    id: 'sessions',
    label: 'Sessions',
    model: 'session',
    file: 'sessions',
    idField: 'id',
    timeField: 'date_time',
    scopes: ['portal', 'project', 'session'],
    relations: ['projects', 'epochs', 'datastorage', 'dataacquisition', 'behaviors', 'manipulations'],
    groupField: { field: 'id', level: 'session' },
    media: false,
    links: true,
    columns: SESSION_COLUMNS,
  },
  {
    id: 'data_acquisitions',
    label: 'Data acquisitions',
    model: 'dataacquisition',
    file: 'data_acquisitions',
    idField: 'id',
    timeField: null,
    scopes: ['portal', 'project', 'session'],
    relations: ['session', 'procedures', 'equipment'],
    groupField: sessionGroup,
    media: true,
    links: false,
    columns: [col('type', 'Type', 'badge'), col('order', 'Order', 'number'), col('type_schema_version', 'Schema', 'badge'), col('notes', 'Notes', 'text', true, 280), col('image', 'Image'), col('details', 'Details', 'json'), hidden('session', 'Session'), hidden('procedures', 'Procedures', 'json'), hidden('equipment', 'Equipment', 'json'), hidden('id', 'Acquisition ID')],
  },
  {
    id: 'behaviors',
    label: 'Behaviors',
    model: 'behavior',
    file: 'behaviors',
    idField: 'id',
    timeField: null,
    scopes: ['portal', 'project', 'session'],
    relations: ['session', 'subjects', 'setup', 'behavioralassay'],
    groupField: sessionGroup,
    media: false,
    links: false,
    columns: [col('order', 'Order', 'number'), col('subjects', 'Subjects', 'json'), col('behavioralassay', 'Assay'), col('setup', 'Setup'), col('notes', 'Notes', 'text', true, 280), hidden('session', 'Session'), hidden('id', 'Behavior ID')],
  },
  {
    id: 'manipulations',
    label: 'Manipulations',
    model: 'manipulation',
    file: 'manipulations',
    idField: 'id',
    timeField: null,
    scopes: ['portal', 'project', 'session'],
    relations: ['session', 'procedures', 'equipment'],
    groupField: sessionGroup,
    media: false,
    links: false,
    columns: [col('type', 'Type', 'badge'), col('order', 'Order', 'number'), col('type_schema_version', 'Schema', 'badge'), col('notes', 'Notes', 'text', true, 280), col('details', 'Details', 'json'), hidden('session', 'Session'), hidden('procedures', 'Procedures', 'json'), hidden('equipment', 'Equipment', 'json'), hidden('id', 'Manipulation ID')],
  },
  {
    id: 'epochs',
    label: 'Epochs',
    model: 'epoch',
    file: 'epochs',
    idField: 'id',
    timeField: null,
    scopes: ['portal', 'project', 'session'],
    relations: ['session', 'dataacquisition'],
    groupField: sessionGroup,
    media: false,
    links: false,
    columns: [col('name', 'Name'), col('order', 'Order', 'number'), col('start_time', 'Start (s)', 'number'), col('end_time', 'End (s)', 'number'), hidden('description', 'Description'), hidden('dataacquisition', 'Acquisitions', 'json'), hidden('session', 'Session'), hidden('id', 'Epoch ID')],
  },
  { id: 'subjects', label: 'Subjects', model: 'subject', file: 'subjects', idField: 'id', timeField: null, scopes: ['portal', 'project', 'subject'], relations: ['projects', 'strain', 'supplier', 'breeding', 'procedures', 'subjectlogs', 'licenses'], groupField: { field: 'id', level: 'subject' }, media: false, links: false, columns: SUBJECT_COLUMNS },
  {
    id: 'procedures',
    label: 'Procedures',
    model: 'procedure',
    file: 'procedures',
    idField: 'id',
    timeField: 'date_time',
    scopes: ['portal', 'project', 'subject'],
    relations: ['subject', 'consumablestock', 'equipment', 'brain_region', 'licenses'],
    groupField: subjectGroup,
    media: false,
    links: false,
    columns: [col('type', 'Type', 'badge'), col('date_time', 'Date', 'datetime'), col('notes', 'Notes', 'text', true, 280), col('details', 'Details', 'json'), hidden('coordinates_system', 'Coordinates'), hidden('coordinates_details', 'Coordinate details', 'json'), hidden('brain_region', 'Brain region'), hidden('subject', 'Subject'), hidden('id', 'Procedure ID')],
  },
  {
    id: 'procedure_logs',
    label: 'Procedure logs',
    model: 'procedurelog',
    file: 'procedure_logs',
    idField: 'id',
    timeField: 'date_time',
    scopes: ['portal', 'project', 'subject'],
    relations: ['procedure'],
    groupField: { field: 'procedure', level: 'procedure' },
    media: false,
    links: false,
    columns: [col('type', 'Type', 'badge'), col('date_time', 'Date', 'datetime'), col('notes', 'Notes', 'text', true, 280), col('details', 'Details', 'json'), hidden('procedure', 'Procedure'), hidden('id', 'Log ID')],
  },
  {
    id: 'subject_logs',
    label: 'Subject logs',
    model: 'subjectlog',
    file: 'subject_logs',
    idField: 'id',
    timeField: 'date_time',
    scopes: ['portal', 'project', 'subject'],
    relations: ['subject'],
    groupField: subjectGroup,
    media: false,
    links: false,
    columns: [col('type', 'Type', 'badge'), col('date_time', 'Date', 'datetime'), col('notes', 'Notes', 'text', true, 280), col('details', 'Details', 'json'), hidden('subject', 'Subject'), hidden('id', 'Log ID')],
  },
  { id: 'collections', label: 'Collections', model: 'collection', file: 'collections', idField: 'id', timeField: null, scopes: ['portal', 'project'], relations: ['project', 'sessions'], groupField: { field: 'project', level: 'project' }, media: false, links: false, columns: COLLECTION_COLUMNS },
  { id: 'cohorts', label: 'Cohorts', model: 'cohort', file: 'cohorts', idField: 'id', timeField: null, scopes: ['portal', 'project'], relations: ['project', 'subjects'], groupField: { field: 'project', level: 'project' }, media: false, links: false, columns: COHORT_COLUMNS },
];

export const LINK_COLUMNS = ['session_id', 'session_name', 'repository', 'url'] as const;

export const brainstemSource: BrainstemSourceDescriptor = {
  id: 'brainstem',
  label: 'BrainSTEM',
  levels,
  dataTypes,
  links: {
    stream: 'sessions',
    field: 'download_links',
    file: 'links',
    columns: [col('session_name', 'Session'), col('repository', 'Repository', 'badge'), col('url', 'Link', 'text', true, 360), hidden('session_id', 'Session ID')],
  },
  media: { stream: 'data_acquisitions', field: 'image', folder: 'images', credential: false },
  // Records are kept as the API gives them: no time conversion, no onset column, dotted paths.
  csv: { flatten: { separator: '.', convertTimestamps: false, onsetSeconds: false } },
  splitLevels: ['session', 'subject'],
  authMethods: [
    { id: 'device-flow', label: 'Sign in with the browser', hint: 'Opens BrainSTEM in your browser; approve the code shown there.' },
    { id: 'token', label: 'Personal access token', hint: 'Create one at brainstem.org → Account → Tokens (private/users/tokens/) and paste it here.' },
    { id: 'password-refresh', label: 'Email and password', hint: 'Only for servers without two-factor sign-in; the password is never stored.' },
    { id: 'none', label: 'Public portal', hint: 'Public projects only; no sign-in.' },
  ],
  pageSize: 100,
};

const byId = new Map<string, BrainstemDataType>(dataTypes.map((d) => [d.id, d]));

export function isBrainstemStreamId(s: string): s is BrainstemStreamId {
  return byId.has(s);
}

/** The descriptor of a data type; throws on an unknown id (a programming error, not user input). */
export function brainstemDataType(id: BrainstemStreamId): BrainstemDataType {
  const d = byId.get(id);
  if (!d) throw new Error(`Unknown BrainSTEM data type: ${id}`);
  return d;
}

export function brainstemLevel(id: BrainstemLevelId): BrainstemLevel {
  const l = levels.find((x) => x.id === id);
  if (!l) throw new Error(`Unknown BrainSTEM level: ${id}`);
  return l;
}
