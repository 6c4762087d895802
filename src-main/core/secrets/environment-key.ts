// HYPERSTUDY_API_KEY, for the CLI and automation. Read, used, never persisted.
import type { KeyStorageStatus } from '../../../src-shared/model';

export const ENV_KEY_VARIABLE = 'HYPERSTUDY_API_KEY';

/** The key from the environment, trimmed; undefined when unset or blank. */
export function readEnvironmentKey(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[ENV_KEY_VARIABLE]?.trim();
  return value ? value : undefined;
}

export function environmentKeyStatus(): KeyStorageStatus {
  return {
    kind: 'environment',
    description: `Taken from the ${ENV_KEY_VARIABLE} environment variable (not stored)`,
    persistent: false,
  };
}
