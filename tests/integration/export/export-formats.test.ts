// Every format, split and anonymization mode, end to end against the simulator: the runner
// fetches through the real client and limiter, writes real files, and independent readers
// (python3 + pandas, json, unzip, python zipfile, yauzl) check what came out.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../sim/index';
import { baseRequest, execFileP, exportOnce, folderDigest, python, removeDir, tempDir, zipDigest } from './export-helpers';

let sim: Simulator;
let root: string;
let expId: string;
let participantIds: string[];
let roomIds: string[];
const types = ['events', 'chat', 'ratings-continuous'] as const;
const simType = { events: 'events', chat: 'chat', 'ratings-continuous': 'ratings/continuous' } as const;
const idField = { events: 'id', chat: 'messageId', 'ratings-continuous': 'ratingId' } as const;
const fileOf = { events: 'events', chat: 'chat', 'ratings-continuous': 'ratings_continuous' } as const;
const expected = new Map<string, number>();

beforeAll(async () => {
  sim = await startSimulator({ scale: 'tiny', seed: 7 });
  root = await tempDir('export-formats-');
  const exp = sim.dataset.experiments()[0];
  expId = exp.id;
  roomIds = exp.roomIds;
  participantIds = sim.dataset.participants({ experimentId: expId }).map((p) => p.id);
  for (const t of types) expected.set(t, sim.dataset.count(simType[t], 'experiment', expId));
});
afterAll(async () => {
  await sim?.close();
  await removeDir(root);
});

// Reads data files with independent readers (pandas for CSV) and returns their record ids in order.
// One python process per batch: pandas takes a while to import on a busy 2-core machine.
const READ_IDS = `
import sys, json, pandas as pd
out = []
for fmt, path, idcol in json.loads(sys.argv[1]):
    if fmt == 'csv':
        df = pd.read_csv(path, encoding='utf-8-sig', dtype=str, keep_default_na=False)
        out.append(df[idcol].tolist())
    elif fmt == 'json':
        out.append([r[idcol] for r in json.load(open(path, encoding='utf-8'))])
    else:
        out.append([json.loads(l)[idcol] for l in open(path, encoding='utf-8') if l.strip()])
print(json.dumps(out))
`;

async function idsOfMany(specs: Array<[string, string, string]>): Promise<string[][]> {
  return (await python(READ_IDS, [JSON.stringify(specs)])) as string[][];
}


describe('export formats (tiny simulator)', { timeout: 120_000 }, () => {
  const outputs = new Map<string, string>();

  it.each(['csv', 'json', 'ndjson'] as const)('writes %s with every record of every type, in the same order', async (format) => {
    const dest = path.join(root, format);
    const r = await exportOnce(sim, baseRequest(expId, { types: [...types], format }), dest);
    outputs.set(format, r.outputPath);
    expect(path.dirname(r.outputPath)).toBe(dest);
    expect(r.outputName).toMatch(/^[A-Za-z0-9._-]+_experiment_\d{4}-\d{2}-\d{2}$/);
    const names = await readdir(r.outputPath);
    expect(names).toEqual(expect.arrayContaining(['metadata.json', 'README.txt', 'experiment.json', 'rooms.csv', 'participants.csv']));
    // Nothing unfinished was left in the destination: just the output.
    expect(await readdir(dest)).toEqual([r.outputName]);
    const manifest = JSON.parse(await readFile(path.join(r.outputPath, 'metadata.json'), 'utf8'));
    const all = await idsOfMany(types.map((t) => [format, path.join(r.outputPath, `${fileOf[t]}.${format}`), idField[t]]));
    for (const [i, t] of types.entries()) {
      const ids = all[i];
      expect(ids.length, `${t} ${format}`).toBe(expected.get(t));
      expect(new Set(ids).size).toBe(ids.length);
      expect(manifest.totals.recordsByType[t]).toBe(expected.get(t));
      expect(manifest.totals.serverTotals[t]).toBe(expected.get(t));
    }
    expect(JSON.stringify(manifest)).not.toMatch(/hst_(live|test)_[A-Za-z0-9]/);
    expect(manifest.source.baseUrl).toBe(sim.baseUrl.replace(/\/+$/, ''));
  });

  it('CSV, JSON and NDJSON hold the same ids in the same order, and pandas reads the listings', async () => {
    const specs: Array<[string, string, string]> = [];
    for (const t of types) for (const f of ['csv', 'json', 'ndjson']) specs.push([f, path.join(outputs.get(f)!, `${fileOf[t]}.${f}`), idField[t]]);
    specs.push(['csv', path.join(outputs.get('csv')!, 'participants.csv'), 'id'], ['csv', path.join(outputs.get('csv')!, 'rooms.csv'), 'id']);
    const got = await idsOfMany(specs);
    for (let i = 0; i < types.length; i++) {
      const [csv, json, nd] = got.slice(i * 3, i * 3 + 3);
      expect(csv.length).toBe(expected.get(types[i]));
      expect(csv).toEqual(json);
      expect(nd).toEqual(json);
    }
    expect([...got[types.length * 3]].sort()).toEqual([...participantIds].sort());
    expect([...got[types.length * 3 + 1]].sort()).toEqual([...roomIds].sort());
  });

  it('splits by room: one file per room, each holding only that room, adding up to the total', async () => {
    const r = await exportOnce(sim, baseRequest(expId, { types: ['events', 'chat'], split: 'room' }), path.join(root, 'split-room'));
    const folders = (await readdir(path.join(r.outputPath, 'rooms'))).sort();
    expect(folders).toEqual([...roomIds].sort());
    const specs = (['events', 'chat'] as const).flatMap((t) => folders.map((room) => [path.join(r.outputPath, 'rooms', room, `${t}.csv`), t, room]));
    const res = (await python(
      `import sys, json, pandas as pd\nout = []\nfor p in json.loads(sys.argv[1]):\n    df = pd.read_csv(p, encoding='utf-8-sig', dtype=str, keep_default_na=False)\n    out.append({'n': len(df), 'rooms': sorted(set(df['sessionId' if 'sessionId' in df else 'roomId']))})\nprint(json.dumps(out))`,
      [JSON.stringify(specs.map((s) => s[0]))],
    )) as Array<{ n: number; rooms: string[] }>;
    const totals: Record<string, number> = { events: 0, chat: 0 };
    specs.forEach(([, t, room], i) => {
      expect(res[i].rooms).toEqual([room]);
      expect(res[i].n).toBe(sim.dataset.count(simType[t as 'events'], 'room', room));
      totals[t] += res[i].n;
    });
    expect(totals.events).toBe(expected.get('events'));
    expect(totals.chat).toBe(expected.get('chat'));
  });

  it('splits by participant: every participant file holds only that participant', async () => {
    const r = await exportOnce(sim, baseRequest(expId, { types: ['events'], split: 'participant', format: 'ndjson' }), path.join(root, 'split-participant'));
    const folders = (await readdir(path.join(r.outputPath, 'participants'))).sort();
    let total = 0;
    for (const f of folders) {
      const lines = (await readFile(path.join(r.outputPath, 'participants', f, 'events.ndjson'), 'utf8')).split('\n').filter(Boolean);
      const owners = new Set(lines.map((l) => (JSON.parse(l) as { participantId?: string }).participantId ?? '_no_participant'));
      expect([...owners]).toEqual([f]);
      total += lines.length;
    }
    expect(total).toBe(expected.get('events'));
    expect(folders.filter((f) => f !== '_no_participant').every((f) => participantIds.includes(f))).toBe(true);
  });

  it('pseudonymizes everything, recordings and ZIP included: no original participant id anywhere', async () => {
    const dest = path.join(root, 'pseudo');
    const r = await exportOnce(sim, baseRequest(expId, { types: ['events', 'chat', 'recordings'], includeRecordings: true, anonymize: 'pseudonymize', zip: true, split: 'participant' }), dest);
    expect(r.outputPath.endsWith('.zip')).toBe(true);
    expect(await readdir(dest)).toEqual([r.outputName]);
    await execFileP('unzip', ['-tqq', r.outputPath]);
    await execFileP('/usr/bin/python3', ['-m', 'zipfile', '-t', r.outputPath]);
    const { stdout } = await execFileP('unzip', ['-Z1', r.outputPath], { maxBuffer: 16 << 20 });
    const names = stdout.split('\n').filter(Boolean);
    const all = await execFileP('unzip', ['-p', r.outputPath], { maxBuffer: 256 << 20, encoding: 'buffer' });
    const text = (all.stdout as unknown as Buffer).toString('latin1') + names.join('\n');
    for (const pid of participantIds) expect(text.includes(pid), `participant id ${pid} survived`).toBe(false);
    expect(names.some((n) => /\/recordings\/P\d{3}_/.test(n))).toBe(true);
    expect(names.some((n) => /\/participants\/P\d{3}\/events\.csv$/.test(n))).toBe(true);
    expect(names.some((n) => n.endsWith('participant_code_map.csv'))).toBe(false);
    const digest = await zipDigest(r.outputPath);
    expect(digest.size).toBe(names.filter((n) => !n.endsWith('/')).length);
  });

  it('never writes the code map into the export, even when the old request flag asks for it', async () => {
    const r = await exportOnce(sim, baseRequest(expId, { types: ['chat'], anonymize: 'pseudonymize', writeCodeMap: true }), path.join(root, 'codemap'));
    const names = await readdir(r.outputPath, { recursive: true });
    expect(names.some((n) => /code.?map/i.test(String(n)))).toBe(false);
  });

  it('aggregate mode writes summaries only, whose counts add up to the simulator totals', async () => {
    const r = await exportOnce(sim, baseRequest(expId, { types: ['events', 'chat'], anonymize: 'aggregate', includeRecordings: true }), path.join(root, 'aggregate'));
    const names = (await readdir(r.outputPath)).sort();
    expect(names).toEqual(['README.txt', 'metadata.json', 'summary_counts.csv', 'summary_stats.csv']);
    const counts = (await python(
      `import sys, json, pandas as pd\ndf = pd.read_csv(sys.argv[1], encoding='utf-8-sig', keep_default_na=False)\nprint(json.dumps({t: int(g['records'].sum()) for t, g in df.groupby('type')}))`,
      [path.join(r.outputPath, 'summary_counts.csv')],
    )) as Record<string, number>;
    expect(counts.events).toBe(expected.get('events'));
    expect(counts.chat).toBe(expected.get('chat'));
    const text = (await Promise.all(names.map((n) => readFile(path.join(r.outputPath, n), 'utf8')))).join('\n');
    for (const pid of participantIds) expect(text.includes(pid)).toBe(false);
  });

  it('a ZIP export holds exactly the files of the same folder export, and passes unzip, python and yauzl', async () => {
    const req = baseRequest(expId, { types: ['events', 'chat'], includeRecordings: true });
    const folder = await exportOnce(sim, req, path.join(root, 'cmp-folder'));
    const zip = await exportOnce(sim, { ...req, zip: true }, path.join(root, 'cmp-zip'));
    await execFileP('unzip', ['-tqq', zip.outputPath]);
    await execFileP('/usr/bin/python3', ['-m', 'zipfile', '-t', zip.outputPath]);
    const f = await folderDigest(folder.outputPath);
    const z = await zipDigest(zip.outputPath);
    const prefix = `${folder.outputName}/`;
    const inZip = new Map([...z].map(([k, v]) => [k.startsWith(prefix) ? k.slice(prefix.length) : k, v]));
    // metadata.json differs by design (filters.zip); every other file is the same bytes.
    inZip.delete('metadata.json');
    f.delete('metadata.json');
    expect(inZip).toEqual(f);
    expect([...f.keys()].some((k) => k.startsWith('recordings/'))).toBe(true);
  });

  it('never overwrites: a second export of the same thing gets a " (2)" name', async () => {
    const dest = path.join(root, 'clash');
    const req = baseRequest(expId, { types: ['chat'], zip: true });
    const a = await exportOnce(sim, req, dest);
    const b = await exportOnce(sim, req, dest, { workDir: path.join(dest, '.studydl-second') });
    expect(b.outputName).toBe(a.outputName.replace(/\.zip$/, ' (2).zip'));
    expect((await readdir(dest)).sort()).toEqual([a.outputName, b.outputName].sort());
  });
});
