// The app's small state files when the disk does not cooperate: a folder where a file should be,
// a damaged file that cannot be moved aside, a lock holder that fails, a table-layout file that is
// damaged or cannot be saved. Nothing is lost and nobody waits forever.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { corruptBackupPath, setAsideCorruptFile } from '../../../src-main/core/state/corrupt-backup';
import { withFileLock } from '../../../src-main/core/state/file-lock';
import { writePrivateFileSync } from '../../../src-main/core/state/private-files';
import { createViewStateStore } from '../../../src-main/core/settings/view-state-store';
import { recordingLogger } from '../../recording-logger';


let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'state-files-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('private state files', () => {
  it('a folder where the file should be: the write fails, the folder is untouched, no temporary is left', () => {
    const file = path.join(dir, 'jobs.json');
    mkdirSync(file);
    writeFileSync(path.join(file, 'keep.txt'), 'mine');
    expect(() => writePrivateFileSync(file, '{}')).toThrow(expect.objectContaining({ code: expect.stringMatching(/^(EISDIR|ENOTEMPTY|EEXIST)$/) }));
    expect(readdirSync(dir)).toEqual(['jobs.json']);
    expect(readFileSync(path.join(file, 'keep.txt'), 'utf8')).toBe('mine');
  });
});

describe('setting a damaged file aside', () => {
  it('a file another process already set aside: nothing to do', () => {
    expect(setAsideCorruptFile(path.join(dir, 'profiles.json'), Date.now())).toBeNull();
  });

  it('a backup that cannot be made: the error is raised and the damaged file stays where it was', () => {
    const file = path.join(dir, 'profiles.json');
    writeFileSync(file, '{"profiles": [');
    const now = Date.UTC(2026, 0, 1);
    const backup = corruptBackupPath(file, now);
    mkdirSync(backup);
    writeFileSync(path.join(backup, 'x'), 'in the way');
    expect(() => setAsideCorruptFile(file, now)).toThrow(expect.objectContaining({ code: expect.stringMatching(/^(EISDIR|ENOTEMPTY|EEXIST)$/) }));
    expect(readFileSync(file, 'utf8')).toBe('{"profiles": [');
  });
});

describe('the file lock', () => {
  it('a holder that fails does not hold up the next one', async () => {
    const file = path.join(dir, 'jobs.json');
    const first = withFileLock(file, () => {
      throw new Error('the first holder failed');
    });
    const second = withFileLock(file, () => 'second ran');
    await expect(first).rejects.toThrow('the first holder failed');
    await expect(second).resolves.toBe('second ran');
    expect(existsSync(`${file}.lock`)).toBe(false);
  });
});

describe('table layouts', () => {
  const layout = { columns: ['onset'], sort: { key: 'onset', dir: 'asc' as const } };

  it('a damaged file is set aside with a warning, and the layouts start from the defaults', () => {
    const file = path.join(dir, 'view-state.json');
    writeFileSync(file, '{"hyperstudy:type:events": {"columns": [');
    const logger = recordingLogger();
    const store = createViewStateStore(dir, logger);
    expect(store.all()).toEqual({});
    expect(logger.lines.join('\n')).toMatch(/view-state\.json could not be read/);
    const aside = readdirSync(dir).filter((n) => n.startsWith('view-state.json.damaged-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(path.join(dir, aside[0]), 'utf8')).toBe('{"hyperstudy:type:events": {"columns": [');
    store.set('hyperstudy:type:events', layout);
    expect(createViewStateStore(dir).all()).toEqual({ 'hyperstudy:type:events': layout });
  });

  it('a layout that cannot be saved is kept for this session, with a warning', () => {
    const blocker = path.join(dir, 'not-a-folder');
    writeFileSync(blocker, 'x');
    const logger = recordingLogger();
    const store = createViewStateStore(path.join(blocker, 'config'), logger);
    store.set('hyperstudy:type:events', layout);
    expect(store.all()).toEqual({ 'hyperstudy:type:events': layout });
    expect(logger.lines.join('\n')).toMatch(/table layout could not be saved/);
  });
});
