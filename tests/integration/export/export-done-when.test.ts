// The "Done when": against the `small` simulator,
//   studydl export experiment <id> --types all --format csv --zip --recordings --anonymize pseudonymize --out DIR
// gives a valid ZIP (unzip -t, python zipfile, yauzl) whose CSVs pandas reads, whose manifest
// counts match the simulator's totals, and in which no original participant id appears.
import { execFile } from 'node:child_process';
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator, type StreamType } from '../../sim/index';
import { execFileP, python, removeDir, tempDir, zipDigest } from './export-helpers';

const exec = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../../..');
let sim: Simulator;
let root: string;

beforeAll(async () => {
  sim = await startSimulator({ scale: 'small', seed: 5 });
  root = await tempDir('export-done-');
});
afterAll(async () => {
  await sim?.close();
  await removeDir(root);
});

const STREAMS: Record<string, StreamType> = {
  events: 'events', components: 'components', recordings: 'recordings', chat: 'chat', videochat: 'videochat',
  'ratings-continuous': 'ratings/continuous', 'ratings-sparse': 'ratings/sparse', sync: 'sync', eyetracking: 'eyetracking',
};

describe('done when (small simulator, real CLI process)', { timeout: 600_000 }, () => {
  it('exports everything pseudonymized to a valid ZIP with matching counts and no original ids', async () => {
    const exp = sim.dataset.experiments()[0];
    const out = path.join(root, 'x');
    await mkdir(out);
    const { stdout } = await exec(
      process.execPath,
      ['--import', 'tsx', path.join(repo, 'src-main/cli/main.ts'), 'export', 'experiment', exp.id, '--types', 'all', '--format', 'csv', '--zip', '--recordings', '--anonymize', 'pseudonymize', '--out', out],
      { cwd: repo, env: { ...process.env, STUDYDL_HOME: path.join(root, 'home'), HYPERSTUDY_API_KEY: sim.apiKey, HYPERSTUDY_BASE_URL: sim.baseUrl }, maxBuffer: 64 << 20 },
    );
    // Not a TTY: plain lines, the last one the final path.
    const zipPath = stdout.trim().split('\n').at(-1)!;
    expect(path.dirname(zipPath)).toBe(out);
    expect(zipPath.endsWith('.zip')).toBe(true);
    expect(await readdir(out)).toEqual([path.basename(zipPath)]);

    await execFileP('unzip', ['-tqq', zipPath]);
    await execFileP('/usr/bin/python3', ['-m', 'zipfile', '-t', zipPath]);
    const entries = await zipDigest(zipPath); // yauzl, strict

    // pandas reads every CSV; the manifest's per-file records match the rows, its totals the simulator's.
    const check = (await python(
      `
import sys, json, zipfile, io, pandas as pd
z = zipfile.ZipFile(sys.argv[1])
names = z.namelist()
root = names[0].split('/')[0]
manifest = json.loads(z.read(root + '/metadata.json'))
rows = {}
for n in names:
    if n.endswith('.csv'):
        df = pd.read_csv(io.BytesIO(z.read(n)), encoding='utf-8-sig', dtype=str, keep_default_na=False)
        rows[n[len(root)+1:]] = len(df)
print(json.dumps({'manifest': manifest, 'rows': rows, 'root': root}))
`,
      [zipPath],
    )) as { manifest: { files: Array<{ path: string; records?: number; type: string }>; totals: { recordsByType: Record<string, number> }; anonymization: { mode: string } }; rows: Record<string, number>; root: string };
    expect(check.manifest.anonymization.mode).toBe('pseudonymize');
    for (const f of check.manifest.files) if (f.path.endsWith('.csv') && f.records !== undefined) expect(check.rows[f.path], f.path).toBe(f.records);
    for (const [type, simType] of Object.entries(STREAMS)) {
      expect(check.manifest.totals.recordsByType[type] ?? 0, type).toBe(sim.dataset.count(simType, 'experiment', exp.id));
    }
    expect(Object.keys(check.rows)).toEqual(expect.arrayContaining(['variables.csv', 'participants.csv', 'rooms.csv', 'recordings_metadata.csv']));
    const recordings = sim.dataset.recordings(exp.id);
    const mediaEntries = [...entries.keys()].filter((k) => k.includes('/recordings/'));
    expect(mediaEntries.length).toBe(recordings.length);

    // No original participant id anywhere: entry names and every byte of every entry.
    const all = await execFileP('unzip', ['-p', zipPath], { maxBuffer: 1 << 30, encoding: 'buffer' });
    const text = (all.stdout as unknown as Buffer).toString('latin1') + [...entries.keys()].join('\n');
    const ids = sim.dataset.participants({ experimentId: exp.id }).map((p) => p.id);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect(text.includes(id), `participant id ${id} survived`).toBe(false);
  });
});
