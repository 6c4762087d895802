// Shared helpers for the export-job integration tests: a simulator, a real HyperStudy source
// (opened through the registry and the Source port) over a real joint limiter, a runner call, and
// readers that compare outputs by SHA-256 per file.
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import yauzl from 'yauzl';
import type { ExportRequest } from '../../../src-shared/model';
import { hsTarget } from '../../hs-paths';
import { createJointLimiter } from '../../../src-main/core/net/limiter';
import { systemClock } from '../../../src-main/core/ports';
import { sourceModule } from '../../../src-main/core/sources/registry';
import type { Source } from '../../../src-main/core/sources/source';
import { runExport, type ExportResult, type RunExportOptions } from '../../../src-main/core/export/run/run-export';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { startSimulator, type Simulator } from '../../sim/index';

export const execFileP = promisify(execFile);

export async function tempDir(prefix = 'export-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

/** The simulator's HyperStudy source, opened through the registry. */
export function makeSource(sim: Simulator, over: { keyLimit?: number; endpointLimit?: number; windowMs?: number } = {}): Source {
  const limiter = createJointLimiter({
    keyLimit: over.keyLimit ?? 100_000,
    keyWindowMs: over.windowMs ?? 3_600_000,
    endpointLimit: over.endpointLimit ?? 100_000,
    endpointWindowMs: over.windowMs ?? 60_000,
    clock: systemClock,
  });
  return sourceModule('hyperstudy').open({ source: 'hyperstudy', baseUrl: sim.baseUrl, secret: sim.apiKey }, { limiter, retry: { baseDelayMs: 20, maxDelayMs: 200, maxAttempts: 8 } });
}

export { hsTarget } from '../../hs-paths';

export function baseRequest(experimentId: string, over: Partial<ExportRequest> = {}): ExportRequest {
  return {
    target: hsTarget(experimentId),
    types: ['events', 'chat', 'ratings-continuous'],
    format: 'csv',
    zip: false,
    split: 'none',
    anonymize: 'keep',
    includeRecordings: false,
    bom: true,
    formulaProtection: false,
    ...over,
  };
}

export async function exportOnce(sim: Simulator, request: ExportRequest, dest: string, over: Partial<RunExportOptions> = {}): Promise<ExportResult> {
  const source = over.source ?? makeSource(sim);
  return runExport({
    source,
    sourceUrl: sim.baseUrl,
    request: { ...request, destination: dest },
    workDir: path.join(dest, '.studydl-test'),
    destination: dest,
    appVersion: '0.1.0',
    concurrency: 4,
    mediaConcurrency: 3,
    mediaBackoffMs: 20,
    ...over,
  });
}

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** metadata.json with its run-dependent fields (times, requests used) blanked. */
export function normalizedManifest(text: string): string {
  const m = JSON.parse(text) as Record<string, unknown>;
  m.startedAt = '<time>';
  m.finishedAt = '<time>';
  if (m.requests && typeof m.requests === 'object') (m.requests as Record<string, unknown>).used = '<n>';
  return JSON.stringify(m, null, 2);
}

/** Relative path → SHA-256 of every file under dir (metadata.json normalized). */
export async function folderDigest(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  async function walk(abs: string, rel: string) {
    for (const e of (await readdir(abs, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const childAbs = path.join(abs, e.name);
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(childAbs, childRel);
      else {
        const data = await readFile(childAbs);
        out.set(childRel, e.name === 'metadata.json' ? sha(normalizedManifest(data.toString('utf8'))) : sha(data));
      }
    }
  }
  await walk(dir, '');
  return out;
}

/** Entry name → SHA-256 of every entry of a ZIP, read with the strict reader (yauzl). */
export async function zipDigest(zipPath: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const zip = await new Promise<yauzl.ZipFile>((res, rej) => yauzl.open(zipPath, { lazyEntries: true, strictFileNames: true, validateEntrySizes: true }, (e, z) => (e ? rej(e) : res(z!))));
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', () => resolve());
    zip.on('entry', (entry: yauzl.Entry) => {
      if (entry.fileName.endsWith('/')) return zip.readEntry();
      zip.openReadStream(entry, (err, rs) => {
        if (err) return reject(err);
        const chunks: Buffer[] = [];
        rs!.on('data', (c: Buffer) => chunks.push(c));
        rs!.on('error', reject);
        rs!.on('end', () => {
          const data = Buffer.concat(chunks);
          const base = entry.fileName.split('/').pop();
          out.set(entry.fileName, base === 'metadata.json' ? sha(normalizedManifest(data.toString('utf8'))) : sha(data));
          zip.readEntry();
        });
      });
    });
    zip.readEntry();
  });
  zip.close();
  return out;
}

export async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/** Runs a python3 snippet with pandas; returns its stdout parsed as JSON. */
export async function python(code: string, args: string[] = []): Promise<unknown> {
  const { stdout } = await execFileP('/usr/bin/python3', ['-c', code, ...args], { maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout);
}

export async function removeDir(p: string): Promise<void> {
  await rm(p, { recursive: true, force: true });
}

/** What a media test file shares: one simulator, a source, and a sizeable recording with its bytes. */
export interface MediaFixture {
  sim: Simulator;
  root: string;
  source: Source;
  recording: Record<string, unknown>;
  full: Buffer;
  /** Lists the recording's room again, so `recording` carries a freshly signed downloadUrl. */
  relist(): Promise<void>;
}

/**
 * Registers the set-up of a media test file: a tiny simulator (seed 41), a temp dir, a source, and
 * the first recording over 100 kB that `pick` accepts (as listed: with a signed downloadUrl, which
 * is signed afresh before each test); counters and faults reset before each test.
 * The fields are filled in by `beforeAll`.
 */
export function mediaFixture(prefix: string, pick: (r: Record<string, unknown>) => boolean = () => true): MediaFixture {
  const f = {} as MediaFixture;
  f.relist = async () => {
    const page = await f.source.fetchPage({ type: 'recordings', scope: 'room', scopeId: String(f.recording.roomId) }, {});
    f.recording.downloadUrl = page.records.find((r) => r.recordingId === f.recording.recordingId)!.downloadUrl;
  };
  beforeAll(async () => {
    f.sim = await startSimulator({ scale: 'tiny', seed: 41 });
    f.root = await tempDir(prefix);
    f.source = makeSource(f.sim);
    for (const exp of f.sim.dataset.experiments().filter((e) => !e.shared)) {
      const page = await f.source.fetchPage({ type: 'recordings', scope: 'experiment', scopeId: exp.id }, {});
      f.recording ??= page.records.find((r) => typeof r.fileSize === 'number' && r.fileSize > 100_000 && pick(r))!;
    }
    expect(f.recording).toBeTruthy();
    f.full = f.sim.dataset.mediaBytes(String(f.recording.roomId), String(f.recording.recordingId));
  });
  afterAll(async () => {
    await f.sim?.close();
    await removeDir(f.root);
  });
  beforeEach(async () => {
    f.sim.resetFaults();
    await f.relist(); // no test inherits a link an earlier one expired
    f.sim.resetCounters();
  });
  return f;
}

/** What downloadRecordingFile needs to download one recording of `source`: its links and file facts. */
export function mediaOf(source: Source, recording: Record<string, unknown>) {
  const media = source.media!;
  return { links: media, recording, fileInfo: media.fileOf(recording)! };
}

export interface Capture {
  origin: string;
  seen: Array<{ url: string; headers: IncomingHttpHeaders }>;
  close(): Promise<void>;
}

/** A server that records each request, then answers as `answer` says (a redirect, usually). */
export async function capture(answer: (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void): Promise<Capture> {
  const seen: Capture['seen'] = [];
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    answer(req, res, seen.length);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
