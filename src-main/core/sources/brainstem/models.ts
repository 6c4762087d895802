// BrainSTEM's models as the API routes and wraps them (reference §1.2, §1.4): the URL app and
// segment, and the envelope keys. The list key is the serializer's plural, not the URL segment
// (dataacquisition → data_acquisitions), so it is looked up here, never derived.

export interface ModelInfo {
  /** URL segment: /api/{portal}/{app}/{name}/. */
  name: string;
  /** URL app; null for epochs, which have no endpoint of their own (only the session relation). */
  app: string | null;
  /** Key of the records in a list answer. */
  listKey: string;
  /** Key of the record in a detail answer. */
  detailKey: string;
}

const m = (name: string, app: string | null, listKey: string, detailKey: string): ModelInfo => ({ name, app, listKey, detailKey });

/** The models the downloader reads. */
export const MODELS = {
  project: m('project', 'stem', 'projects', 'project'),
  session: m('session', 'stem', 'sessions', 'session'),
  subject: m('subject', 'stem', 'subjects', 'subject'),
  collection: m('collection', 'stem', 'collections', 'collection'),
  cohort: m('cohort', 'stem', 'cohorts', 'cohort'),
  dataacquisition: m('dataacquisition', 'modules', 'data_acquisitions', 'data_acquisition'),
  behavior: m('behavior', 'modules', 'behaviors', 'behavior'),
  manipulation: m('manipulation', 'modules', 'manipulations', 'manipulation'),
  procedure: m('procedure', 'modules', 'procedures', 'procedure'),
  procedurelog: m('procedurelog', 'modules', 'procedure_logs', 'procedure_log'),
  subjectlog: m('subjectlog', 'modules', 'subject_logs', 'subject_log'),
  epoch: m('epoch', null, 'epochs', 'epoch'),
} as const satisfies Record<string, ModelInfo>;

export type ModelName = keyof typeof MODELS;

/**
 * Every list key the reference documents (§1.4), ours and the ones we never read: a sideloaded
 * bucket is named after the related model's list key, so none of these can be a fallback for the
 * records key of another model.
 */
export const KNOWN_LIST_KEYS: ReadonlySet<string> = new Set([
  ...Object.values(MODELS).map((x) => x.listKey),
  'breedings',
  'equipment',
  'consumablestocks',
  'datastorages',
  'setups',
  'behavioralassays',
  'licenses',
  'inventories',
  'protocols',
  'brain_regions',
  'setup_types',
  'behavioral_categories',
  'species',
  'strains',
  'hardwaredevices',
  'suppliers',
  'publications',
  'journals',
  'users',
  'laboratories',
  'groups',
]);
