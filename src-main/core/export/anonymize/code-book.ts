// Participant codes (P001, P002, …): which participant id has which pseudonym.
// A code, once given, never changes, so every export of a study (experiment, room, participant,
// split, later syncs) calls a participant the same. Two kinds:
//   - the memory book: codes for one export only (tests, and the fallback when no folder is given);
//   - the study book: one file per (source, study) in the app's data folder, shared by every export
//     and every process (the CLI and the app), updated under a file lock with atomic renames.
// The book never goes inside an export: it re-identifies participants.
import { mkdirSync, readFileSync, renameSync, writeFileSync, openSync, fsyncSync, closeSync, rmSync } from 'node:fs';
import path from 'node:path';
import { StudyError } from '../../../../src-shared/errors';
import { compareCodePoints, safeFileName } from '../naming';

export interface CodeEntry {
  participantId: string;
  code: string;
}

export interface CodeBook {
  /** The code of a participant id, or undefined while it has none. */
  get(id: string): string | undefined;
  /** The code for `id`, giving it the next free code when it has none (saved before it is returned). */
  assign(id: string): string;
  /** Gives every id without a code the next free codes, in sorted id order, in one locked update. */
  ensure(ids: Iterable<string>): Promise<void>;
  /** Every id with a code. */
  ids(): IterableIterator<string>;
  /** Every entry, in code order. */
  entries(): CodeEntry[];
  /** Bumped whenever a code is added (callers cache lookups). */
  readonly version: number;
}

const DEFAULT_PREFIX = 'P';

function codeNumber(code: string, prefix: string): number {
  const n = Number(code.slice(prefix.length));
  return Number.isInteger(n) && n > 0 ? n : 0;
}

function sortEntries(m: Map<string, string>, prefix: string): CodeEntry[] {
  return [...m.entries()]
    .map(([participantId, code]) => ({ participantId, code }))
    .sort((a, b) => codeNumber(a.code, prefix) - codeNumber(b.code, prefix) || compareCodePoints(a.code, b.code));
}

/**
 * Codes for one export: `width` digits (at least 3), handed out in call order. Pre-assign sorted
 * ids for a deterministic result.
 */
export function createMemoryCodeBook(opts: { prefix?: string; width?: number } = {}): CodeBook {
  const prefix = opts.prefix ?? DEFAULT_PREFIX;
  const width = Math.max(3, opts.width ?? 3);
  const codes = new Map<string, string>();
  let version = 0;
  const assign = (id: string): string => {
    let c = codes.get(id);
    if (!c) {
      c = prefix + String(codes.size + 1).padStart(width, '0');
      codes.set(id, c);
      version++;
    }
    return c;
  };
  return {
    get: (id) => codes.get(id),
    assign,
    async ensure(ids) {
      for (const id of [...new Set(ids)].sort(compareCodePoints)) assign(id);
    },
    ids: () => codes.keys(),
    entries: () => sortEntries(codes, prefix),
    get version() {
      return version;
    },
  };
}

// ---------- the study book (one file per source and study) ----------

interface StudyFile {
  version: 1;
  source: string;
  studyId: string;
  prefix: string;
  /** [participantId, code] in the order codes were given. */
  codes: Array<[string, string]>;
}

export interface StudyCodeBookOptions {
  /** The folder holding every study's map (e.g. <config>/code-maps). */
  dir: string;
  /** Source id ("hyperstudy"). */
  source: string;
  /** Study (experiment) id. */
  studyId: string;
  prefix?: string;
  /** How long a lock may be held before it counts as abandoned by a crashed process (ms, ≥ 5000). */
  staleMs?: number;
}

/** Where a study's code map lives: <dir>/<source>/<safe study id>.json. */
export function studyCodeMapPath(dir: string, source: string, studyId: string): string {
  return path.join(dir, safeFileName(source, { maxBytes: 40 }), `${safeFileName(studyId, { maxBytes: 120 })}.json`);
}

function damaged(file: string, why: string): StudyError {
  return new StudyError({
    code: 'DISK',
    message: `The participant code map ${file} cannot be read (${why}), so pseudonyms could not be kept stable.`,
    fix: 'Restore the file from a backup. Moving it away starts a new map, and participants then get new codes.',
  });
}

function readStudyFile(file: string, source: string, studyId: string, prefix: string): StudyFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, source, studyId, prefix, codes: [] };
    throw damaged(file, (e as Error).message);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw damaged(file, 'it is not valid JSON');
  }
  const f = parsed as Partial<StudyFile>;
  const pairsOk =
    Array.isArray(f.codes) && f.codes.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && typeof p[1] === 'string');
  if (!f || f.version !== 1 || !pairsOk || typeof f.prefix !== 'string') throw damaged(file, 'it does not have the expected shape');
  return { version: 1, source, studyId, prefix: f.prefix, codes: f.codes as Array<[string, string]> };
}

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text, { mode: 0o600 });
    const fd = openSync(tmp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // (a folder in the temporary file's place: the error below says what matters)
    }
    throw new StudyError({
      code: 'DISK',
      message: `The participant code map ${file} could not be saved: ${(e as Error).message}`,
      fix: 'Check that the app’s data folder is writable and has free space, then try again.',
    }, { cause: e });
  }
}

/** Sleeps the thread (the only way to wait inside a synchronous, locked update). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Opens (or starts) the code map of one study. Reads are served from memory; any new code is
 * given under the file lock after re-reading the file, so two exports at once (even in two
 * processes) never give one code to two participants or two codes to one participant.
 */
export async function openStudyCodeBook(opts: StudyCodeBookOptions): Promise<CodeBook> {
  // Loaded when a study map is first opened (the jobs file's lock loads it anyway, see
  // state/file-lock). Its signal-exit re-sends a SIGINT that nothing else listens for; the CLI
  // listens while it follows a job, so Ctrl-C still pauses (exit 130) rather than kills.
  const { default: lockfile } = await import('proper-lockfile');
  const file = studyCodeMapPath(opts.dir, opts.source, opts.studyId);
  const wantedPrefix = opts.prefix ?? DEFAULT_PREFIX;
  const stale = Math.max(5_000, opts.staleMs ?? 10_000);
  const lockOpts = { realpath: false, stale };
  mkdirSync(path.dirname(file), { recursive: true });

  let codes = new Map<string, string>();
  let prefix = wantedPrefix;
  let version = 0;
  const load = () => {
    const f = readStudyFile(file, opts.source, opts.studyId, wantedPrefix);
    prefix = f.prefix;
    if (f.codes.length !== codes.size) version++;
    codes = new Map(f.codes);
  };

  /** Re-reads the file, gives codes to the ids still without one, writes it back. Call under the lock. */
  const update = (ids: string[]): void => {
    load();
    const fresh = [...new Set(ids)].filter((id) => !codes.has(id)).sort(compareCodePoints);
    if (fresh.length === 0) return;
    let next = 1;
    for (const c of codes.values()) next = Math.max(next, codeNumber(c, prefix) + 1);
    for (const id of fresh) codes.set(id, prefix + String(next++).padStart(3, '0'));
    version++;
    const body: StudyFile = { version: 1, source: opts.source, studyId: opts.studyId, prefix, codes: [...codes.entries()] };
    writeAtomic(file, JSON.stringify(body, null, 1) + '\n');
  };

  const lockedSync = (fn: () => void): void => {
    const deadline = Date.now() + stale;
    let release: (() => void) | null = null;
    for (;;) {
      try {
        release = lockfile.lockSync(file, lockOpts);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ELOCKED' || Date.now() > deadline) throw lockError(file, e);
        sleepSync(25);
      }
    }
    try {
      fn();
    } finally {
      release();
    }
  };

  load();
  return {
    get: (id) => codes.get(id),
    assign(id) {
      const known = codes.get(id);
      if (known) return known;
      lockedSync(() => update([id]));
      return codes.get(id)!;
    },
    async ensure(ids) {
      const list = [...ids];
      if (list.every((id) => codes.has(id))) return;
      let release: () => Promise<void>;
      try {
        release = await lockfile.lock(file, { ...lockOpts, retries: { retries: 40, minTimeout: 25, maxTimeout: 500 } });
      } catch (e) {
        throw lockError(file, e);
      }
      try {
        update(list);
      } finally {
        await release();
      }
    },
    ids: () => codes.keys(),
    entries: () => sortEntries(codes, prefix),
    get version() {
      return version;
    },
  };
}

function lockError(file: string, e: unknown): StudyError {
  // Only ELOCKED means another export holds it; anything else is the folder or the disk.
  if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') {
    return new StudyError({
      code: 'DISK',
      message: `The participant code map ${file} could not be locked for an update (${(e as Error).message}).`,
      fix: 'Check that the app’s data folder exists and is writable, then try again.',
    }, { cause: e });
  }
  return new StudyError({
    code: 'DISK',
    message: `The participant code map ${file} stayed locked by another export (${(e as Error).message}).`,
    fix: 'Wait for the other export to finish, then try again.',
  }, { cause: e });
}

// ---------- the CSV a researcher keeps apart from the data ----------

function csvField(s: string): string {
  // RFC 4180 quoting only: the ids must come back exactly as HyperStudy stores them.
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** `participantId,code` lines, one per participant, in code order. */
export function codeMapCsv(entries: CodeEntry[]): string {
  return ['participantId,code', ...entries.map((e) => `${csvField(e.participantId)},${csvField(e.code)}`)].join('\r\n') + '\r\n';
}

/** Writes the CSV atomically (a temp file, then a rename), creating its folder. */
export function writeCodeMapCsv(file: string, entries: CodeEntry[]): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeAtomic(path.resolve(file), codeMapCsv(entries));
}
