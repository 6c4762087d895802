// Listing one level (reference §7.1): the projects of the portal, or the sessions, subjects,
// collections or cohorts of a project — every page, by the robust pager. An empty list under a
// project that does not exist (or is not visible) is told apart by one detail request, so a wrong
// id reads "no project …" rather than "no sessions".
import type { BrainstemApi } from './api';
import type { Portal } from './connection';
import { brainstemLevel, type BrainstemLevelId } from './descriptors';
import { readDetail, type JsonRecord } from './envelope';
import { pages } from './pager';
import { BRAINSTEM_MAX_IN_FLIGHT } from './policy';
import type { ListRequest } from './query';
import { checkIds } from './streams';

export interface LevelItem {
  id: string;
  /** The level's label field (name), or the id when it has none. */
  label: string;
  /** The record as the API gave it. */
  record: JsonRecord;
}

const PARENT_FILTER: Record<Exclude<BrainstemLevelId, 'project'>, { model: ListRequest['model']; field: string }> = {
  session: { model: 'session', field: 'projects.id' },
  subject: { model: 'subject', field: 'projects.id' },
  collection: { model: 'collection', field: 'project.id' },
  cohort: { model: 'cohort', field: 'project.id' },
};

export async function listLevel(api: BrainstemApi, portal: Portal, level: BrainstemLevelId, parentId: string | null, o: { signal?: AbortSignal } = {}): Promise<LevelItem[]> {
  const desc = brainstemLevel(level);
  let req: ListRequest;
  if (level === 'project') req = { model: 'project', filters: [], what: 'projects' };
  else {
    if (parentId === null) throw new Error(`listing ${level}s needs a project id`);
    checkIds([parentId], 'project');
    const f = PARENT_FILTER[level];
    req = { model: f.model, filters: [[f.field, parentId]], what: `${desc.label.toLowerCase()} of project ${parentId}` };
  }
  const items: LevelItem[] = [];
  for await (const page of pages(api, portal, req, { signal: o.signal, concurrency: BRAINSTEM_MAX_IN_FLIGHT })) {
    for (const r of page.records) {
      const id = typeof r.id === 'string' || typeof r.id === 'number' ? String(r.id) : null;
      if (id === null) continue;
      const label = r[desc.labelField];
      items.push({ id, label: typeof label === 'string' && label ? label : id, record: r });
    }
  }
  if (items.length === 0 && parentId !== null) {
    // 404 (or 403) here names the project; a project that exists simply has none.
    const { body, url } = await api.get(`/${portal}/stem/project/${encodeURIComponent(parentId)}/`, `project ${parentId}`, o.signal);
    readDetail(body, 'project', url);
  }
  return items;
}
