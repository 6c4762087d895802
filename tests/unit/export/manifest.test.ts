import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnonymizer } from '../../../src-main/core/export/anonymize/anonymizer';
import { createTextFilePool } from '../../../src-main/core/export/format/text-file';
import { hashFile } from '../../../src-main/core/export/manifest/hash';
import { buildManifest, manifestText, sanitizeBaseUrl, type ManifestInput } from '../../../src-main/core/export/manifest/manifest';
import { sourceModule } from '../../../src-main/core/sources/registry';

const hs = sourceModule('hyperstudy');
/** HyperStudy's README.txt (through the registry), from the experiment's id and name. */
const readmeText = ({ experiment, ...rest }: Omit<Parameters<typeof hs.readme>[0], 'root'> & { experiment: { id: string; name?: string } }) => hs.readme({ ...rest, root: experiment });

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'studydl-manifest-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const base: ManifestInput = {
  app: { name: 'Study Downloader', version: '0.1.0' },
  sourceId: 'hyperstudy',
  baseUrl: 'https://user:pw@api.hyperstudy.io/api/v3/?key=hst_live_abcdef123456#x',
  root: { level: 'experiment', id: 'exp_1', name: 'Emotion Study' },
  target: { level: 'participant', path: [{ level: 'experiment', id: 'exp_1' }, { level: 'room', id: 'room_1' }, { level: 'participant', id: 'usr_secret' }] },
  describeTarget: hs.manifestTarget,
  personLevels: ['participant'],
  nonDataTables: ['rooms', 'participants', 'recordings_metadata'],
  filters: { types: ['events', 'chat'], format: 'csv', split: 'none', zip: true, recordings: false },
  anonymization: 'keep',
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:05:00.000Z',
  requestsUsed: 12,
  requestsPlanned: 12,
  files: [
    { path: 'events.csv', type: 'events', records: 100, bytes: 5000, sha256: 'a'.repeat(64) },
    { path: 'chat.csv', type: 'chat', records: 7, bytes: 300, sha256: 'b'.repeat(64) },
    { path: 'participants.csv', type: 'participants', records: 3, bytes: 90, sha256: 'c'.repeat(64) },
  ],
  warnings: ['MISSING_INDEX: Query for usr_secret requires an index', 'leaked hst_test_zzzzzzzz'],
};

describe('buildManifest', () => {
  it('records provenance and totals, never credentials', () => {
    const m = buildManifest(base);
    expect(m.source.baseUrl).toBe('https://api.hyperstudy.io/api/v3');
    expect(m.files.map((f) => f.path)).toEqual(['chat.csv', 'events.csv', 'participants.csv']);
    expect(m.totals).toMatchObject({ files: 3, bytes: 5390, records: 107, recordsByType: { events: 100, chat: 7 } });
    expect(m.requests).toEqual({ used: 12, planned: 12 });
    expect(m.anonymization).toEqual({ mode: 'keep', codeMapWritten: false });
    const text = manifestText(m);
    expect(text).not.toMatch(/hst_(live|test)_[a-z0-9]/);
    expect(text).not.toContain('pw@');
    expect(JSON.parse(text).experiment).toEqual({ id: 'exp_1', name: 'Emotion Study' });
  });

  it('pseudonymizes the target participant and the warnings', () => {
    const anonymizer = createAnonymizer({ mode: 'pseudonymize', participants: [{ id: 'usr_secret' }] });
    const m = buildManifest({ ...base, anonymization: 'pseudonymize', anonymizer });
    expect(m.target.participantId).toBe('P001');
    expect(JSON.stringify(m)).not.toContain('usr_secret');
    expect(m.anonymization.mode).toBe('pseudonymize');
  });

  it('sanitizes odd URLs', () => {
    expect(sanitizeBaseUrl('not a url?key=hst_live_abc')).toBe('not a url');
  });
});

describe('readmeText', () => {
  it('explains files, columns and how to open them for the chosen options', () => {
    const t = readmeText({ appName: 'Study Downloader', appVersion: '0.1.0', experiment: { id: 'exp_1', name: 'Emotion Study' }, format: 'csv', split: 'participant', types: ['events', 'ratings-continuous'], bom: true, formulaProtection: true, anonymization: 'pseudonymize', recordings: true, exportedAt: '2026-01-01T00:00:00Z' });
    expect(t).toContain('metadata.json');
    expect(t).toContain('participants/<participantId>/<type>.csv');
    expect(t).toContain('ratings_continuous:');
    expect(t).toContain('onset_sec');
    expect(t).toContain('encoding="utf-8-sig"');
    expect(t).toContain('byte order mark');
    expect(t).toContain('Formula protection is ON');
    expect(t).toContain('P001');
    expect(t).toContain('recordings_metadata.csv');
    expect(t.split('\r\n').every((l) => !l.includes('\n'))).toBe(true);
    const plain = readmeText({ appName: 'S', appVersion: '1', experiment: { id: 'e' }, format: 'ndjson', split: 'none', types: ['events'], bom: false, formulaProtection: false, anonymization: 'keep', recordings: false, exportedAt: 'x' });
    expect(plain).toContain('lines=True');
    expect(plain).not.toContain('Formula protection');
    expect(plain).not.toContain('ANONYMIZATION');
  });
});

describe('hashFile', () => {
  it('streams size and SHA-256', async () => {
    const p = path.join(dir, 'h.bin');
    const data = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
    await writeFile(p, data);
    expect(await hashFile(p)).toEqual({ bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') });
  });
});

describe('createTextFilePool', () => {
  it('keeps many files correct with one open handle, and renames only on finish', async () => {
    const pool = createTextFilePool({ maxOpen: 1, fileBufferBytes: 8, fsync: false });
    const expected = new Map<string, string>();
    for (let i = 0; i < 400; i++) {
      const name = path.join(dir, 'pool', `f${i % 40}.txt`);
      const line = `line ${i} ✓\n`;
      expected.set(name, (expected.get(name) ?? '') + line);
      await pool.append(pool.file(name), line);
    }
    expect((await readdir(path.join(dir, 'pool'))).every((n) => n.endsWith('.part'))).toBe(true);
    const results = await pool.finish();
    for (const [name, text] of expected) {
      expect(await readFile(name, 'utf8')).toBe(text);
      expect(results.get(name)).toEqual({ bytes: Buffer.byteLength(text), sha256: createHash('sha256').update(text).digest('hex') });
    }
    expect((await readdir(path.join(dir, 'pool'))).some((n) => n.endsWith('.part'))).toBe(false);
  });

  it('abort removes every .part', async () => {
    const pool = createTextFilePool({ maxOpen: 2, fileBufferBytes: 1 });
    for (let i = 0; i < 10; i++) await pool.append(pool.file(path.join(dir, 'aborted', `f${i}.txt`)), 'x');
    await pool.abort();
    expect(await readdir(path.join(dir, 'aborted'))).toEqual([]);
  });
});
