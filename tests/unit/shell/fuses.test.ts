// electron-builder.yml as electron-builder itself reads it: its own config loader and schema
// validation (so a misspelt fuse fails here, not in a release build), then its own translation
// into the @electron/fuses wire that it flips in the packaged binary before signing.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../../src-main/server/node-core';

const require = createRequire(import.meta.url);
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  getConfig(projectDir: string, configPath: string | null, fromOptions: null): Promise<Record<string, any>>;
  validateConfiguration(config: Record<string, any>, logger: unknown): Promise<void>;
};
const { PlatformPackager } = require('app-builder-lib') as { PlatformPackager: { prototype: { generateFuseConfig(fuses: unknown): Promise<Record<string | number, unknown>> } } };
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
const { FuseV1Options, FuseVersion } = require('@electron/fuses') as { FuseV1Options: Record<string, number>; FuseVersion: Record<string, string> };

const load = () => getConfig(projectRoot(), null, null);

describe('electron-builder.yml', () => {
  it('is valid for the installed electron-builder, which refuses a misspelt fuse', async () => {
    const config = await load();
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    await expect(validateConfiguration({ ...config, electronFuses: { ...config.electronFuses, runAsNod: false } }, new DebugLogger(false))).rejects.toThrow(/configuration/);
  });

  it('flips the fuses that close launch-time code injection and pin the app to its checked archive', async () => {
    const config = await load();
    expect(config.asar).not.toBe(false);
    const wire = await PlatformPackager.prototype.generateFuseConfig.call({}, config.electronFuses);
    expect(wire.version).toBe(FuseVersion.V1);
    expect(wire[FuseV1Options.RunAsNode]).toBe(false);
    expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(false);
    expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(false);
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(true);
    expect(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(true);
    expect(wire[FuseV1Options.EnableCookieEncryption]).toBe(true);
    expect(wire[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(false);
  });
});
