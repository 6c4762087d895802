// BrainSTEM exports through the engine (plan → listings → pages → files → ZIP), against the
// simulator over loopback, read back with independent tools (pandas, unzip -t, Python's zipfile):
// one file per model named after its list key, details flattened with dots, links.csv holding
// every session download link (never fetched), images downloaded byte for byte, JSON as the API
// gives it, a shared session once, the same files under every documented and undocumented paging
// shape, and a request count at the ideal. Expected values come from the simulator's dataset.
import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ExportRequest } from '../../../../src-shared/model';
import { runExport, type ExportResult } from '../../../../src-main/core/export/run/run-export';
import { createJointLimiter } from '../../../../src-main/core/net/limiter';
import { systemClock } from '../../../../src-main/core/ports';
import { sourceModule } from '../../../../src-main/core/sources/registry';
import type { LimiterLimits } from '../../../../src-main/core/net/limiter';
import type { Source } from '../../../../src-main/core/sources/source';
import { startBrainstemSimulator, type BrainstemSimulator } from '../../../sim/brainstem/index';
import { folderDigest, python, removeDir, tempDir } from '../../export/export-helpers';
import { ALL_TYPES, recordsAt } from './oracle';

let sim: BrainstemSimulator;
let root: string;

beforeAll(async () => {
  sim = await startBrainstemSimulator({ scale: 'small', seed: 1 });
  root = await tempDir('bs-export-');
});
afterAll(async () => {
  await sim?.close();
  await removeDir(root);
});
afterEach(() => {
  sim.resetShapes();
  sim.resetFaults();
});

function open(): Source {
  const m = sourceModule('brainstem');
  const limiter = createJointLimiter({ ...(m.policy.limits as LimiterLimits), clock: systemClock });
  return m.open({ source: 'brainstem', baseUrl: sim.baseUrl, secret: sim.token, portal: 'private' }, { limiter, retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 4 } });
}

const projectTarget = (id: string) => ({ level: 'project', path: [{ level: 'project', id }] });

function request(target: ExportRequest['target'], over: Partial<ExportRequest> = {}): ExportRequest {
  return { target, types: [...ALL_TYPES], format: 'csv', zip: false, split: 'none', anonymize: 'keep', includeRecordings: false, bom: true, formulaProtection: false, ...over };
}

let n = 0;
async function exportOnce(req: ExportRequest, source = open()): Promise<ExportResult & { source: Source }> {
  const dest = path.join(root, `e${++n}`);
  const r = await runExport({ source, sourceUrl: sim.baseUrl, request: { ...req, destination: dest }, workDir: path.join(dest, '.studydl-test'), destination: dest, appVersion: '0.1.0', concurrency: 4, mediaConcurrency: 3, mediaBackoffMs: 20 });
  return { ...r, source };
}

/** The ideal number of API requests for these records: one per 100 of each model with an endpoint (epochs ride along with sessions). */
function ideal(counts: Record<string, number>): number {
  return Object.entries(counts).reduce((a, [type, c]) => a + (type === 'epochs' ? 0 : Math.max(1, Math.ceil(c / 100))), 0);
}

const secondProject = () => sim.dataset.projects()[1];

describe('a whole project as CSV in a ZIP', () => {
  it('one file per model named after its list key, counts as the server holds them, at the ideal request count', async () => {
    const p = secondProject();
    sim.resetCounters();
    const r = await exportOnce(request(projectTarget(p.id), { zip: true, includeRecordings: true }));
    expect(r.outputPath.endsWith('.zip')).toBe(true);
    expect(execFileSync('unzip', ['-t', r.outputPath]).toString()).toMatch(/No errors detected/);

    const expected = Object.fromEntries(ALL_TYPES.map((t) => [t, recordsAt(sim, t, 'project', p.id)]));
    const read = (await python(
      `import pandas as pd, zipfile, json, sys, io
z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None
names = z.namelist(); top = names[0].split('/')[0]
out = {'names': [n[len(top)+1:] for n in names], 'ids': {}, 'cols': {}}
for n in names:
    if n.endswith('.csv'):
        df = pd.read_csv(io.BytesIO(z.read(n)), encoding='utf-8-sig', dtype=str, keep_default_na=False)
        key = n[len(top)+1:-4]
        out['cols'][key] = list(df.columns)
        out['ids'][key] = list(df['id']) if 'id' in df.columns else len(df)
        if key == 'links': out['links'] = df.to_dict('records')
out['meta'] = json.loads(z.read(top + '/metadata.json'))
print(json.dumps(out))`,
      [r.outputPath],
    )) as { names: string[]; ids: Record<string, string[] | number>; cols: Record<string, string[]>; links: Array<Record<string, string>>; meta: { requests: { used: number; planned: number } } };

    for (const t of ALL_TYPES) expect(read.ids[t], t).toEqual(expected[t].map((x) => x.id));
    expect(read.names).toContain('data_acquisitions.csv');
    expect(read.names).toEqual(expect.arrayContaining(['projects.csv', 'sessions.csv', 'behaviors.csv', 'manipulations.csv', 'epochs.csv', 'subjects.csv', 'procedures.csv', 'procedure_logs.csv', 'subject_logs.csv', 'collections.csv', 'cohorts.csv', 'links.csv', 'metadata.json', 'README.txt']));
    // details flattened with dots, both schema versions in one file; no nested object left as a column.
    const acq = read.cols.data_acquisitions;
    expect(acq).toEqual(expect.arrayContaining(['details.sr', 'details.sr.value', 'details.sr.unit']));
    expect(acq).not.toContain('details');
    // links.csv: one row per session download link, in session order, never fetched.
    const links = expected.sessions.flatMap((s) => (s.download_links as Array<{ repository: string; url: string }>).map((l) => ({ session_id: s.id, session_name: s.name, repository: l.repository, url: l.url })));
    expect(links.length).toBeGreaterThan(0);
    expect(read.links).toEqual(links);

    // Images: every acquisition's image, byte for byte, with no credential sent to the image host.
    const withImage = expected.data_acquisitions.filter((d) => typeof d.image === 'string');
    expect(withImage.length).toBeGreaterThan(0);
    const images = read.names.filter((x) => x.startsWith('images/'));
    expect(images.sort()).toEqual(withImage.map((d) => `images/${d.id}.png`).sort());
    const bytes = (await python(
      `import zipfile, sys, json, hashlib
z = zipfile.ZipFile(sys.argv[1]); top = z.namelist()[0].split('/')[0]
print(json.dumps({n[len(top)+1:]: hashlib.sha256(z.read(n)).hexdigest() for n in z.namelist() if '/images/' in n}))`,
      [r.outputPath],
    )) as Record<string, string>;
    for (const d of withImage) expect(bytes[`images/${d.id}.png`]).toBe(sim.dataset.images().find((i) => i.url === d.image)!.sha256);
    const c = sim.counters();
    expect(c.imageRequests).toBe(withImage.length);
    expect(c.imageRequestsWithAuthorization).toBe(0);
    expect(c.withAuthorization.private).toBe(c.requests);

    // Every API request counted, and no more than one per 100 records of each model.
    const counts = Object.fromEntries(ALL_TYPES.map((t) => [t, expected[t].length]));
    expect(r.source.requestsMade()).toBe(c.requests);
    expect(c.requests).toBe(ideal(counts));
    expect(r.manifest.requestsUsed).toBe(c.requests);
    // The plan said as much: every request used, plus one reserve per image (a fresh read of its
    // acquisition, spent only if the image link has expired); epochs cost nothing of their own.
    expect(read.meta.requests.planned).toBe(c.requests + withImage.length);
    expect(r.manifest.records).toBe(Object.values(counts).reduce((a, b) => a + b, 0));
  });
});

describe('an image link refused on the way (expired)', () => {
  it('is renewed by one fresh read of its acquisition, still with no credential on the image host; every image byte for byte', async () => {
    const p = secondProject();
    const withImage = recordsAt(sim, 'data_acquisitions', 'project', p.id).filter((d) => typeof d.image === 'string');
    sim.setFaults({ rules: [{ match: '/images', kind: 'expire', count: 1 }] });
    sim.resetCounters();
    const r = await exportOnce(request(projectTarget(p.id), { types: ['sessions', 'data_acquisitions'], includeRecordings: true }));
    const c = sim.counters();
    expect(c.byEndpoint['/private/modules/dataacquisition/{id}/']).toBe(1);
    expect(c.imageRequests).toBe(withImage.length + 1);
    expect(c.imageRequestsWithAuthorization).toBe(0);
    const sha = (await python(
      `import sys, json, hashlib, os
d = sys.argv[1]
print(json.dumps({n: hashlib.sha256(open(os.path.join(d, n), 'rb').read()).hexdigest() for n in os.listdir(d)}))`,
      [path.join(r.outputPath, 'images')],
    )) as Record<string, string>;
    expect(Object.keys(sha).sort()).toEqual(withImage.map((d) => `${d.id}.png`).sort());
    for (const d of withImage) expect(sha[`${d.id}.png`]).toBe(sim.dataset.images().find((i) => i.url === d.image)!.sha256);
  });
});

describe('levels BrainSTEM cannot list', () => {
  it('are refused in words, naming where, before any request', async () => {
    const p = secondProject();
    const source = open();
    sim.resetCounters();
    await expect(source.listLevel('session', [])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: 'BrainSTEM cannot list sessions at the top.' });
    await expect(source.listLevel('procedure_log', [{ level: 'project', id: p.id }])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: `BrainSTEM cannot list procedure logs under project ${p.id}.` });
    expect(sim.counters().requests).toBe(0);
  });

  it('a type that cannot be exported at the chosen level is skipped with a warning; the rest is exported', async () => {
    const session = recordsAt(sim, 'sessions', 'project', secondProject().id)[0];
    const r = await exportOnce(request({ level: 'session', path: [{ level: 'session', id: String(session.id) }] }, { types: ['sessions', 'subjects'], format: 'json' }));
    expect(r.manifest.warnings).toContain('Subjects cannot be exported per session; skipped.');
    expect((await readdir(r.outputPath)).filter((n) => n.endsWith('.json') && n !== 'metadata.json').sort()).toEqual(['sessions.json']);
    expect(JSON.parse(await readFile(path.join(r.outputPath, 'sessions.json'), 'utf8'))).toEqual([session]);
  });
});

describe('JSON keeps records as the API gives them', () => {
  it('each model’s records equal the server’s, nested details and id lists included', async () => {
    const p = secondProject();
    const r = await exportOnce(request(projectTarget(p.id), { format: 'json' }));
    for (const t of ALL_TYPES) {
      const written = JSON.parse(await readFile(path.join(r.outputPath, `${t}.json`), 'utf8')) as unknown[];
      expect(written, t).toEqual(recordsAt(sim, t, 'project', p.id));
    }
  });
});

describe('a time window (since/until)', () => {
  it('holds for every type with a time, the lists read while planning included; records without a time stay; types without one are whole', async () => {
    const p = secondProject();
    const times = recordsAt(sim, 'sessions', 'project', p.id).map((r) => r.date_time).filter((t): t is string => typeof t === 'string').sort();
    const since = times[2];
    const until = times[times.length - 3];
    const r = await exportOnce(request(projectTarget(p.id), { format: 'json', since, until }));
    // Written by hand here, not from the source's descriptors: the models with a date_time (tests/sim/brainstem/models.ts).
    const TIMED = new Set(['sessions', 'procedures', 'procedure_logs', 'subject_logs']);
    const inside = (v: unknown) => typeof v !== 'string' || (Date.parse(v) >= Date.parse(since) && Date.parse(v) <= Date.parse(until));
    let cut = 0;
    for (const t of ALL_TYPES) {
      const all = recordsAt(sim, t, 'project', p.id);
      const expected = TIMED.has(t) ? all.filter((x) => inside(x.date_time)) : all;
      cut += all.length - expected.length;
      const written = JSON.parse(await readFile(path.join(r.outputPath, `${t}.json`), 'utf8')) as unknown[];
      expect(written, t).toEqual(expected);
    }
    expect(cut).toBeGreaterThanOrEqual(4); // the window did leave records out
  });
});

describe('what the README says is so', () => {
  it('formula protection ON: said in the README, and every text cell that starts a formula got its leading quote (pandas, against an export without it)', async () => {
    const p = secondProject();
    const cells = async (dir: string) =>
      (await python(
        `
import sys, json, pandas as pd
df = pd.read_csv(sys.argv[1], encoding='utf-8-sig', dtype=str, keep_default_na=False)
print(json.dumps([v for c in df.columns for v in df[c]]))
`,
        [path.join(dir, 'sessions.csv')],
      )) as string[];
    const plain = await cells((await exportOnce(request(projectTarget(p.id), { types: ['sessions'] }))).outputPath);
    const r = await exportOnce(request(projectTarget(p.id), { types: ['sessions'], formulaProtection: true }));
    const protectedCells = await cells(r.outputPath);
    expect(await readFile(path.join(r.outputPath, 'README.txt'), 'utf8')).toContain("Formula protection is ON: text cells starting with = + - @ (or tab/CR) got a leading ' so a");
    const formula = (v: string) => /^[=+@\t\r]|^-(?!\d)/.test(v);
    const changed = plain.map((v, i) => [v, protectedCells[i]]).filter(([a, b]) => a !== b);
    expect(protectedCells).toHaveLength(plain.length);
    expect(changed.length).toBeGreaterThan(0);
    for (const [a, b] of changed) expect(b).toBe(`'${a}`);
    expect(plain.filter(formula).length).toBeGreaterThan(0);
    expect(protectedCells.filter(formula)).toEqual([]);
  });

  it('NDJSON: the README shows how to read it, and pandas reads it that way, record for record', async () => {
    const p = secondProject();
    const r = await exportOnce(request(projectTarget(p.id), { types: ['sessions'], format: 'ndjson' }));
    const readme = await readFile(path.join(r.outputPath, 'README.txt'), 'utf8');
    expect(readme).toContain('NDJSON: one JSON record per line.');
    expect(readme).toContain('pandas:  pd.read_json("sessions.ndjson", lines=True)');
    const ids = (await python(
      `
import sys, json, pandas as pd
print(json.dumps(list(pd.read_json(sys.argv[1], lines=True)['id'])))
`,
      [path.join(r.outputPath, 'sessions.ndjson')],
    )) as string[];
    expect(ids).toEqual(recordsAt(sim, 'sessions', 'project', p.id).map((x) => x.id));
  });
});

describe('a session shared by two projects', () => {
  it('is exported once in each project, with its records once; a session exports on its own, without its project', async () => {
    const shared = sim.dataset.rows('session').find((s) => (s.projects as string[]).length > 1) as { id: string; name: string; projects: string[] };
    expect(shared).toBeDefined();
    for (const projectId of shared.projects as string[]) {
      const r = await exportOnce(request(projectTarget(projectId), { format: 'json', types: ['sessions', 'data_acquisitions', 'epochs'] }));
      const sessions = JSON.parse(await readFile(path.join(r.outputPath, 'sessions.json'), 'utf8')) as Array<{ id: string }>;
      expect(sessions.filter((s) => s.id === shared.id)).toHaveLength(1);
      expect(new Set(sessions.map((s) => s.id)).size).toBe(sessions.length);
      const acq = JSON.parse(await readFile(path.join(r.outputPath, 'data_acquisitions.json'), 'utf8')) as Array<{ id: string; session: string }>;
      expect(new Set(acq.map((a) => a.id)).size).toBe(acq.length);
      expect(acq.filter((a) => a.session === shared.id).map((a) => a.id)).toEqual(recordsAt(sim, 'data_acquisitions', 'session', shared.id).map((a) => a.id));
    }
    // `export session <id>` knows no project ('-'): the session, its records, the folder named after it.
    const alone = await exportOnce(request({ level: 'session', path: [{ level: 'project', id: '-' }, { level: 'session', id: shared.id }] }, { types: ['sessions', 'data_acquisitions', 'behaviors', 'manipulations', 'epochs'] }));
    expect(path.basename(alone.outputPath)).toContain(String(shared.id));
    const files = (await readdir(alone.outputPath)).sort();
    expect(files).toEqual(['README.txt', 'behaviors.csv', 'data_acquisitions.csv', 'epochs.csv', 'links.csv', 'manipulations.csv', 'metadata.json', 'sessions.csv']);
    const rows = (await python(
      `import pandas as pd, sys, json, os
print(json.dumps({t: list(pd.read_csv(os.path.join(sys.argv[1], t + '.csv'), encoding='utf-8-sig', dtype=str)['id']) for t in ['sessions','data_acquisitions','behaviors','manipulations','epochs']}))`,
      [alone.outputPath],
    )) as Record<string, string[]>;
    for (const t of Object.keys(rows)) expect(rows[t], t).toEqual(recordsAt(sim, t, 'session', shared.id).map((x) => x.id));
    const manifest = JSON.parse(await readFile(path.join(alone.outputPath, 'metadata.json'), 'utf8')) as { target: unknown };
    expect(manifest.target).toEqual({ level: 'session', sessionId: shared.id });
  });
});

describe('paging shapes through a full export', () => {
  // The project with 100 sessions: a last page that is exactly full, under every shape.
  const shapes = [
    ['documented meta', {}],
    ['no meta (only a short page ends a list)', { omitMeta: true }],
    ['count beside meta', { addCount: true }],
    ['DRF results/count/next', { paging: 'results' }],
    ['sideloaded epochs', { sideloading: true }],
  ] as const;

  it('gives the same files under every shape, with the server’s counts', async () => {
    const p = sim.dataset.projects().find((x) => x.sessionIds.length === 100)!;
    expect(p).toBeDefined();
    const counts = Object.fromEntries(ALL_TYPES.map((t) => [t, recordsAt(sim, t, 'project', p.id).length]));
    let reference: Map<string, string> | null = null;
    for (const [name, shape] of shapes) {
      sim.setShapes(shape);
      sim.resetCounters();
      const r = await exportOnce(request(projectTarget(p.id)));
      // Every file the same; metadata.json lists the same files and records (what the plan estimated may differ without totals).
      const digest = await folderDigest(r.outputPath);
      const manifest = JSON.parse(await readFile(path.join(r.outputPath, 'metadata.json'), 'utf8')) as { files: unknown; totals: { records: number } };
      digest.delete('metadata.json');
      digest.set('metadata.json files', JSON.stringify([manifest.files, manifest.totals.records]));
      if (!reference) reference = digest;
      else expect(digest, name).toEqual(reference);
      expect(r.manifest.records, name).toBe(Object.values(counts).reduce((a, b) => a + b, 0));
      // With a total the pager stops at it; without one it needs one more (empty) page per full last page.
      const requests = sim.counters().requests;
      if (name.startsWith('no meta')) expect(requests, name).toBeLessThanOrEqual(ideal(counts) + ALL_TYPES.length);
      else expect(requests, name).toBe(ideal(counts));
      sim.resetShapes();
    }
  }, 120_000);
});

describe('split folders', () => {
  it('by subject: procedure logs land in their procedure’s subject, records of no subject in _no_subject', async () => {
    const p = secondProject();
    const r = await exportOnce(request(projectTarget(p.id), { format: 'json', split: 'subject', types: ['subjects', 'procedures', 'procedure_logs', 'sessions'] }));
    const procedures = recordsAt(sim, 'procedures', 'project', p.id);
    const subjectOf = new Map(procedures.map((x) => [x.id as string, x.subject as string]));
    const logs = recordsAt(sim, 'procedure_logs', 'project', p.id);
    expect(logs.length).toBeGreaterThan(0);
    const subjects = path.join(r.outputPath, 'subjects');
    let seen = 0;
    for (const folder of await readdir(subjects)) {
      const file = path.join(subjects, folder, 'procedure_logs.json');
      const inFolder = JSON.parse(await readFile(file, 'utf8').catch(() => '[]')) as Array<{ procedure: string }>;
      for (const l of inFolder) expect(subjectOf.get(l.procedure), folder).toBe(folder);
      seen += inFolder.length;
      if (folder === '_no_subject') expect(inFolder).toEqual([]);
    }
    expect(seen).toBe(logs.length);
    const noSubject = JSON.parse(await readFile(path.join(subjects, '_no_subject', 'sessions.json'), 'utf8')) as unknown[];
    expect(noSubject).toHaveLength(recordsAt(sim, 'sessions', 'project', p.id).length);
  });

  it('by session: each session’s records in its folder', async () => {
    const p = secondProject();
    const r = await exportOnce(request(projectTarget(p.id), { format: 'json', split: 'session', types: ['sessions', 'data_acquisitions', 'epochs'] }));
    const sessions = recordsAt(sim, 'sessions', 'project', p.id);
    for (const s of sessions.slice(0, 10)) {
      const folder = path.join(r.outputPath, 'sessions', String(s.id));
      const acq = JSON.parse(await readFile(path.join(folder, 'data_acquisitions.json'), 'utf8').catch(() => '[]')) as Array<{ id: string }>;
      expect(acq.map((a) => a.id)).toEqual(recordsAt(sim, 'data_acquisitions', 'session', String(s.id)).map((a) => a.id));
    }
  });
});

describe('a large project', () => {
  let large: BrainstemSimulator;
  beforeAll(async () => {
    large = await startBrainstemSimulator({ scale: 'large', seed: 1 });
  });
  afterAll(() => large?.close());

  it('sessions first (read once), then acquisitions batched by session id within the request-line budget; at most one request over the ideal per extra batch', async () => {
    const p = large.dataset.projects()[0];
    const m = sourceModule('brainstem');
    const limiter = createJointLimiter({ ...(m.policy.limits as LimiterLimits), clock: systemClock });
    const source = m.open({ source: 'brainstem', baseUrl: large.baseUrl, secret: large.token, portal: 'private' }, { limiter });
    const dest = path.join(root, 'large');
    large.resetCounters();
    const types = ['sessions', 'data_acquisitions', 'behaviors', 'manipulations', 'epochs'];
    const r = await runExport({ source, sourceUrl: large.baseUrl, request: { ...request(projectTarget(p.id), { types }), destination: dest }, workDir: path.join(dest, '.w'), destination: dest, appVersion: '0.1.0', concurrency: 4, mediaConcurrency: 3 });
    const counts = Object.fromEntries(types.map((t) => [t, recordsAt(large, t, 'project', p.id).length]));
    expect(r.manifest.records).toBe(Object.values(counts).reduce((a, b) => a + b, 0));
    const log = large.requestLog();
    // The sessions list is read once, page by page: ⌈sessions / 100⌉ requests.
    expect(large.counters().byEndpoint['/private/stem/session/']).toBe(Math.ceil(counts.sessions / 100));
    expect(log.filter((e) => e.path.includes('/modules/dataacquisition/')).every((e) => e.path.includes('filter%7Bsession.id.in%7D'))).toBe(true);
    expect(Math.max(...log.map((e) => Buffer.byteLength(`GET ${e.path} HTTP/1.1`)))).toBeLessThanOrEqual(8000);
    // Each batch may end in a part-full page: at most one request per batch over the ideal, per batched type.
    const batches = new Set(log.filter((e) => e.path.includes('/modules/dataacquisition/')).map((e) => e.path.replace(/&?offset=\d+/, ''))).size;
    expect(batches).toBeGreaterThan(1);
    const requests = large.counters().requests;
    expect(requests).toBeGreaterThanOrEqual(ideal(counts));
    expect(requests).toBeLessThanOrEqual(ideal(counts) + 3 * (batches - 1));
    await limiter.close();
  }, 120_000);
});
