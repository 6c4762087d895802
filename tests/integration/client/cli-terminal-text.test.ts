// Server-provided text reaches the terminal without escape sequences or bidi controls. A proxy in
// front of the simulator serves a hostile experiments list (names, ids, warnings) and a hostile
// error message; studydl ls prints them cleaned, and --json keeps the exact values, escaped.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src-main/cli/main';
import type { Simulator } from '../../sim/index';
import { startSim } from './helpers';
import { startProxy, type TestProxy } from './proxy';

const ESC = '\x1b';
/** What a terminal would act on: C0 (but tab/LF), DEL, C1, bidi controls. */
// eslint-disable-next-line no-control-regex -- control characters are what this looks for
const ACTIVE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/;

const hostileName = `${ESC}]0;owned${ESC}\\${ESC}[2J${ESC}[31mEmotion\u202e Study${ESC}[0m\r`;
const hostileId = `exp_${ESC}[8mhidden\u2066x\u2069`;
const hostileWarning = `Data is partial${ESC}[1A${ESC}[2K\nerror: fake second line\x9b31m`;
const hostileError = `No such room${ESC}]8;;https://evil.example${ESC}\\ click here${ESC}]8;;${ESC}\\\u202e`;

let sim: Simulator;
let front: TestProxy;
let home: string;
beforeAll(async () => {
  sim = await startSim();
  home = mkdtempSync(join(tmpdir(), 'studydl-terminal-'));
  const api = new URL(sim.baseUrl).pathname;
  front = await startProxy({
    target: new URL(sim.baseUrl).origin,
    route: (url) => {
      if (url.pathname === `${api}/experiments`) {
        return {
          status: 200,
          json: {
            status: 'success',
            metadata: { pagination: { total: 1, returned: 1, hasMore: false, limit: 1000, offset: 0 }, _warnings: [hostileWarning] },
            data: [{ id: hostileId, name: hostileName, status: 'active', roomCount: 1, participantCount: 2, createdAt: '2024-06-15T10:00:00Z' }],
          },
        };
      }
      if (url.pathname === `${api}/experiments/exp_1` || url.pathname.startsWith(`${api}/data/rooms/experiment/`)) return { status: 404, json: { status: 'error', error: { code: 'NOT_FOUND', message: hostileError } } };
      return null;
    },
  });
});
afterAll(async () => {
  await front.close();
  await sim.close();
  rmSync(home, { recursive: true, force: true });
});

async function run(argv: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  const env = { STUDYDL_HOME: home, HYPERSTUDY_BASE_URL: front.origin + new URL(sim.baseUrl).pathname, HYPERSTUDY_API_KEY: sim.apiKey } as NodeJS.ProcessEnv;
  const code = await main(argv, { stdout, stderr, stdin: Readable.from([]), env, isTTY: false });
  return { code, out, err };
}

describe('server text on the terminal', () => {
  it('ls prints names, ids and warnings with nothing a terminal would act on', async () => {
    const r = await run(['ls']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).not.toMatch(ACTIVE);
    expect(r.err).not.toMatch(ACTIVE);
    expect(r.out).toContain('Emotion Study');
    expect(r.out).toContain('exp_hiddenx');
    // The warning stays one line: its embedded line feed cannot fake an "error:" line.
    expect(r.err.split('\n').filter(Boolean)).toEqual(['warning: Data is partial error: fake second line']);
  });

  it('a server error message is printed cleaned, on its own line', async () => {
    const r = await run(['ls', 'exp_1']);
    expect(r.code).toBe(4);
    expect(r.err).not.toMatch(ACTIVE);
    expect(r.err).toMatch(/^error: The server has no .*No such room click here/m);
    expect(r.err).not.toContain('evil.example');
  });

  it('--json keeps the exact values, with the controls escaped', async () => {
    const r = await run(['ls', '--json']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).not.toMatch(ACTIVE);
    const j = JSON.parse(r.out);
    expect(j.experiments[0]).toMatchObject({ id: hostileId, name: hostileName });
    expect(j.warnings).toEqual([hostileWarning]);
  });
});
