// Settings fields, their defaults and their JSON schema (conf validates with ajv).
// The bounds match the contract's settingsPatch so both layers agree.
import os from 'node:os';
import path from 'node:path';
import { SAFE_ID } from '../../../src-shared/contract';
import type { Settings } from '../../../src-shared/model';

export function defaultDownloadFolder(home = os.homedir()): string {
  return path.join(home, 'Downloads', 'Study Downloader');
}

export function defaultSettings(home?: string): Settings {
  return {
    downloadFolder: defaultDownloadFolder(home),
    defaultFormat: 'csv',
    bom: true,
    split: 'none',
    anonymize: 'keep',
    zip: true,
    concurrency: 4,
    mediaConcurrency: 3,
    keyLimit: 1000,
    keyWindowSec: 3600,
    endpointLimit: 100,
    endpointWindowSec: 60,
    formulaProtection: false,
    theme: 'system',
  };
}

type JsonSchema = Record<string, unknown>;
const int = (minimum: number, maximum: number): JsonSchema => ({ type: 'integer', minimum, maximum });

/** Per-property schemas, in the shape conf's `schema` option takes. */
export const settingsSchema: Record<keyof Settings, JsonSchema> = {
  downloadFolder: { type: 'string', minLength: 1, maxLength: 4096 },
  defaultFormat: { enum: ['csv', 'json', 'ndjson'] },
  bom: { type: 'boolean' },
  // 'none' or a split the active source declares (HyperStudy: room, participant): a short identifier, as in the contract.
  split: { type: 'string', pattern: SAFE_ID.source },
  anonymize: { enum: ['keep', 'pseudonymize', 'aggregate'] },
  zip: { type: 'boolean' },
  concurrency: int(1, 16),
  mediaConcurrency: int(1, 8),
  keyLimit: int(1, 1_000_000),
  keyWindowSec: int(1, 86_400),
  endpointLimit: int(1, 1_000_000),
  endpointWindowSec: int(1, 86_400),
  formulaProtection: { type: 'boolean' },
  theme: { enum: ['system', 'light', 'dark'] },
};

export const SETTINGS_KEYS = Object.keys(settingsSchema) as Array<keyof Settings>;
