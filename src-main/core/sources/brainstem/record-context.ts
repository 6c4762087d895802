// A BrainSTEM record's place in an export's split folders: its session (acquisitions, behaviors,
// manipulations and epochs name theirs; a session is its own) and its subject (procedures and
// subject logs name theirs, a procedure log its procedure's, a behavior its only subject). Records
// are about animals and sessions, never about study participants: no person.
import type { DataTypeId } from '../../../../src-shared/model';
import type { ExportListings, RecordContext } from '../source';
import { PROCEDURE_SUBJECT } from './export-listings';
import { relatedId, relatedIds } from './relations';

const OF_SESSION: ReadonlySet<string> = new Set(['data_acquisitions', 'behaviors', 'manipulations', 'epochs']);
const OF_SUBJECT: ReadonlySet<string> = new Set(['procedures', 'subject_logs']);

export function brainstemRecordContext(listings?: ExportListings): (type: DataTypeId, record: Record<string, unknown>) => RecordContext {
  const procedureSubject = new Map(Object.entries(listings?.lookups?.[PROCEDURE_SUBJECT] ?? {}));
  return (type, r) => {
    const session = type === 'sessions' ? relatedId(r.id) : OF_SESSION.has(type) ? relatedId(r.session) : null;
    let subject: string | null = null;
    if (type === 'subjects') subject = relatedId(r.id);
    else if (OF_SUBJECT.has(type)) subject = relatedId(r.subject);
    else if (type === 'procedure_logs') subject = procedureSubject.get(relatedId(r.procedure) ?? '') ?? null;
    else if (type === 'behaviors') {
      const subjects = relatedIds(r.subjects);
      subject = subjects.length === 1 ? subjects[0] : null;
    }
    return { groups: { session, subject }, person: null };
  };
}
