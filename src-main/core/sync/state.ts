// A sync folder's state file (.studydl-sync/state.json): what the folder holds and how to bring
// it up to date. It never holds the credential; the code map is named, not copied.
//
//   streams     per stream (a data type paged at one item, as an export plans it): its record
//               files in the store, one per group when the stream is split by groups (rooms),
//               each with its count and cursor (the newest time seen and the ids at it)
//   levels      the items seen per level (rooms, participants) and since when each is settled
//   files       the folder's files as last written, with their SHA-256 and (CSV) their columns
//   syncs       each sync: when, requests, new records per type, what it read and repaired
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { StudyError } from '../../../src-shared/errors';
import { exportRequestSchema } from '../../../src-shared/contract';
import type { DataTypeId, ExportRequest, LevelId, SourceId } from '../../../src-shared/model';
import type { StreamRef } from '../sources/source';
import { writeFileAtomic } from '../export/run/page-store';

export const STATE_FORMAT = 'studydl-sync';
export const STATE_VERSION = 1;
/** Syncs kept in the state's (and metadata.json's) history. */
export const HISTORY_LIMIT = 200;

/** What a sync folder holds: an export request without the parts that make no sense to repeat (ZIP, time window, table view). */
export type SyncSelection = Pick<ExportRequest, 'target' | 'types' | 'format' | 'split' | 'anonymize' | 'includeRecordings' | 'bom' | 'formulaProtection'>;

/** One record file of a stream: a group's records (or, ungrouped, all of them) in server order. */
export interface PartitionState {
  /** The group id (HyperStudy: the room), or null: the records naming no group, or the whole stream when it is not split. */
  group: string | null;
  /** Path of its NDJSON file, relative to the store. */
  file: string;
  count: number;
  /** The oldest and newest times among its records (ms), null when they have none. */
  oldest?: number | null;
  newest: number | null;
  /** Ids of the records at that time (the cursor's tie-break, shown in the state). */
  idsAtNewest: string[];
}

export interface StreamState {
  ref: StreamRef;
  /** Split by the groups of this split (HyperStudy: room) and merged back by time; absent: one file in server order. */
  groupedBy?: { split: string; level: LevelId };
  /** Could be split by groups, but some records carry no time (they could not be merged back): kept whole. */
  unsplittable?: boolean;
  partitions: PartitionState[];
  /** When this stream was last read. */
  syncedAt: string;
}

export interface ItemSeen {
  firstSeen: string;
  /** When a sync first saw it settled (no more data to come); absent while it may still change. */
  settledSince?: string;
}

export interface FileState {
  path: string;
  bytes: number;
  sha256: string;
  records?: number;
  columns?: string[];
}

/** A media file in place: enough to reuse its hash while it is unchanged. */
export interface MediaState {
  path: string;
  id: string;
  bytes: number;
  mtimeMs: number;
  sha256: string;
}

/** One sync, as the history and metadata.json tell it. */
export interface SyncRecord {
  at: string;
  finishedAt: string;
  kind: 'first' | 'incremental' | 'full' | 'verify';
  requests: number;
  plannedRequests: number;
  /** Of those, the listings' (the next estimate counts on as many). */
  listingRequests?: number;
  /** Records added per data type (net of what was already there). */
  newRecords: Record<DataTypeId, number>;
  /** People (HyperStudy: participants) with new data. */
  peopleWithNewData: number;
  newItems: Record<LevelId, number>;
  /** Streams and groups read again whole because their data changed in place (late data). */
  repaired: string[];
  /** Columns that appeared, per file. */
  newColumns: Record<string, string[]>;
}

export interface SyncState {
  format: typeof STATE_FORMAT;
  version: typeof STATE_VERSION;
  id: string;
  createdAt: string;
  source: SourceId;
  /** The API base URL (no credential), so a sync from another server is refused. */
  baseUrl: string;
  profileId?: string;
  selection: SyncSelection;
  /** The root item (HyperStudy: the experiment) by id and, when known, name. */
  root: { level: LevelId; id: string; name?: string };
  /** The study's code map, by reference (it lives in the app's data folder, never here). */
  codeMap?: { source: SourceId; studyId: string };
  /** Absolute path of the store when it is outside the folder (pseudonymized and aggregate folders). */
  storeDir?: string;
  /** Counter for new record files. */
  generation: number;
  streams: Record<string, StreamState>;
  levels: Record<LevelId, Record<string, ItemSeen>>;
  files: FileState[];
  media: MediaState[];
  syncs: SyncRecord[];
  /** A room (or any item) is re-read for this long after it is first seen settled (late uploads). */
  settleMs: number;
}

const selectionSchema = z.object({
  target: exportRequestSchema.shape.target,
  types: exportRequestSchema.shape.types,
  format: exportRequestSchema.shape.format,
  split: exportRequestSchema.shape.split,
  anonymize: exportRequestSchema.shape.anonymize,
  includeRecordings: z.boolean(),
  bom: z.boolean(),
  formulaProtection: z.boolean(),
});

const partitionSchema = z.object({
  group: z.string().nullable(),
  file: z.string().min(1).refine((f) => !f.split(/[\\/]/).includes('..') && !f.startsWith('/'), 'a path inside the store'),
  count: z.number().int().min(0),
  oldest: z.number().nullable().optional(),
  newest: z.number().nullable(),
  idsAtNewest: z.array(z.string()),
});

const stateSchema = z.object({
  format: z.literal(STATE_FORMAT),
  version: z.literal(STATE_VERSION),
  id: z.string().regex(/^[A-Za-z0-9_-]{4,64}$/),
  createdAt: z.string(),
  source: z.string(),
  baseUrl: z.string(),
  profileId: z.string().optional(),
  selection: selectionSchema,
  root: z.object({ level: z.string(), id: z.string(), name: z.string().optional() }),
  codeMap: z.object({ source: z.string(), studyId: z.string() }).optional(),
  storeDir: z.string().optional(),
  generation: z.number().int().min(0),
  streams: z.record(
    z.string(),
    z.object({
      ref: z.object({ type: z.string(), scope: z.string(), scopeId: z.string(), params: z.record(z.string(), z.string()).optional() }),
      groupedBy: z.object({ split: z.string(), level: z.string() }).optional(),
      unsplittable: z.boolean().optional(),
      partitions: z.array(partitionSchema),
      syncedAt: z.string(),
    }),
  ),
  levels: z.record(z.string(), z.record(z.string(), z.object({ firstSeen: z.string(), settledSince: z.string().optional() }))),
  files: z.array(z.object({ path: z.string(), bytes: z.number(), sha256: z.string(), records: z.number().optional(), columns: z.array(z.string()).optional() })),
  media: z.array(z.object({ path: z.string(), id: z.string(), bytes: z.number(), mtimeMs: z.number(), sha256: z.string() })),
  syncs: z.array(z.any()),
  settleMs: z.number().min(0),
});

/** The state damaged beyond use: say so, and how to rebuild. */
export function damagedState(file: string, why: string): StudyError {
  return new StudyError({
    code: 'DISK',
    message: `The sync state of this folder (${file}) cannot be read: ${why}.`,
    fix: 'Rebuild the folder from scratch with the same selection: `studydl sync <level> <id> --out <folder> --full` (the files are written anew).',
  });
}

/** The folder's state, or null when it has none (not a sync folder yet). */
export async function readSyncState(file: string): Promise<SyncState | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw damagedState(file, 'it is not valid JSON (cut off or overwritten)');
  }
  const parsed = stateSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw damagedState(file, `${issue.path.join('.') || 'its shape'}: ${issue.message}`);
  }
  return parsed.data as SyncState;
}

/** Writes the state whole (a reader sees the old or the new one, never a mix). */
export async function writeSyncState(file: string, state: SyncState): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(state, null, 1) + '\n');
}

/** The selection of an export request, as a sync folder keeps it. */
export function selectionOf(r: SyncSelection): SyncSelection {
  return {
    target: r.target,
    types: [...r.types],
    format: r.format,
    split: r.split,
    anonymize: r.anonymize,
    includeRecordings: r.includeRecordings,
    bom: r.bom,
    formulaProtection: r.formulaProtection,
  };
}

/** The export request a fresh export of the same selection would make (the writers take it). */
export function requestOf(s: SyncSelection, destination: string): ExportRequest {
  return { ...selectionOf(s), zip: false, destination };
}

export function sameSelection(a: SyncSelection, b: SyncSelection): boolean {
  return JSON.stringify(selectionOf(a)) === JSON.stringify(selectionOf(b));
}
