// A pseudonymized export of simulator data (fetched over HTTP from the simulator) written with the
// real writers, manifest, README and ZIP; then every output byte (folder and ZIP, including entry
// names and decompressed contents) is searched for any original participant id, name or email.
// Also checks aggregate mode against figures computed independently from the simulator's data.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataTypeId } from '../../../src-shared/model';
import { createAggregator } from '../../../src-main/core/export/anonymize/aggregate';
import { createAnonymizer, type Anonymizer } from '../../../src-main/core/export/anonymize/anonymizer';
import { writeAggregateOutputs } from '../../../src-main/core/export/anonymize/outputs';
import { openStudyCodeBook, writeCodeMapCsv } from '../../../src-main/core/export/anonymize/code-book';
import { writeJsonValueFile } from '../../../src-main/core/export/format/json';
import { createSplitNamer, writeTypeOutputs, type WrittenFile } from '../../../src-main/core/export/format/type-writer';
import { buildManifest, manifestText } from '../../../src-main/core/export/manifest/manifest';
import { exportName, recordingFileName } from '../../../src-main/core/export/naming';
import { writeZipFromDir } from '../../../src-main/core/export/zip/zip-writer';
import { sourceModule } from '../../../src-main/core/sources/registry';
import { startSimulator, type Simulator } from '../../sim/index';
import { hsSplit, listTree, makeTempDir, readZipWithYauzl, runPythonJson } from './writers-helpers';

const hs = sourceModule('hyperstudy');

type Rec = Record<string, unknown>;
let tmp: { dir: string; cleanup: () => Promise<void> };
let sim: Simulator;
let requests = 0;

const TYPES: Array<[DataTypeId, string]> = [
  ['events', 'events'],
  ['chat', 'chat'],
  ['videochat', 'videochat'],
  ['ratings-continuous', 'ratings/continuous'],
  ['ratings-sparse', 'ratings/sparse'],
  ['sync', 'sync'],
  ['components', 'components'],
  ['eyetracking', 'eyetracking'],
  ['recordings', 'recordings'],
];

async function getJson(p: string): Promise<any> {
  requests++;
  const res = await fetch(`${sim.baseUrl}${p}`, { headers: { 'X-API-Key': sim.apiKey, Accept: 'application/json' } });
  expect(res.status).toBe(200);
  return res.json();
}

async function fetchAll(p: string): Promise<Rec[]> {
  const out: Rec[] = [];
  let offset = 0;
  for (;;) {
    const body = await getJson(`${p}${p.includes('?') ? '&' : '?'}limit=1000&offset=${offset}`);
    out.push(...(body.data as Rec[]));
    const pg = body.metadata?.pagination;
    if (!pg?.hasMore) return out;
    offset = pg.nextOffset;
  }
}

interface Fetched {
  experiment: Rec;
  rooms: Rec[];
  participants: Rec[];
  data: Map<DataTypeId, Rec[]>;
}
let fetched: Fetched;
let expId: string;

beforeAll(async () => {
  tmp = await makeTempDir('studydl-anon-');
  sim = await startSimulator({ scale: 'small', keyLimit: 100_000, endpointLimit: 100_000 });
  // The experiment with a hostile room id and a hostile recording id.
  const exp = sim.dataset.experiments().find((e) => e.roomIds.some((r) => r.includes('..')))!;
  expId = exp.id;
  const experiment = (await getJson(`/experiments/${expId}`)).data;
  const data = new Map<DataTypeId, Rec[]>();
  for (const [id, seg] of TYPES) data.set(id, await fetchAll(`/data/${seg}/experiment/${encodeURIComponent(expId)}`));
  fetched = {
    experiment: Array.isArray(experiment) ? experiment[0] : experiment,
    rooms: await fetchAll(`/data/rooms/experiment/${expId}`),
    participants: await fetchAll(`/data/participants/experiment/${expId}`),
    data,
  };
}, 120_000);
afterAll(async () => {
  await sim?.close();
  await tmp?.cleanup();
});

/** Writes a complete export folder the way an export job would, with the given anonymizer. */
async function writeExport(root: string, anonymizer: Anonymizer, opts: { split: 'none' | 'participant' }): Promise<WrittenFile[]> {
  const common = { outDir: root, bom: true, formulaProtection: true, transform: anonymizer.transform, omitColumns: anonymizer.removedColumns };
  const files: WrittenFile[] = [];
  const namer = createSplitNamer(hsSplit('participant'), fetched.participants.map((p) => anonymizer.participant(String(p.id))));
  for (const [type] of TYPES) {
    files.push(...(await writeTypeOutputs({ ...common, type, format: 'csv', split: opts.split === 'none' ? 'none' : hsSplit(opts.split), namer, records: () => fetched.data.get(type)! })));
  }
  files.push(...(await writeTypeOutputs({ ...common, type: 'rooms', format: 'csv', split: 'none', records: () => fetched.rooms })));
  files.push(...(await writeTypeOutputs({ ...common, type: 'participants', format: 'csv', split: 'none', records: () => fetched.participants })));
  const recMeta = fetched.data.get('recordings')!.map((r) => {
    const code = anonymizer.mode === 'keep' ? undefined : anonymizer.participant(String(r.participantId));
    return { ...r, local_path: `recordings/${recordingFileName(r, { participantCode: code })}`, download_status: 'skipped' };
  });
  files.push(...(await writeTypeOutputs({ ...common, type: 'recordings_metadata', format: 'csv', split: 'none', records: () => recMeta })));
  await writeJsonValueFile(path.join(root, 'experiment.json'), anonymizer.transform(fetched.experiment));
  const manifest = buildManifest({
    app: { name: 'Study Downloader', version: '0.1.0' },
    sourceId: hs.id,
    baseUrl: sim.baseUrl,
    root: { level: 'experiment', id: expId, name: String(fetched.experiment.name) },
    target: { level: 'experiment', path: [{ level: 'experiment', id: expId }] },
    describeTarget: hs.manifestTarget,
    personLevels: ['participant'],
    nonDataTables: ['rooms', 'participants', 'recordings_metadata'],
    filters: { types: TYPES.map(([t]) => t), format: 'csv', split: opts.split, zip: true, recordings: false },
    anonymization: anonymizer.mode,
    codeMapWritten: false,
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:01:00.000Z',
    requestsUsed: requests,
    files: files.map((f) => ({ path: f.relPath, type: f.type, records: f.records, bytes: f.bytes, sha256: f.sha256, ...(f.group ? { [f.group.field]: f.group.id } : {}) })),
    warnings: [`MISSING_INDEX for participant ${String(fetched.participants[0].id)}`],
    anonymizer,
  });
  await writeJsonValueFile(path.join(root, 'metadata.json'), JSON.parse(manifestText(manifest)));
  const readme = hs.readme({ appName: 'Study Downloader', appVersion: '0.1.0', root: { id: expId }, format: 'csv', split: opts.split, types: TYPES.map(([t]) => t), bom: true, formulaProtection: true, anonymization: anonymizer.mode, recordings: true, exportedAt: '2026-01-01T00:01:00.000Z' });
  const { writeFile } = await import('node:fs/promises');
  await writeFile(path.join(root, 'README.txt'), readme);
  return files;
}

function secretsOf(): string[] {
  const out = new Set<string>();
  for (const p of fetched.participants) {
    for (const v of [p.id, p.name, p.email]) {
      if (typeof v !== 'string' || !v) continue;
      out.add(v);
      out.add(JSON.stringify(v).slice(1, -1)); // as it appears inside JSON
      out.add(v.replaceAll('"', '""')); // as it appears inside a quoted CSV cell
    }
  }
  return [...out];
}

function findLeaks(where: string, bytes: Buffer, secrets: string[]): string[] {
  const text = bytes.toString('utf8');
  return secrets.filter((s) => text.includes(s)).map((s) => `${where}: ${s}`);
}

describe('pseudonymized export', () => {
  it('leaves no original participant id, name or email anywhere in the folder or the ZIP', { timeout: 120_000 }, async () => {
    const anonymizer = createAnonymizer({ mode: 'pseudonymize', participants: fetched.participants.map((p) => ({ id: String(p.id), name: p.name as string, email: p.email as string })) });
    const folder = exportName({ study: { name: String(fetched.experiment.name), id: expId }, level: 'experiment', date: new Date('2026-01-01T00:00:00Z') });
    const root = path.join(tmp.dir, 'pseudo', folder);
    const files = await writeExport(root, anonymizer, { split: 'participant' });
    const secrets = secretsOf();
    expect(fetched.participants.length).toBeGreaterThanOrEqual(10);
    expect(secrets.length).toBeGreaterThanOrEqual(fetched.participants.length * 3);

    // Sanity: the un-anonymized data really does contain them (so the check can fail).
    const rawLeaks = findLeaks('raw', Buffer.from(JSON.stringify([...fetched.data.values(), fetched.participants])), secrets);
    expect(rawLeaks.length).toBeGreaterThan(0);

    const tree = await listTree(root);
    expect(tree).not.toContain('participant_code_map.csv');
    const leaks: string[] = [];
    for (const rel of tree) {
      leaks.push(...findLeaks(rel, Buffer.from(rel), secrets));
      leaks.push(...findLeaks(rel, await readFile(path.join(root, rel)), secrets));
    }
    expect(leaks).toEqual([]);
    // Participant folders are codes.
    const folders = new Set(files.filter((f) => f.group?.id).map((f) => f.relPath.split('/')[1]));
    for (const f of folders) expect(f).toMatch(/^P\d{3}$/);

    const zipPath = path.join(tmp.dir, 'pseudo', `${folder}.zip`);
    await writeZipFromDir({ sourceDir: root, outPath: zipPath, rootName: folder });
    const zipBytes = await readFile(zipPath);
    expect(findLeaks('zip (raw bytes)', zipBytes, secrets)).toEqual([]);
    const z = await readZipWithYauzl(zipPath, { withData: () => true });
    expect(z.entryCount).toBe(tree.length);
    for (const e of z.entries) {
      leaks.push(...findLeaks(`zip:${e.name}`, Buffer.from(e.name), secrets));
      leaks.push(...findLeaks(`zip:${e.name}`, e.data!, secrets));
    }
    expect(leaks).toEqual([]);

    // The data is still all there: row counts per type equal what the server sent.
    const script = `
import sys, json, glob, os
import pandas as pd
root = sys.argv[1]
out = {}
for p in glob.glob(os.path.join(root, 'participants', '*', '*.csv')):
    t = os.path.basename(p)[:-4]
    out[t] = out.get(t, 0) + len(pd.read_csv(p, encoding='utf-8-sig', dtype=str, keep_default_na=False))
print(json.dumps(out))
`;
    const counts = await runPythonJson<Record<string, number>>(script, [root]);
    for (const [type] of TYPES) {
      const n = fetched.data.get(type)!.length;
      expect(counts[type.replace('-', '_')] ?? 0).toBe(n);
    }
    const manifest = JSON.parse(await readFile(path.join(root, 'metadata.json'), 'utf8'));
    expect(manifest.anonymization).toEqual({ mode: 'pseudonymize', codeMapWritten: false });
    expect(manifest.source.baseUrl).toBe(sim.baseUrl);
    expect(JSON.stringify(manifest)).not.toContain(sim.apiKey);
    expect(manifest.totals.records).toBe(TYPES.reduce((n, [t]) => n + fetched.data.get(t)!.length, 0));
  });

  it('keeps the code map out of the export; the study map saved apart maps codes back to the originals', async () => {
    const book = await openStudyCodeBook({ dir: path.join(tmp.dir, 'code-maps'), source: 'hyperstudy', studyId: expId });
    await book.ensure(fetched.participants.map((p) => String(p.id)));
    const anonymizer = createAnonymizer({ mode: 'pseudonymize', codes: book, participants: fetched.participants.map((p) => ({ id: String(p.id), name: p.name as string, email: p.email as string })) });
    const root = path.join(tmp.dir, 'codemap');
    await writeExport(root, anonymizer, { split: 'none' });
    expect((await listTree(root)).some((f) => /code_map/.test(f))).toBe(false);
    const file = path.join(tmp.dir, 'kept-apart', 'map.csv');
    writeCodeMapCsv(file, book.entries());
    const map = await runPythonJson<Array<Record<string, string>>>(
      "import sys, json; import pandas as pd; print(pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False).to_json(orient='records', force_ascii=False))",
      [file],
    );
    const sorted = fetched.participants.map((p) => String(p.id)).sort((a, b) => (a < b ? -1 : 1));
    expect(Object.keys(map[0])).toEqual(['participantId', 'code']);
    expect(map.slice(0, sorted.length).map((m) => m.participantId)).toEqual(sorted);
    expect(map[0].code).toBe('P001');
    for (const m of map) expect(anonymizer.participant(m.participantId)).toBe(m.code);
  });
});

describe('aggregate export', () => {
  it('writes only summaries, keyed by codes, matching figures computed from the simulator data', async () => {
    const anonymizer = createAnonymizer({ mode: 'aggregate', participants: fetched.participants.map((p) => ({ id: String(p.id), name: p.name as string, email: p.email as string })) });
    const agg = createAggregator({ personOf: (type, r) => hs.recordContext()(type, r).person });
    for (const [type] of TYPES) for (const r of fetched.data.get(type)!) agg.add(type, anonymizer.transform(r));
    const root = path.join(tmp.dir, 'aggregate');
    const files = await writeAggregateOutputs(agg, { outDir: root, format: 'csv', bom: true, formulaProtection: false });
    expect(files.map((f) => f.relPath)).toEqual(['summary_counts.csv', 'summary_stats.csv']);
    const secrets = secretsOf();
    for (const f of files) expect(findLeaks(f.relPath, await readFile(path.join(root, f.relPath)), secrets)).toEqual([]);

    // Independent figures: ratings-continuous per participant.
    const byP = new Map<string, number[]>();
    for (const r of fetched.data.get('ratings-continuous')!) {
      const code = anonymizer.participant(String(r.participantId));
      byP.set(code, [...(byP.get(code) ?? []), r.value as number]);
    }
    const py = await runPythonJson<any>(
      `
import sys, json
import pandas as pd
c = pd.read_csv(sys.argv[1] + '/summary_counts.csv', encoding='utf-8-sig')
s = pd.read_csv(sys.argv[1] + '/summary_stats.csv', encoding='utf-8-sig')
rc = c[c['type'] == 'ratings-continuous']
sv = s[(s['type'] == 'ratings-continuous') & (s['field'] == 'value')]
print(json.dumps({'counts': dict(zip(rc['participant'], [int(x) for x in rc['records']])),
  'mean': dict(zip(sv['participant'], [float(x) for x in sv['mean']])),
  'sd': dict(zip(sv['participant'], [float(x) for x in sv['sd']])),
  'min': dict(zip(sv['participant'], [float(x) for x in sv['min']])),
  'max': dict(zip(sv['participant'], [float(x) for x in sv['max']]))}))
`,
      [root],
    );
    expect(byP.size).toBeGreaterThan(0);
    for (const [code, values] of byP) {
      const n = values.length;
      const mean = values.reduce((a, b) => a + b, 0) / n;
      const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
      expect(py.counts[code]).toBe(n);
      expect(py.mean[code]).toBeCloseTo(mean, 9);
      expect(py.sd[code]).toBeCloseTo(sd, 9);
      expect(py.min[code]).toBe(Math.min(...values));
      expect(py.max[code]).toBe(Math.max(...values));
    }
  });
});
