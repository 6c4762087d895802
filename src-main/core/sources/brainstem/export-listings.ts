// What a BrainSTEM export needs besides its streams: the target's own record (its name names the
// export folder), the groups of each split (the project's sessions and subjects), and the subject of
// every procedure (procedure logs name only their procedure). Every model is a stream of its own
// (projects.csv, sessions.csv, …), so there are no extra files. The lists are the same requests the
// plan reads: within one export view they are read once (stream-reader's ListMemo).
import type { Target } from '../../../../src-shared/model';
import type { ExportListings, RequestOptions } from '../source';
import type { BrainstemClient } from './client';
import type { BrainstemStreamId } from './descriptors';
import type { JsonRecord } from './envelope';
import { notFoundError } from './errors';
import type { ListRequest } from './query';
import { relatedId } from './relations';
import { listRecords, type StreamReader } from './stream-reader';
import { idsOf } from './streams';
import { checkItemId, readTarget, type BrainstemTarget } from './targets';

/** The listings' key for "procedure id → subject id". */
export const PROCEDURE_SUBJECT = 'procedureSubject';

function requestOf(client: BrainstemClient, t: BrainstemTarget, type: BrainstemStreamId, parentIds?: readonly string[]): ListRequest[] {
  const plans = client.planStreams({ level: t.level, ids: [t.id] }, [type]);
  return client.requestsFor(plans.find((p) => p.type === type)!, parentIds);
}

/** The sessions list, plain or carrying epochs (either one will do). */
function sessionsReads(client: BrainstemClient, t: BrainstemTarget): ListRequest[] {
  const withEpochs = client.planStreams({ level: t.level, ids: [t.id] }, ['epochs']).find((p) => p.type === 'sessions')!;
  return [requestOf(client, t, 'sessions')[0], client.requestsFor(withEpochs)[0]];
}

/**
 * The reads the listings make, each as the requests that would do (the first is the one made): the
 * target's own record first; for a project its sessions and subjects; for a session or subject
 * reached through its project, last, that project (its name names the export).
 */
export function listingReads(client: BrainstemClient, t: BrainstemTarget): ListRequest[][] {
  if (t.level === 'project') return [requestOf(client, t, 'projects'), sessionsReads(client, t), requestOf(client, t, 'subjects')];
  const own = t.level === 'session' ? sessionsReads(client, t) : requestOf(client, t, 'subjects');
  return t.projectId ? [own, requestOf(client, { level: 'project', id: t.projectId }, 'projects')] : [own];
}

async function read(reader: StreamReader, alternatives: ListRequest[], o: RequestOptions): Promise<JsonRecord[]> {
  for (const req of alternatives) {
    const known = reader.peek(req);
    if (known) return listRecords(req, await known);
  }
  return listRecords(alternatives[0], await reader.readAll(alternatives[0], o));
}

/** procedure id → subject id, from procedures this export view has read already (none otherwise: nothing to place). */
async function procedureSubjects(client: BrainstemClient, reader: StreamReader, t: BrainstemTarget, subjectIds: readonly string[]): Promise<Record<string, string>> {
  const reqs = t.level === 'project' ? requestOf(client, t, 'procedures', subjectIds) : t.level === 'subject' ? requestOf(client, t, 'procedures') : [];
  const out: Record<string, string> = {};
  for (const req of reqs) {
    const known = reader.peek(req);
    if (!known) return {};
    for (const p of listRecords(req, await known)) {
      const subject = relatedId(p.subject);
      if (typeof p.id === 'string' && subject) out[p.id] = subject;
    }
  }
  return out;
}

export async function brainstemExportListings(client: BrainstemClient, reader: StreamReader, target: Target, o: RequestOptions = {}): Promise<ExportListings> {
  const t = readTarget(target);
  checkItemId(t.level, t.id, client.portal);
  const [rootRead, ...groupReads] = listingReads(client, t);
  const own = (await read(reader, rootRead, o)).find((r) => r.id === t.id);
  if (!own) throw notFoundError({ site: client.urls.site, portal: client.portal, auth: 'token' }, `${t.level} ${t.id}`);
  let sessions: string[] = t.level === 'session' ? [t.id] : [];
  let subjects: string[] = t.level === 'subject' ? [t.id] : [];
  if (t.level === 'project') {
    sessions = idsOf(await read(reader, groupReads[0], o));
    subjects = idsOf(await read(reader, groupReads[1], o));
  }
  const name = typeof own.name === 'string' ? own.name : undefined;
  const self = { level: t.level, id: t.id, ...(name !== undefined ? { name } : {}) };
  // Below its project, the project is the export's root (the study) and the target its item.
  let root: ExportListings['root'] = self;
  let item: ExportListings['item'];
  if (t.level !== 'project' && t.projectId) {
    const project = (await read(reader, groupReads[groupReads.length - 1], o)).find((r) => r.id === t.projectId);
    const projectName = typeof project?.name === 'string' ? project.name : undefined;
    root = { level: 'project', id: t.projectId, ...(projectName !== undefined ? { name: projectName } : {}) };
    item = self;
  }
  return {
    root,
    ...(item ? { item } : {}),
    files: [],
    filesLabel: `the ${t.level}`,
    people: [],
    groups: { session: sessions, subject: subjects },
    lookups: { [PROCEDURE_SUBJECT]: await procedureSubjects(client, reader, t, subjects) },
    warnings: [],
  };
}
