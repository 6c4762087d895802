// The model registry: URL app and segment, envelope keys (reference §1.4), fields in served order,
// relations and who may see a record. Everything else (routing, filters, includes, sideloading,
// visibility) is driven by this table.

export type FieldType =
  | 'uuid'
  | 'string'
  | 'text'
  | 'number'
  | 'bool'
  | 'datetime'
  | 'date'
  | 'json'
  /** A list of strings (tags): an exact filter matches any element. */
  | 'strings'
  /** A foreign key: the related id or null. */
  | 'fk'
  /** A many-to-many or reverse relation: a list of related ids. */
  | 'many';

export interface FieldSpec {
  type: FieldType;
  /** Related model (fk and many). */
  target?: string;
  /** A read-only reverse relation: the ids of `target` records whose field `reverseOf` points here. */
  reverseOf?: string;
}

/** How visibility is decided (see visibility.ts). */
export type Visibility =
  | { kind: 'project' }
  | { kind: 'projects' } // the `projects` list field
  | { kind: 'parent'; field: string } // visible iff the record behind this fk is
  | { kind: 'isPublic' } // private portal: any user; public portal: the record's is_public flag
  | { kind: 'reference' }; // taxonomies and attributes: visible in both portals

export interface ModelSpec {
  /** URL segment, e.g. "dataacquisition". */
  name: string;
  /** URL app, or null for models with no endpoint of their own (epochs, consumable stocks). */
  app: string | null;
  listKey: string;
  detailKey: string;
  fields: Record<string, FieldSpec>;
  visibility: Visibility;
}

const uuid: FieldSpec = { type: 'uuid' };
const str: FieldSpec = { type: 'string' };
const text: FieldSpec = { type: 'text' };
const num: FieldSpec = { type: 'number' };
const bool: FieldSpec = { type: 'bool' };
const dt: FieldSpec = { type: 'datetime' };
const date: FieldSpec = { type: 'date' };
const json: FieldSpec = { type: 'json' };
const tags: FieldSpec = { type: 'strings' };
const fk = (target: string): FieldSpec => ({ type: 'fk', target });
const many = (target: string): FieldSpec => ({ type: 'many', target });
const reverse = (target: string, field: string): FieldSpec => ({ type: 'many', target, reverseOf: field });

const SPECS: ModelSpec[] = [
  {
    name: 'project',
    app: 'stem',
    listKey: 'projects',
    detailKey: 'project',
    visibility: { kind: 'project' },
    fields: {
      id: uuid,
      name: str,
      description: text,
      sessions: reverse('session', 'projects'),
      subjects: reverse('subject', 'projects'),
      publications: many('publication'),
      collections: reverse('collection', 'project'),
      cohorts: reverse('cohort', 'project'),
      extra_fields: json,
      is_public: bool,
      tags,
      links: json,
      users: json,
      groups: json,
    },
  },
  {
    name: 'session',
    app: 'stem',
    listKey: 'sessions',
    detailKey: 'session',
    visibility: { kind: 'projects' },
    fields: {
      id: uuid,
      name: str,
      description: text,
      projects: many('project'),
      date_time: dt,
      epochs: reverse('epoch', 'session'),
      datastorage: many('datastorage'),
      extra_fields: json,
      download_links: json,
      dataacquisition: reverse('dataacquisition', 'session'),
      behaviors: reverse('behavior', 'session'),
      manipulations: reverse('manipulation', 'session'),
      name_used_in_storage: str,
      tags,
      links: json,
    },
  },
  {
    name: 'subject',
    app: 'stem',
    listKey: 'subjects',
    detailKey: 'subject',
    visibility: { kind: 'projects' },
    fields: {
      id: uuid,
      name: str,
      description: text,
      projects: many('project'),
      strain: fk('strain'),
      sex: str,
      genetic_line: str,
      genotype: str,
      subject_identifier: str,
      supplier: fk('supplier'),
      breeding: fk('breeding'),
      birth_date: date,
      death_date: date,
      status: str,
      extra_fields: json,
      procedures: reverse('procedure', 'subject'),
      subjectlogs: reverse('subjectlog', 'subject'),
      licenses: many('license'),
      name_used_in_storage: str,
      tags,
      links: json,
    },
  },
  {
    name: 'collection',
    app: 'stem',
    listKey: 'collections',
    detailKey: 'collection',
    visibility: { kind: 'parent', field: 'project' },
    fields: { id: uuid, name: str, description: text, project: fk('project'), sessions: many('session'), tags },
  },
  {
    name: 'cohort',
    app: 'stem',
    listKey: 'cohorts',
    detailKey: 'cohort',
    visibility: { kind: 'parent', field: 'project' },
    fields: { id: uuid, name: str, description: text, project: fk('project'), subjects: many('subject'), tags },
  },
  {
    name: 'dataacquisition',
    app: 'modules',
    listKey: 'data_acquisitions',
    detailKey: 'data_acquisition',
    visibility: { kind: 'parent', field: 'session' },
    fields: {
      id: uuid,
      type: str,
      notes: text,
      session: fk('session'),
      procedures: many('procedure'),
      equipment: many('equipment'),
      details: json,
      type_schema_version: str,
      image: str,
      order: num,
    },
  },
  {
    name: 'behavior',
    app: 'modules',
    listKey: 'behaviors',
    detailKey: 'behavior',
    visibility: { kind: 'parent', field: 'session' },
    fields: {
      id: uuid,
      session: fk('session'),
      subjects: many('subject'),
      setup: fk('setup'),
      behavioralassay: fk('behavioralassay'),
      notes: text,
      order: num,
    },
  },
  {
    name: 'manipulation',
    app: 'modules',
    listKey: 'manipulations',
    detailKey: 'manipulation',
    visibility: { kind: 'parent', field: 'session' },
    fields: {
      id: uuid,
      type: str,
      notes: text,
      procedures: many('procedure'),
      session: fk('session'),
      equipment: many('equipment'),
      details: json,
      type_schema_version: str,
      order: num,
    },
  },
  {
    // No documented endpoint: reachable only through a session (field, include[], relation route).
    name: 'epoch',
    app: null,
    listKey: 'epochs',
    detailKey: 'epoch',
    visibility: { kind: 'parent', field: 'session' },
    fields: {
      id: uuid,
      name: str,
      description: text,
      session: fk('session'),
      dataacquisition: many('dataacquisition'),
      start_time: num,
      end_time: num,
      order: num,
    },
  },
  {
    name: 'procedure',
    app: 'modules',
    listKey: 'procedures',
    detailKey: 'procedure',
    visibility: { kind: 'parent', field: 'subject' },
    fields: {
      id: uuid,
      type: str,
      notes: text,
      subject: fk('subject'),
      date_time: dt,
      consumablestock: fk('consumablestock'),
      equipment: many('equipment'),
      brain_region: fk('brainregion'),
      licenses: many('license'),
      details: json,
      type_schema_version: str,
      coordinates_system: str,
      coordinates_details: json,
      coordinates_schema_version: str,
      created_at: dt,
      updated_at: dt,
    },
  },
  {
    name: 'procedurelog',
    app: 'modules',
    listKey: 'procedure_logs',
    detailKey: 'procedure_log',
    visibility: { kind: 'parent', field: 'procedure' },
    fields: { id: uuid, procedure: fk('procedure'), type: str, date_time: dt, notes: text, details: json, type_schema_version: str },
  },
  {
    name: 'subjectlog',
    app: 'modules',
    listKey: 'subject_logs',
    detailKey: 'subject_log',
    visibility: { kind: 'parent', field: 'subject' },
    fields: { id: uuid, subject: fk('subject'), type: str, date_time: dt, notes: text, details: json, type_schema_version: str },
  },
  {
    name: 'equipment',
    app: 'modules',
    listKey: 'equipment',
    detailKey: 'equipment',
    visibility: { kind: 'reference' },
    fields: { id: uuid, name: str, type: str, description: text, setup: fk('setup') },
  },
  {
    name: 'datastorage',
    app: 'personal_attributes',
    listKey: 'datastorages',
    detailKey: 'datastorage',
    visibility: { kind: 'isPublic' },
    fields: { id: uuid, name: str, location: str, description: text, is_public: bool, data_organization: json, data_protocols: json },
  },
  {
    name: 'setup',
    app: 'personal_attributes',
    listKey: 'setups',
    detailKey: 'setup',
    visibility: { kind: 'reference' },
    fields: { id: uuid, name: str, description: text, location: str },
  },
  {
    name: 'behavioralassay',
    app: 'personal_attributes',
    listKey: 'behavioralassays',
    detailKey: 'behavioralassay',
    visibility: { kind: 'reference' },
    fields: { id: uuid, name: str, description: text },
  },
  { name: 'species', app: 'taxonomies', listKey: 'species', detailKey: 'species', visibility: { kind: 'reference' }, fields: { id: uuid, name: str, scientific_name: str } },
  {
    name: 'strain',
    app: 'taxonomies',
    listKey: 'strains',
    detailKey: 'strain',
    visibility: { kind: 'reference' },
    fields: { id: uuid, name: str, species: fk('species') },
  },
  {
    name: 'brainregion',
    app: 'taxonomies',
    listKey: 'brain_regions',
    detailKey: 'brain_region',
    visibility: { kind: 'reference' },
    fields: { id: uuid, name: str, acronym: str },
  },
  // Related but never populated: no endpoint of its own is documented with a reliable key.
  { name: 'consumablestock', app: null, listKey: 'consumablestocks', detailKey: 'consumablestock', visibility: { kind: 'reference' }, fields: { id: uuid } },
];

/** Documented models the simulator routes but holds no records for (empty lists, 404 by id). */
const EMPTY: Array<[name: string, app: string, listKey: string]> = [
  ['breeding', 'stem', 'breedings'],
  ['license', 'personal_attributes', 'licenses'],
  ['inventory', 'personal_attributes', 'inventories'],
  ['protocol', 'personal_attributes', 'protocols'],
  ['hardwaredevice', 'resources', 'hardwaredevices'],
  ['supplier', 'resources', 'suppliers'],
  ['setuptype', 'taxonomies', 'setup_types'],
  ['behavioralcategory', 'taxonomies', 'behavioral_categories'],
  ['publication', 'dissemination', 'publications'],
  ['journal', 'dissemination', 'journals'],
  ['user', 'users', 'users'],
  ['laboratory', 'users', 'laboratories'],
  ['group', 'users', 'groups'],
];

for (const [name, app, listKey] of EMPTY) {
  SPECS.push({ name, app, listKey, detailKey: name, visibility: { kind: 'reference' }, fields: { id: uuid } });
}

export const MODELS: ReadonlyMap<string, ModelSpec> = new Map(SPECS.map((s) => [s.name, s]));

export function modelSpec(name: string): ModelSpec {
  const spec = MODELS.get(name);
  if (!spec) throw new Error(`unknown model ${name}`);
  return spec;
}

/** The model served at /api/{portal}/{app}/{segment}/, if any. */
export function routedModel(app: string, segment: string): ModelSpec | undefined {
  const spec = MODELS.get(segment);
  return spec && spec.app === app ? spec : undefined;
}

export function isRelation(f: FieldSpec): boolean {
  return f.type === 'fk' || f.type === 'many';
}
