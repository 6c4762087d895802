// CSV, JSON and NDJSON written by writeTypeOutputs, read back by independent tools (python3's csv
// module and pandas, JSON.parse), checked against each other and against the input records.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTypeOutputs, type WrittenFile } from '../../../src-main/core/export/format/type-writer';
import { hashFile } from '../../../src-main/core/export/manifest/hash';
import { startSimulator, type Simulator } from '../../sim/index';
import { awkwardRecords, listTree, makeTempDir, runPythonJson, hsSplit } from './writers-helpers';

let tmp: { dir: string; cleanup: () => Promise<void> };
let sim: Simulator;
beforeAll(async () => {
  tmp = await makeTempDir();
  sim = await startSimulator({ scale: 'tiny' });
});
afterAll(async () => {
  await sim?.close();
  await tmp?.cleanup();
});

const PANDAS_READ = `
import sys, json, csv, io
import pandas as pd
path = sys.argv[1]
raw = open(path, 'rb').read()
df = pd.read_csv(path, encoding='utf-8-sig', dtype=str, keep_default_na=False)
# Independent structural check with the csv module: same field count on every record.
text = raw.decode('utf-8-sig')
rows = list(csv.reader(io.StringIO(text, newline='')))
print(json.dumps({
  'bom': raw[:3] == b'\\xef\\xbb\\xbf',
  'crlf_only': b'\\r\\n' in raw and raw.count(b'\\n') >= raw.count(b'\\r\\n'),
  'columns': list(df.columns),
  'records': df.to_dict(orient='records'),
  'field_counts': sorted(set(len(r) for r in rows)),
  'csv_rows': len(rows),
}))
`;

async function writeAll(dir: string, records: () => Iterable<Record<string, unknown>>, extra: { bom?: boolean; formulaProtection?: boolean } = {}) {
  const out: Record<string, WrittenFile> = {};
  for (const format of ['csv', 'json', 'ndjson'] as const) {
    const [f] = await writeTypeOutputs({ type: 'events', format, split: 'none', records, outDir: dir, bom: extra.bom ?? true, formulaProtection: extra.formulaProtection ?? false });
    out[format] = f;
  }
  return out;
}

describe('writeTypeOutputs: formats', () => {
  it('writes awkward records as RFC 4180 CSV that pandas reads back equal to the JSON', async () => {
    const dir = path.join(tmp.dir, 'awkward');
    const input = awkwardRecords();
    const files = await writeAll(dir, () => input);
    expect(files.csv.relPath).toBe('events.csv');
    expect(files.csv.records).toBe(input.length);

    const json = JSON.parse(await readFile(path.join(dir, 'events.json'), 'utf8')) as Array<Record<string, any>>;
    const ndjson = (await readFile(path.join(dir, 'events.ndjson'), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(json).toEqual(JSON.parse(JSON.stringify(input))); // nested, unchanged (undefined dropped)
    expect(ndjson).toEqual(json);

    const py = await runPythonJson<any>(PANDAS_READ, [path.join(dir, 'events.csv')]);
    expect(py.bom).toBe(true);
    expect(py.field_counts).toHaveLength(1); // every record has the same number of fields
    expect(py.csv_rows).toBe(input.length + 1);
    expect(py.records).toHaveLength(json.length);
    expect(py.columns.slice(0, 4)).toEqual(['id', 'experimentId', 'roomId', 'sessionId']);
    expect(py.columns).toContain('onset_sec');
    expect(py.columns).toContain('lateField');
    expect(py.columns).toContain('response_value');
    json.forEach((rec, i) => {
      const row = py.records[i];
      expect(row.id).toBe(rec.id);
      expect(row.content).toBe(rec.content); // quotes, commas, CRLF, unicode survive
      expect(row.onset).toBe(String(rec.onset));
      expect(Number(row.onset_sec)).toBe(rec.onset / 1000);
      expect(row.timestamp).toBe(rec.timestamp);
      expect(row.flag).toBe(rec.flag ? 'true' : 'false');
      expect(row.participantId).toBe(rec.participantId ?? '');
      expect(row.tags).toBe(JSON.stringify(rec.tags));
      expect(row.response_value).toBe(rec.response ? String(rec.response.value) : '');
      expect(row.lateField).toBe(rec.lateField ?? '');
    });
  });

  it('protects formulas in text cells only, and can leave the BOM out', async () => {
    const dir = path.join(tmp.dir, 'formula');
    const input = awkwardRecords();
    await writeAll(dir, () => input, { bom: false, formulaProtection: true });
    const raw = await readFile(path.join(dir, 'events.csv'));
    expect(raw.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(false);
    const py = await runPythonJson<any>(PANDAS_READ, [path.join(dir, 'events.csv')]);
    expect(py.bom).toBe(false);
    const byId = new Map<string, any>(py.records.map((r: any) => [r.id, r]));
    expect(byId.get('evt_4').content).toBe("'=SUM(A1:A3)");
    expect(byId.get('evt_5').content).toBe("'+1 agree");
    expect(byId.get('evt_6').content).toBe("'-5 seconds off");
    expect(byId.get('evt_7').content).toBe("'@host hi");
    expect(byId.get('evt_8').content).toBe('tab\tseparated'); // the tab is not leading
    expect(byId.get('evt_0').content).toBe('plain');
    // Numbers are not text: negative onsets and values stay numbers.
    expect(byId.get('evt_0').onset).toBe('-6250');
    expect(byId.get('evt_5').response_value).toBe('-7.5');
    // JSON is never altered by formula protection.
    const json = JSON.parse(await readFile(path.join(dir, 'events.json'), 'utf8'));
    expect(json[4].content).toBe('=SUM(A1:A3)');
  });

  it('writes the simulator events so that CSV row count and key fields equal the JSON', async () => {
    const dir = path.join(tmp.dir, 'sim');
    const exp = sim.dataset.experiments()[0];
    const records = () => sim.dataset.records('events', 'experiment', exp.id);
    const files = await writeAll(dir, records);
    const expected = sim.dataset.count('events', 'experiment', exp.id);
    expect(files.csv.records).toBe(expected);
    expect(files.json.records).toBe(expected);
    expect(files.ndjson.records).toBe(expected);
    const script = `
import sys, json
import pandas as pd
df = pd.read_csv(sys.argv[1], encoding='utf-8-sig', dtype=str, keep_default_na=False)
js = json.load(open(sys.argv[2], encoding='utf-8'))
same_ids = list(df['id']) == [r['id'] for r in js]
same_content = list(df['content']) == [r.get('content', '') or '' for r in js]
same_onset = [float(x) for x in df['onset_sec']] == [r['onset'] / 1000 for r in js]
same_ts = list(df['timestamp']) == [r['timestamp'] for r in js]
print(json.dumps({'rows': len(df), 'json': len(js), 'ids': same_ids, 'content': same_content, 'onset': same_onset, 'ts': same_ts}))
`;
    const py = await runPythonJson<any>(script, [path.join(dir, 'events.csv'), path.join(dir, 'events.json')]);
    expect(py).toEqual({ rows: expected, json: expected, ids: true, content: true, onset: true, ts: true });
    // Reported size and hash match the file on disk.
    for (const f of Object.values(files)) {
      const h = await hashFile(path.join(dir, f.relPath));
      expect(h).toEqual({ bytes: f.bytes, sha256: f.sha256 });
    }
  });

  it('still writes a file for an empty type: header-only CSV, [] JSON, empty NDJSON', async () => {
    const dir = path.join(tmp.dir, 'empty');
    const files = await writeAll(dir, () => []);
    const csv = await readFile(path.join(dir, 'events.csv'), 'utf8');
    expect(csv.startsWith('\ufeffid,experimentId,roomId,')).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csv.split('\r\n')).toHaveLength(2);
    expect(JSON.parse(await readFile(path.join(dir, 'events.json'), 'utf8'))).toEqual([]);
    expect((await stat(path.join(dir, 'events.ndjson'))).size).toBe(0);
    expect(files.csv.records).toBe(0);
    expect(await listTree(dir)).toEqual(['events.csv', 'events.json', 'events.ndjson']);
  });

  it('is deterministic: the same records give byte-identical files', async () => {
    const a = await writeAll(path.join(tmp.dir, 'det-a'), () => awkwardRecords());
    const b = await writeAll(path.join(tmp.dir, 'det-b'), () => awkwardRecords());
    for (const f of ['csv', 'json', 'ndjson']) expect(a[f].sha256).toBe(b[f].sha256);
  });

  it('applies the transform in both CSV passes and drops records it rejects', async () => {
    const dir = path.join(tmp.dir, 'transform');
    const [f] = await writeTypeOutputs({
      type: 'events',
      format: 'csv',
      split: 'none',
      records: () => awkwardRecords(),
      outDir: dir,
      bom: false,
      formulaProtection: false,
      transform: (r) => (r.id === 'evt_0' ? null : { ...r, added: 'yes' }),
      omitColumns: new Set(['sessionId']),
    });
    expect(f.records).toBe(awkwardRecords().length - 1);
    const py = await runPythonJson<any>(PANDAS_READ, [path.join(dir, 'events.csv')]);
    expect(py.columns).toContain('added');
    expect(py.columns).not.toContain('sessionId');
    expect(py.records.every((r: any) => r.added === 'yes')).toBe(true);
    expect(py.records.map((r: any) => r.id)).not.toContain('evt_0');
  });

  it('leaves nothing behind when aborted', async () => {
    const dir = path.join(tmp.dir, 'abort');
    const ac = new AbortController();
    async function* slow() {
      for (let i = 0; i < 5000; i++) {
        if (i === 2000) ac.abort();
        yield { id: `r${i}`, roomId: `room_${i % 50}`, content: 'x'.repeat(100) };
      }
    }
    await expect(
      writeTypeOutputs({ type: 'events', format: 'ndjson', split: hsSplit('room'), records: slow, outDir: dir, bom: true, formulaProtection: false, signal: ac.signal, maxOpenFiles: 4 }),
    ).rejects.toThrow();
    const left = await listTree(dir).catch(() => []);
    expect(left).toEqual([]);
  });
});
