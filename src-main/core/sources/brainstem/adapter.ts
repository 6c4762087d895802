// BrainSTEM behind the Source port: the client (portals, sign-in, robust paging, batched
// streams, images) in the port's generic shapes — levels by path, streams by reference, export
// listings, record context, images as media and session download links as listed-only links.
import { StudyError } from '../../../../src-shared/errors';
import type { DataTypeId, LevelItem, PathStep, Target } from '../../../../src-shared/model';
import type { JointLimiter } from '../../net/limiter';
import type { Listing, MediaUrl, RequestOptions, Source, SourceLinks, SourceMedia, SourceRules } from '../source';
import type { BrainstemClient } from './client';
import { brainstemSource, type BrainstemLevelId } from './descriptors';
import type { JsonRecord } from './envelope';
import { brainstemExportListings } from './export-listings';
import { linkRows } from './links';
import { IMAGES_FOLDER, imageFileName, imageUrlOf, imageUrlOrMissing } from './media';
import { planBrainstemStreams } from './plan-streams';
import { BRAINSTEM_LIMITS, BRAINSTEM_MAX_IN_FLIGHT, BRAINSTEM_PAGE_LIMIT, BRAINSTEM_RETRY } from './policy';
import { brainstemCsvColumns } from './csv-columns';
import { brainstemReadme } from './readme';
import { brainstemRecordContext } from './record-context';
import { brainstemDescriptor, isRecordLevel, RECORD_LEVELS } from './source-descriptor';
import { createListMemo, createStreamReader, type ListMemo } from './stream-reader';
import { checkItemId, idAt, manifestTarget, readTarget } from './targets';

/** BrainSTEM's rules: what the engine applies to its records and exports, with no connection. */
export const brainstemRules: SourceRules = {
  id: 'brainstem',
  descriptor: brainstemDescriptor,
  // No documented rate limit: limits too high to meet (only a 429's Retry-After holds requests
  // back), a few requests at a time, the Python client's backoff on 5xx.
  policy: { pageSize: BRAINSTEM_PAGE_LIMIT, limits: BRAINSTEM_LIMITS, retry: BRAINSTEM_RETRY, maxInFlight: BRAINSTEM_MAX_IN_FLIGHT },
  recordContext: brainstemRecordContext,
  // Records are written as the API gives them (JSON keeps them nested; CSV flattens them).
  exportRecord: (_type, record) => record,
  readme: brainstemReadme,
  manifestTarget,
  flatten: brainstemSource.csv.flatten,
  csvColumns: brainstemCsvColumns,
};

const levelLabel = (id: string) => brainstemDescriptor.levels.find((l) => l.id === id)!;

/** An item of a level: the record as the API gives it, with its id and a label. */
function itemOf(level: string, r: JsonRecord): LevelItem | null {
  const id = typeof r.id === 'string' || typeof r.id === 'number' ? String(r.id) : null;
  if (id === null) return null;
  const l = levelLabel(level);
  const value = l.labelField === 'id' ? undefined : r[l.labelField];
  let label = typeof value === 'string' && value.trim() ? value : '';
  if (isRecordLevel(level)) {
    // Records have no names: their type (or kind) and their order within the session.
    const order = typeof r.order === 'number' ? ` #${r.order}` : '';
    label = `${label || l.singular.charAt(0).toUpperCase() + l.singular.slice(1)}${order}`;
  }
  const extra = level === 'project' && Array.isArray(r.sessions) ? { sessionCount: r.sessions.length } : {};
  return { ...r, ...extra, id, label: label || id };
}

function cannotList(level: string, parentPath: readonly PathStep[]): StudyError {
  const under = parentPath.length ? ` under ${parentPath.map((s) => `${s.level} ${s.id}`).join(' / ')}` : ' at the top';
  return new StudyError({
    code: 'INVALID_ARGUMENT',
    message: `BrainSTEM cannot list ${level.replace(/_/g, ' ')}s${under}.`,
    fix: 'List projects; the sessions, subjects, collections or cohorts of a project; or the records of a session.',
  });
}

function imagesMedia(client: BrainstemClient): SourceMedia {
  const idOf = (r: Record<string, unknown>) => String(r.id);
  return {
    type: 'data_acquisitions',
    noun: { one: 'image', many: 'images' },
    folder: IMAGES_FOLDER,
    table: 'images_metadata',
    fileOf: (r) => (imageUrlOf(r) !== null && typeof r.id === 'string' ? { id: r.id, size: null, sha256: null } : null),
    fileName: (r) => imageFileName(r),
    // No mint route: a refused link costs one fresh read of its data acquisition.
    linkEndpoint: () => `/${client.portal}/modules/dataacquisition/{id}/`,
    // The link is on the record: nothing up front; the fresh read is the plan's reserve.
    upFrontRequests: () => 0,
    async url(r): Promise<MediaUrl> {
      return { url: imageUrlOrMissing(idOf(r), r), requests: 0 };
    },
    async freshUrl(r, o = {}): Promise<MediaUrl> {
      const fresh = await client.getRecord('dataacquisition', idOf(r), { signal: o.signal });
      return { url: imageUrlOrMissing(idOf(r), fresh), requests: 1 };
    },
  };
}

const sessionLinks: SourceLinks = { type: 'sessions', table: 'links', rows: (r) => linkRows([r]) };

/** The port over one BrainSTEM client; `memo` shares whole lists within one export view. */
export function brainstemAdapter(client: BrainstemClient, limiter: JointLimiter, memo?: ListMemo): Source {
  const reader = createStreamReader(client, memo);

  async function listLevel(level: string, parentPath: readonly PathStep[], o: RequestOptions & { search?: string } = {}): Promise<Listing> {
    const projectId = idAt(parentPath, 'project');
    const sessionId = idAt(parentPath, 'session');
    let records: JsonRecord[];
    if (level === 'project' && parentPath.length === 0) {
      records = (await client.listLevel('project', null, o)).map((x) => x.record);
    } else if (['session', 'subject', 'collection', 'cohort'].includes(level) && projectId !== undefined && parentPath.length === 1) {
      checkItemId('project', projectId, client.portal);
      records = (await client.listLevel(level as BrainstemLevelId, projectId, o)).map((x) => x.record);
    } else if (isRecordLevel(level) && sessionId !== undefined && parentPath[parentPath.length - 1].level === 'session') {
      checkItemId('session', sessionId, client.portal);
      records = await reader.allRecords({ type: RECORD_LEVELS[level], scope: 'session', scopeId: sessionId }, {}, o);
      // An unknown session has no records either: one read of it tells the two apart (404 names it).
      if (records.length === 0) await client.getRecord('session', sessionId, o);
    } else throw cannotList(level, parentPath);
    let items = records.map((r) => itemOf(level, r)).filter((x): x is LevelItem => x !== null);
    const search = o.search?.trim().toLowerCase();
    if (search) items = items.filter((x) => x.label.toLowerCase().includes(search) || x.id.toLowerCase().includes(search));
    return { items, warnings: [] };
  }

  const source: Source = {
    ...brainstemRules,
    baseUrl: client.urls.api,
    forExport: () => brainstemAdapter(client, limiter, createListMemo()),
    async health(o) {
      await client.fetchPage({ model: 'project', filters: [], what: 'projects' }, 0, { signal: o?.signal, limit: 1 });
      return { ok: true };
    },
    listLevel,
    // Planning reads lists the export reads again (sessions for their ids): share them at least within the plan.
    planStreams: (target, types, o) => planBrainstemStreams(client, memo ? reader : createStreamReader(client, createListMemo()), target, types, o),
    previewStream(target: Target, type: DataTypeId) {
      if (target.level !== 'project' && target.level !== 'session' && target.level !== 'subject') return null;
      const t = readTarget(target);
      const d = brainstemDescriptor.dataTypes.find((x) => x.id === type);
      return d?.scopes.includes(t.level) ? { type, scope: t.level, scopeId: t.id } : null;
    },
    fetchPage: (stream, query, o) => reader.fetchPage(stream, query, o),
    pages: (stream, query, o) => reader.pages(stream, query, o),
    exportListings: (target, o) => brainstemExportListings(client, reader, target, o),
    media: imagesMedia(client),
    links: sessionLinks,
    requestsMade: () => client.requestsMade(),
    rateLimitedResponses: () => client.rateLimitedResponses(),
    whenQuiet: (maxMs) => client.whenQuiet(maxMs),
    budget: () => ({ ...limiter.budget(), summary: 'BrainSTEM documents no request limit' }),
  };
  return source;
}
