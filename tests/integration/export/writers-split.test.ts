// Split layouts (by room, by participant) with hostile ids, a bucket for records without an id,
// bounded open files, and the split files adding up to the unsplit one.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSplitNamer, writeTypeOutputs } from '../../../src-main/core/export/format/type-writer';
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

const common = { bom: true, formulaProtection: false } as const;

describe('writeTypeOutputs: split layouts', () => {
  it('splits by room into rooms/<safe id>/<type>.csv with a bucket for records without a room', async () => {
    const dir = path.join(tmp.dir, 'by-room');
    const files = await writeTypeOutputs({ ...common, type: 'events', format: 'csv', split: hsSplit('room'), records: () => awkwardRecords(), outDir: dir });
    const tree = await listTree(dir);
    expect(tree).toEqual(files.map((f) => f.relPath).sort());
    expect(tree).toContain('rooms/room_A/events.csv');
    expect(tree).toContain('rooms/_no_room/events.csv');
    const hostile = files.find((f) => f.group?.id === 'room_..:B')!;
    expect(hostile.relPath).toMatch(/^rooms\/[^/:]+\/events\.csv$/);
    expect(hostile.relPath).not.toContain('..');
    for (const p of tree) expect(path.resolve(dir, p).startsWith(dir + path.sep)).toBe(true);
    expect(files.reduce((n, f) => n + f.records, 0)).toBe(awkwardRecords().length);
    // Every split CSV has the same columns (the union), so they can be stacked.
    const headers = await Promise.all(tree.map(async (p) => (await readFile(path.join(dir, p), 'utf8')).split('\r\n')[0]));
    expect(new Set(headers).size).toBe(1);
  });

  it('splits simulator data by participant; files add up to the whole and pandas agrees', async () => {
    const exp = sim.dataset.experiments()[0];
    const dir = path.join(tmp.dir, 'by-participant');
    const participants = sim.dataset.participants({ experimentId: exp.id }).map((p) => p.id);
    const namer = createSplitNamer(hsSplit('participant'), participants);
    const records = () => sim.dataset.records('chat', 'experiment', exp.id);
    const files = await writeTypeOutputs({ ...common, type: 'chat', format: 'csv', split: hsSplit('participant'), records, outDir: dir, namer, maxOpenFiles: 2 });
    const total = sim.dataset.count('chat', 'experiment', exp.id);
    expect(files.reduce((n, f) => n + f.records, 0)).toBe(total);
    // Chat records are split by sender.
    for (const f of files) expect(f.relPath).toBe(`participants/${f.group?.id}/chat.csv`);
    const script = `
import sys, json, glob, os
import pandas as pd
out = {}
for p in sorted(glob.glob(os.path.join(sys.argv[1], 'participants', '*', 'chat.csv'))):
    df = pd.read_csv(p, encoding='utf-8-sig', dtype=str, keep_default_na=False)
    out[os.path.basename(os.path.dirname(p))] = {'rows': len(df), 'senders': sorted(set(df['senderId']))}
print(json.dumps(out))
`;
    const py = await runPythonJson<Record<string, { rows: number; senders: string[] }>>(script, [dir]);
    for (const f of files) {
      expect(py[f.group!.id].rows).toBe(f.records);
      expect(py[f.group!.id].senders).toEqual([f.group?.id]);
    }
  });

  it('keeps thousands of split files correct with only a few handles open', async () => {
    const dir = path.join(tmp.dir, 'many');
    const n = 3000;
    const groups = 700;
    const records = function* () {
      for (let i = 0; i < n; i++) yield { id: `r${i}`, participantId: `p_${i % groups}`, seq: i };
    };
    const files = await writeTypeOutputs({ ...common, type: 'sync', format: 'json', split: hsSplit('participant'), records, outDir: dir, maxOpenFiles: 3, fsync: false });
    expect(files).toHaveLength(groups);
    for (const f of files.slice(0, 50)) {
      const arr = JSON.parse(await readFile(path.join(dir, f.relPath), 'utf8')) as Array<{ seq: number; participantId: string }>;
      expect(arr.length).toBe(f.records);
      expect(arr.every((r) => r.participantId === f.group?.id)).toBe(true);
      // Order within a file is the input order.
      expect(arr.map((r) => r.seq)).toEqual([...arr.map((r) => r.seq)].sort((a, b) => a - b));
    }
  });

  it('names case-colliding ids apart and writes known groups even without records', async () => {
    const dir = path.join(tmp.dir, 'case');
    const namer = createSplitNamer(hsSplit('room'), ['Room1', 'room1', 'empty_room']);
    const records = () => [
      { id: 'a', roomId: 'Room1' },
      { id: 'b', roomId: 'room1' },
      { id: 'c', roomId: '_no_room' },
      { id: 'd', roomId: 'r'.repeat(300) },
      { id: 'e', roomId: 'r'.repeat(299) + 's' },
    ];
    const files = await writeTypeOutputs({ ...common, type: 'events', format: 'ndjson', split: hsSplit('room'), records, outDir: dir, namer, knownGroups: ['empty_room'] });
    const folders = files.map((f) => f.relPath.split('/')[1]);
    expect(new Set(folders.map((f) => f.toLowerCase())).size).toBe(files.length);
    // Long ids are shortened (with a hash, so they stay distinct) to keep paths short.
    const long = files.filter((f) => f.group!.id.length >= 300).map((f) => f.relPath.split('/')[1]);
    expect(long).toHaveLength(2);
    expect(new Set(long).size).toBe(2);
    for (const l of long) expect(Buffer.byteLength(l)).toBeLessThanOrEqual(64);
    const empty = files.find((f) => f.group?.id === 'empty_room')!;
    expect(empty.records).toBe(0);
    // A room literally called "_no_room" does not share the bucket folder.
    expect(files.find((f) => f.group?.id === '_no_room')!.relPath).not.toBe('rooms/_no_room/events.ndjson');
  });
});
