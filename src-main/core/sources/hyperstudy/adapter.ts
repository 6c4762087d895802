// HyperStudy behind the Source port: the client (URLs, envelope, auth, paging) wrapped in the
// port's generic shapes — levels by path, streams by reference, export listings, record context,
// recordings as media. Everything HyperStudy-specific the engine used to know is answered here.
import { StudyError } from '../../../../src-shared/errors';
import type { DataTypeId, PathStep, Target } from '../../../../src-shared/model';
import { pathIdAt } from '../../../../src-shared/target';
import { recordingFileName } from '../../export/naming';
import type { Listing, MediaUrl, Page, PageQuery, RequestOptions, Source, SourceMedia, SourceRules, StreamRef } from '../source';
import type { HyperStudyClient, PageQuery as ClientPageQuery } from './client-types';
import { dataTypeDescriptor, hyperstudySource, MAX_PAGE_LIMIT } from './descriptors';
import { hyperstudyExportListings } from './export-listings';
import { createKeyAccessTracker } from './key-access';
import { MINT_ENDPOINT, planHyperStudyStreams, streamEndpoint } from './plan-streams';
import { readmeText } from './readme';
import { hyperstudyRecordContext } from './record-context';
import { roomOfRecord } from './record-room';
import { expectedSizeOf, sha256Of } from './recording-facts';
import { recordingIdOf, withoutSignedLinks } from './recording-links';
import { manifestTarget, targetScope } from './targets';

const hasDownloadPath = (r: Record<string, unknown>) => typeof r.downloadPath === 'string' && r.downloadPath !== '';

function clientQuery(stream: StreamRef, q: PageQuery): ClientPageQuery {
  return {
    ...(q.since !== undefined ? { startTime: q.since } : {}),
    ...(q.until !== undefined ? { endTime: q.until } : {}),
    ...(q.limit !== undefined ? { limit: q.limit } : {}),
    ...(q.offset !== undefined ? { offset: q.offset } : {}),
    ...(stream.params?.roomId ? { roomId: stream.params.roomId } : {}),
  };
}

function noSuchLevel(level: string, parentPath: readonly PathStep[]): StudyError {
  const under = parentPath.length ? ` under ${parentPath.map((s) => `${s.level} ${s.id}`).join(' / ')}` : '';
  return new StudyError({
    code: 'INVALID_ARGUMENT',
    message: `HyperStudy cannot list ${level}s${under}.`,
    fix: 'List experiments, the rooms of an experiment, or the participants of an experiment or a room.',
  });
}

function recordingsMedia(client: HyperStudyClient): SourceMedia {
  return {
    type: 'recordings',
    noun: { one: 'recording', many: 'recordings' },
    folder: 'recordings',
    table: 'recordings_metadata',
    fileOf: (r) => ({ id: recordingIdOf(r), size: expectedSizeOf(r), sha256: sha256Of(r) }),
    fileName(r, personCode) {
      const pid = typeof r.participantId === 'string' && r.participantId ? r.participantId : undefined;
      const code = personCode && pid ? personCode(pid) : undefined;
      return recordingFileName(r, code ? { participantCode: code } : {});
    },
    // A mint per downloadPath; a signed downloadUrl costs a listing of its room should it expire.
    linkEndpoint: (r) => (hasDownloadPath(r) ? MINT_ENDPOINT : streamEndpoint('recordings', 'room')),
    upFrontRequests: (r) => (hasDownloadPath(r) ? 1 : 0),
    async url(r, o): Promise<MediaUrl> {
      const url = await client.mintRecordingUrl(r, o);
      return { url, requests: hasDownloadPath(r) ? 1 : 0 };
    },
    async freshUrl(r, o = {}): Promise<MediaUrl> {
      const roomId = o.context?.groups.room ?? undefined;
      const url = await client.refreshRecordingUrl(r, { signal: o.signal, onWait: o.onWait, ...(roomId ? { roomId } : {}) });
      return { url, requests: 1 };
    },
  };
}

/**
 * A view of the client whose listRooms answers from memory after the first call per experiment
 * (an export's plan and its listings then list the rooms once).
 */
export function withRoomsListedOnce(client: HyperStudyClient): HyperStudyClient {
  const rooms = new Map<string, ReturnType<HyperStudyClient['listRooms']>>();
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === 'listRooms') {
        return (experimentId: string, o?: RequestOptions) => {
          let p = rooms.get(experimentId);
          if (!p) {
            p = target.listRooms(experimentId, o);
            rooms.set(experimentId, p);
            p.catch(() => rooms.delete(experimentId));
          }
          return p;
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** HyperStudy's rules: what the engine applies to its records and exports, with no connection. */
export const hyperstudyRules: SourceRules = {
  id: 'hyperstudy',
  descriptor: hyperstudySource,
  // The documented limits (1000 per hour per key, 100 per minute per endpoint) are the settings' defaults.
  policy: { pageSize: MAX_PAGE_LIMIT, limits: 'settings' },
  recordContext: hyperstudyRecordContext,
  exportRecord(type, record, stream) {
    // Signed links are temporary credentials: they stay out of the files.
    const r = type === 'recordings' ? withoutSignedLinks(record) : record;
    // Records of a type kept only per room (variables) do not name their room; add it so they can
    // be told apart (and split by room) once several rooms share one file.
    const roomOnly = !dataTypeDescriptor(type).scopes.includes('experiment');
    return roomOnly && stream?.scope === 'room' && roomOfRecord(r) === null ? { roomId: stream.scopeId, ...r } : r;
  },
  readme: readmeText,
  manifestTarget,
};

/** The port over one HyperStudy client. */
export function hyperstudyAdapter(client: HyperStudyClient): Source {
  const asItems = (items: Array<{ id: string; name?: string }>) => items.map((x) => ({ ...x, label: x.name ?? x.id }));

  async function listLevel(level: string, parentPath: readonly PathStep[], o: RequestOptions & { search?: string } = {}): Promise<Listing> {
    const experimentId = pathIdAt(parentPath, 'experiment');
    const roomId = pathIdAt(parentPath, 'room');
    if (level === 'experiment' && parentPath.length === 0) {
      const l = await client.listExperiments(o);
      return { items: asItems(l.items), warnings: l.warnings };
    }
    if (level === 'room' && experimentId !== undefined && parentPath.length === 1) {
      const l = await client.listRooms(experimentId, o);
      return { items: asItems(l.items), warnings: l.warnings };
    }
    if (level === 'participant' && experimentId !== undefined && parentPath.length <= 2) {
      const l = roomId !== undefined ? await client.listParticipants('room', roomId, o) : await client.listParticipants('experiment', experimentId, o);
      return { items: asItems(l.items), warnings: l.warnings };
    }
    throw noSuchLevel(level, parentPath);
  }

  const source: Source = {
    ...hyperstudyRules,
    baseUrl: client.baseUrl,
    forExport: () => hyperstudyAdapter(withRoomsListedOnce(client)),
    async health(o) {
      const h = await client.health(o);
      return { ok: h.ok, ...(h.version ? { version: h.version } : {}) };
    },
    listLevel,
    async itemCounts(path, o) {
      const participantId = pathIdAt(path, 'participant');
      const roomId = pathIdAt(path, 'room');
      if (participantId === undefined || roomId === undefined) {
        throw new StudyError({ code: 'INVALID_ARGUMENT', message: 'HyperStudy counts records per participant of a room.', fix: 'Give the path down to the participant, through its room.' });
      }
      const c = await client.getCounts(participantId, roomId, o);
      return { path: path.map((s) => ({ level: s.level, id: s.id })), counts: c.counts };
    },
    planStreams: (target, types, o = {}) => planHyperStudyStreams(client, target, types, o),
    previewStream(target: Target, type: DataTypeId) {
      const { scope, scopeId, roomId } = targetScope(target);
      return { type, scope, scopeId, ...(roomId ? { params: { roomId } } : {}) };
    },
    fetchPage: (stream, query, o): Promise<Page> => client.fetchPage(stream.type, stream.scope, stream.scopeId, clientQuery(stream, query), o),
    pages: (stream, query, o) => client.pages(stream.type, stream.scope, stream.scopeId, clientQuery(stream, query), o),
    exportListings: (target, o = {}) => hyperstudyExportListings(client, target, o),
    media: recordingsMedia(client),
    access: createKeyAccessTracker(client),
    requestsMade: () => client.requestsMade(),
    rateLimitedResponses: () => client.rateLimitedResponses?.() ?? 0,
    whenQuiet: (maxMs) => client.whenQuiet?.(maxMs) ?? Promise.resolve(),
    budget: () => client.budget(),
  };
  return source;
}
