// The listings an export carries besides its data (the source says which: HyperStudy's experiment,
// rooms and participants), narrowed to the target. Saved once in the workspace; a resumed job
// reuses them, so its files and pseudonym codes come out the same.
import path from 'node:path';
import type { Target } from '../../../../src-shared/model';
import type { ExportListings, RequestOptions, Source } from '../../sources/source';
import { readJson, writeJson } from './workspace';

function isListings(v: unknown): v is ExportListings {
  const l = v as ExportListings | null;
  return !!l && typeof l === 'object' && !!l.root && typeof l.root.id === 'string' && Array.isArray(l.files) && Array.isArray(l.people) && !!l.groups;
}

export async function loadOrFetchListings(source: Source, target: Target, dir: string, opts: RequestOptions): Promise<ExportListings> {
  const file = path.join(dir, 'listings.json');
  // A file from an older version has another shape: fetched again (the same requests as then).
  const saved = await readJson<unknown>(file);
  if (isListings(saved)) return saved;
  const listings = await source.exportListings(target, opts);
  await writeJson(file, listings);
  return listings;
}

/** The root item's name when it has a usable one (folder names and job titles). */
export function rootNameOf(listings: ExportListings): string | undefined {
  const n = listings.root.name;
  return typeof n === 'string' && n.trim() ? n : undefined;
}
