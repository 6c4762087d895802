// Golden bytes of the writers: thousands of simulator records (every data type, documented and
// SDK shapes) plus hand-made awkward ones, written in every format × split × anonymization mode
// (and views, BrainSTEM-style flattening, aggregate summaries, the single-file writers and a ZIP),
// must give exactly the bytes recorded in golden/writers-golden.json. The digests were recorded
// from the writers as they were before the CPU work of issue 15, so any change of output, however
// small, fails here. Also checks that every reported size and SHA-256 equals the file's own.
// After an intended change of output: STUDYDL_UPDATE_GOLDEN=1 npx vitest run <this file>.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataTypeId, ExportFormat, SplitMode } from '../../../src-shared/model';
import { createAggregator } from '../../../src-main/core/export/anonymize/aggregate';
import { createAnonymizer } from '../../../src-main/core/export/anonymize/anonymizer';
import { writeAggregateOutputs } from '../../../src-main/core/export/anonymize/outputs';
import { writeCsvFile } from '../../../src-main/core/export/format/csv';
import { flattenRecord } from '../../../src-main/core/export/format/flatten';
import { writeJsonArrayFile, writeJsonValueFile } from '../../../src-main/core/export/format/json';
import { writeNdjsonFile } from '../../../src-main/core/export/format/ndjson';
import { createSplitNamer, writeTypeOutputs, type JsonRecord, type TypeOutputOptions, type WrittenFile } from '../../../src-main/core/export/format/type-writer';
import { splitLayout } from '../../../src-main/core/export/run/split-layout';
import type { TableId } from '../../../src-main/core/export/format/columns';
import { writeZipFromDir } from '../../../src-main/core/export/zip/zip-writer';
import { sourceModule } from '../../../src-main/core/sources/registry';
import type { ExportListings } from '../../../src-main/core/sources/source';
import { Dataset, STREAM_TYPES } from '../../sim/dataset/index';
import { defaultShapes } from '../../sim/shapes';
import type { StreamType } from '../../sim/types';
import { awkwardRecords, listTree, makeTempDir } from './writers-helpers';

const GOLDEN = path.join(import.meta.dirname, 'golden', 'writers-golden.json');
const UPDATE = process.env.STUDYDL_UPDATE_GOLDEN === '1';

const TABLE_OF: Record<StreamType, TableId> = {
  events: 'events',
  recordings: 'recordings',
  chat: 'chat',
  videochat: 'videochat',
  'ratings/continuous': 'ratings-continuous',
  'ratings/sparse': 'ratings-sparse',
  sync: 'sync',
  components: 'components',
  eyetracking: 'eyetracking',
};

interface Input {
  tables: Map<TableId, JsonRecord[]>;
  participants: Array<{ id: string; name?: string; email?: string; roomId?: string }>;
  rooms: JsonRecord[];
}

/** As the client sees them: parsed from JSON text. */
const asServed = (r: unknown): JsonRecord => JSON.parse(JSON.stringify(r)) as JsonRecord;

/** Records written by hand to hit every branch of flattening, escaping, splitting and anonymizing. */
function trickyRecords(participantIds: string[], roomIds: string[]): JsonRecord[] {
  const [p1, p2, p3] = participantIds;
  const base = Date.UTC(2024, 2, 4, 9, 0, 0);
  const out: JsonRecord[] = awkwardRecords().map((r) => asServed({ ...r, participantId: r.participantId === null ? null : p1 }));
  const texts = ['=1+1', '+44 20', '-3.5', '+1e3', '.5', '1.', '@sum', '\tx', '\rx', ' =x', 'a\u2028b\u2029c', 'lone \ud800 high', 'lone \udc00 low', 'cr\ronly', '"', '""', ',', 'é', '😀'.repeat(3), 'x'.repeat(70_000), `mail ${p2} at jane.doe@example.org from 10.0.0.12 or fe80:0:0:0:0:0:0:1`, `file_${p1}_${p3}.mp4`];
  texts.forEach((content, i) => {
    out.push({
      id: `tricky_${i}`,
      experimentId: 'exp_tricky',
      // Rooms: real ones, a hostile id, a case twin, a very long one, none at all.
      ...(i % 5 === 0 ? {} : { roomId: [roomIds[0], 'room/../CON', 'Room_Twin', 'room_twin', 'r'.repeat(120)][i % 5] }),
      participantId: i % 7 === 6 ? 42 : i % 3 === 0 ? p2 : p3,
      onset: i % 4 === 0 ? `${i}` : i * 1001 - 5000,
      ...(i % 6 === 0 ? { onset_sec: 'literal' } : {}),
      timestamp: i % 2 ? base + i * 1000 : new Date(base + i).toISOString(),
      createdAt: { _seconds: 1709542800 + i, _nanoseconds: 123456789 },
      updatedAt: { seconds: 1709542800 - i, nanos: i * 1e6 },
      notAStamp: { seconds: 5, extra: true },
      finishedAt: base - i,
      smallAt: 12345,
      clientTime: -(base + i),
      content,
      response: { value: i % 2 ? { deep: { deeper: [1, { x: i }] } } : -i * 0.1, responseTime: i % 3 ? 1e21 : 5e-7 },
      response_value: i % 2 ? 'literal collides' : undefined,
      response__value: i % 4 === 1 ? 'double literal' : undefined,
      empty: {},
      list: i % 2 ? [] : [p1, { nested: `${p2}@example.org` }],
      'dotted.key': { 'inner.key': i },
      'spaced key': { 'ünïcode': i },
      42: 'integer-like key',
      flags: { a: true, b: false, c: null },
      weird: [Number.NaN, Number.POSITIVE_INFINITY, -0],
      negZero: -0,
      nan: Number.NaN,
      inf: Number.NEGATIVE_INFINITY,
      email: 'jane.doe@example.org',
      participantName: 'Jane Doe',
      clientInfo: { ip: '192.168.1.1', userAgent: 'Mozilla' },
      recipientIds: [p1, p2, 7],
      senderId: p3,
      [p2]: 'participant id as a key',
      [`key_${p1}`]: 'participant id inside a key',
    });
  });
  // A record whose key order and field set differ from every other one, late in the stream.
  out.push(asServed({ zeta: 1, alpha: { beta: { gamma: 'late' } }, participantId: p1, sessionId: roomIds[1] ?? roomIds[0] }));
  // __proto__ as a key, as JSON.parse makes it (an own property).
  out.push(JSON.parse(`{"id":"proto","participantId":"${p2}","__proto__":{"polluted":true},"nested":{"__proto__":"x"}}`) as JsonRecord);
  return out;
}

function loadInput(): Input {
  const shapesSdk = () => ({ ...defaultShapes(), sparseRatings: 'sdk' as const, roomField: 'roomId' as const, syncQuality: 'label' as const, chatMessageType: 'audience' as const, componentExtras: true });
  const documented = new Dataset('tiny', 1).accessor();
  const sdk = new Dataset('tiny', 2, 1, { shapes: shapesSdk }).accessor();
  const tables = new Map<TableId, JsonRecord[]>();
  const participants: Input['participants'] = [];
  const rooms: JsonRecord[] = [];
  for (const [ds, expIndex] of [[documented, 0], [sdk, 0]] as const) {
    const exp = ds.experiments().filter((e) => !e.shared)[expIndex];
    for (const p of ds.participants({ experimentId: exp.id })) participants.push({ ...p, email: `${p.id}@example.org` });
    for (const r of ds.rooms(exp.id)) rooms.push(asServed(r));
    for (const type of STREAM_TYPES) {
      const list = tables.get(TABLE_OF[type]) ?? [];
      let n = 0;
      for (const r of ds.records(type, 'experiment', exp.id)) {
        if (n++ >= 2000) break;
        list.push(asServed(r));
      }
      tables.set(TABLE_OF[type], list);
    }
  }
  const ids = participants.map((p) => p.id);
  tables.get('events')!.push(...trickyRecords(ids, rooms.map((r) => String(r.id))));
  tables.get('chat')!.push(...trickyRecords(ids.slice(3), rooms.map((r) => String(r.id)).reverse()).slice(-6));
  return { tables, participants, rooms };
}

interface Combo {
  name: string;
  format: ExportFormat;
  split: SplitMode;
  anonymize: 'keep' | 'pseudonymize';
  bom: boolean;
  formulaProtection: boolean;
  view?: boolean;
  brainstemFlatten?: boolean;
}

function combos(): Combo[] {
  const out: Combo[] = [];
  let k = 0;
  for (const format of ['csv', 'json', 'ndjson'] as const)
    for (const split of ['none', 'room', 'participant'] as const)
      for (const anonymize of ['keep', 'pseudonymize'] as const) {
        k++;
        out.push({ name: `${format}-${split}-${anonymize}`, format, split, anonymize, bom: k % 2 === 0, formulaProtection: k % 3 !== 0 });
      }
  for (const format of ['csv', 'json', 'ndjson'] as const) out.push({ name: `${format}-view`, format, split: 'participant', anonymize: 'pseudonymize', bom: true, formulaProtection: true, view: true });
  out.push({ name: 'csv-brainstem-flatten', format: 'csv', split: 'room', anonymize: 'keep', bom: true, formulaProtection: false, brainstemFlatten: true });
  return out;
}

const VIEW_COLUMNS = ['participantId', 'timestamp', 'content', 'response_value', 'missing_column', 'email', 'onset_sec'];

const hyperstudy = sourceModule('hyperstudy');

/** What the export's listings say about groups: the participants' rooms (records naming only their participant). */
function listingsOf(input: Input): ExportListings {
  const room: Record<string, string> = {};
  for (const p of input.participants) if (p.roomId && !(p.id in room)) room[p.id] = p.roomId;
  return { root: { level: 'experiment', id: 'exp' }, files: [], filesLabel: '', people: input.participants, groups: {}, personGroups: { room }, warnings: [] };
}

async function writeCombo(input: Input, c: Combo, outDir: string): Promise<WrittenFile[]> {
  const anonymizer = createAnonymizer({ mode: c.anonymize, participants: input.participants });
  const transform = c.anonymize === 'keep' ? undefined : (r: JsonRecord) => anonymizer.transform(r);
  const contextOf = hyperstudy.recordContext(listingsOf(input));
  const seeds = c.split === 'room' ? input.rooms.map((r) => String(r.id)) : input.participants.map((p) => anonymizer.participant(p.id));
  const files: WrittenFile[] = [];
  // One folder namer per export, shared by every type (as the export does).
  const namers: Partial<Record<SplitMode, ReturnType<typeof createSplitNamer>>> = {};
  for (const [type, records] of input.tables) {
    const split = splitLayout(hyperstudy.descriptor, c.split, type, contextOf);
    const opts: TypeOutputOptions = {
      type,
      format: c.format,
      split,
      records: () => records,
      outDir,
      bom: c.bom,
      formulaProtection: c.formulaProtection,
      transform,
      omitColumns: c.anonymize === 'keep' ? undefined : anonymizer.removedColumns,
      namer: (namers[c.split] ??= split === 'none' ? undefined : createSplitNamer(split, seeds)),
      ...(c.split === 'participant' ? { knownGroups: ['never_seen_participant'] } : {}),
      ...(c.view ? { onlyColumns: VIEW_COLUMNS } : {}),
      ...(c.brainstemFlatten ? { flatten: { separator: '.', convertTimestamps: false, onsetSeconds: false } } : {}),
      maxOpenFiles: 3, // exercises closing and reopening in append mode
    };
    files.push(...(await writeTypeOutputs(opts)));
  }
  return files;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** "sha256 bytes path" for every file of a tree, sorted; and checks what the writers reported. */
async function digestTree(dir: string, reported: Array<{ relPath: string; bytes: number; sha256: string }>): Promise<string[]> {
  const lines: string[] = [];
  const byPath = new Map(reported.map((f) => [f.relPath, f]));
  for (const rel of await listTree(dir)) {
    const bytes = await readFile(path.join(dir, ...rel.split('/')));
    const h = sha256(bytes);
    const r = byPath.get(rel);
    if (r) expect({ rel, bytes: r.bytes, sha256: r.sha256 }).toEqual({ rel, bytes: bytes.length, sha256: h });
    lines.push(`${h} ${bytes.length} ${rel}`);
  }
  expect(reported.every((f) => lines.some((l) => l.endsWith(` ${f.relPath}`)))).toBe(true);
  return lines;
}

// (Recorded when split files said roomId / participantId; now a group with its field name.)
const groupId = (f: WrittenFile, field: string) => (f.group?.field === field ? f.group.id : '-');
const summary = (files: WrittenFile[]) => files.map((f) => `${f.relPath} records=${f.records} formulaCells=${f.formulaCells ?? '-'} room=${groupId(f, 'roomId')} participant=${groupId(f, 'participantId')}`);

let tmp: { dir: string; cleanup: () => Promise<void> };
let input: Input;
let golden: Record<string, string[]> = {};
const actual: Record<string, string[]> = {};

beforeAll(async () => {
  tmp = await makeTempDir('studydl-golden-');
  input = loadInput();
  if (existsSync(GOLDEN)) golden = JSON.parse(await readFile(GOLDEN, 'utf8')) as Record<string, string[]>;
  else if (!UPDATE) throw new Error(`${GOLDEN} is missing: record it with STUDYDL_UPDATE_GOLDEN=1 on the reference code`);
});

afterAll(async () => {
  if (UPDATE && Object.keys(actual).length) {
    await mkdir(path.dirname(GOLDEN), { recursive: true });
    const ordered = Object.fromEntries(Object.keys(actual).sort().map((k) => [k, actual[k]]));
    await writeFile(GOLDEN, JSON.stringify(ordered, null, 1) + '\n');
  }
  await tmp?.cleanup();
});

/** Compares with the recorded digests (or records them when updating). */
function check(name: string, lines: string[]): void {
  actual[name] = lines;
  if (UPDATE) return;
  expect(golden[name], `no golden digests for "${name}"`).toBeDefined();
  expect(lines).toEqual(golden[name]);
}

describe('writers: golden bytes', () => {
  it('reads the same input the digests were recorded from', () => {
    const h = createHash('sha256');
    for (const [type, records] of input.tables) h.update(type).update(JSON.stringify(records));
    h.update(JSON.stringify(input.participants)).update(JSON.stringify(input.rooms));
    const counts = [...input.tables].map(([t, r]) => `${t}=${r.length}`).join(' ');
    // If this differs, the simulator's data changed, not the writers: re-record on the reference code.
    check('input', [h.digest('hex'), counts]);
    expect([...input.tables.values()].reduce((n, r) => n + r.length, 0)).toBeGreaterThan(5000);
  });

  for (const c of combos()) {
    it(`${c.name} (bom ${c.bom}, formula protection ${c.formulaProtection})`, async () => {
      const dir = path.join(tmp.dir, c.name);
      const files = await writeCombo(input, c, dir);
      check(c.name, [...summary(files), ...(await digestTree(dir, files))]);
      if (c.name === 'csv-participant-pseudonymize') {
        const zip = path.join(tmp.dir, `${c.name}.zip`);
        const z = await writeZipFromDir({ sourceDir: dir, outPath: zip, rootName: 'export' });
        const bytes = await readFile(zip);
        expect({ bytes: z.bytes, sha256: z.sha256 }).toEqual({ bytes: bytes.length, sha256: sha256(bytes) });
        check(`${c.name}.zip`, [`${z.sha256} ${z.bytes} entries=${z.entries}`]);
      }
    });
  }

  for (const format of ['csv', 'json', 'ndjson'] as const) {
    it(`aggregate summaries as ${format}`, async () => {
      const dir = path.join(tmp.dir, `aggregate-${format}`);
      const anonymizer = createAnonymizer({ mode: 'aggregate', participants: input.participants });
      const contextOf = hyperstudy.recordContext(listingsOf(input));
      const aggregator = createAggregator({ personOf: (type, r) => contextOf(type as DataTypeId, r).person });
      for (const [type, records] of input.tables) for (const r of records) aggregator.add(type, anonymizer.transform(r));
      const files = await writeAggregateOutputs(aggregator, { outDir: dir, format, bom: true, formulaProtection: true });
      check(`aggregate-${format}`, [...summary(files), ...(await digestTree(dir, files))]);
    });
  }

  it('single-file writers (CSV, JSON array, NDJSON, a JSON value)', async () => {
    const dir = path.join(tmp.dir, 'single');
    const records = input.tables.get('events')!;
    const flat = records.map((r) => flattenRecord(r));
    const columns = [...new Set(flat.flatMap((r) => Object.keys(r)))];
    const reported: Array<{ relPath: string; bytes: number; sha256: string }> = [];
    const csv = await writeCsvFile(path.join(dir, 'events.csv'), columns, flat, { bom: true, formulaProtection: true });
    reported.push({ relPath: 'events.csv', ...csv });
    const csvPlain = await writeCsvFile(path.join(dir, 'events-plain.csv'), columns, (async function* () { yield* flat; })(), { bom: false });
    reported.push({ relPath: 'events-plain.csv', ...csvPlain });
    reported.push({ relPath: 'events.json', ...(await writeJsonArrayFile(path.join(dir, 'events.json'), records)) });
    reported.push({ relPath: 'empty.json', ...(await writeJsonArrayFile(path.join(dir, 'empty.json'), [])) });
    reported.push({ relPath: 'events.ndjson', ...(await writeNdjsonFile(path.join(dir, 'events.ndjson'), records)) });
    reported.push({ relPath: 'value.json', ...(await writeJsonValueFile(path.join(dir, 'value.json'), { rooms: input.rooms, tricky: records.slice(-30) })) });
    check('single', [`csv records=${csv.records} formulaCells=${csv.formulaCells}`, `csv-plain records=${csvPlain.records} formulaCells=${csvPlain.formulaCells}`, ...(await digestTree(dir, reported))]);
  });
});
