// A sync folder's promises besides the oracle: pseudonym codes that hold across syncs (and raw
// records kept out of the folder), a field that appears later becoming a column without breaking
// the rows before it (read back with pandas), and bad situations refused in plain words with
// nothing lost: not a sync folder, a folder with other files, another selection, a damaged state,
// a second sync at once, another server.
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StudyError } from '../../../src-shared/errors';
import { startSimulator, type Simulator } from '../../sim/index';
import { python } from '../export/export-helpers';
import { hsTarget } from '../../hs-paths';
import { canMountTmpfs, mountTmpfs } from '../tmpfs';
import { lockSyncFolder, syncPaths } from '../../../src-main/core/sync/folder';
import { digest, expectSameAsFresh, freshExport, makeSource, removeDir, selection, syncOnce, tempDir } from './sync-helpers';

let sim: Simulator;
let root: string;
let expId: string;
let liveRoom: string;

beforeAll(async () => {
  sim = await startSimulator({ scale: 'tiny', seed: 41 });
  root = await tempDir('sync-folder-');
  expId = sim.dataset.experiments()[0].id;
  liveRoom = sim.dataset.rooms(expId).find((r) => r.status === 'active')!.id;
});
afterAll(async () => {
  await sim?.close();
  await removeDir(root);
});

async function allText(dir: string): Promise<string> {
  let text = '';
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) text += `${e.name}\n${(await readFile(path.join(e.parentPath, e.name))).toString('latin1')}\n`;
  }
  return text;
}

describe('pseudonymized sync', { timeout: 120_000 }, () => {
  it('keeps every code across syncs, gives new participants new ones, and keeps raw records out of the folder', async () => {
    const codeMaps = { dir: path.join(root, 'code-maps') };
    const storesDir = path.join(root, 'sync-stores');
    const sel = selection(expId, { types: ['events', 'chat'], anonymize: 'pseudonymize', split: 'participant' });
    const dir = path.join(root, 'pseudo');
    const first = await syncOnce(sim, dir, { create: { selection: sel }, codeMaps, storesDir });
    expect(first.state.codeMap).toEqual({ source: 'hyperstudy', studyId: expId });
    expect(first.state.storeDir!.startsWith(storesDir)).toBe(true);
    const codesBefore = await readFile(path.join(dir, 'participants.csv'), 'utf8');
    const foldersBefore = (await readdir(path.join(dir, 'participants'))).sort();

    const added = sim.addRoom(expId, { participants: 2 });
    sim.appendRecords('events', expId, liveRoom, 300);
    sim.appendRecords('chat', expId, liveRoom, 12);
    await syncOnce(sim, dir, { codeMaps, storesDir });
    await expectSameAsFresh(dir, await freshExport(sim, sel, path.join(root, 'pseudo-fresh'), { codeMaps }), 'pseudonymized');

    // Old participants keep their rows (and codes) in participants.csv; the new ones follow.
    const codesAfter = await readFile(path.join(dir, 'participants.csv'), 'utf8');
    const rows = (t: string) => t.replace(/^\uFEFF/, '').trim().split(/\r?\n/).slice(1);
    for (const row of rows(codesBefore)) expect(rows(codesAfter), codesBefore + '\n----\n' + codesAfter).toContain(row);
    expect(rows(codesAfter).length).toBe(rows(codesBefore).length + 2);
    const foldersAfter = (await readdir(path.join(dir, 'participants'))).sort();
    for (const f of foldersBefore) expect(foldersAfter).toContain(f);

    // No original participant id anywhere in the folder, its hidden sync folder included.
    const text = await allText(dir);
    const ids = sim.dataset.participants({ experimentId: expId }).map((p) => p.id);
    expect(ids).toEqual(expect.arrayContaining(added.participantIds));
    for (const id of ids) expect(text.includes(id), `participant id ${id} in the folder`).toBe(false);
  });

  it('aggregate-only folders match a fresh aggregate export', async () => {
    const codeMaps = { dir: path.join(root, 'code-maps-agg') };
    const storesDir = path.join(root, 'sync-stores-agg');
    const sel = selection(expId, { types: ['events', 'ratings-continuous'], anonymize: 'aggregate' });
    const dir = path.join(root, 'agg');
    await syncOnce(sim, dir, { create: { selection: sel }, codeMaps, storesDir });
    sim.appendRecords('ratings/continuous', expId, liveRoom, 80);
    await syncOnce(sim, dir, { codeMaps, storesDir });
    await expectSameAsFresh(dir, await freshExport(sim, sel, path.join(root, 'agg-fresh'), { codeMaps }), 'aggregate');
  });
});

describe('a field that appears later', { timeout: 120_000 }, () => {
  it('becomes a column of the whole file, empty in the rows before it, as in a fresh export', async () => {
    const sel = selection(expId, { types: ['chat'] });
    const dir = path.join(root, 'columns');
    await syncOnce(sim, dir, { create: { selection: sel } });
    const headerBefore = (await readFile(path.join(dir, 'chat.csv'), 'utf8')).split(/\r?\n/)[0];
    sim.appendRecords('chat', expId, liveRoom, 4, { where: 'after', extra: { reaction: '👍' } });
    sim.appendRecords('chat', expId, liveRoom, 3, { where: 'inside', extra: { edited: true } });
    const r = await syncOnce(sim, dir);
    expect(r.record.newColumns['chat.csv']).toEqual(['edited', 'reaction']);
    await expectSameAsFresh(dir, await freshExport(sim, sel, path.join(root, 'columns-fresh')), 'new columns');
    const check = (await python(
      `
import sys, json, pandas as pd
df = pd.read_csv(sys.argv[1], encoding='utf-8-sig', dtype=str, keep_default_na=False)
print(json.dumps({'columns': list(df.columns), 'reaction': int((df['reaction'] == '👍').sum()), 'edited': int((df['edited'] == 'true').sum()), 'rows': len(df), 'blank': int((df['reaction'] == '').sum())}))
`,
      [path.join(dir, 'chat.csv')],
    )) as { columns: string[]; reaction: number; edited: number; rows: number; blank: number };
    expect(check.columns.slice(0, headerBefore.replace(/^\uFEFF/, '').split(',').length)).toEqual(headerBefore.replace(/^\uFEFF/, '').split(','));
    expect(check.columns).toEqual(expect.arrayContaining(['reaction', 'edited']));
    expect(check.reaction).toBe(4);
    expect(check.edited).toBe(3);
    expect(check.blank).toBe(check.rows - 4);
  });
});

describe('a room kept up to date (its streams whole, not split by group)', { timeout: 180_000 }, () => {
  it('reads a stream of several pages from its cursor, repairs late records before it, and a --verify sync reads every stream from its cursor; the folder equals a fresh export each time', async () => {
    const sel = selection(expId, { target: hsTarget(expId, liveRoom), types: ['events', 'chat'] });
    const dir = path.join(root, 'room');
    // More than a page (1,000) of events in the room: reading them whole would cost more than from the cursor.
    sim.appendRecords('events', expId, liveRoom, 1200, { where: 'after' });
    const first = await syncOnce(sim, dir, { create: { selection: sel } });
    expect(first.plan.streams.map((x) => x.mode)).toEqual(['whole', 'whole']);
    expect(first.state.streams[Object.keys(first.state.streams).find((k) => k.startsWith('events'))!].partitions.reduce((n, x) => n + x.count, 0)).toBeGreaterThan(1000);

    sim.appendRecords('events', expId, liveRoom, 40, { where: 'inside' });
    sim.appendRecords('events', expId, liveRoom, 30, { where: 'after' });
    const second = await syncOnce(sim, dir);
    expect(second.plan.streams.find((x) => x.type === 'events')).toMatchObject({ mode: 'cursor', why: 'from its cursor' });
    expect(second.record.newRecords.events).toBe(70);
    expect(second.record.repaired).toEqual(['events']);
    await expectSameAsFresh(dir, await freshExport(sim, sel, path.join(root, 'room-fresh1')), 'room, from the cursor');

    sim.appendRecords('chat', expId, liveRoom, 5, { where: 'after' });
    const verified = await syncOnce(sim, dir, { verify: true });
    expect(verified.plan.streams.map((x) => x.mode)).toEqual(['cursor', 'cursor']);
    expect(verified.record.newRecords).toEqual({ events: 0, chat: 5 });
    await expectSameAsFresh(dir, await freshExport(sim, sel, path.join(root, 'room-fresh2')), 'room, verified');
  });
});

describe('refused in plain words, nothing lost', { timeout: 120_000 }, () => {
  const sel = () => selection(expId, { types: ['chat'] });

  it('a folder that is not a sync folder, or holds other files, or is kept with another selection', async () => {
    const plain = path.join(root, 'plain');
    await mkdir(plain, { recursive: true });
    await expect(syncOnce(sim, plain)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await writeFile(path.join(plain, 'notes.txt'), 'mine');
    await expect(syncOnce(sim, plain, { create: { selection: sel() } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('already holds files') });
    expect(await readFile(path.join(plain, 'notes.txt'), 'utf8')).toBe('mine');
    const kept = path.join(root, 'kept');
    await syncOnce(sim, kept, { create: { selection: sel() } });
    await expect(syncOnce(sim, kept, { create: { selection: selection(expId, { types: ['events'] }) } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('another selection') });
  });

  it('a damaged state says how to rebuild, and a full rebuild with the selection works', async () => {
    const dir = path.join(root, 'damaged');
    await syncOnce(sim, dir, { create: { selection: sel() } });
    const before = await digest(dir);
    const state = JSON.parse(await readFile(path.join(dir, '.studydl-sync', 'state.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(path.join(dir, '.studydl-sync', 'state.json'), '{"format":"studydl-sync","vers');
    const err = (await syncOnce(sim, dir).catch((e: unknown) => e)) as StudyError;
    expect(err).toBeInstanceOf(StudyError);
    expect(err.code).toBe('DISK');
    expect(err.fix).toContain('--full');
    expect(await digest(dir), 'the files are untouched').toEqual(before);
    // Valid JSON of the wrong shape (a field of another kind): the same refusal, naming the field.
    await writeFile(path.join(dir, '.studydl-sync', 'state.json'), JSON.stringify({ ...state, generation: 'two' }));
    const shape = (await syncOnce(sim, dir).catch((e: unknown) => e)) as StudyError;
    expect(shape).toMatchObject({ code: 'DISK', message: expect.stringMatching(/sync state of this folder .* cannot be read: generation: /) });
    expect(shape.fix).toContain('--full');
    expect(await digest(dir), 'the files are untouched').toEqual(before);
    const rebuilt = await syncOnce(sim, dir, { create: { selection: sel() }, full: true });
    expect(rebuilt.record.kind).toBe('first');
    await expectSameAsFresh(dir, await freshExport(sim, sel(), path.join(root, 'damaged-fresh')), 'rebuilt');
  });

  it('a disk that fills up mid-sync: DISK in words, the folder and its state as they were; once there is room, the next sync completes', async (ctx) => {
    if (!canMountTmpfs(path.join(root, 'probe'))) return ctx.skip(); // needs root and permission to mount a tmpfs
    const dir = path.join(root, 'full-disk');
    const disk = mountTmpfs(dir, '8m');
    try {
      const sel = selection(expId, { types: ['events', 'chat'] });
      await syncOnce(sim, dir, { create: { selection: sel } });
      const before = await digest(dir);
      const state = await readFile(syncPaths(dir).state, 'utf8');
      sim.appendRecords('events', expId, liveRoom, 400, { where: 'after' });
      disk.fill(32 * 1024); // room for the small files a sync starts with, not for its record files
      const err = (await syncOnce(sim, dir).catch((e: unknown) => e)) as StudyError;
      expect(err).toMatchObject({ code: 'DISK', message: expect.stringMatching(/^The disk is full/) });
      const after = await digest(dir);
      after.delete('filler');
      expect(after, 'every file as it was').toEqual(before);
      expect(await readFile(syncPaths(dir).state, 'utf8')).toBe(state);
      const partial = (await readdir(dir, { recursive: true })).filter((n) => String(n).endsWith('.tmp'));
      expect(partial, 'no half-written file left behind').toEqual([]);
      disk.free();
      const again = await syncOnce(sim, dir);
      expect(again.record.newRecords.events).toBe(400);
      await expectSameAsFresh(dir, await freshExport(sim, sel, path.join(root, 'full-disk-fresh')), 'after the disk had room again');
    } finally {
      disk.unmount();
    }
  });

  it('a second sync of the same folder at once is refused; one from another server too', async () => {
    const dir = path.join(root, 'twice');
    await syncOnce(sim, dir, { create: { selection: sel() } });
    // Another process syncing it: its lock is alive (kept fresh) for longer than a sync waits.
    const release = await lockSyncFolder(syncPaths(dir));
    try {
      await expect(syncOnce(sim, dir)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('right now') });
    } finally {
      await release();
    }
    await syncOnce(sim, dir); // and once it is done, the folder syncs again
    const other = await startSimulator({ scale: 'tiny', seed: 41 });
    try {
      await expect(syncOnce(other, dir, {}, makeSource(other))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('kept up to date from') });
    } finally {
      await other.close();
    }
  });
});
