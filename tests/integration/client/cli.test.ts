// The studydl CLI (ls, plan, health) run in-process against the simulator, plus one real
// child process through `tsx` to prove the entry point and exit code.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src-main/cli/main';
import { parseArgs } from '../../../src-main/cli/args';
import { displayWidth, humanBytes, humanDuration, table } from '../../../src-main/cli/output';
import { keyIdentity } from '../../../src-main/core/net/key-identity';
import type { Simulator } from '../../sim/index';
import { startSim } from './helpers';

let sim: Simulator;
let home: string;
beforeAll(async () => {
  sim = await startSim();
  home = mkdtempSync(join(tmpdir(), 'studydl-home-'));
});
afterAll(async () => {
  await sim.close();
  rmSync(home, { recursive: true, force: true });
});

async function run(argv: string[], o: { env?: Record<string, string | undefined>; stdin?: string } = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  const env = { STUDYDL_HOME: home, HYPERSTUDY_BASE_URL: sim.baseUrl, HYPERSTUDY_API_KEY: sim.apiKey, HYPERSTUDY_ORGANIZATION_ID: sim.orgId, ...o.env };
  for (const k of Object.keys(env)) if (env[k as keyof typeof env] === undefined) delete env[k as keyof typeof env];
  const code = await main(argv, { stdout, stderr, stdin: Readable.from(o.stdin !== undefined ? [o.stdin] : []), env: env as NodeJS.ProcessEnv, isTTY: false });
  return { code, out, err };
}

describe('studydl ls', () => {
  it('lists experiments as an aligned table', async () => {
    const r = await run(['ls']);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+ACCESS\s+ROOMS\s+PARTICIPANTS\s+CREATED$/);
    expect(lines[1]).toMatch(/^-+\s+-+/);
    const exps = sim.dataset.experiments({ includeShared: true });
    expect(lines.length).toBe(2 + exps.length);
    for (const e of exps) expect(r.out).toContain(e.id);
    // Aligned: every row starts its NAME column at the same offset.
    const nameCol = lines[0].indexOf('NAME');
    for (const e of exps) expect(lines.find((l) => l.startsWith(e.id))!.slice(nameCol)).toMatch(new RegExp('^' + e.name.slice(0, 5).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  });

  it('lists experiments as JSON', async () => {
    const r = await run(['ls', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.experiments.map((e: { id: string }) => e.id).sort()).toEqual(sim.dataset.experiments({ includeShared: true }).map((e) => e.id).sort());
  });

  it('lists the rooms of an experiment and the participants of a room', async () => {
    const exp = sim.dataset.experiments()[0];
    const rooms = await run(['ls', exp.id]);
    expect(rooms.code).toBe(0);
    expect(rooms.out.split('\n')[0]).toMatch(/^ROOM\s+DEPLOYMENT\s+PARTICIPANTS\s+STATUS\s+START\s+DURATION$/);
    for (const id of exp.roomIds) expect(rooms.out).toContain(id);
    const room = sim.dataset.rooms(exp.id)[0];
    const parts = await run(['ls', `${exp.id}/${room.id}`, '--json']);
    expect(parts.code).toBe(0);
    expect(JSON.parse(parts.out).participants.map((p: { id: string }) => p.id).sort()).toEqual([...room.participantIds].sort());
    const text = await run(['ls', `${exp.id}/${room.id}`]);
    for (const p of sim.dataset.participants({ roomId: room.id })) expect(text.out).toContain(p.name);
  });

  it('an unknown experiment exits 4 with a message', async () => {
    const r = await run(['ls', 'exp_nope']);
    expect(r.code).toBe(4);
    expect(r.err).toMatch(/^error: The server has no experiment exp_nope/m);
    expect(r.err).toMatch(/fix: /);
  });
});

describe('studydl export', () => {
  it('--split room puts each room’s events in that room’s file (documented events: sessionId, no roomId), none in _no_room, all of them', async () => {
    const exp = sim.dataset.experiments()[0];
    const out = mkdtempSync(join(tmpdir(), 'studydl-export-'));
    try {
      const r = await run(['export', 'experiment', exp.id, '--types', 'events', '--split', 'room', '--format', 'csv', '--out', out, '--json']);
      expect(r.code, r.err).toBe(0);
      const [folder] = readdirSync(out);
      const root = join(out, folder);
      expect(existsSync(join(root, 'rooms', '_no_room'))).toBe(false);
      const manifest = JSON.parse(readFileSync(join(root, 'metadata.json'), 'utf8')) as { files: Array<{ path: string; type: string; roomId?: string }> };
      const files = manifest.files.filter((f) => f.type === 'events');
      expect(files.map((f) => f.roomId).sort()).toEqual([...exp.roomIds].sort());
      const { stdout } = await promisify(execFile)('/usr/bin/python3', [
        '-c',
        'import csv, json, sys\nout = []\nfor p in sys.argv[1:]:\n    with open(p, encoding="utf-8-sig", newline="") as h:\n        rows = list(csv.DictReader(h))\n    out.append({"n": len(rows), "sessions": sorted(set(r["sessionId"] for r in rows)), "roomIds": sorted(set(r.get("roomId", "") for r in rows))})\nprint(json.dumps(out))',
        ...files.map((f) => join(root, f.path)),
      ]);
      const read = JSON.parse(stdout) as Array<{ n: number; sessions: string[]; roomIds: string[] }>;
      let total = 0;
      files.forEach((f, i) => {
        expect(read[i].sessions).toEqual([f.roomId]);
        expect(read[i].roomIds).toEqual(['']);
        expect(read[i].n).toBe(sim.dataset.count('events', 'room', f.roomId!));
        total += read[i].n;
      });
      expect(total).toBe(sim.dataset.count('events', 'experiment', exp.id));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('studydl plan', () => {
  it('prints the exact request count ⌈total/1000⌉ for events', async () => {
    const exp = sim.dataset.experiments()[0];
    const n = sim.dataset.count('events', 'experiment', exp.id);
    const r = await run(['plan', 'experiment', exp.id, '--types', 'events']);
    expect(r.code).toBe(0);
    const row = r.out.split('\n').find((l) => l.startsWith('events'))!;
    expect(row).toMatch(new RegExp(`experiment\\s+${exp.id}\\s+${n.toLocaleString('en-US')}\\s+${Math.ceil(n / 1000)}$`));
    // data requests are exactly ⌈total/1000⌉; the export also saves the experiment, rooms and participants listings
    expect(r.out).toMatch(new RegExp(`Requests:\\s+${Math.ceil(n / 1000) + 3} \\(data ${Math.ceil(n / 1000)}, listings 3, media links 0\\)`));
    expect(r.out).toMatch(/Estimated time:/);
    expect(r.out).toMatch(/Rate budget: .*requests left this hour/);
    const j = await run(['plan', 'experiment', exp.id, '--types=events,chat', '--json']);
    const plan = JSON.parse(j.out);
    expect(plan.streams.find((s: { type: string }) => s.type === 'events')).toMatchObject({ total: n, requests: Math.ceil(n / 1000) });
    expect(plan.streams.map((s: { type: string }) => s.type)).toEqual(['events', 'chat']);
  });

  it('plans a participant with its room and media with --recordings', async () => {
    const room = sim.dataset.rooms()[0];
    const pid = room.participantIds[0];
    const r = await run(['plan', 'participant', pid, '--room', room.id, '--types', 'all', '--recordings', '--json']);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.out);
    expect(plan.target).toMatchObject({ level: 'participant', participantId: pid, roomId: room.id });
    expect(plan.streams.find((s: { type: string }) => s.type === 'events').total).toBe(sim.dataset.count('events', 'participant', pid, room.id));
    expect(plan.mediaFiles).toBe(sim.dataset.recordings().filter((x) => x.participantId === pid && x.roomId === room.id).length);
  });

  it('bad usage exits 2 and says how to fix it', async () => {
    const noTypes = await run(['plan', 'experiment', 'exp_x']);
    expect(noTypes.code).toBe(2);
    expect(noTypes.err).toMatch(/--types/);
    const badType = await run(['plan', 'experiment', 'exp_x', '--types', 'events,telepathy']);
    expect(badType.code).toBe(2);
    expect(badType.err).toMatch(/"telepathy" is not a data type/);
    const noRoom = await run(['plan', 'participant', 'p1', '--types', 'events']);
    expect(noRoom.code).toBe(2);
    expect(noRoom.err).toMatch(/--room/);
    expect((await run(['frobnicate'])).code).toBe(2);
  });
});

describe('connection and keys', () => {
  it('a wrong key exits 3 and says what to do', async () => {
    const r = await run(['ls'], { env: { HYPERSTUDY_API_KEY: 'hst_test_wrongwrongwrong' } });
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/The server rejected this API key \(invalid, expired or revoked\)/);
    expect(r.err).toMatch(/fix: Create a new key/);
    expect(r.err + r.out).not.toContain('wrongwrongwrong');
  });

  it('a key with the wrong prefix exits 3 without a request', async () => {
    sim.resetCounters();
    const r = await run(['ls'], { env: { HYPERSTUDY_API_KEY: 'sk-abcdef' } });
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/hst_live_/);
    expect(sim.counters().requests).toBe(0);
  });

  it('no key at all exits 3 and names the ways to give one', async () => {
    const r = await run(['ls'], { env: { HYPERSTUDY_API_KEY: undefined } });
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/HYPERSTUDY_API_KEY/);
    expect(r.err).toMatch(/--api-key-stdin/);
  });

  it('reads the key from stdin, and refuses it on the command line', async () => {
    const ok = await run(['health', '--api-key-stdin'], { env: { HYPERSTUDY_API_KEY: undefined }, stdin: sim.apiKey + '\n' });
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/healthy \(version 3\.0\.0\)/);
    const argv = await run(['ls', '--api-key', sim.apiKey]);
    expect(argv.code).toBe(2);
    expect(argv.err + argv.out).not.toContain(sim.apiKey);
  });

  it('an unreachable server exits 5', async () => {
    const r = await run(['health'], { env: { HYPERSTUDY_BASE_URL: 'http://127.0.0.1:1/api/v3' } });
    expect(r.code).toBe(5);
    expect(r.err).toMatch(/Cannot reach 127\.0\.0\.1:1/);
  });

  it('persists the limiter log per key identity (base URL and key), with no key in the file name or content', async () => {
    await run(['health']);
    const dir = join(home, 'ratelimit');
    expect(existsSync(dir)).toBe(true);
    const files = readdirSync(dir);
    expect(files).toContain(`key-${keyIdentity(sim.baseUrl, sim.apiKey)}.json`);
    for (const f of files) {
      expect(f).not.toContain(sim.apiKey);
      expect(readFileSync(join(dir, f), 'utf8')).not.toContain(sim.apiKey);
    }
  });

  it('a second run within the window waits for the persisted log and says why', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'studydl-wait-'));
    try {
      const env = { STUDYDL_HOME: fresh, STUDYDL_KEY_LIMIT: '1', STUDYDL_KEY_WINDOW_SEC: '3' };
      const first = await run(['health'], { env });
      expect(first.code).toBe(0);
      expect(first.err).toBe('');
      const started = Date.now();
      const second = await run(['health'], { env }); // a new process would load the same log
      expect(second.code).toBe(0);
      expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
      expect(second.err).toMatch(/^waiting \d+ s: All 1 requests this key may make in the last 3 s are used/m);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  it('runs as a real process through npm run cli’s entry and sets the exit code', async () => {
    const r = await promisify(execFile)('npx', ['tsx', 'src-main/cli/main.ts', 'ls', sim.dataset.experiments()[0].id], {
      cwd: process.cwd(),
      env: { ...process.env, STUDYDL_HOME: home, HYPERSTUDY_BASE_URL: sim.baseUrl, HYPERSTUDY_API_KEY: sim.apiKey },
      timeout: 60_000,
    });
    expect(r.stdout).toContain(sim.dataset.experiments()[0].roomIds[0]);
    const bad = await promisify(execFile)('npx', ['tsx', 'src-main/cli/main.ts', 'ls'], {
      cwd: process.cwd(),
      env: { ...process.env, STUDYDL_HOME: home, HYPERSTUDY_BASE_URL: sim.baseUrl, HYPERSTUDY_API_KEY: 'hst_test_nope' },
      timeout: 60_000,
    }).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(bad?.code).toBe(3);
    expect(bad?.stderr).toMatch(/rejected this API key/);
  }, 90_000);
});

describe('args and output', () => {
  it('parses positionals, --flag value, --flag=value, booleans and --no-flag', () => {
    expect(parseArgs(['plan', 'experiment', 'e1', '--types', 'events,chat', '--since=2024-01-01', '--json', '--no-zip', '--recordings', 'x'])).toEqual({
      positionals: ['plan', 'experiment', 'e1', 'x'],
      flags: { types: 'events,chat', since: '2024-01-01', json: true, zip: false, recordings: true },
    });
    expect(parseArgs(['--room', '--json'])).toEqual({ positionals: [], flags: { room: true, json: true } });
    expect(parseArgs(['a', '--', '--not-a-flag'])).toEqual({ positionals: ['a', '--not-a-flag'], flags: {} });
  });

  it('aligns table columns and right-aligns numbers', () => {
    const t = table(
      [
        { a: 'x', n: 5 },
        { a: 'longer', n: 12345 },
      ],
      [
        { label: 'NAME', value: (r) => r.a },
        { label: 'N', value: (r) => r.n },
      ],
    );
    expect(displayWidth('李雷')).toBe(4);
    expect(displayWidth('Zoë')).toBe(3);
    const wide = table([{ a: '李雷' }, { a: 'ab' }], [{ label: 'N', value: (r) => r.a }, { label: 'X', value: () => 'x' }]).split('\n');
    expect(wide[2]).toBe('李雷  x');
    expect(wide[3]).toBe('ab    x');
    expect(humanBytes(213_313)).toBe('208 KB');
    expect(humanDuration(7440)).toBe('2 h 4 min');
    expect(humanDuration(560)).toBe('9 min 20 s');
    expect(t).toBe(['NAME         N', '------  ------', 'x            5', 'longer  12,345', ''].join('\n'));
  });
});
