// Shared set-up for the BrainSTEM source tests that go through the core: a core over a memory key
// store that remembers every value it was given, a logger that keeps every line, temp folders.
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore, type Core, type CoreDeps } from '../../../../src-main/core/create-core';
import { createMemoryStore, type SecretStore } from '../../../../src-main/core/secrets';
import { recordingLogger } from '../../../recording-logger';

/** A memory key store that also keeps every value ever set (to show what reached the keychain, and what did not). */
export function recordingStore(): SecretStore & { values(): Map<string, string>; everSet: string[] } {
  const inner = createMemoryStore();
  const values = new Map<string, string>();
  const everSet: string[] = [];
  return {
    ...inner,
    async set(account, secret) {
      everSet.push(secret);
      values.set(account, secret);
      await inner.set(account, secret);
    },
    async delete(account) {
      values.delete(account);
      return inner.delete(account);
    },
    values: () => values,
    everSet,
  };
}

export async function tempRoot(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export interface TestCore {
  core: Core;
  dir: string;
  downloads: string;
  store: ReturnType<typeof recordingStore>;
  logger: ReturnType<typeof recordingLogger>;
}

/** A browser-mode core in `dir` (config, jobs, downloads), over a recording memory store unless one is given. */
export async function makeCore(dir: string, extra: Partial<CoreDeps> & { store?: ReturnType<typeof recordingStore> } = {}): Promise<TestCore> {
  const downloads = join(dir, 'downloads');
  await mkdir(downloads, { recursive: true });
  const store = extra.store ?? recordingStore();
  const logger = recordingLogger();
  const { store: _s, ...deps } = extra;
  const core = createCore({
    mode: 'browser',
    configDir: join(dir, 'config'),
    dataDir: join(dir, 'jobs'),
    appVersion: '0.0.0-test',
    secretStore: store,
    logger,
    settings: { defaults: { downloadFolder: downloads } },
    ...deps,
  });
  await core.ready;
  return { core, dir, downloads, store, logger };
}

/** Every file under root whose bytes contain needle. */
export async function filesContaining(root: string, needle: string): Promise<string[]> {
  const hits: string[] = [];
  for (const name of (await readdir(root, { recursive: true }).catch(() => [] as string[])).map(String)) {
    const p = join(root, name);
    if (!(await stat(p).catch(() => null))?.isFile()) continue;
    if ((await readFile(p)).includes(Buffer.from(needle))) hits.push(p);
  }
  return hits;
}

export const removeDir = (d: string) => rm(d, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
