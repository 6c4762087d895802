// Every contract method rejects malformed arguments with a clear INVALID_ARGUMENT, and
// accepts a well-formed one.
import { describe, expect, it } from 'vitest';
import { methodNames, parseArgs, type MethodName } from '../../../src-shared/contract';
import { StudyError } from '../../../src-shared/errors';
import { alwaysBad, validArgs } from './valid-args';

function rejection(name: string, arg: unknown): StudyError {
  try {
    parseArgs(name as MethodName, arg);
  } catch (e) {
    return e as StudyError;
  }
  throw new Error(`${name} accepted ${JSON.stringify(arg)}`);
}

describe('parseArgs over the whole contract', () => {
  it('has a valid example for exactly the contract methods', () => {
    expect(Object.keys(validArgs).sort()).toEqual([...methodNames].sort());
  });

  for (const name of methodNames) {
    it(`${name}: accepts its valid argument`, () => {
      expect(() => parseArgs(name, validArgs[name])).not.toThrow();
    });

    it(`${name}: rejects malformed arguments with INVALID_ARGUMENT naming the method`, () => {
      for (const bad of alwaysBad) {
        const e = rejection(name, bad);
        expect(e).toBeInstanceOf(StudyError);
        expect(e.code).toBe('INVALID_ARGUMENT');
        expect(e.message).toContain(`Invalid arguments for ${name}`);
      }
    });

    const valid = validArgs[name];
    if (valid && typeof valid === 'object') {
      it(`${name}: rejects an unknown extra field and a wrongly typed field`, () => {
        expect(rejection(name, { ...valid, extra: 'x' }).code).toBe('INVALID_ARGUMENT');
        const [firstKey] = Object.keys(valid);
        const e = rejection(name, { ...valid, [firstKey]: { nested: [1, 2, 3] } });
        expect(e.code).toBe('INVALID_ARGUMENT');
        expect(e.message).toContain(firstKey);
      });
    }
  }

  it('rejects unknown methods and prototype names', () => {
    expect(rejection('deleteEverything', undefined).message).toMatch(/Unknown method/);
    expect(rejection('constructor', undefined).message).toMatch(/Unknown method/);
    expect(rejection('__proto__', undefined).message).toMatch(/Unknown method/);
  });

  it('checks ranges and cross-field rules', () => {
    const base = validArgs.getPreview;
    expect(rejection('getPreview', { ...base, offset: -1 }).message).toMatch(/offset/);
    expect(rejection('getPreview', { ...base, limit: 1001 }).message).toMatch(/limit/);
    expect(rejection('getPreview', { ...base, limit: 1.5 }).message).toMatch(/limit/);
    expect(rejection('getPreview', { ...base, target: { level: 'room', path: [{ level: 'experiment', id: 'e' }] } }).message).toMatch(/roomId/);
    // A type id that is not even an identifier is refused here; one the source lacks, by the core (create-core.test).
    expect(rejection('getPreview', { ...base, type: '../passwords' }).message).toMatch(/type/);
    expect(rejection('pauseJob', { jobId: '' }).code).toBe('INVALID_ARGUMENT');
    expect(rejection('pauseJob', { jobId: 'x'.repeat(257) }).code).toBe('INVALID_ARGUMENT');
    expect(rejection('addProfile', { ...validArgs.addProfile, baseUrl: 'file:///etc/passwd' }).message).toMatch(/baseUrl/);
    expect(rejection('addProfile', { name: 'x', source: 'hyperstudy', environment: 'custom', apiKey: 'hst_test_a' }).message).toMatch(/baseUrl/);
    expect(rejection('updateSettings', { concurrency: 0 }).message).toMatch(/concurrency/);
    expect(rejection('startExport', { ...validArgs.startExport, types: [] }).message).toMatch(/types/);
    expect(rejection('setSyncInterval', { folderId: 'f', minutes: 4 }).message).toMatch(/minutes/);
    expect(rejection('setSyncInterval', { folderId: 'f', minutes: 1.5 }).message).toMatch(/minutes/);
    expect(rejection('setSyncInterval', { folderId: 'f', minutes: 8 * 24 * 60 }).message).toMatch(/minutes/);
    expect(() => parseArgs('setSyncInterval', { folderId: 'f', minutes: null })).not.toThrow();
    expect(rejection('startSync', { folderId: 'f', full: 'yes' }).message).toMatch(/full/);
    expect(rejection('createSyncFolder', { ...validArgs.createSyncFolder, types: [] }).message).toMatch(/types/);
  });
});
