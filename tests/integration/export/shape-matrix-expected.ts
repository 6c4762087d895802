// What an export's data files must hold, computed from the simulator's dataset alone. This file
// restates the export's documented rules in its own code and imports nothing from src-main: a
// record's room is its roomId, else its sessionId, else its participant's room; CSV cells flatten
// nested objects with "_", arrays as JSON text, epoch-ms times as ISO, onset_sec beside onset;
// pseudonyms are P001… in the order of the sorted participant ids; summaries count records per
// participant and type and describe the numeric value fields.
import type { Simulator, StreamType } from '../../sim/index';

export type Rec = Record<string, unknown>;

/** Every data type an export can ask for, with its simulator stream and file base name. */
export const TYPES = [
  { id: 'events', stream: 'events', file: 'events' },
  { id: 'components', stream: 'components', file: 'components' },
  { id: 'recordings', stream: 'recordings', file: 'recordings' },
  { id: 'chat', stream: 'chat', file: 'chat' },
  { id: 'videochat', stream: 'videochat', file: 'videochat' },
  { id: 'ratings-continuous', stream: 'ratings/continuous', file: 'ratings_continuous' },
  { id: 'ratings-sparse', stream: 'ratings/sparse', file: 'ratings_sparse' },
  { id: 'sync', stream: 'sync', file: 'sync' },
  { id: 'eyetracking', stream: 'eyetracking', file: 'eyetracking' },
  { id: 'variables', stream: null, file: 'variables' },
] as const;
export type TypeId = (typeof TYPES)[number]['id'];

const SIGNED = ['downloadUrl', 'signedUrl'];

/** The records of one type for the whole experiment, in server order, as the export should keep them. */
export function expectedRecords(sim: Simulator, experimentId: string, type: (typeof TYPES)[number]): Rec[] {
  if (type.stream === null) {
    // Variables exist per room only: the rooms in listing order, each record naming its room.
    return sim.dataset.rooms(experimentId).flatMap((room) => sim.dataset.variables(room.id).map((r) => (roomNamed(r) ? r : { roomId: room.id, ...r })));
  }
  const recs = [...sim.dataset.records(type.stream as StreamType, 'experiment', experimentId)];
  // Signed links are temporary credentials: never in the files.
  return type.id === 'recordings' ? recs.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !SIGNED.includes(k)))) : recs;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null);
const roomNamed = (r: Rec) => str(r.roomId) ?? str(r.sessionId);

export function participantOf(r: Rec): string | null {
  return str(r.participantId) ?? str(r.senderId) ?? str(r.userId);
}

/** The room a record belongs to, or null. */
export function roomOf(r: Rec, participantRoom: ReadonlyMap<string, string>): string | null {
  const named = roomNamed(r);
  if (named) return named;
  const p = participantOf(r);
  return p ? (participantRoom.get(p) ?? null) : null;
}

export function participantRooms(sim: Simulator, experimentId: string): Map<string, string> {
  return new Map(sim.dataset.participants({ experimentId }).map((p) => [p.id, p.roomId]));
}

// ---------------------------------------------------------------- pseudonyms

export interface Pseudonyms {
  code(id: string): string;
  ids: string[];
  names: string[];
}

export function pseudonyms(sim: Simulator, experimentId: string): Pseudonyms {
  const people = sim.dataset.participants({ experimentId });
  const ids = people.map((p) => p.id).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const width = Math.max(3, String(ids.length).length);
  const codes = new Map(ids.map((id, i) => [id, `P${String(i + 1).padStart(width, '0')}`]));
  return {
    code: (id) => {
      const c = codes.get(id);
      if (!c) throw new Error(`participant ${id} is not in the listing`);
      return c;
    },
    ids,
    names: people.map((p) => p.name),
  };
}

const ID_FIELDS = new Set(['participantId', 'senderId', 'recipientIds', 'userId']);
const PERSONAL_FIELDS = new Set(['participantName', 'senderName', 'email', 'displayName']);

/** A record as a pseudonymized export writes it: participant ids as codes, personal fields gone. */
export function pseudonymized(r: Rec, p: Pseudonyms): Rec {
  const rewrite = (v: unknown): unknown => {
    if (typeof v === 'string') {
      let s = v;
      for (const id of p.ids) if (s.includes(id)) s = s.split(id).join(p.code(id));
      return s;
    }
    if (Array.isArray(v)) return v.map(rewrite);
    if (v && typeof v === 'object') return pseudonymized(v as Rec, p);
    return v;
  };
  const out: Rec = {};
  for (const [k, v] of Object.entries(r)) {
    if (PERSONAL_FIELDS.has(k)) continue;
    if (ID_FIELDS.has(k)) out[k] = Array.isArray(v) ? v.map((x) => p.code(String(x))) : typeof v === 'string' ? p.code(v) : v;
    else out[k] = rewrite(v);
  }
  return out;
}

// ---------------------------------------------------------------- CSV cells

const TIME_FIELDS = new Set(['timestamp', 'clientTimestamp', 'startTime', 'endTime', 'createdAt', 'updatedAt', 'joinedAt', 'completedAt', 'stateStartTime', 'pauseTimestamp']);
const isTimeField = (k: string) => TIME_FIELDS.has(k) || /[a-z](Timestamp|At)$/.test(k);

/** The non-empty cells a CSV row must have for this record (column → text). */
export function csvCells(r: Rec): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (key: string, leaf: string, v: unknown) => {
    if (v === null || v === undefined) return;
    let text: string;
    if (typeof v === 'number') text = isTimeField(leaf) && Math.abs(v) >= 1e11 && Math.abs(v) <= 2e13 ? new Date(v).toISOString() : String(v);
    else if (typeof v === 'boolean') text = v ? 'true' : 'false';
    else if (Array.isArray(v)) text = JSON.stringify(v);
    else if (typeof v === 'object') {
      const entries = Object.entries(v as Rec);
      if (entries.length === 0) text = '{}';
      else {
        for (const [k, x] of entries) put(`${key}_${k}`, k, x);
        return;
      }
    } else text = String(v);
    if (text !== '') out[key] = text;
  };
  for (const [k, v] of Object.entries(r)) put(k, k, v);
  if (typeof r.onset === 'number') out.onset_sec = String(r.onset / 1000);
  return out;
}

/** A CSV row as read back (python's csv module) without its empty cells. */
export function nonEmpty(row: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(row).filter(([, v]) => v !== ''));
}

// ---------------------------------------------------------------- aggregate summaries

const VALUE_FIELDS: Record<string, string[]> = {
  'ratings-continuous': ['value', 'normalizedValue', 'rawValue'],
  'ratings-sparse': ['value', 'rawValue', 'responseTime'],
  sync: ['timeDrift', 'syncQuality', 'latency', 'bufferHealth', 'playbackRate'],
  events: ['duration', 'response_value', 'response_responseTime'],
  components: ['response_value', 'response_responseTime'],
  recordings: ['duration', 'fileSize'],
  eyetracking: ['gazeX', 'gazeY', 'pupilDiameter', 'confidence'],
};

export interface CountRow {
  participant: string;
  type: string;
  records: number;
  first_timestamp: string;
  last_timestamp: string;
}
export interface StatRow {
  participant: string;
  type: string;
  field: string;
  n: number;
  min: number;
  max: number;
  mean: number;
  sd: number | null;
}

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** summary_counts and summary_stats rows for the given records (already pseudonymized), per participant and type. */
export function summaries(recordsByType: Array<[TypeId, Rec[]]>): { counts: CountRow[]; stats: StatRow[] } {
  const groups = new Map<string, Map<string, Rec[]>>();
  for (const [type, recs] of recordsByType) {
    for (const r of recs) {
      const who = participantOf(r) ?? '(none)';
      let m = groups.get(who);
      if (!m) groups.set(who, (m = new Map()));
      m.set(type, [...(m.get(type) ?? []), r]);
    }
  }
  const counts: CountRow[] = [];
  const stats: StatRow[] = [];
  for (const who of [...groups.keys()].sort(byCodePoint)) {
    const m = groups.get(who)!;
    for (const type of [...m.keys()].sort(byCodePoint)) {
      const recs = m.get(type)!;
      const times = recs.map((r) => Date.parse(String(r.timestamp ?? r.startTime ?? r.createdAt))).filter((t) => !Number.isNaN(t));
      const iso = (t: number) => (Number.isFinite(t) ? new Date(t).toISOString() : '');
      counts.push({ participant: who, type, records: recs.length, first_timestamp: iso(Math.min(...times)), last_timestamp: iso(Math.max(...times)) });
      for (const field of VALUE_FIELDS[type] ?? []) {
        const [a, b] = field.split('_');
        const values = recs.map((r) => (b ? (r[a] as Rec | undefined)?.[b] : r[a])).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
        if (!values.length) continue;
        const mean = values.reduce((s, v) => s + v, 0) / values.length;
        const sd = values.length >= 2 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1)) : null;
        stats.push({ participant: who, type, field, n: values.length, min: Math.min(...values), max: Math.max(...values), mean, sd });
      }
    }
  }
  return { counts, stats };
}
