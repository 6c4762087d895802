// The core with plain-Node adapters, for browser mode, the demo and the e2e fixtures:
// conf settings, keytar → memory key store selection, the global fetch.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Settings } from '../../src-shared/model';
import { createCore, type Core, type CoreDeps } from '../core/create-core';
import type { Clock, FetchLike, Logger } from '../core/ports';
import { createKeytarStore, createMemoryStore, environmentKeyDeps, type SecretStore } from '../core/secrets';
import { defaultConfigDir } from '../core/state/config-dir';

/** STUDYDL_HOME, else ~/.config/study-downloader (XDG_CONFIG_HOME honoured) — the same place the CLI uses. */
export { defaultConfigDir };

/** The project root: the nearest folder up from here holding package.json. */
export function projectRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    try {
      readFileSync(join(dir, 'package.json'));
      return dir;
    } catch {
      const up = dirname(dir);
      if (up === dir) return from;
      dir = up;
    }
  }
}

export function appVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export interface NodeCoreOptions {
  configDir?: string;
  /** Defaults to <configDir>/jobs. */
  dataDir?: string;
  /** 'memory' skips the OS keychain (tests, demo); default: keytar, falling back to memory. */
  keyStore?: 'auto' | 'memory' | SecretStore;
  demo?: CoreDeps['demo'];
  /** More demo profiles, of other sources (the demo's BrainSTEM simulator). */
  moreDemos?: CoreDeps['moreDemos'];
  settingsDefaults?: Partial<Settings>;
  fetch?: FetchLike;
  clock?: Clock;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
}

export function createNodeCore(opts: NodeCoreOptions = {}): Core {
  const env = opts.env ?? process.env;
  const configDir = opts.configDir ?? defaultConfigDir(env);
  const keyStore = opts.keyStore ?? (env.STUDYDL_NO_KEYCHAIN ? 'memory' : 'auto');
  const secrets: Pick<CoreDeps, 'secretStore' | 'secretCandidates'> =
    keyStore === 'memory' ? { secretStore: createMemoryStore() } : keyStore === 'auto' ? { secretCandidates: [createKeytarStore({})] } : { secretStore: keyStore };
  return createCore({
    mode: 'browser',
    configDir,
    dataDir: opts.dataDir ?? join(configDir, 'jobs'),
    appVersion: appVersion(),
    ...secrets,
    ...(opts.settingsDefaults ? { settings: { defaults: opts.settingsDefaults } } : {}),
    ...environmentKeyDeps(env),
    ...(opts.demo ? { demo: opts.demo } : {}),
    ...(opts.moreDemos?.length ? { moreDemos: opts.moreDemos } : {}),
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
}
