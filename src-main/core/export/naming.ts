// Safe, deterministic file and folder names from untrusted ids and names.
// Ids come from the server and may be hostile ("../../x", "CON", 300-byte strings); every name we
// put on disk or in a ZIP goes through here so it stays inside the export folder on every OS.
import { createHash } from 'node:crypto';

export interface SafeNameOptions {
  /** Maximum UTF-8 bytes of the result (default 120; ext4/APFS/NTFS allow 255). */
  maxBytes?: number;
  /** Used when nothing usable is left (default "_"). */
  fallback?: string;
}

const RESERVED_WINDOWS = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$/i;
// Path separators, characters Windows forbids, and control characters (C0, DEL, C1).
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARS = /[/\\:*?"<>|\u0000-\u001f\u007f-\u009f]/g;
// Unicode characters that render invisibly or reorder text (bidi overrides, zero-width).
const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

/** Short stable hash used to keep distinct inputs distinct after lossy cleaning. */
export function shortHash(s: string, length = 8): string {
  return createHash('sha256').update(s, 'utf8').digest('hex').slice(0, length);
}

/** Truncates to at most maxBytes of UTF-8 without splitting a character. */
export function truncateUtf8(s: string, maxBytes: number): string {
  if (Buffer.byteLength(s, 'utf8') <= maxBytes) return s;
  let out = '';
  let bytes = 0;
  for (const ch of s) {
    const b = Buffer.byteLength(ch, 'utf8');
    if (bytes + b > maxBytes) break;
    out += ch;
    bytes += b;
  }
  return out;
}

/**
 * Makes one path component safe on Linux, macOS and Windows: no separators or traversal, no
 * characters Windows rejects, no control characters, no leading/trailing dots or spaces, no
 * reserved device names (CON, NUL.txt, COM1…), and at most `maxBytes` UTF-8 bytes. Unicode letters
 * are kept. When cleaning changed the input or it had to be truncated, a short hash of the original
 * is appended so distinct inputs stay distinct. Deterministic: same input, same output.
 */
export function safeFileName(input: string, opts: SafeNameOptions = {}): string {
  const maxBytes = Math.max(16, opts.maxBytes ?? 120);
  const fallback = opts.fallback ?? '_';
  const original = String(input ?? '');
  // Runs of dots become "_" too: "room_..:x" must not even look like traversal to a reader.
  let s = original.normalize('NFC').replace(INVISIBLE, '').replace(UNSAFE_CHARS, '_').replace(/\.{2,}/g, '_');
  s = s.replace(/^[\s.]+/, '').replace(/[\s.]+$/, '');
  if (s === '') s = fallback;
  // "CON", "con.txt", "Com1.tar.gz": the device name is the part before the first dot.
  const stem = s.split('.')[0].trimEnd();
  if (RESERVED_WINDOWS.test(stem)) s = `_${s}`;
  if (s === original && Buffer.byteLength(s, 'utf8') <= maxBytes) return s;
  if (original === '') return fallback;
  // Cleaning or truncation lost information: a hash of the original keeps distinct inputs distinct.
  const suffix = `~${shortHash(original)}`;
  const head = truncateUtf8(s, maxBytes - Buffer.byteLength(suffix, 'utf8')).replace(/[\s.]+$/, '');
  return (head || fallback) + suffix;
}

/**
 * Like safeFileName, but keeps a file extension intact when the stem has to be shortened:
 * safeFileNameWithExt("…very long….mp4") keeps ".mp4".
 */
export function safeFileNameWithExt(stem: string, ext: string, opts: SafeNameOptions = {}): string {
  const maxBytes = opts.maxBytes ?? 120;
  const safeExt = ext ? safeFileName(ext.replace(/^\.+/, ''), { maxBytes: 16, fallback: 'bin' }).replace(/[~].*$/, '') : '';
  const dotExt = safeExt ? `.${safeExt}` : '';
  const base = safeFileName(stem, { ...opts, maxBytes: maxBytes - Buffer.byteLength(dotExt, 'utf8') });
  return base + dotExt;
}

/** YYYY-MM-DD of a date in UTC. */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

// Letters that NFKD does not split into a base letter and a mark.
const ASCII_FOLD: Record<string, string> = {
  ß: 'ss', ẞ: 'SS', æ: 'ae', Æ: 'AE', œ: 'oe', Œ: 'OE', ø: 'o', Ø: 'O', ł: 'l', Ł: 'L', đ: 'd', Đ: 'D',
  ð: 'd', Ð: 'D', þ: 'th', Þ: 'Th', ı: 'i', ŋ: 'ng', Ŋ: 'NG', ĸ: 'k', ſ: 's',
};

/**
 * A name part in plain ASCII letters, digits, "-", "_" and ".": accents dropped ("Zoë" → "Zoe"),
 * everything else (spaces, dashes of every kind, punctuation, other scripts) becomes one "-".
 * Empty when nothing Latin is left ("李雷"); callers fall back to an id.
 */
export function asciiLabel(input: string, maxLength = 60): string {
  const folded = String(input ?? '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^ -~]/g, (ch) => ASCII_FOLD[ch] ?? '-');
  const cleaned = folded
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-._]+|[-._]+$/g, '');
  return cleaned.slice(0, maxLength).replace(/[-._]+$/, '');
}

/** asciiLabel, or (when no Latin letter or digit is left) the id made ASCII-safe, hashed if that changed it. */
function labelOrId(label: string | undefined, id: string, maxLength: number): string {
  const fromLabel = label ? asciiLabel(label, maxLength) : '';
  if (/[A-Za-z0-9]/.test(fromLabel)) return fromLabel;
  const fromId = asciiLabel(id, maxLength);
  return fromId === id && fromId ? fromId : `${fromId || 'id'}-${shortHash(id, 6)}`;
}

export interface ExportNameParts {
  /** The study (experiment) name, and its id for when the name has no Latin letters. */
  study: { name?: string; id: string };
  /** The export's level ("experiment", "room", "participant"). */
  level: string;
  /** What the export holds below the study: its room or participant (a label such as "Session 1", and its id). Absent for the study itself. */
  item?: { label?: string; id: string };
  /** A narrower cut, e.g. "events-filtered". */
  detail?: string;
  date: Date;
}

/**
 * What an export is called (its ZIP, its folder, and the one folder inside its ZIP): the study,
 * the scope with its label, and the day, in ASCII-safe characters, e.g.
 * "Emotion-Study_experiment_2026-11-30", "Emotion-Study_room-Session-1_2026-11-30",
 * "Emotion-Study_participant-P003_2026-11-30". The scope word keeps different scopes apart
 * whatever the labels are.
 */
export function exportName(parts: ExportNameParts): string {
  const study = labelOrId(parts.study.name, parts.study.id, 48);
  const level = asciiLabel(parts.level, 24) || 'export';
  const scope = parts.item ? `${level}-${labelOrId(parts.item.label, parts.item.id, 40)}` : level;
  const detail = parts.detail ? `_${asciiLabel(parts.detail, 40)}` : '';
  return safeFileName(`${study}_${scope}${detail}_${isoDay(parts.date)}`, { maxBytes: 150 });
}

export interface RecordingNameOptions {
  /** Pseudonym code to use instead of the participant's name or id (pseudonymized exports). */
  participantCode?: string;
  maxBytes?: number;
}

/**
 * File name for a recording, like the Python SDK:
 * `{participantName|participantId|"unknown"}_{metadata.type|"recording"}_{recordingId}.{format|webm|mp4}`,
 * every part made safe. With pseudonymization the participant part is the code.
 */
export function recordingFileName(rec: Record<string, unknown>, opts: RecordingNameOptions = {}): string {
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
  const meta = (rec.metadata && typeof rec.metadata === 'object' ? rec.metadata : {}) as Record<string, unknown>;
  const who = opts.participantCode ?? str(rec.participantName) ?? str(rec.participantId) ?? 'unknown';
  const kind = str(meta.type) ?? 'recording';
  const id = str(rec.recordingId) ?? str(rec.id) ?? str(rec.egressId) ?? 'unknown';
  const format = str(rec.format) ?? (kind === 'audio' ? 'webm' : 'mp4');
  const part = (s: string) => safeFileName(s, { maxBytes: 48 });
  return safeFileNameWithExt(`${part(who)}_${part(kind)}_${part(id)}`, format, { maxBytes: opts.maxBytes ?? 160 });
}

export interface UniqueNamer {
  /** The unique safe name for this id; the same id always gets the same name. */
  name(id: string): string;
}

/**
 * Maps ids to safe names that are unique case-insensitively (macOS and Windows folders ignore case).
 * Seed it with all known ids (e.g. every room id of the experiment): seeds are named in sorted order,
 * so the mapping does not depend on the order records arrive in. Unseeded ids get names on first use.
 * Share one namer per folder across all data types so a room has one folder.
 * `reserved` names are never handed out (an id that would get one gets "-2" instead).
 */
export function createUniqueNamer(seedIds: Iterable<string> = [], opts: SafeNameOptions & { reserved?: string[] } = {}): UniqueNamer {
  const byId = new Map<string, string>();
  // Names no id may get (e.g. the "_no_participant" bucket folder).
  const taken = new Set<string>((opts.reserved ?? []).map((r) => r.toLowerCase()));
  const name = (id: string): string => {
    const known = byId.get(id);
    if (known !== undefined) return known;
    const base = safeFileName(id, opts);
    let candidate = base;
    for (let n = 2; taken.has(candidate.toLowerCase()); n++) {
      candidate = truncateUtf8(base, (opts.maxBytes ?? 120) - String(n).length - 1) + `-${n}`;
    }
    taken.add(candidate.toLowerCase());
    byId.set(id, candidate);
    return candidate;
  };
  for (const id of [...new Set(seedIds)].sort(compareCodePoints)) name(id);
  return { name };
}

/** Makes a list of file names unique case-insensitively, keeping extensions: a.mp4, A.mp4 → a.mp4, A-2.mp4. */
export function uniqueFileNames(names: string[]): string[] {
  const taken = new Set<string>();
  return names.map((n) => {
    const dot = n.lastIndexOf('.');
    const stem = dot > 0 ? n.slice(0, dot) : n;
    const ext = dot > 0 ? n.slice(dot) : '';
    let candidate = n;
    for (let i = 2; taken.has(candidate.toLowerCase()); i++) candidate = `${stem}-${i}${ext}`;
    taken.add(candidate.toLowerCase());
    return candidate;
  });
}

/** Locale-independent string order (by UTF-16 code units), for deterministic sorting. */
export function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
