// Settings on disk through the real conf: defaults, schema validation, corrupt-file recovery.
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Conf from 'conf';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultSettings } from '../../../src-main/core/settings/settings-schema';
import { createSettingsStore, type ConfLike } from '../../../src-main/core/settings/settings-store';
import { StudyError } from '../../../src-shared/errors';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sd-settings-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const file = () => path.join(dir, 'settings.json');
const onDisk = async () => JSON.parse(await readFile(file(), 'utf8'));

describe('settings store', () => {
  it('starts from the documented defaults and writes them to a 0600 file', async () => {
    const store = createSettingsStore({ dir });
    const s = store.get();
    expect(s).toEqual(defaultSettings());
    expect(s.downloadFolder).toBe(path.join(os.homedir(), 'Downloads', 'Study Downloader'));
    expect(s).toMatchObject({ defaultFormat: 'csv', bom: true, split: 'none', anonymize: 'keep', zip: true, concurrency: 4, mediaConcurrency: 3, keyLimit: 1000, keyWindowSec: 3600, endpointLimit: 100, endpointWindowSec: 60, formulaProtection: false, theme: 'system' });
    expect(await onDisk()).toEqual(s);
    expect((await stat(file())).mode & 0o777).toBe(0o600);
    expect(store.notices()).toEqual([]);
  });

  it('saves a valid patch, notifies listeners, and a new store reads it back', async () => {
    const store = createSettingsStore({ dir });
    const seen: number[] = [];
    const off = store.onChange((s) => seen.push(s.concurrency));
    const next = store.update({ concurrency: 8, theme: 'dark', downloadFolder: path.join(dir, 'out') });
    expect(next).toMatchObject({ concurrency: 8, theme: 'dark' });
    expect(seen).toEqual([8]);
    off();
    store.update({ concurrency: 2 });
    expect(seen).toEqual([8]);
    expect(createSettingsStore({ dir }).get()).toMatchObject({ concurrency: 2, theme: 'dark', downloadFolder: path.join(dir, 'out') });
  });

  it('a listener that throws neither stops the save nor the other listeners', async () => {
    const store = createSettingsStore({ dir });
    const seen: number[] = [];
    store.onChange(() => {
      throw new Error('a closed window');
    });
    store.onChange((s) => seen.push(s.concurrency));
    expect(store.update({ concurrency: 6 })).toMatchObject({ concurrency: 6 });
    expect(seen).toEqual([6]);
    expect((await onDisk()).concurrency).toBe(6);
  });

  const bad: Array<[string, Record<string, unknown>, RegExp]> = [
    ['concurrency above 16', { concurrency: 99 }, /concurrency/],
    ['a fractional concurrency', { concurrency: 2.5 }, /concurrency/],
    ['an unknown format', { defaultFormat: 'xlsx' }, /defaultFormat/],
    ['a non-boolean BOM', { bom: 'yes' }, /bom/],
    ['an empty folder', { downloadFolder: '' }, /downloadFolder/],
    ['an unknown setting', { apiKey: 'hst_live_x' }, /Unknown setting: apiKey/],
  ];
  for (const [what, patch, msg] of bad) {
    it(`rejects ${what} with INVALID_ARGUMENT and changes nothing`, async () => {
      const store = createSettingsStore({ dir });
      const before = await onDisk();
      let err: unknown;
      try {
        store.update(patch as never);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(StudyError);
      expect((err as StudyError).code).toBe('INVALID_ARGUMENT');
      expect((err as StudyError).message).toMatch(msg);
      expect(await onDisk()).toEqual(before);
      expect(store.get()).toEqual(before);
    });
  }

  it('backs up a file with bad JSON, resets to defaults and says so', async () => {
    await writeFile(file(), '{"concurrency": 5,, oops');
    const store = createSettingsStore({ dir, now: () => Date.parse('2026-01-02T03:04:05.678Z') });
    expect(store.get()).toEqual(defaultSettings());
    const notices = store.notices();
    expect(notices).toHaveLength(1);
    expect(notices[0].level).toBe('warning');
    expect(notices[0].message).toMatch(/not valid JSON/);
    const backup = 'settings.json.corrupt-2026-01-02T03-04-05-678Z';
    expect(notices[0].message).toContain(backup);
    expect(await readFile(path.join(dir, backup), 'utf8')).toBe('{"concurrency": 5,, oops');
    expect(await onDisk()).toEqual(defaultSettings());
  });

  it('backs up a file that violates the schema, resets it and says so', async () => {
    await writeFile(file(), JSON.stringify({ ...defaultSettings(), concurrency: 'lots', theme: 'neon' }));
    const store = createSettingsStore({ dir });
    expect(store.get().concurrency).toBe(4);
    expect(store.notices()[0].message).toMatch(/values that are not allowed/);
    const names = await readdir(dir);
    expect(names.filter((n) => n.startsWith('settings.json.corrupt-'))).toHaveLength(1);
  });

  it('recovers when the file is corrupted while running', async () => {
    const store = createSettingsStore({ dir });
    store.update({ zip: false });
    await writeFile(file(), 'garbage');
    expect(store.get()).toEqual(defaultSettings());
    expect(store.notices()).toHaveLength(1);
    expect(store.update({ zip: false }).zip).toBe(false);
  });

  it('works over an injected Conf-like instance (how the shell passes electron-store)', async () => {
    const made: Array<Record<string, unknown>> = [];
    const store = createSettingsStore({
      dir,
      makeConf: (options) => {
        made.push(options as never);
        return new Conf(options as never) as unknown as ConfLike;
      },
    });
    expect(made[0]).toMatchObject({ cwd: dir, configName: 'settings', name: 'settings', configFileMode: 0o600 });
    expect(store.update({ split: 'room' }).split).toBe('room');

    const conf = new Conf({ cwd: dir, configName: 'other' }) as unknown as ConfLike;
    const injected = createSettingsStore({ conf, defaults: { downloadFolder: '/tmp/x' } });
    expect(injected.get().downloadFolder).toBe('/tmp/x');
    expect(injected.update({ theme: 'light' }).theme).toBe('light');
  });
});
