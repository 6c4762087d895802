// Shared helpers for the writer integration tests: temp folders, independent readers (python3 +
// pandas, unzip, yauzl) and a set of awkward records.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import yauzl from 'yauzl';
import type { SplitLayout } from '../../../src-main/core/export/format/type-writer';
import { splitLayout } from '../../../src-main/core/export/run/split-layout';
import { sourceModule } from '../../../src-main/core/sources/registry';
import type { ExportListings } from '../../../src-main/core/sources/source';

const exec = promisify(execFile);
export const PYTHON = '/usr/bin/python3';

export async function makeTempDir(prefix = 'studydl-writers-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Runs a python3 script (argv after it) and parses its stdout as JSON. */
export async function runPythonJson<T = any>(script: string, args: string[] = []): Promise<T> {
  const { stdout } = await exec(PYTHON, ['-c', script, ...args], { maxBuffer: 256 * 1024 * 1024 });
  return JSON.parse(stdout) as T;
}

/** Every file under dir, relative with "/", sorted. */
export async function listTree(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(abs: string, rel: string) {
    for (const e of await readdir(abs, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(path.join(abs, e.name), r);
      else out.push(r);
    }
  }
  await walk(dir, '');
  return out.sort();
}

export async function unzipTest(zipPath: string): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await exec('unzip', ['-tqq', zipPath], { maxBuffer: 64 * 1024 * 1024 });
    return { ok: true, output: stdout + stderr };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return { ok: false, output: (err.stdout ?? '') + (err.stderr ?? '') };
  }
}

export async function pythonZipTest(zipPath: string): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await exec(PYTHON, ['-m', 'zipfile', '-t', zipPath], { maxBuffer: 64 * 1024 * 1024 });
    // `python3 -m zipfile -t` exits 0 even for a corrupt member; it names the member instead.
    const output = stdout + stderr;
    return { ok: /Done testing/.test(output) && !/corrupted/i.test(output), output };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return { ok: false, output: (err.stdout ?? '') + (err.stderr ?? '') };
  }
}

export interface YauzlEntryInfo {
  name: string;
  compressionMethod: number;
  uncompressedSize: number;
  crc32: number;
  /** Content, when asked for. */
  data?: Buffer;
}

/** Reads every entry with yauzl (strict: trusts the EOCD count, validates names), optionally with contents. */
export function readZipWithYauzl(zipPath: string, opts: { withData?: (name: string) => boolean } = {}): Promise<{ entryCount: number; entries: YauzlEntryInfo[] }> {
  return new Promise((resolve, reject) => {
    yauzl.open(zipPath, { lazyEntries: true, strictFileNames: true, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const entries: YauzlEntryInfo[] = [];
      zip.on('error', reject);
      zip.on('end', () => resolve({ entryCount: zip.entryCount, entries }));
      zip.on('entry', (entry: yauzl.Entry) => {
        const info: YauzlEntryInfo = { name: entry.fileName, compressionMethod: entry.compressionMethod, uncompressedSize: entry.uncompressedSize, crc32: entry.crc32 };
        entries.push(info);
        if (!opts.withData?.(entry.fileName)) return zip.readEntry();
        zip.openReadStream(entry, (e2, rs) => {
          if (e2 || !rs) return reject(e2);
          const chunks: Buffer[] = [];
          rs.on('data', (c: Buffer) => chunks.push(c));
          rs.on('error', reject);
          rs.on('end', () => {
            info.data = Buffer.concat(chunks);
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

/** Records that stress CSV encoding: quotes, commas, CR/LF, unicode, formulas, nesting, negatives. */
export function awkwardRecords(): Array<Record<string, unknown>> {
  const texts = [
    'plain',
    'a,b,"c"\r\nd',
    'She said "wait"',
    'line one\nline two',
    '=SUM(A1:A3)',
    '+1 agree',
    '-5 seconds off',
    '@host hi',
    'tab\tseparated',
    '   leading spaces',
    'Привет 😀 你好',
    '',
    'trailing comma,',
  ];
  return texts.map((content, i) => ({
    id: `evt_${i}`,
    experimentId: 'exp_1',
    roomId: i % 3 === 0 ? 'room_A' : i % 3 === 1 ? 'room_..:B' : undefined,
    participantId: i % 4 === 3 ? null : `usr_${i % 4}`,
    onset: (i - 5) * 1250,
    timestamp: new Date(Date.UTC(2024, 5, 15, 10, 0, i)).toISOString(),
    category: 'component',
    content,
    response: i % 2 ? { value: i % 5 === 0 ? -(i * 1.5) : `v${i}`, responseTime: 100 + i } : undefined,
    tags: i % 3 === 0 ? ['x', 'y,"z"'] : [],
    flag: i % 2 === 0,
    ...(i === 7 ? { lateField: 'appears late' } : {}),
  }));
}

/**
 * A file of `bytes` zeros that takes no disk space (sparse), for >4 GiB ZIP tests and benchmarks.
 * Reading it still costs the CPU of zipping that many bytes.
 */
export async function makeSparseFile(filePath: string, bytes: number): Promise<void> {
  const { open: openFile } = await import('node:fs/promises');
  const fh = await openFile(filePath, 'w');
  try {
    await fh.truncate(bytes);
  } finally {
    await fh.close();
  }
}

/** Opt-in switch for the slow >4 GiB archive test (it reads and CRCs 4.5 GiB). */
export const BIG_ZIP_TEST_ENABLED = process.env.STUDYDL_BIG_ZIP_TEST === '1';

/**
 * HyperStudy's split layouts (through the registry): "room" places a record by the room it names
 * (roomId, else sessionId), "participant" by its participant (chat: its sender).
 */
export function hsSplit(id: 'room' | 'participant', listings?: ExportListings): SplitLayout {
  const hs = sourceModule('hyperstudy');
  return splitLayout(hs.descriptor, id, 'events', hs.recordContext(listings)) as SplitLayout;
}
