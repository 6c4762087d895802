// Response shapes the simulator can switch between. The defaults follow the API documentation;
// every other answer a real server might give (an SDK fixture, an older docs page, a tolerance
// case) is one switch, settable by startSimulator({ shapes }), POST /__sim/shapes or a CLI flag.
// docs/hyperstudy-api-notes.md says where each default and each switch comes from.
import type { ShapeConfig } from './types';

export function defaultShapes(): ShapeConfig {
  return {
    health: 'healthy',
    singleItem: 'documented',
    omitPagination: false,
    sharedBareArray: false,
    listingsBareArray: false,
    bareErrors: false,
    totalOffBy: 0,
    omitNextOffset: false,
    roomField: 'documented',
    recordingLinks: 'downloadUrl',
    authErrorCode: 'UNAUTHORIZED',
    healthWithoutKey: false,
    participantNeedsRoomId: false,
    sparseRatings: 'documented',
    continuousValue: 'normalized',
    syncQuality: 'number',
    chatMessageType: 'text',
    timeRange: 'exclusive',
    onsetFrom: 'experiment',
    questionnaireCategory: 'post_experiment',
    componentExtras: false,
    paginationEcho: false,
    ndjson: false,
    csvPagingHeaders: false,
    sortEverywhere: false,
  };
}

/** The values each shape accepts: a list of choices, 'boolean' or 'number'. */
export const SHAPE_VALUES: { readonly [K in keyof ShapeConfig]: readonly string[] | 'boolean' | 'number' } = {
  health: ['healthy', 'success'],
  singleItem: ['documented', 'list', 'object'],
  omitPagination: 'boolean',
  sharedBareArray: 'boolean',
  listingsBareArray: 'boolean',
  bareErrors: 'boolean',
  totalOffBy: 'number',
  omitNextOffset: 'boolean',
  roomField: ['documented', 'roomId', 'none'],
  recordingLinks: ['downloadUrl', 'downloadPath'],
  authErrorCode: ['UNAUTHORIZED', 'AUTHENTICATION_ERROR'],
  healthWithoutKey: 'boolean',
  participantNeedsRoomId: 'boolean',
  sparseRatings: ['documented', 'sdk'],
  continuousValue: ['normalized', 'scale'],
  syncQuality: ['number', 'label'],
  chatMessageType: ['text', 'audience'],
  timeRange: ['exclusive', 'inclusive'],
  onsetFrom: ['experiment', 'room'],
  questionnaireCategory: ['post_experiment', 'mixed'],
  componentExtras: 'boolean',
  paginationEcho: 'boolean',
  ndjson: 'boolean',
  csvPagingHeaders: 'boolean',
  sortEverywhere: 'boolean',
};

/** Throws on an unknown shape name or a value it does not accept (so a typo in a test fails loudly). */
export function checkShapes(p: Partial<ShapeConfig>): Partial<ShapeConfig> {
  for (const [k, v] of Object.entries(p)) {
    const allowed = SHAPE_VALUES[k as keyof ShapeConfig];
    if (allowed === undefined) throw new Error(`Unknown shape "${k}"; known: ${Object.keys(SHAPE_VALUES).join(', ')}`);
    const ok = allowed === 'boolean' ? typeof v === 'boolean' : allowed === 'number' ? typeof v === 'number' && Number.isFinite(v) : allowed.includes(v as string);
    if (!ok) throw new Error(`Shape "${k}" must be ${Array.isArray(allowed) ? allowed.join(' | ') : `a ${allowed}`}, got ${JSON.stringify(v)}`);
  }
  return p;
}

/** Every shape that differs from the documented default (for the matrix test and the banner). */
export function switchedShapes(s: ShapeConfig): Partial<ShapeConfig> {
  const d = defaultShapes();
  return Object.fromEntries(Object.entries(s).filter(([k, v]) => d[k as keyof ShapeConfig] !== v)) as Partial<ShapeConfig>;
}

/** Data types whose `sort`/`order` the documentation shows; the others keep the server's order. */
export const SORTABLE_TYPES: ReadonlySet<string> = new Set(['events', 'chat', 'videochat', 'sync', 'ratings/continuous', 'ratings/sparse']);
