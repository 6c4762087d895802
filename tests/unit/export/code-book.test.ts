import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codeMapCsv, createMemoryCodeBook, openStudyCodeBook, studyCodeMapPath } from '../../../src-main/core/export/anonymize/code-book';
import { createAnonymizer } from '../../../src-main/core/export/anonymize/anonymizer';
import { StudyError } from '../../../src-shared/errors';

const require = createRequire(import.meta.url);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'code-book-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const open = (studyId = 'exp_1') => openStudyCodeBook({ dir, source: 'hyperstudy', studyId });

describe('the study code book', () => {
  it('keeps every code once given, and gives new ids the next free codes in sorted order', async () => {
    const a = await open();
    await a.ensure(['u_c', 'u_a']);
    expect([a.get('u_a'), a.get('u_c')]).toEqual(['P001', 'P002']);
    // Another export (a fresh open, as another job or process would) sees them and adds after them.
    const b = await open();
    await b.ensure(['u_b', 'u_a', 'u_d']);
    expect(b.entries()).toEqual([
      { participantId: 'u_a', code: 'P001' },
      { participantId: 'u_c', code: 'P002' },
      { participantId: 'u_b', code: 'P003' },
      { participantId: 'u_d', code: 'P004' },
    ]);
    // An id first met inside a record gets its code at once, saved before it is used.
    expect(b.assign('u_z')).toBe('P005');
    expect((await open()).get('u_z')).toBe('P005');
    // Studies and sources are kept apart.
    expect((await open('exp_2')).entries()).toEqual([]);
    expect((await openStudyCodeBook({ dir, source: 'brainstem', studyId: 'exp_1' })).entries()).toEqual([]);
  });

  it('two books on one file never give one code twice or one id two codes', async () => {
    const a = await open();
    const b = await open();
    await Promise.all([a.ensure(['x1', 'x2', 'x3']), b.ensure(['x3', 'y1', 'y2'])]);
    const codeOf = (id: string) => a.get(id) ?? b.get(id);
    a.assign('late_a');
    b.assign('late_b');
    const final = (await open()).entries();
    expect(new Set(final.map((e) => e.code)).size).toBe(final.length);
    expect(new Set(final.map((e) => e.participantId)).size).toBe(final.length);
    for (const e of final) if (a.get(e.participantId) || b.get(e.participantId)) expect(codeOf(e.participantId)).toBe(e.code);
    expect(final).toHaveLength(7);
  });

  it('says so, and leaves the file alone, when the map is damaged', async () => {
    const file = studyCodeMapPath(dir, 'hyperstudy', 'exp_1');
    (await open()).assign('u1');
    writeFileSync(file, '{"version":1,"codes":[["u1"');
    await expect(open()).rejects.toMatchObject({ code: 'DISK', message: expect.stringMatching(/cannot be read/) });
    expect(readFileSync(file, 'utf8')).toBe('{"version":1,"codes":[["u1"');
    writeFileSync(file, JSON.stringify({ version: 1, prefix: 'P', codes: [['u1', 7]] }));
    await expect(open()).rejects.toBeInstanceOf(StudyError);
  });

  it('a folder where the map file should be: says the map cannot be read, in words', async () => {
    mkdirSync(studyCodeMapPath(dir, 'hyperstudy', 'exp_1'), { recursive: true });
    await expect(open()).rejects.toMatchObject({ code: 'DISK', message: expect.stringMatching(/participant code map .* cannot be read \(EISDIR/) });
  });

  it('a full disk while saving a new code: a DISK error, the saved map unchanged, no temporary file left', async () => {
    const book = await open();
    book.assign('u1');
    const file = studyCodeMapPath(dir, 'hyperstudy', 'exp_1');
    const before = readFileSync(file, 'utf8');
    // The temporary copy lands on /dev/full, which answers every write with ENOSPC.
    const tmp = `${file}.${process.pid}.tmp`;
    symlinkSync('/dev/full', tmp);
    expect(() => book.assign('u2')).toThrow(expect.objectContaining({ code: 'DISK', message: expect.stringMatching(/could not be saved: ENOSPC/) }));
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(existsSync(tmp)).toBe(false);
    expect((await open()).entries()).toEqual([{ participantId: 'u1', code: 'P001' }]);
  });

  it('a map whose folder went away: the lock cannot be taken, and the error says which map', async () => {
    const book = await open();
    rmSync(join(dir, 'hyperstudy'), { recursive: true, force: true });
    const file = studyCodeMapPath(dir, 'hyperstudy', 'exp_1');
    const err = (() => {
      try {
        book.assign('u1');
      } catch (e) {
        return e as Error & { code?: string };
      }
    })();
    expect(err?.code).toBe('DISK');
    expect(err?.message.startsWith(`The participant code map ${file} could not be locked for an update (`)).toBe(true);
    expect(err?.message).not.toMatch(/another export/); // nobody holds it: the folder is gone
  });

  it('a folder in the temporary file\'s place: the DISK error in words, not a raw one from the clean-up', async () => {
    const book = await open();
    const file = studyCodeMapPath(dir, 'hyperstudy', 'exp_1');
    mkdirSync(join(`${file}.${process.pid}.tmp`, 'inside'), { recursive: true });
    expect(() => book.assign('u1')).toThrow(expect.objectContaining({ code: 'DISK', message: expect.stringMatching(/could not be saved/) }));
  });

  it('waits for another process that holds the map, then gives the next free code after the ones it wrote', { timeout: 30_000 }, async () => {
    const book = await open();
    const file = studyCodeMapPath(dir, 'hyperstudy', 'exp_1');
    // Another export in another process: takes the map's lock, writes a code, and lets go a moment later.
    const child = spawn(process.execPath, ['--input-type=module', '-e', `
      import lockfile from ${JSON.stringify(require.resolve('proper-lockfile'))};
      import { writeFileSync } from 'node:fs';
      const file = ${JSON.stringify(file)};
      const release = lockfile.lockSync(file, { realpath: false, stale: 10000 });
      writeFileSync(file, JSON.stringify({ version: 1, source: 'hyperstudy', studyId: 'exp_1', prefix: 'P', codes: [['u_other', 'P001']] }));
      process.stdout.write('locked\\n');
      setTimeout(() => { release(); process.exit(0); }, 300);
    `], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((r) => child.on('exit', r));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    expect(book.assign('u_mine')).toBe('P002'); // blocks until the other process lets go
    expect(await exited).toBe(0);
    expect((await open()).entries()).toEqual([
      { participantId: 'u_other', code: 'P001' },
      { participantId: 'u_mine', code: 'P002' },
    ]);
  });

  it('names its file safely from hostile ids', () => {
    const p = studyCodeMapPath(dir, 'hyperstudy', '../../etc/passwd');
    expect(p.startsWith(join(dir, 'hyperstudy'))).toBe(true);
    expect(p).not.toContain('..');
  });

  it('writes participantId,code CSV with RFC 4180 quoting only (ids come back exactly)', () => {
    expect(codeMapCsv([{ participantId: 'u,1', code: 'P001' }, { participantId: '=2', code: 'P002' }])).toBe('participantId,code\r\n"u,1",P001\r\n=2,P002\r\n');
  });

  it('drives the anonymizer: ids met in records get the study codes, not per-export ones', async () => {
    const book = await open();
    await book.ensure(['u_room_b', 'u_room_a']);
    const anon = createAnonymizer({ mode: 'pseudonymize', participants: [{ id: 'u_room_a' }], codes: book });
    expect(anon.transform({ participantId: 'u_room_b', note: 'from u_room_a' })).toEqual({ participantId: 'P002', note: 'from P001' });
    expect(anon.transform({ senderId: 'u_new' })).toEqual({ senderId: 'P003' });
    expect((await open()).get('u_new')).toBe('P003');
  });

  it('the per-export book keeps the old sorted codes', async () => {
    const m = createMemoryCodeBook({ width: 4 });
    await m.ensure(['b', 'a']);
    expect(m.entries()).toEqual([{ participantId: 'a', code: 'P0001' }, { participantId: 'b', code: 'P0002' }]);
  });
});
