// BrainSTEM as the shared SourceDescriptor (what the renderer and the CLI learn about it), drawn
// from the client's own descriptor (descriptors.ts). The level tree is the reference's §7.1:
// projects at the root; sessions, subjects, collections and cohorts below a project; a session's
// records by type (data acquisitions, behaviors, manipulations, epochs) below a session. Data
// types are readable at a project, a session or a subject (the portal scope of the client is not a
// level: a whole portal is never one export). Splits by session or by subject; records are not
// about people, so there is no pseudonymization.
import type { DataTypeDescriptor, LevelDescriptor, SourceDescriptor } from '../../../../src-shared/model';
import { brainstemSource, type BrainstemDataType, type BrainstemLevel, type BrainstemStreamId } from './descriptors';
import { DEFAULT_BRAINSTEM_URL } from './connection';

/** Levels of a session's own records: one per data type that is read below a session. */
export const RECORD_LEVELS = {
  data_acquisition: 'data_acquisitions',
  behavior: 'behaviors',
  manipulation: 'manipulations',
  epoch: 'epochs',
} as const satisfies Record<string, BrainstemStreamId>;
export type RecordLevelId = keyof typeof RECORD_LEVELS;

export function isRecordLevel(level: string): level is RecordLevelId {
  return Object.hasOwn(RECORD_LEVELS, level);
}

/** Target levels an export can read (the scopes of the data types). */
export type ScopeLevelId = 'project' | 'session' | 'subject';

const dataType = (id: BrainstemStreamId): BrainstemDataType => brainstemSource.dataTypes.find((d) => d.id === id)!;

const TERMINAL: Record<string, LevelDescriptor['terminalColumns']> = {
  project: [
    { label: 'PROJECT', keys: ['id'] },
    { label: 'NAME', keys: ['name'] },
    { label: 'PUBLIC', keys: ['is_public'] },
    { label: 'SESSIONS', keys: ['sessionCount'], kind: 'number' },
  ],
  session: [
    { label: 'SESSION', keys: ['id'] },
    { label: 'NAME', keys: ['name'] },
    { label: 'DATE', keys: ['date_time'], kind: 'datetime' },
  ],
  subject: [
    { label: 'SUBJECT', keys: ['id'] },
    { label: 'NAME', keys: ['name'] },
    { label: 'SEX', keys: ['sex'] },
    { label: 'STATUS', keys: ['status'] },
  ],
  data_acquisition: [
    { label: 'ACQUISITION', keys: ['id'] },
    { label: 'TYPE', keys: ['type'] },
    { label: 'ORDER', keys: ['order'], kind: 'number' },
    { label: 'SCHEMA', keys: ['type_schema_version'] },
    { label: 'IMAGE', keys: ['image'] },
  ],
  behavior: [
    { label: 'BEHAVIOR', keys: ['id'] },
    { label: 'ORDER', keys: ['order'], kind: 'number' },
    { label: 'SUBJECTS', keys: ['subjects'] },
    { label: 'ASSAY', keys: ['behavioralassay'] },
  ],
  manipulation: [
    { label: 'MANIPULATION', keys: ['id'] },
    { label: 'TYPE', keys: ['type'] },
    { label: 'ORDER', keys: ['order'], kind: 'number' },
    { label: 'SCHEMA', keys: ['type_schema_version'] },
  ],
  epoch: [
    { label: 'EPOCH', keys: ['id'] },
    { label: 'NAME', keys: ['name'] },
    { label: 'START', keys: ['start_time'], kind: 'number' },
    { label: 'END', keys: ['end_time'], kind: 'number' },
  ],
};

/** The field a record level's items are labelled by (they are shown with their order). */
const RECORD_LABEL_FIELD: Record<RecordLevelId, string> = { data_acquisition: 'type', behavior: 'id', manipulation: 'type', epoch: 'name' };

const scopesOf = (d: BrainstemDataType): string[] => d.scopes.filter((s) => s !== 'portal');

function level(l: BrainstemLevel): LevelDescriptor {
  const children = l.id === 'session' ? Object.keys(RECORD_LEVELS) : l.children;
  return {
    id: l.id,
    label: l.label,
    singular: l.singular,
    parent: l.parent,
    labelField: l.labelField,
    children,
    dataTypes: l.dataTypes.filter((t) => scopesOf(dataType(t)).includes(l.id)),
    columns: l.columns,
    ...(TERMINAL[l.id] ? { terminalColumns: TERMINAL[l.id] } : {}),
  };
}

function recordLevel(id: RecordLevelId): LevelDescriptor {
  const d = dataType(RECORD_LEVELS[id]);
  return {
    id,
    label: d.label,
    singular: d.label.replace(/s$/, '').toLowerCase(),
    parent: 'session',
    labelField: RECORD_LABEL_FIELD[id],
    children: [],
    dataTypes: [],
    columns: d.columns,
    terminalColumns: TERMINAL[id],
  };
}

function streamDescriptor(d: BrainstemDataType): DataTypeDescriptor {
  return {
    id: d.id,
    label: d.label,
    scopes: scopesOf(d),
    requiredScope: null,
    columns: d.columns,
    idField: d.idField,
    timeField: d.timeField,
    media: d.media,
    // The hosted files are images (dataacquisition.image): the UI calls them so.
    ...(d.media ? { mediaNoun: 'image' } : {}),
    ...(d.links ? { links: true } : {}),
  };
}

export const brainstemDescriptor: SourceDescriptor = {
  id: 'brainstem',
  label: brainstemSource.label,
  levels: [...brainstemSource.levels.map(level), ...(Object.keys(RECORD_LEVELS) as RecordLevelId[]).map(recordLevel)],
  dataTypes: brainstemSource.dataTypes.map(streamDescriptor),
  splits: [
    { id: 'session', label: 'One folder per session', level: 'session', folder: 'sessions', noneFolder: '_no_session', person: false, offeredAt: ['project'] },
    { id: 'subject', label: 'One folder per subject', level: 'subject', folder: 'subjects', noneFolder: '_no_subject', person: false, offeredAt: ['project'] },
  ],
  // Subjects are animals and records name no study participants: nothing to pseudonymize.
  anonymization: ['keep'],
  authMethods: brainstemSource.authMethods.map((m) => ({
    ...m,
    ...(m.id === 'token' ? { format: 'A personal access token, shown once when it is created' } : {}),
  })),
  connectionFields: [
    { key: 'baseUrl', label: 'Server address', kind: 'url', optional: true, hint: `BrainSTEM's site (default ${DEFAULT_BRAINSTEM_URL}); a local server, e.g. http://127.0.0.1:8790/api` },
    {
      key: 'portal',
      label: 'Portal',
      kind: 'choice',
      choices: [
        { value: 'private', label: 'Private (your projects; sign-in needed)' },
        { value: 'public', label: 'Public (public projects; no sign-in)' },
      ],
      optional: false,
    },
  ],
  pageSize: brainstemSource.pageSize,
};
