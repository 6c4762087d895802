// The last files of the tree: README.txt, then metadata.json listing every other file with its
// records, bytes and SHA-256 (media hashed from disk, streamed).
import path from 'node:path';
import type { DataTypeId, ExportRequest, ManifestSummary, Plan } from '../../../../src-shared/model';
import type { Anonymizer } from '../anonymize/anonymizer';
import type { WrittenFile } from '../format/type-writer';
import { hashFile } from '../manifest/hash';
import { buildManifest, manifestText, MANIFEST_FILE_NAME, summarizeFormulaCells, type ManifestFile } from '../manifest/manifest';
import type { MediaOutcome } from '../media/download-all';
import type { ExportListings, SourceRules } from '../../sources/source';
import { writeFileAtomic } from './page-store';

export interface MediaFileEntry {
  relPath: string;
  abs: string;
  bytes: number;
}

export interface ManifestStepInput {
  /** The source's rules (its README, how it names the target). */
  source: SourceRules;
  request: ExportRequest;
  plan: Plan;
  outDir: string;
  appVersion: string;
  sourceUrl: string;
  /** The target's root item (HyperStudy: the experiment). */
  root: ExportListings['root'];
  /** Tables listed but not counted as records (listing tables, the media table). */
  nonDataTables: string[];
  anonymizer: Anonymizer;
  startedAt: string;
  finishedAt: () => string;
  requestsUsed: number;
  warnings: string[];
  files: WrittenFile[];
  /** Other files already in the tree (experiment.json…). */
  extraFiles: Array<{ relPath: string; abs: string }>;
  media: MediaFileEntry[];
  mediaOutcomes: MediaOutcome[];
  codeMapWritten: boolean;
  signal?: AbortSignal;
  /** SHA-256 of a media file (default: read it from disk). */
  hashMedia?: (abs: string, signal?: AbortSignal) => Promise<{ bytes: number; sha256: string }>;
  /** More members for metadata.json. */
  manifestExtra?: Record<string, unknown>;
  /** A paragraph added to README.txt. */
  readmeAppendix?: string;
}

export const README_FILE_NAME = 'README.txt';

export async function writeManifestAndReadme(input: ManifestStepInput): Promise<ManifestSummary> {
  const { request, outDir } = input;
  // Counted while the CSV files were written; here only added up.
  const formulaCells = summarizeFormulaCells(input.files.map((f) => ({ path: f.relPath, formulaCells: f.formulaCells })), request.formulaProtection);
  const root = { id: input.root.id, ...(input.root.name !== undefined ? { name: input.root.name } : {}) };
  const readme = input.source.readme({
    appName: 'Study Downloader',
    appVersion: input.appVersion,
    root,
    format: request.format,
    split: request.split,
    types: request.types,
    bom: request.bom,
    formulaProtection: request.formulaProtection,
    anonymization: request.anonymize,
    codeMapWritten: input.codeMapWritten,
    recordings: input.media.length > 0,
    // The day only (as in the folder name): exact times live in metadata.json, so the README is
    // the same bytes for every run of the same export that day.
    exportedAt: input.startedAt.slice(0, 10),
    formulaCells,
  });
  const readmePath = path.join(outDir, README_FILE_NAME);
  await writeFileAtomic(readmePath, input.readmeAppendix ? `${readme.trimEnd()}\n\n${input.readmeAppendix.trimEnd()}\n` : readme);

  const files: ManifestFile[] = input.files.map((f) => ({
    path: f.relPath,
    type: f.type,
    records: f.records,
    bytes: f.bytes,
    sha256: f.sha256,
    ...(f.group ? { [f.group.field]: f.group.id } : {}),
    ...(f.formulaCells ? { formulaCells: f.formulaCells } : {}),
  }));
  for (const extra of [...input.extraFiles, { relPath: README_FILE_NAME, abs: readmePath }]) {
    const h = await hashFile(extra.abs, input.signal);
    files.push({ path: extra.relPath, type: 'other', bytes: h.bytes, sha256: h.sha256 });
  }
  for (const m of input.media) {
    const h = await (input.hashMedia ?? hashFile)(m.abs, input.signal);
    files.push({ path: m.relPath, type: 'recording', bytes: h.bytes, sha256: h.sha256 });
  }

  const serverTotals: Partial<Record<DataTypeId, number>> = {};
  for (const s of input.plan.streams) if (request.types.includes(s.type)) serverTotals[s.type] = (serverTotals[s.type] ?? 0) + s.total;
  const outcomes = input.mediaOutcomes;
  const manifest = buildManifest({
    app: { name: 'Study Downloader', version: input.appVersion },
    sourceId: input.source.id,
    baseUrl: input.sourceUrl,
    root: input.root,
    target: request.target,
    describeTarget: (t) => input.source.manifestTarget(t),
    personLevels: input.source.descriptor.splits.filter((s) => s.person).map((s) => s.level),
    nonDataTables: input.nonDataTables,
    filters: {
      types: request.types,
      ...(request.since ? { since: request.since } : {}),
      ...(request.until ? { until: request.until } : {}),
      format: request.format,
      split: request.split,
      zip: request.zip,
      recordings: request.includeRecordings,
      bom: request.bom,
      formulaProtection: request.formulaProtection,
    },
    anonymization: request.anonymize,
    codeMapWritten: input.codeMapWritten,
    startedAt: input.startedAt,
    finishedAt: input.finishedAt(),
    requestsUsed: input.requestsUsed,
    requestsPlanned: input.plan.requestsNeeded,
    files,
    ...(request.includeRecordings
      ? {
          recordings: {
            total: outcomes.length,
            // A file completed by an earlier attempt of this job is "downloaded" too: the manifest
            // must not depend on how many attempts it took.
            downloaded: outcomes.filter((o) => o.status !== 'failed').length,
            skipped: 0,
            failed: outcomes.filter((o) => o.status === 'failed').length,
            bytes: input.media.reduce((n, m) => n + m.bytes, 0),
          },
        }
      : {}),
    warnings: input.warnings,
    serverTotals,
    ...(formulaCells ? { formulaCells } : {}),
    anonymizer: input.anonymizer,
    ...(input.manifestExtra ? { extra: input.manifestExtra } : {}),
  });
  await writeFileAtomic(path.join(outDir, MANIFEST_FILE_NAME), manifestText(manifest));
  return {
    files: manifest.totals.files,
    records: manifest.totals.records,
    bytes: manifest.totals.bytes,
    requestsUsed: input.requestsUsed,
    anonymization: request.anonymize,
    warnings: manifest.warnings,
    ...(manifest.formulaCells?.total ? { formulaCells: manifest.formulaCells } : {}),
  };
}
