// What the BrainSTEM simulator holds, computed from its dataset accessors only (never from the
// source's code): the records of each data type under a project, a session or a subject.
import type { BrainstemSimulator } from '../../../sim/brainstem/index';

type Row = Record<string, unknown>;

const has = (v: unknown, ids: ReadonlySet<string>) => (Array.isArray(v) ? v.some((x) => ids.has(String(x))) : ids.has(String(v)));
const idSet = (rows: Row[]) => new Set(rows.map((r) => String(r.id)));

/** Records of `type` (our data type id) under one item of `scope`, in the dataset's default order. */
export function recordsAt(sim: BrainstemSimulator, type: string, scope: string, id: string): Row[] {
  const rows = (model: string) => sim.dataset.rows(model);
  const under = (model: string, field: string, parents: ReadonlySet<string>) => rows(model).filter((r) => has(r[field], parents));
  const one = new Set([id]);
  const sessions = scope === 'project' ? under('session', 'projects', one) : scope === 'session' ? rows('session').filter((r) => r.id === id) : [];
  const subjects = scope === 'project' ? under('subject', 'projects', one) : scope === 'subject' ? rows('subject').filter((r) => r.id === id) : [];
  const procedures = under('procedure', 'subject', idSet(subjects));
  switch (type) {
    case 'projects':
      return rows('project').filter((r) => r.id === id);
    case 'sessions':
      return sessions;
    case 'data_acquisitions':
      return under('dataacquisition', 'session', idSet(sessions));
    case 'behaviors':
      return under('behavior', 'session', idSet(sessions));
    case 'manipulations':
      return under('manipulation', 'session', idSet(sessions));
    case 'epochs':
      return under('epoch', 'session', idSet(sessions));
    case 'subjects':
      return subjects;
    case 'procedures':
      return procedures;
    case 'procedure_logs':
      return under('procedurelog', 'procedure', idSet(procedures));
    case 'subject_logs':
      return under('subjectlog', 'subject', idSet(subjects));
    case 'collections':
      return under('collection', 'project', one);
    case 'cohorts':
      return under('cohort', 'project', one);
    default:
      throw new Error(`no oracle for ${type}`);
  }
}

export const ALL_TYPES = ['projects', 'sessions', 'data_acquisitions', 'behaviors', 'manipulations', 'epochs', 'subjects', 'procedures', 'procedure_logs', 'subject_logs', 'collections', 'cohorts'];
