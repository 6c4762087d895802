// Drag-out and the other shell actions get a path only from the output registry: a completed
// job whose real path (symlinks resolved) is inside the download folder. Real files in a temp dir.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobState } from '../../../src-shared/model';
import { createOutputRegistry, isInside } from '../../../src-main/core/registry/output-registry';
import { fallbackIconBitmap, FALLBACK_ICON_SIZE, loadDragIcon } from '../../../src-main/shell/drag-icon';
import { createShellActions } from '../../../src-main/shell/shell-actions';

let root: string;
let folder: string;
let outside: string;
const jobs = new Map<string, { state: JobState; outputPath: string | null }>();

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'studydl-drag-'));
  folder = join(root, 'downloads');
  outside = join(root, 'elsewhere');
  await mkdir(folder);
  await mkdir(outside);
  await writeFile(join(folder, 'export.zip'), 'PK\u0005\u0006' + '\0'.repeat(18));
  await writeFile(join(outside, 'secret.txt'), 'not yours');
  await symlink(join(outside, 'secret.txt'), join(folder, 'escape.zip'));
  await symlink(outside, join(folder, 'escape-dir'));
  jobs.set('done', { state: 'completed', outputPath: join(folder, 'export.zip') });
  jobs.set('running', { state: 'running', outputPath: null });
  jobs.set('failed', { state: 'failed', outputPath: join(folder, 'export.zip') });
  jobs.set('outside', { state: 'completed', outputPath: join(outside, 'secret.txt') });
  jobs.set('dotdot', { state: 'completed', outputPath: join(folder, '..', 'elsewhere', 'secret.txt') });
  jobs.set('symlink', { state: 'completed', outputPath: join(folder, 'escape.zip') });
  jobs.set('symlink-dir', { state: 'completed', outputPath: join(folder, 'escape-dir', 'secret.txt') });
  jobs.set('gone', { state: 'completed', outputPath: join(folder, 'deleted.zip') });
  jobs.set('the-folder', { state: 'completed', outputPath: folder });
});
afterAll(() => rm(root, { recursive: true, force: true }));

const registry = () => createOutputRegistry({ lookup: (id) => jobs.get(id) ?? null, downloadFolder: () => folder });

describe('output registry (drag-out path checks)', () => {
  it('returns the real path of a completed export inside the folder', async () => {
    const out = await registry().resolve('done');
    expect(out.path.endsWith(join('downloads', 'export.zip'))).toBe(true);
    expect(out.kind).toBe('file');
    expect(out.size).toBe(22);
  });

  it.each([
    ['unknown job', 'nope', 'NOT_FOUND'],
    ['unfinished job', 'running', 'INVALID_ARGUMENT'],
    ['failed job', 'failed', 'INVALID_ARGUMENT'],
    ['file outside the folder', 'outside', 'INVALID_ARGUMENT'],
    ['.. escape', 'dotdot', 'INVALID_ARGUMENT'],
    ['symlink escape (file)', 'symlink', 'INVALID_ARGUMENT'],
    ['symlink escape (folder)', 'symlink-dir', 'INVALID_ARGUMENT'],
    ['deleted output', 'gone', 'NOT_FOUND'],
    ['the download folder itself', 'the-folder', 'INVALID_ARGUMENT'],
  ])('refuses: %s', async (_label, id, code) => {
    const e = await registry().resolve(id).catch((x) => x);
    expect(e).toMatchObject({ code });
    expect(e.message.length).toBeGreaterThan(10);
    expect(e.fix).toBeTruthy();
  });

  it('isInside handles prefixes and parents', () => {
    expect(isInside('/a/b', '/a/b/c')).toBe(true);
    expect(isInside('/a/b', '/a/bc')).toBe(false);
    expect(isInside('/a/b', '/a')).toBe(false);
    expect(isInside('/a/b', '/a/b/../c')).toBe(false);
  });
});

function fakeImage(empty: boolean, tag: string) {
  return { isEmpty: () => empty, tag } as never;
}

describe('drag icon', () => {
  it('uses the icon file when it loads', () => {
    const img = loadDragIcon({ createFromPath: () => fakeImage(false, 'file'), createFromBitmap: () => fakeImage(false, 'bitmap') }, '/icon.png');
    expect((img as unknown as { tag: string }).tag).toBe('file');
  });
  it('falls back to a generated, non-empty 64×64 bitmap when the file is missing or empty', () => {
    const seen: Array<{ size: number; width: number; height: number }> = [];
    const factory = {
      createFromPath: () => fakeImage(true, 'file'),
      createFromBitmap: (b: Buffer, o: { width: number; height: number }) => (seen.push({ size: b.length, ...o }), fakeImage(false, 'bitmap')),
    };
    expect((loadDragIcon(factory, '/missing.png') as unknown as { tag: string }).tag).toBe('bitmap');
    const throwing = { ...factory, createFromPath: () => { throw new Error('ENOENT'); } };
    expect((loadDragIcon(throwing, '/missing.png') as unknown as { tag: string }).tag).toBe('bitmap');
    expect(seen[0]).toEqual({ size: FALLBACK_ICON_SIZE * FALLBACK_ICON_SIZE * 4, width: 64, height: 64 });
    const bmp = fallbackIconBitmap();
    const opaque = [...Array(bmp.length / 4).keys()].filter((i) => bmp[i * 4 + 3] === 255).length;
    expect(opaque).toBeGreaterThan(64 * 64 * 0.9);
  });
});

describe('shell actions', () => {
  it('starts the OS drag on our window with the file and a non-empty icon', () => {
    const drags: unknown[] = [];
    const win = { isDestroyed: () => false, webContents: { startDrag: (item: unknown) => drags.push(item) } };
    const actions = createShellActions({
      shell: { showItemInFolder: () => {}, openPath: async () => '' },
      clipboard: { writeText: async () => {} },
      dialog: { showOpenDialog: async () => ({ canceled: true, filePaths: [] }) } as never,
      nativeImage: { createFromPath: () => fakeImage(true, 'file'), createFromBitmap: () => fakeImage(false, 'bitmap') },
      Notification: class { static isSupported = () => false; show() {} } as never,
      window: () => win as never,
      iconPath: '/missing.png',
    });
    actions.startDrag('/downloads/export.zip');
    expect(drags).toHaveLength(1);
    expect(drags[0]).toMatchObject({ file: '/downloads/export.zip' });
    expect((drags[0] as { icon: { isEmpty(): boolean } }).icon.isEmpty()).toBe(false);
  });

  it('opens a sign-in page in the system browser only when the allowlist (or the link\'s own API host) allows it', () => {
    const opened: string[] = [];
    const actions = createShellActions({
      shell: { showItemInFolder: () => {}, openPath: async () => '', openExternal: async (u: string) => void opened.push(u) },
      clipboard: { writeText: async () => {} },
      dialog: { showOpenDialog: async () => ({ canceled: true, filePaths: [] }) } as never,
      nativeImage: { createFromPath: () => fakeImage(true, 'file'), createFromBitmap: () => fakeImage(false, 'bitmap') },
      Notification: class { static isSupported = () => false; show() {} } as never,
      window: () => null,
    });
    expect(actions.openExternal!('https://www.brainstem.org/device/?code=AB-12', [])).toBe(true);
    expect(actions.openExternal!('https://lab.example.org/device/', ['lab.example.org'])).toBe(true);
    expect(actions.openExternal!('https://lab.example.org/device/', [])).toBe(false);
    expect(actions.openExternal!('http://127.0.0.1:8790/device/', ['127.0.0.1'])).toBe(false);
    expect(actions.openExternal!('file:///etc/passwd', ['localhost'])).toBe(false);
    expect(opened).toEqual(['https://www.brainstem.org/device/?code=AB-12', 'https://lab.example.org/device/']);
  });
});
