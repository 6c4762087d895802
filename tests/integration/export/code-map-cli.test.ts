// Stable pseudonyms and distinct names, through `studydl export` (in-process) against the
// simulator, read back with independent tools (python3 zipfile + pandas, `unzip`):
//   - a room, then its experiment, then one participant, all pseudonymized with --code-map:
//     every participant has the same code in every map AND in every record of every ZIP;
//   - the maps are written where asked, never inside an export;
//   - the three ZIPs have different names and each unpacks into one folder of its own name.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src-main/cli/main';
import { startSimulator, type Simulator } from '../../sim/index';
import { runPythonJson } from './writers-helpers';

let sim: Simulator;
let home: string;
let dest: string;
beforeAll(async () => {
  sim = await startSimulator({ scale: 'tiny', seed: 7, keyLimit: 100_000, endpointLimit: 10_000 });
  home = mkdtempSync(join(tmpdir(), 'studydl-codemap-home-'));
  dest = mkdtempSync(join(tmpdir(), 'studydl-codemap-out-'));
});
afterAll(async () => {
  await sim?.close();
  rmSync(home, { recursive: true, force: true });
  rmSync(dest, { recursive: true, force: true });
});

async function studydl(argv: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  const env = { STUDYDL_HOME: home, HYPERSTUDY_BASE_URL: sim.baseUrl, HYPERSTUDY_API_KEY: sim.apiKey, HYPERSTUDY_ORGANIZATION_ID: sim.orgId } as NodeJS.ProcessEnv;
  const code = await main(argv, { stdout, stderr, stdin: Readable.from([]), env, isTTY: false });
  // Progress lines come first; the last line is the export's path.
  return { code, out: out.trim().split('\n').pop() ?? '', err };
}

/** participantId → code, read by pandas. */
function readMap(file: string): Promise<Record<string, string>> {
  return runPythonJson<Record<string, string>>(
    'import sys, json; import pandas as pd; d = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False); assert list(d.columns) == ["participantId", "code"], list(d.columns); print(json.dumps(dict(zip(d.participantId, d.code))))',
    [file],
  );
}

/** Record id → participantId of every events row in a ZIP (python zipfile + pandas, never our reader). */
function eventCodes(zip: string): Promise<Record<string, string>> {
  return runPythonJson<Record<string, string>>(
    `
import sys, json, zipfile, io
import pandas as pd
z = zipfile.ZipFile(sys.argv[1])
out = {}
for n in z.namelist():
    if n.endswith('/events.csv'):
        d = pd.read_csv(io.BytesIO(z.read(n)), encoding='utf-8-sig', dtype=str, keep_default_na=False)
        out.update(dict(zip(d['id'], d['participantId'])))
print(json.dumps(out))
`,
    [zip],
  );
}

describe('studydl export --anonymize pseudonymize --code-map FILE', { timeout: 180_000 }, () => {
  it('gives every participant one code across room, experiment and participant exports, with distinct names', async () => {
    const exp = sim.dataset.experiments().find((e) => e.roomIds.length >= 2)!;
    const room = sim.dataset.rooms(exp.id).find((r) => r.participantIds.length >= 2)!;
    const pid = room.participantIds[room.participantIds.length - 1];
    const common = ['--types', 'events,chat', '--zip', '--anonymize', 'pseudonymize', '--out', dest];

    // The room first: its participants get the first codes of a fresh map.
    const a = await studydl(['export', 'room', room.id, '--experiment', exp.id, ...common, '--code-map', join(home, 'keep', 'a.csv')]);
    expect(a.code, a.err).toBe(0);
    const b = await studydl(['export', 'experiment', exp.id, ...common, '--code-map', join(home, 'keep', 'b.csv')]);
    expect(b.code, b.err).toBe(0);
    const c = await studydl(['export', 'participant', pid, '--room', room.id, '--experiment', exp.id, ...common, '--code-map', join(home, 'keep', 'c.csv')]);
    expect(c.code, c.err).toBe(0);
    expect(a.err).toMatch(/Code map \(\d+ participants?\) saved to/);

    // The maps: the same code for every participant in all three; every participant of the experiment coded.
    const [ma, mb, mc] = await Promise.all(['a', 'b', 'c'].map((n) => readMap(join(home, 'keep', `${n}.csv`))));
    const everyone = sim.dataset.rooms(exp.id).flatMap((r) => r.participantIds);
    for (const p of everyone) expect(mb[p], p).toMatch(/^P\d{3,}$/);
    for (const p of room.participantIds) {
      expect(ma[p]).toBe(mb[p]);
      expect(mc[p]).toBe(mb[p]);
    }
    expect(new Set(Object.values(mb)).size).toBe(Object.keys(mb).length);
    // The room came first, so its participants hold the first codes (the old per-export codes followed the experiment's sort order).
    expect(room.participantIds.map((p) => mb[p]).sort()).toEqual(room.participantIds.map((_, i) => `P${String(i + 1).padStart(3, '0')}`));

    // The data agrees with the maps: one event has the same participant code in the room ZIP and the experiment ZIP.
    const [roomEvents, expEvents, partEvents] = await Promise.all([eventCodes(a.out), eventCodes(b.out), eventCodes(c.out)]);
    expect(Object.keys(roomEvents).length).toBeGreaterThan(0);
    const codeToId = new Map(Object.entries(mb).map(([p, code]) => [code, p]));
    let coded = 0;
    for (const [id, code] of Object.entries(roomEvents)) {
      expect(expEvents[id], `event ${id}`).toBe(code);
      if (!code) continue; // events of the room itself name no participant
      coded++;
      expect(room.participantIds).toContain(codeToId.get(code));
    }
    expect(coded).toBeGreaterThan(0);
    for (const [id, code] of Object.entries(partEvents)) {
      if (code) expect(code).toBe(mb[pid]);
      expect(expEvents[id]).toBe(code);
    }

    // Names: three different ZIPs, each unpacking into one folder named like the ZIP itself,
    // and no code map inside any of them.
    const zips = [a.out, b.out, c.out];
    const names = zips.map((z) => z.split(/[\\/]/).pop()!);
    expect(new Set(names).size).toBe(3);
    expect(names[0]).toMatch(/_room-Session-\d+_\d{4}-\d{2}-\d{2}\.zip$/);
    expect(names[1]).toMatch(/_experiment_\d{4}-\d{2}-\d{2}\.zip$/);
    expect(names[2]).toMatch(new RegExp(`_participant-${mb[pid]}_\\d{4}-\\d{2}-\\d{2}\\.zip$`));
    for (const [i, z] of zips.entries()) {
      expect(names[i]).toMatch(/^[A-Za-z0-9._-]+\.zip$/);
      const entries = execFileSync('unzip', ['-Z1', z]).toString().split('\n').filter(Boolean);
      const root = names[i].slice(0, -'.zip'.length);
      for (const e of entries) expect(e.startsWith(`${root}/`), e).toBe(true);
      expect(entries.some((e) => /code.?map/i.test(e))).toBe(false);
      const unpacked = mkdtempSync(join(tmpdir(), 'studydl-unzip-'));
      try {
        execFileSync('unzip', ['-q', z, '-d', unpacked]);
        expect(readdirSync(unpacked)).toEqual([root]);
      } finally {
        rmSync(unpacked, { recursive: true, force: true });
      }
    }
    // Unpacking the room ZIP next to the experiment's touches nothing of the experiment's.
    const side = mkdtempSync(join(tmpdir(), 'studydl-side-'));
    try {
      execFileSync('unzip', ['-q', zips[1], '-d', side]);
      execFileSync('unzip', ['-q', '-n', zips[0], '-d', side]);
      expect(readdirSync(side).sort()).toEqual([names[0], names[1]].map((n) => n.slice(0, -4)).sort());
    } finally {
      rmSync(side, { recursive: true, force: true });
    }
  });

  it('refuses --code-map without pseudonymization or without a file', async () => {
    const exp = sim.dataset.experiments()[0];
    const keep = await studydl(['export', 'experiment', exp.id, '--types', 'events', '--code-map', join(home, 'x.csv'), '--out', dest]);
    expect(keep.code).toBe(2);
    expect(keep.err).toMatch(/pseudonymize/);
    const bare = await studydl(['export', 'experiment', exp.id, '--types', 'events', '--anonymize', 'pseudonymize', '--code-map', '--out', dest]);
    expect(bare.code).toBe(2);
    expect(existsSync(join(home, 'x.csv'))).toBe(false);
  });
});
