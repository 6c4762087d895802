// The shape matrix: one row per simulator shape switch (every departure of a real server from the
// documentation we know of) plus the documented defaults and the tolerance shapes (bare arrays,
// missing pagination, wrong totals, _warnings, …). Under each row a full export of every data type
// must hold exactly the records the simulator's dataset says, in the right files.
//
// Expectations come from shape-matrix-expected.ts, which imports nothing from src-main. Files are
// read back independently: CSV with python's csv module, JSON with JSON.parse, media by SHA-256,
// file ↔ room/participant from metadata.json.
//
// Coverage without the full cartesian product (to stay fast on 2 cores: tiny scale, ~1 s per
// export): every row runs three exports, one per anonymization mode, and between them both splits
// and both formats:
//   export 1: keep,          split by room on rows 0,1 (mod 4) and by participant on rows 2,3;
//   export 2: pseudonymize,  the other split;
//   export 3: aggregate (summaries only), split and format alternating with the row;
//   exports 1 and 2 use CSV and JSON on even rows, JSON and CSV on odd rows, recordings included.
// So every row meets each split, mode and format, and over any four rows every pair of split ×
// mode × format for the row exports occurs. Export 1 uses the experiment with the most pages
// (three events pages, an active room) on even rows and the one with the hostile room id on odd
// rows; export 2 the other one.
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnonymizeMode, DataTypeId, ExportFormat, SplitMode } from '../../../src-shared/model';
import { startSimulator, type FaultConfig, type ShapeConfig, type Simulator } from '../../sim/index';
import { baseRequest, exportOnce, makeSource, python, removeDir, tempDir } from './export-helpers';
import {
  TYPES,
  csvCells,
  expectedRecords,
  nonEmpty,
  participantOf,
  participantRooms,
  pseudonymized,
  pseudonyms,
  roomOf,
  summaries,
  type Rec,
  type TypeId,
} from './shape-matrix-expected';
import { createHash } from 'node:crypto';

interface Row {
  name: string;
  shapes?: Partial<ShapeConfig>;
  faults?: Partial<FaultConfig>;
}

const WARNING = 'MISSING_INDEX: Query requires a composite Firestore index. Results may be incomplete.';

const ROWS: Row[] = [
  { name: 'documented defaults' },
  // Departures from the documentation (switches), each on its own.
  { name: 'roomField roomId (SDK fixture events)', shapes: { roomField: 'roomId' } },
  { name: 'roomField none (room from the participant)', shapes: { roomField: 'none' } },
  { name: 'recordingLinks downloadPath (mint route)', shapes: { recordingLinks: 'downloadPath' } },
  { name: 'authErrorCode AUTHENTICATION_ERROR', shapes: { authErrorCode: 'AUTHENTICATION_ERROR' } },
  { name: 'healthWithoutKey', shapes: { healthWithoutKey: true } },
  { name: 'participantNeedsRoomId', shapes: { participantNeedsRoomId: true } },
  { name: 'sparseRatings sdk', shapes: { sparseRatings: 'sdk' } },
  { name: 'continuousValue scale', shapes: { continuousValue: 'scale' } },
  { name: 'syncQuality label', shapes: { syncQuality: 'label' } },
  { name: 'chatMessageType audience', shapes: { chatMessageType: 'audience' } },
  { name: 'timeRange inclusive', shapes: { timeRange: 'inclusive' } },
  { name: 'onsetFrom room', shapes: { onsetFrom: 'room' } },
  { name: 'questionnaireCategory mixed', shapes: { questionnaireCategory: 'mixed' } },
  { name: 'componentExtras', shapes: { componentExtras: true } },
  { name: 'paginationEcho', shapes: { paginationEcho: true } },
  { name: 'ndjson', shapes: { ndjson: true } },
  { name: 'csvPagingHeaders', shapes: { csvPagingHeaders: true } },
  { name: 'sortEverywhere', shapes: { sortEverywhere: true } },
  // Tolerance shapes.
  { name: 'listings as bare arrays', shapes: { listingsBareArray: true } },
  { name: 'shared list as a bare array', shapes: { sharedBareArray: true } },
  { name: 'no pagination object', shapes: { omitPagination: true } },
  { name: 'total too high by 1000', shapes: { totalOffBy: 1000 } },
  { name: 'total too low by 1000', shapes: { totalOffBy: -1000 } },
  { name: 'no nextOffset', shapes: { omitNextOffset: true } },
  { name: 'single items as lists', shapes: { singleItem: 'list' } },
  { name: 'single items as objects', shapes: { singleItem: 'object' } },
  { name: 'health says success', shapes: { health: 'success' } },
  { name: 'bare error bodies', shapes: { bareErrors: true } },
  { name: '_warnings on every envelope', faults: { warnings: [WARNING] } },
];

interface Combo {
  split: Exclude<SplitMode, 'none'>;
  anonymize: AnonymizeMode;
  format: ExportFormat;
  experiment: string;
}

let sim: Simulator;
let root: string;
let expA: string;
let expB: string;

beforeAll(async () => {
  // Limits out of the way: ~90 exports share one simulator and one key.
  sim = await startSimulator({ scale: 'tiny', seed: 7, keyLimit: 1e9, endpointLimit: 1e9 });
  root = await tempDir('shape-matrix-');
  const own = sim.dataset.experiments({ includeShared: false });
  expA = own[0].id;
  expB = own[1].id;
});
afterAll(async () => {
  await sim?.close();
  await removeDir(root);
});

function combos(i: number): Combo[] {
  const splits: Array<Exclude<SplitMode, 'none'>> = i % 4 < 2 ? ['room', 'participant'] : ['participant', 'room'];
  const formats: ExportFormat[] = i % 2 === 0 ? ['csv', 'json'] : ['json', 'csv'];
  const [first, second] = i % 2 === 0 ? [expA, expB] : [expB, expA];
  return [
    { split: splits[0], anonymize: 'keep', format: formats[0], experiment: first },
    { split: splits[1], anonymize: 'pseudonymize', format: formats[1], experiment: second },
    { split: splits[i % 2], anonymize: 'aggregate', format: formats[(i >> 1) % 2], experiment: expA },
  ];
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function filesUnder(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await filesUnder(dir, r)));
    else out.push(r);
  }
  return out;
}

/** Every CSV file of an export, read by python's csv module: relative path → rows. */
async function readCsvs(dir: string): Promise<Record<string, Array<Record<string, string>>>> {
  return (await python(
    `import csv, json, os, sys\nroot = sys.argv[1]\nout = {}\nfor d, _, fs in os.walk(root):\n    for f in fs:\n        if f.endswith('.csv'):\n            p = os.path.join(d, f)\n            with open(p, encoding='utf-8-sig', newline='') as h:\n                out[os.path.relpath(p, root).replace(os.sep, '/')] = list(csv.DictReader(h))\nprint(json.dumps(out))`,
    [dir],
  )) as Record<string, Array<Record<string, string>>>;
}

interface ManifestFile {
  path: string;
  type: string;
  records?: number;
  roomId?: string;
  participantId?: string;
}

async function checkExport(combo: Combo, outputPath: string): Promise<void> {
  const { split, anonymize, format, experiment } = combo;
  const what = `${anonymize}/${split}/${format}`;
  const manifest = JSON.parse(await readFile(path.join(outputPath, 'metadata.json'), 'utf8')) as { files: ManifestFile[] };
  const all = await filesUnder(outputPath);
  const csvs = await readCsvs(outputPath);
  for (const f of all.filter((f) => /\.(csv|json)$/.test(f))) expect(await readFile(path.join(outputPath, f), 'utf8'), `${what} ${f}`).not.toMatch(/[?&]sig=/);
  const rows = async (rel: string): Promise<Rec[] | Array<Record<string, string>>> =>
    format === 'csv' ? csvs[rel].map(nonEmpty) : (JSON.parse(await readFile(path.join(outputPath, rel), 'utf8')) as Rec[]);
  const shown = (r: Rec) => (format === 'csv' ? csvCells(r) : r);
  const names = pseudonyms(sim, experiment);
  const rooms = participantRooms(sim, experiment);
  const transform = (r: Rec) => (anonymize === 'keep' ? r : pseudonymized(r, names));

  const byType: Array<[TypeId, Rec[]]> = TYPES.map((t) => [t.id, expectedRecords(sim, experiment, t)]);
  if (anonymize === 'aggregate') {
    const { counts, stats } = summaries(byType.map(([t, recs]) => [t, recs.map(transform)]));
    expect(all.filter((f) => f !== 'metadata.json' && f !== 'README.txt').sort(), what).toEqual([`summary_counts.${format}`, `summary_stats.${format}`].sort());
    const gotCounts = (await rows(`summary_counts.${format}`)) as Rec[];
    expect(gotCounts.map((r) => ({ ...r, records: Number(r.records) })), what).toEqual(counts.map((c) => (format === 'csv' ? nonEmpty({ ...c, records: c.records as unknown as string }) : c)).map((c) => ({ ...c, records: Number(c.records) })));
    const gotStats = (await rows(`summary_stats.${format}`)) as Rec[];
    expect(gotStats.length, what).toBe(stats.length);
    gotStats.forEach((g, i) => {
      const e = stats[i];
      expect([g.participant, g.type, g.field, Number(g.n), Number(g.min), Number(g.max)], `${what} stats ${i}`).toEqual([e.participant, e.type, e.field, e.n, e.min, e.max]);
      expect(Number(g.mean)).toBeCloseTo(e.mean, 6);
      if (e.sd === null) expect(g.sd ?? null).toBeNull();
      else expect(Number(g.sd)).toBeCloseTo(e.sd, 6);
    });
    return;
  }

  for (const [type, raw] of byType) {
    const t = TYPES.find((x) => x.id === type)!;
    const groups = new Map<string | null, Rec[]>();
    for (const r of raw) {
      const shown = transform(r);
      const key = split === 'room' ? roomOf(r, rooms) : participantOf(shown);
      groups.set(key, [...(groups.get(key) ?? []), shown]);
    }
    const files = manifest.files.filter((f) => f.type === type);
    expect(files.length, `${what} ${type}: one file per ${split}`).toBe(groups.size);
    let total = 0;
    for (const [key, recs] of groups) {
      const file = files.find((f) => (split === 'room' ? f.roomId : f.participantId) === (key ?? undefined));
      expect(file, `${what} ${type}: a file for ${split} ${key}`).toBeDefined();
      expect(file!.path.endsWith(`/${t.file}.${format}`)).toBe(true);
      if (key === null) expect(file!.path, `${what} ${type}`).toMatch(split === 'room' ? /^rooms\/_no_room\// : /^participants\/_no_participant\//);
      expect(await rows(file!.path), `${what} ${file!.path}`).toEqual(recs.map(shown));
      total += file!.records ?? 0;
    }
    expect(total, `${what} ${type}: the row total is the server's total`).toBe(raw.length);
  }
  const media = all.filter((f) => f.startsWith('recordings/'));
  const hashes = await Promise.all(media.map(async (f) => sha(await readFile(path.join(outputPath, f)))));
  expect(hashes.sort(), `${what} recordings`).toEqual(sim.dataset.recordings(experiment).map((r) => r.sha256).sort());
}

describe('shape matrix: every export is right under every shape', () => {
  it.each(ROWS.map((row, i) => [row.name, row, i] as const))('%s', { timeout: 90_000 }, async (_name, row, i) => {
    sim.resetShapes();
    sim.resetFaults();
    sim.setShapes(row.shapes ?? {});
    if (row.faults) sim.setFaults(row.faults);
    try {
      // What every row must also get right: a bad key is UNAUTHORIZED, the health check passes.
      const bad = makeSource({ ...sim, apiKey: 'hst_test_' + 'x'.repeat(40) } as Simulator);
      await expect(bad.listLevel('experiment', [])).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
      expect((await makeSource(sim).health()).ok).toBe(true);
      const types = TYPES.map((t) => t.id) as DataTypeId[];
      for (const [n, combo] of combos(i).entries()) {
        const request = baseRequest(combo.experiment, { types, split: combo.split, anonymize: combo.anonymize, format: combo.format, includeRecordings: true });
        const out = path.join(root, `row${i}-${n}`);
        const r = await exportOnce(sim, request, out);
        expect((await stat(r.outputPath)).isDirectory()).toBe(true);
        await checkExport(combo, r.outputPath);
        if (row.faults?.warnings) expect(r.manifest.warnings).toContain(WARNING);
        await removeDir(out);
      }
    } finally {
      sim.resetShapes();
      sim.resetFaults();
    }
  });
});
