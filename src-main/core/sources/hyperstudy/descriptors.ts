// The HyperStudy source described as plain data: its levels, data types and columns, its split
// modes and how it authenticates. The renderer draws tables, tabs and plots from this; the client
// and the adapter read endpoint segments, scopes, id and time fields from it.
import type { ColumnDescriptor, ColumnKind, DataTypeDescriptor, DataTypeId, LevelDescriptor, SourceDescriptor } from '../../../../src-shared/model';

/** A HyperStudy data type: the shared descriptor plus where the API serves it. */
export interface HyperStudyDataType extends DataTypeDescriptor {
  /** Path segment in /data/{segment}/{scope}/{id}, e.g. "ratings/continuous". */
  endpoint: string;
  /** Key in the per-participant counts object, e.g. "textchat" for chat. */
  countsKey: string | null;
}

const col = (key: string, label: string, kind: ColumnKind = 'text', defaultVisible = true, width?: number): ColumnDescriptor => ({
  key,
  label,
  kind,
  defaultVisible,
  ...(width ? { width } : {}),
});
const hidden = (key: string, label: string, kind: ColumnKind = 'text') => col(key, label, kind, false);

const common = [hidden('experimentId', 'Experiment'), hidden('roomId', 'Room')];

export const levels: LevelDescriptor[] = [
  {
    id: 'experiment',
    label: 'Experiments',
    singular: 'experiment',
    parent: null,
    labelField: 'name',
    children: ['room'],
    dataTypes: [],
    terminalColumns: [
      { label: 'ID', keys: ['id'] },
      { label: 'NAME', keys: ['name'] },
      { label: 'ACCESS', keys: ['origin'] },
      { label: 'ROOMS', keys: ['roomCount'], kind: 'number' },
      { label: 'PARTICIPANTS', keys: ['participantCount'], kind: 'number' },
      { label: 'CREATED', keys: ['createdAt'], kind: 'datetime' },
    ],
    columns: [
      col('name', 'Name', 'text', true, 280),
      col('origin', 'Access', 'badge'),
      col('roomCount', 'Rooms', 'number'),
      col('participantCount', 'Participants', 'number'),
      col('ownerEmail', 'Owner'),
      col('createdAt', 'Created', 'datetime'),
      hidden('updatedAt', 'Updated', 'datetime'),
      hidden('status', 'Status', 'badge'),
      hidden('id', 'Experiment ID'),
      hidden('description', 'Description'),
    ],
  },
  {
    id: 'room',
    label: 'Rooms',
    singular: 'room',
    parent: 'experiment',
    labelField: 'name',
    children: ['participant'],
    dataTypes: [],
    terminalColumns: [
      { label: 'ROOM', keys: ['id'] },
      { label: 'DEPLOYMENT', keys: ['deploymentName', 'deploymentId'] },
      { label: 'PARTICIPANTS', keys: ['participantCount'], kind: 'number' },
      { label: 'STATUS', keys: ['status'] },
      { label: 'START', keys: ['startTime'], kind: 'datetime' },
      { label: 'DURATION', keys: ['durationMs'], kind: 'duration-ms', align: 'right' },
    ],
    columns: [
      col('id', 'Room ID', 'text', true, 200),
      col('deploymentName', 'Deployment'),
      col('participantCount', 'Participants', 'number'),
      col('status', 'Status', 'badge'),
      col('startTime', 'Start time', 'datetime'),
      col('durationMs', 'Duration', 'duration-ms'),
      hidden('endTime', 'End time', 'datetime'),
      hidden('deploymentId', 'Deployment ID'),
      hidden('name', 'Name'),
    ],
  },
  {
    id: 'participant',
    label: 'Participants',
    singular: 'participant',
    parent: 'room',
    labelField: 'name',
    children: [],
    dataTypes: [],
    counts: true,
    terminalColumns: [
      { label: 'PARTICIPANT', keys: ['id'] },
      { label: 'NAME', keys: ['name'] },
      { label: 'ROLE', keys: ['role'] },
      { label: 'STATUS', keys: ['status'] },
      { label: 'COMPLETION', keys: ['completionCode'] },
      { label: 'JOINED', keys: ['joinedAt'], kind: 'datetime' },
    ],
    columns: [
      col('id', 'Participant ID', 'text', true, 200),
      col('name', 'Name'),
      col('role', 'Role', 'badge'),
      col('status', 'Status', 'badge'),
      col('completionCode', 'Completion', 'badge'),
      col('joinedAt', 'Joined', 'datetime'),
      hidden('completedAt', 'Completed', 'datetime'),
      hidden('roomId', 'Room'),
    ],
  },
];

const ALL: DataTypeDescriptor['scopes'] = ['experiment', 'room', 'participant'];

export const dataTypes: HyperStudyDataType[] = [
  {
    id: 'events',
    label: 'Events',
    endpoint: 'events',
    scopes: ALL,
    requiredScope: 'read:events',
    countsKey: 'events',
    idField: 'id',
    timeField: 'timestamp',
    media: false,
    columns: [
      col('onset', 'Onset (ms)', 'number'),
      col('eventType', 'Event type'),
      col('category', 'Category', 'badge'),
      col('componentType', 'Component type'),
      col('content', 'Content'),
      col('timestamp', 'Timestamp', 'datetime'),
      hidden('clientTimestamp', 'Client time', 'datetime'),
      col('participantId', 'Participant'),
      col('stateName', 'State'),
      hidden('response_value', 'Response', 'json'),
      hidden('response_responseTime', 'Response time (ms)', 'duration-ms'),
      hidden('duration', 'Duration (ms)', 'duration-ms'),
      hidden('stateId', 'State ID'),
      hidden('componentId', 'Component ID'),
      hidden('sessionId', 'Session (room)'),
      hidden('id', 'Event ID'),
      ...common,
    ],
  },
  {
    id: 'components',
    label: 'Components',
    endpoint: 'components',
    scopes: ALL,
    requiredScope: 'read:components',
    countsKey: 'components',
    idField: 'id',
    timeField: 'timestamp',
    media: false,
    columns: [
      col('onset', 'Onset (ms)', 'number'),
      col('componentType', 'Component type'),
      col('componentId', 'Component'),
      col('completed', 'Completed', 'badge'),
      col('response_value', 'Response', 'json'),
      col('response_responseTime', 'Response time (ms)', 'duration-ms'),
      col('participantId', 'Participant'),
      col('timestamp', 'Timestamp', 'datetime'),
      hidden('stateId', 'State ID'),
      hidden('config', 'Config', 'json'),
      hidden('variableSnapshot', 'Variables', 'json'),
      hidden('id', 'Record ID'),
      ...common,
    ],
  },
  {
    id: 'recordings',
    label: 'Recordings',
    endpoint: 'recordings',
    scopes: ALL,
    requiredScope: 'read:recordings',
    countsKey: 'recordings',
    idField: 'recordingId',
    timeField: 'startTime',
    media: true,
    mediaNoun: 'recording',
    columns: [
      col('fileName', 'File'),
      col('participantName', 'Participant'),
      col('metadata_type', 'Type', 'badge'),
      col('format', 'Format', 'badge'),
      col('duration', 'Duration', 'duration-ms'),
      col('fileSize', 'Size', 'bytes'),
      col('startTime', 'Start', 'datetime'),
      col('status', 'Status', 'badge'),
      hidden('endTime', 'End', 'datetime'),
      hidden('participantId', 'Participant ID'),
      hidden('videoOffset', 'Video offset (ms)', 'duration-ms'),
      hidden('recordingId', 'Recording ID'),
      ...common,
    ],
  },
  {
    id: 'chat',
    label: 'Text chat',
    endpoint: 'chat',
    scopes: ALL,
    requiredScope: 'read:chat',
    countsKey: 'textchat',
    idField: 'messageId',
    timeField: 'timestamp',
    media: false,
    columns: [
      col('onset', 'Onset (ms)', 'number'),
      col('senderName', 'Sender'),
      col('content', 'Message', 'text', true, 360),
      col('messageType', 'Type', 'badge'),
      col('timestamp', 'Timestamp', 'datetime'),
      hidden('senderId', 'Sender ID'),
      hidden('recipientIds', 'Recipients', 'json'),
      hidden('messageId', 'Message ID'),
      ...common,
    ],
  },
  {
    id: 'videochat',
    label: 'Video chat',
    endpoint: 'videochat',
    scopes: ALL,
    requiredScope: 'read:videochat',
    countsKey: 'videochat',
    idField: 'id',
    timeField: 'timestamp',
    media: false,
    columns: [
      col('timestamp', 'Timestamp', 'datetime'),
      col('event', 'Event', 'badge'),
      col('participantName', 'Participant'),
      hidden('participantId', 'Participant ID'),
      hidden('id', 'Record ID'),
      ...common,
    ],
  },
  {
    id: 'ratings-continuous',
    label: 'Continuous ratings',
    endpoint: 'ratings/continuous',
    scopes: ALL,
    requiredScope: 'read:ratings',
    countsKey: 'continuousRatings',
    idField: 'ratingId',
    timeField: 'timestamp',
    media: false,
    plot: { kind: 'line', x: 'onset', y: ['value'], seriesBy: 'participantId' },
    columns: [
      col('onset', 'Onset (ms)', 'number'),
      col('participantId', 'Participant'),
      col('value', 'Value', 'number'),
      col('normalizedValue', 'Normalized', 'number'),
      col('timestamp', 'Timestamp', 'datetime'),
      hidden('rawValue', 'Raw value', 'number'),
      hidden('scaleMin', 'Scale min', 'number'),
      hidden('scaleMax', 'Scale max', 'number'),
      hidden('componentId', 'Component'),
      hidden('ratingId', 'Rating ID'),
      ...common,
    ],
  },
  {
    id: 'ratings-sparse',
    label: 'Sparse ratings',
    endpoint: 'ratings/sparse',
    scopes: ALL,
    requiredScope: 'read:ratings',
    countsKey: 'sparseRatings',
    idField: 'ratingId',
    timeField: 'timestamp',
    media: false,
    columns: [
      col('onset', 'Onset (ms)', 'number'),
      col('participantId', 'Participant'),
      col('value', 'Value', 'number'),
      col('responseTime', 'Response time (ms)', 'duration-ms'),
      col('timestamp', 'Timestamp', 'datetime'),
      hidden('componentId', 'Component'),
      hidden('scaleMin', 'Scale min', 'number'),
      hidden('scaleMax', 'Scale max', 'number'),
      hidden('labels_min', 'Label at min'),
      hidden('labels_max', 'Label at max'),
      hidden('metadata_question', 'Question'),
      hidden('rawValue', 'Raw value', 'number'),
      hidden('stimulusId', 'Stimulus'),
      hidden('stimulusTime', 'Stimulus time (ms)', 'duration-ms'),
      hidden('stateId', 'State ID'),
      hidden('ratingId', 'Rating ID'),
      ...common,
    ],
  },
  {
    id: 'sync',
    label: 'Sync metrics',
    endpoint: 'sync',
    scopes: ALL,
    requiredScope: 'read:sync',
    countsKey: 'sync',
    idField: 'metricId',
    timeField: 'timestamp',
    media: false,
    plot: { kind: 'line', x: 'onset', y: ['syncQuality', 'timeDrift'], seriesBy: 'participantId' },
    columns: [
      col('onset', 'Onset (ms)', 'number'),
      col('participantId', 'Participant'),
      col('syncQuality', 'Sync quality', 'number'),
      col('timeDrift', 'Drift (ms)', 'number'),
      col('latency', 'Latency (ms)', 'number'),
      col('timestamp', 'Timestamp', 'datetime'),
      hidden('playbackRate', 'Playback rate', 'number'),
      hidden('bufferHealth', 'Buffer health', 'number'),
      hidden('metricId', 'Metric ID'),
      ...common,
    ],
  },
  {
    id: 'eyetracking',
    label: 'Eye tracking',
    endpoint: 'eyetracking',
    scopes: ALL,
    requiredScope: null,
    countsKey: 'eyetracking',
    idField: 'id',
    timeField: 'timestamp',
    media: false,
    plot: { kind: 'line', x: 'onset', y: ['pupilDiameter'], seriesBy: 'participantId' },
    columns: [
      col('onset', 'Onset (ms)', 'number'),
      col('participantId', 'Participant'),
      col('gazeX', 'Gaze X', 'number'),
      col('gazeY', 'Gaze Y', 'number'),
      col('pupilDiameter', 'Pupil (mm)', 'number'),
      col('validity', 'Validity', 'badge'),
      hidden('confidence', 'Confidence', 'number'),
      hidden('fixation', 'Fixation', 'badge'),
      hidden('timestamp', 'Timestamp', 'datetime'),
      hidden('id', 'Sample ID'),
      ...common,
    ],
  },
  {
    id: 'variables',
    label: 'Variables',
    endpoint: 'variables',
    scopes: ['room'],
    requiredScope: null,
    countsKey: null,
    idField: 'id',
    timeField: null,
    media: false,
    columns: [col('variable', 'Variable'), col('value', 'Value', 'json'), col('source', 'Source', 'badge'), col('persisted', 'Persisted', 'badge')],
  },
];

// Every type with a time comes sorted by it (the documented default: timestamp, ascending;
// recordings by their start), at every scope.
for (const d of dataTypes) if (d.timeField) d.sortedByTime = true;

// Each level offers the data types that can be paged at it.
for (const level of levels) level.dataTypes = dataTypes.filter((d) => d.scopes.includes(level.id)).map((d) => d.id);

/** The largest page the API accepts. */
export const MAX_PAGE_LIMIT = 1000;

export const hyperstudySource: SourceDescriptor = {
  id: 'hyperstudy',
  label: 'HyperStudy',
  levels,
  dataTypes,
  splits: [
    { id: 'room', label: 'One file per room', level: 'room', folder: 'rooms', noneFolder: '_no_room', person: false, offeredAt: ['experiment'] },
    { id: 'participant', label: 'One file per participant', level: 'participant', folder: 'participants', noneFolder: '_no_participant', person: true, offeredAt: ['experiment', 'room'] },
  ],
  anonymization: ['keep', 'pseudonymize', 'aggregate'],
  authMethods: [
    {
      id: 'api-key',
      label: 'API key',
      hint: 'Create one in HyperStudy: Experimenter Dashboard → Settings → Account → API Keys.',
      format: 'hst_live_… (production) or hst_test_… (development)',
    },
  ],
  connectionFields: [
    {
      key: 'environment',
      label: 'Server',
      kind: 'choice',
      choices: [
        { value: 'production', label: 'Production (api.hyperstudy.io)' },
        { value: 'development', label: 'Development (dev.hyperstudy.io)' },
        { value: 'custom', label: 'Custom URL (a self-hosted or local HyperStudy API)' },
      ],
      optional: false,
    },
    { key: 'baseUrl', label: 'API URL', kind: 'url', optional: true, hint: 'Only for a custom server, e.g. http://127.0.0.1:8787/api/v3' },
    { key: 'organizationId', label: 'Organization id', kind: 'text', optional: true, hint: 'Needed for experiments shared from another organization.' },
  ],
  pageSize: MAX_PAGE_LIMIT,
};

const byId = new Map<DataTypeId, HyperStudyDataType>(dataTypes.map((d) => [d.id, d]));

/** The descriptor of a data type; throws on an unknown id (a programming error, not user input). */
export function dataTypeDescriptor(id: DataTypeId): HyperStudyDataType {
  const d = byId.get(id);
  if (!d) throw new Error(`Unknown data type: ${id}`);
  return d;
}

export function isDataTypeId(s: string): s is DataTypeId {
  return byId.has(s as DataTypeId);
}

/** Server counts keys → our data type ids (e.g. textchat → chat). Several spellings are accepted. */
export const COUNTS_KEY_ALIASES: Record<string, DataTypeId> = {
  events: 'events',
  components: 'components',
  recordings: 'recordings',
  textchat: 'chat',
  chat: 'chat',
  videochat: 'videochat',
  continuousRatings: 'ratings-continuous',
  'ratings/continuous': 'ratings-continuous',
  ratingsContinuous: 'ratings-continuous',
  continuous: 'ratings-continuous',
  sparseRatings: 'ratings-sparse',
  'ratings/sparse': 'ratings-sparse',
  ratingsSparse: 'ratings-sparse',
  sparse: 'ratings-sparse',
  sync: 'sync',
  eyetracking: 'eyetracking',
  variables: 'variables',
};

/** What the CLI accepts for --types besides the ids ("ratings" means both kinds). */
export const TYPE_ALIASES: Record<string, DataTypeId[]> = {
  textchat: ['chat'],
  'ratings/continuous': ['ratings-continuous'],
  continuous: ['ratings-continuous'],
  'ratings/sparse': ['ratings-sparse'],
  sparse: ['ratings-sparse'],
  'video-chat': ['videochat'],
  gaze: ['eyetracking'],
  ratings: ['ratings-continuous', 'ratings-sparse'],
};

/** Types whose `sort`/`order` the documentation shows; the others are left in the server's order. */
const SORTABLE: ReadonlySet<DataTypeId> = new Set(['events', 'chat', 'videochat', 'sync', 'ratings-continuous', 'ratings-sparse']);

/** The field to send as `sort` for a type's stream, or null where the docs show no sort. */
export function sortFieldFor(id: DataTypeId): string | null {
  return SORTABLE.has(id) ? dataTypeDescriptor(id).timeField : null;
}
