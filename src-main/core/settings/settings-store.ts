// Settings through conf (plain Node) or electron-store (a Conf subclass the shell passes in).
// A corrupt file, whether bad JSON or a schema violation, is moved aside and replaced by the
// defaults with a Notice: settings problems never stop the app from starting.
import { existsSync } from 'node:fs';
import path from 'node:path';
import Conf from 'conf';
import { StudyError } from '../../../src-shared/errors';
import type { Notice, Settings } from '../../../src-shared/model';
import type { Logger } from '../ports';
import { setAsideCorruptFile } from '../state/corrupt-backup';
import { defaultSettings, SETTINGS_KEYS, settingsSchema } from './settings-schema';

/** The part of Conf / electron-store we use. */
export interface ConfLike {
  readonly path: string;
  store: Record<string, unknown>;
}

/** Options handed to the Conf (or electron-store) constructor. */
export interface SettingsConfOptions {
  cwd: string;
  configName: string;
  /** electron-store names its file from `name`, not `configName`. */
  name: string;
  schema: Record<string, Record<string, unknown>>;
  defaults: Settings;
  configFileMode: number;
  clearInvalidConfig: false;
}

export type SettingsStoreOptions = (
  | { dir: string; makeConf?: (options: SettingsConfOptions) => ConfLike }
  | { conf: ConfLike }
) & {
  /** Overrides the built-in defaults (e.g. the download folder in tests). */
  defaults?: Partial<Settings>;
  logger?: Logger;
  now?: () => number;
};

export interface SettingsStore {
  get(): Settings;
  /** Validates and saves the patch; throws INVALID_ARGUMENT naming the bad field. */
  update(patch: Partial<Settings>): Settings;
  /** Returns an unsubscribe function. */
  onChange(cb: (settings: Settings) => void): () => void;
  /** Problems met while loading (e.g. a corrupt file that was reset). */
  notices(): Notice[];
  /** The settings file. */
  readonly path: string;
}

export const SETTINGS_FILE_NAME = 'settings';

export function createSettingsStore(opts: SettingsStoreOptions): SettingsStore {
  const defaults: Settings = { ...defaultSettings(), ...opts.defaults };
  const now = opts.now ?? Date.now;
  const noticeList: Notice[] = [];
  const listeners = new Set<(s: Settings) => void>();

  const confOptions = (dir: string): SettingsConfOptions => ({
    cwd: dir,
    configName: SETTINGS_FILE_NAME,
    name: SETTINGS_FILE_NAME,
    schema: settingsSchema,
    defaults,
    configFileMode: 0o600,
    clearInvalidConfig: false,
  });

  let conf: ConfLike;
  if ('conf' in opts) {
    conf = opts.conf;
  } else {
    const make = opts.makeConf ?? ((o: SettingsConfOptions) => new Conf<Settings>(o as never) as unknown as ConfLike);
    const options = confOptions(opts.dir);
    try {
      conf = make(options);
    } catch (e) {
      // Conf parses and validates the file in its constructor.
      const file = path.join(options.cwd, `${SETTINGS_FILE_NAME}.json`);
      if (!isCorruption(e) || !existsSync(file)) throw e;
      quarantine(file, e);
      conf = make(options);
    }
  }

  function quarantine(file: string, cause: unknown): void {
    const backup = setAsideCorruptFile(file, now());
    if (!backup) return; // another process set it aside first
    const why = cause instanceof SyntaxError || (cause as Error)?.name === 'SyntaxError' ? 'it was not valid JSON' : 'it held values that are not allowed';
    const notice: Notice = {
      level: 'warning',
      message: `Your settings file could not be read (${why}), so the default settings are used. The old file was kept as ${backup}.`,
      fix: 'Review your settings; copy anything you need from the backup file.',
    };
    noticeList.push(notice);
    opts.logger?.warn('Settings file was corrupt and has been reset', { backup, reason: (cause as Error)?.message });
  }

  /** Reads the store, recovering once if the file was corrupted while we were running. */
  function read(): Settings {
    let raw: Record<string, unknown>;
    try {
      raw = conf.store;
    } catch (e) {
      if (!isCorruption(e) || !existsSync(conf.path)) throw e;
      quarantine(conf.path, e);
      conf.store = { ...defaults };
      raw = conf.store;
    }
    const merged = { ...defaults } as Record<string, unknown>;
    for (const key of SETTINGS_KEYS) if (raw[key] !== undefined) merged[key] = raw[key];
    return merged as unknown as Settings;
  }

  function emit(s: Settings): void {
    for (const cb of listeners) {
      try {
        cb(s);
      } catch (e) {
        opts.logger?.error('Settings listener failed', { error: (e as Error)?.message });
      }
    }
  }

  return {
    path: conf.path,
    get: read,
    update(patch) {
      if (!patch || typeof patch !== 'object') throw invalid('Settings changes must be an object.');
      const unknownKeys = Object.keys(patch).filter((k) => !(SETTINGS_KEYS as string[]).includes(k));
      if (unknownKeys.length) throw invalid(`Unknown setting${unknownKeys.length > 1 ? 's' : ''}: ${unknownKeys.join(', ')}.`);
      const definedPatch = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      const next = { ...read(), ...definedPatch };
      try {
        conf.store = next; // Conf validates against the schema and writes atomically, or throws and writes nothing
      } catch (e) {
        const detail = (e as Error)?.message?.replace(/^Config schema violation:\s*/, '') ?? 'invalid value';
        throw invalid(`That setting is not allowed: ${detail}.`);
      }
      const saved = read();
      emit(saved);
      return saved;
    },
    onChange(cb) {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    notices: () => [...noticeList],
  };
}

function isCorruption(e: unknown): boolean {
  const err = e as Error | undefined;
  return err?.name === 'SyntaxError' || /^Config schema violation:/.test(err?.message ?? '');
}

function invalid(message: string): StudyError {
  return new StudyError({ code: 'INVALID_ARGUMENT', message, fix: 'Choose one of the allowed values and try again.' });
}
