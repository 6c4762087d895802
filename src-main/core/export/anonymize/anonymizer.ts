// Pseudonymization: every participant id becomes a stable code (P001, P002, …) wherever it
// appears (id fields, arrays such as recipientIds, object keys, and inside longer strings such as
// file names and download paths), and personal data (emails, IP addresses, names) is removed.
// Codes come from a CodeBook: the study's own map (the same code in every export of the study)
// or, without one, a fresh map for this export that follows the sorted participant ids.
import type { AnonymizeMode } from '../../../../src-shared/model';
import { compareCodePoints } from '../naming';
import { createMemoryCodeBook, type CodeBook } from './code-book';
import { createSubstringIndex, type SubstringIndex } from './substring-index';

export type JsonRecord = Record<string, unknown>;

export interface KnownParticipant {
  id: string;
  name?: string;
  email?: string;
}

export interface CodeMapEntry {
  code: string;
  participantId: string;
  name?: string;
  email?: string;
}

export interface Anonymizer {
  readonly mode: AnonymizeMode;
  /** Rewrites one record (a deep copy; the input is not changed). Identity in "keep" mode. */
  transform(record: JsonRecord): JsonRecord;
  /** The code for a participant id (assigning the next free code to an id seen for the first time), or the id itself in "keep" mode. */
  participant(id: string): string;
  /** Replaces every known participant id inside a string (file names, paths); removes emails and IPs. Identity in "keep" mode. */
  rewriteString(s: string): string;
  /** Code → original id (and name/email when known), sorted by code. Write it only when the user asks. */
  codeMap(): CodeMapEntry[];
  /** Flattened column names that pseudonymization always empties (to leave out of CSV headers). */
  readonly removedColumns: ReadonlySet<string>;
}

export interface AnonymizerOptions {
  mode: AnonymizeMode;
  participants: KnownParticipant[];
  /** Code prefix (default "P"; only for the per-export book). */
  prefix?: string;
  /**
   * The study's codes (see code-book). The caller gives the listed participants their codes
   * first (`ensure`); ids met later in records get the next free codes through the book.
   * Without one, codes are given for this export only, in sorted-id order.
   */
  codes?: CodeBook;
}

/** Fields holding a participant id (or an array of them). */
export const PARTICIPANT_ID_FIELDS: ReadonlySet<string> = new Set([
  'participantId',
  'senderId',
  'recipientId',
  'recipientIds',
  'userId',
  'uid',
  'identity',
  'participantIdentity',
  'fromParticipantId',
  'toParticipantId',
  'targetParticipantId',
  'participants',
  'participantIds',
]);

/** Fields whose values are personal data and are removed. Matched case-insensitively. */
const PII_FIELD = /^(e-?mail|.*email(address)?|ip|ipaddress|ipaddr|clientip|remoteaddress|remoteaddr|useragent|participantname|sendername|recipientname|recipientnames|username|displayname|firstname|lastname|fullname|realname|phone|phonenumber)$/i;

/** Columns always emptied by pseudonymization, as the CSV knows them. */
export const REMOVED_COLUMNS: ReadonlySet<string> = new Set(['email', 'participantName', 'senderName', 'name', 'ip', 'ipAddress', 'clientInfo_ip']);

const EMAIL_IN_TEXT = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const IPV4_IN_TEXT = /\b(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}\b/g;
const IPV6_IN_TEXT = /\b(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}\b/g;
const MIN_EMBEDDED_ID_LENGTH = 3;
const STRING_CACHE_SIZE = 50_000;
const NUMERIC_ID_KEY = /Ids?$/;
/** An IPv4 address needs digit-dot-digits-dot: a cheaper test than the address pattern (timestamps have one dot). */
const IPV4_HINT = /\d\.\d{1,3}\.\d/;
/** An IPv6 address (the full form matched above) has seven colons. */
const IPV6_MIN_COLONS = 7;

function hasColons(s: string, n: number): boolean {
  for (let i = s.indexOf(':'); i !== -1; i = s.indexOf(':', i + 1)) if (--n === 0) return true;
  return false;
}

/** Calls `found` with every participant id a record names in its id fields (the ids that get codes). */
export function forEachParticipantId(record: unknown, found: (id: string) => void): void {
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) for (const x of v) walk(x);
    else if (v && typeof v === 'object') {
      const o = v as JsonRecord;
      for (const k of Object.keys(o)) {
        const x = o[k];
        if (PARTICIPANT_ID_FIELDS.has(k)) idsOf(x, NUMERIC_ID_KEY.test(k));
        else if (x && typeof x === 'object') walk(x);
      }
    }
  };
  const idsOf = (x: unknown, numeric: boolean): void => {
    if (typeof x === 'string' && x !== '') found(x);
    else if (numeric && typeof x === 'number' && Number.isFinite(x)) found(String(x));
    else if (Array.isArray(x)) for (const y of x) idsOf(y, numeric);
    else if (x && typeof x === 'object') walk(x);
  };
  walk(record);
}

const identity: Anonymizer = {
  mode: 'keep',
  transform: (r) => r,
  participant: (id) => id,
  rewriteString: (s) => s,
  codeMap: () => [],
  removedColumns: new Set(),
};

/**
 * Creates the anonymizer for one export. In "keep" mode nothing changes. In "pseudonymize" and
 * "aggregate" modes (aggregate summaries are keyed by code too) records are rewritten.
 * `participants` is every participant of the export (from the listing); ids met later in id fields
 * get the next codes in first-seen order.
 */
export function createAnonymizer(opts: AnonymizerOptions): Anonymizer {
  if (opts.mode === 'keep') return { ...identity };
  const known = new Map<string, KnownParticipant>();
  for (const p of opts.participants) if (p.id && !known.has(p.id)) known.set(p.id, p);
  let book = opts.codes;
  if (!book) {
    const sorted = [...known.keys()].sort(compareCodePoints);
    book = createMemoryCodeBook({ prefix: opts.prefix, width: String(sorted.length).length });
    for (const id of sorted) book.assign(id);
  }
  const codes = book;
  let idIndex: SubstringIndex | null = null; // rebuilt when a new id gets a code
  let indexVersion = -1;
  // Field values repeat a lot (ids, categories, chat lines): remember recent results. Cleared
  // whenever a new id gets a code, since that can change the result for a string.
  const cache = new Map<string, string>();
  let cacheVersion = codes.version;
  const fresh = () => {
    if (codes.version !== cacheVersion) {
      cache.clear();
      cacheVersion = codes.version;
    }
  };
  // Keys repeat on every record: whether each is personal data, and its name with ids replaced
  // (as of a version of the codes).
  const keys = new Map<string, { personal: boolean; name: string; version: number }>();
  const keyOf = (k: string) => {
    let info = keys.get(k);
    if (!info) {
      if (keys.size >= STRING_CACHE_SIZE) keys.clear();
      keys.set(k, (info = { personal: PII_FIELD.test(k), name: k, version: -1 }));
    }
    return info;
  };
  const keyName = (k: string, info: { name: string; version: number }): string => {
    if (info.version !== codes.version) {
      info.name = codes.get(k) ?? embeddedIds().replaceIn(k, (m) => codes.get(m) ?? m);
      info.version = codes.version;
    }
    return info.name;
  };
  const assign = (id: string): string => codes.get(id) ?? codes.assign(id);

  // Personal strings known from the listing (names, emails) are removed wherever they appear.
  const personal = new Set<string>();
  for (const p of known.values()) {
    if (p.name && p.name.trim().length >= 2) personal.add(p.name.trim());
    if (p.email && p.email.trim()) personal.add(p.email.trim());
  }
  const personalLower = new Set([...personal].map((s) => s.toLowerCase()));
  const personalLengths = [...personal].map((s) => s.length);
  const shortestPersonal = personalLengths.length ? Math.min(...personalLengths) : Infinity;
  const longestPersonal = personalLengths.length ? Math.max(...personalLengths) : 0;
  const personalIndex = createSubstringIndex(personal, { caseInsensitive: true, minLength: 3 });

  const embeddedIds = (): SubstringIndex => {
    if (!idIndex || indexVersion !== codes.version) {
      idIndex = createSubstringIndex(codes.ids(), { minLength: MIN_EMBEDDED_ID_LENGTH });
      indexVersion = codes.version;
    }
    return idIndex;
  };

  const rewriteString = (s: string): string => {
    const exact = codes.get(s);
    if (exact) return exact;
    fresh();
    const cached = cache.get(s);
    if (cached !== undefined) return cached;
    const out = rewriteUncached(s);
    if (cache.size >= STRING_CACHE_SIZE) cache.clear();
    cache.set(s, out);
    return out;
  };
  const rewriteUncached = (s: string): string => {
    if (s.length >= shortestPersonal && s.length <= longestPersonal + 8 && personalLower.has(s.trim().toLowerCase())) return '';
    let out = embeddedIds().replaceIn(s, (m) => codes.get(m) ?? m);
    if (personalIndex.size) out = personalIndex.replaceIn(out, () => '[removed]');
    if (out.includes('@')) out = out.replace(EMAIL_IN_TEXT, '[email]');
    // Each pattern runs only where it could match ("[ip]" adds no colon, so the count holds after IPv4).
    if (IPV4_HINT.test(out)) out = out.replace(IPV4_IN_TEXT, '[ip]');
    if (hasColons(out, IPV6_MIN_COLONS)) out = out.replace(IPV6_IN_TEXT, '[ip]');
    return out;
  };

  // Ids met for the first time get their codes before any string of the record is rewritten, so a
  // file name listed before (or above) the participantId that names it is rewritten too.
  const learnIds = (r: JsonRecord): void => forEachParticipantId(r, assign);

  const idValue = (v: unknown, numeric: boolean): unknown => {
    if (typeof v === 'string' && v !== '') return assign(v);
    // Numeric ids become codes too, but only in *Id/*Ids fields ("participants": 3 is a count).
    if (numeric && typeof v === 'number' && Number.isFinite(v)) return assign(String(v));
    if (Array.isArray(v)) return v.map((x) => idValue(x, numeric));
    return rewriteValue(v);
  };

  const rewriteObject = (o: JsonRecord): JsonRecord => {
    const out: JsonRecord = {};
    const isParticipantObject = typeof o.id === 'string' && codes.get(o.id) !== undefined && !('participantId' in o);
    for (const k of Object.keys(o)) {
      const v = o[k];
      const info = keyOf(k);
      if (info.personal) continue;
      if (k === 'name' && isParticipantObject) continue;
      const key = keyName(k, info);
      if (PARTICIPANT_ID_FIELDS.has(k) || (k === 'id' && isParticipantObject)) out[key] = idValue(v, NUMERIC_ID_KEY.test(k));
      else out[key] = rewriteValue(v);
    }
    return out;
  };

  const rewriteValue = (v: unknown): unknown => {
    if (typeof v === 'string') return rewriteString(v);
    if (Array.isArray(v)) return v.map(rewriteValue);
    if (v && typeof v === 'object') return rewriteObject(v as JsonRecord);
    return v;
  };

  return {
    mode: opts.mode,
    transform: (r) => {
      learnIds(r);
      return rewriteObject(r);
    },
    participant: (id) => assign(id),
    rewriteString,
    codeMap: () =>
      codes.entries().map(({ participantId, code }) => {
        const p = known.get(participantId);
        return { code, participantId, ...(p?.name ? { name: p.name } : {}), ...(p?.email ? { email: p.email } : {}) };
      }),
    removedColumns: REMOVED_COLUMNS,
  };
}
