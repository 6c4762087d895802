// The CLI (npm run sim) and the acceptance checks, run with the real curl binary.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;

interface Started {
  child: ChildProcess;
  lines: string[];
}

/** Spawns main.ts on port 0 is not printable in advance, so pick a free port by asking the OS first. */
async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function startCli(args: string[]): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/sim/main.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const rl = createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`simulator did not start: ${lines.join('\n')}`)), 20_000);
    rl.on('line', (l) => {
      lines.push(l);
      if (lines.length >= 7) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}: ${lines.join('\n')}`)));
  });
  return { child, lines };
}

function stop(s: Started | undefined): Promise<void> {
  if (!s || s.child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    s.child.once('exit', () => resolve());
    s.child.kill('SIGTERM');
  });
}

function curl(args: string[]): { status: number; headers: string; body: string } {
  const r = spawnSync('curl', ['-s', '-D', '-', ...args], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  const [head, ...rest] = r.stdout.split('\r\n\r\n');
  return { status: Number(/^HTTP\/1\.1 (\d+)/.exec(head)![1]), headers: head, body: rest.join('\r\n\r\n') };
}

const hasCurl = spawnSync('curl', ['--version']).status === 0;

describe.skipIf(!hasCurl)('npm run sim (tests/sim/main.ts) with curl', () => {
  let sim: Started | undefined;
  let port = 0;
  let key = '';
  let base = '';

  beforeAll(async () => {
    port = await freePort();
    sim = await startCli(['--port', String(port), '--scale', 'tiny', '--seed', '1', '--endpoint-limit', '5', '--endpoint-window', '60']);
    key = sim.lines[1].slice('API key: '.length);
    base = `http://127.0.0.1:${port}/api/v3`;
  });
  afterAll(() => stop(sim));

  it('prints the two contract lines first, then the limited key, org id and control URL', () => {
    expect(sim!.lines[0]).toBe(`HyperStudy simulator listening on http://127.0.0.1:${port}/api/v3`);
    expect(sim!.lines[1]).toMatch(/^API key: hst_test_[a-z0-9]+$/);
    expect(sim!.lines.slice(2).join('\n')).toMatch(/Limited key.*hst_test_/);
    expect(sim!.lines.slice(2).join('\n')).toMatch(/org_/);
    expect(sim!.lines.slice(2).join('\n')).toContain(`http://127.0.0.1:${port}/__sim`);
  });

  it('curl with the printed key gets the envelope', () => {
    const r = curl(['-H', `X-API-Key: ${key}`, `${base}/experiments`]);
    expect(r.status).toBe(200);
    const body = JSON.parse(r.body);
    expect(body.status).toBe('success');
    expect(body.metadata.pagination.total).toBe(2);
  });

  it('curl without a key, or with a bad one, gets 401 UNAUTHORIZED (health too)', () => {
    for (const args of [[`${base}/experiments`], ['-H', 'X-API-Key: hst_test_not_a_real_key', `${base}/experiments`], [`${base}/health`]]) {
      const r = curl(args);
      expect(r.status).toBe(401);
      expect(JSON.parse(r.body)).toEqual({ status: 'error', error: { code: 'UNAUTHORIZED', message: 'Invalid or expired API key' } });
    }
  });

  it('with no shape flags, events of a room carry sessionId = that room and no roomId; recordings an http(s) downloadUrl', () => {
    const exps = JSON.parse(curl(['-H', `X-API-Key: ${key}`, `${base}/experiments`]).body).data;
    const rooms = JSON.parse(curl(['-H', `X-API-Key: ${key}`, `${base}/data/rooms/experiment/${exps[0].id}`]).body).data;
    for (const room of rooms) {
      const events = JSON.parse(curl(['-H', `X-API-Key: ${key}`, `${base}/data/events/room/${encodeURIComponent(room.id)}?limit=50`]).body).data;
      expect(events.length).toBeGreaterThan(0);
      for (const e of events) {
        expect(e.sessionId).toBe(room.id);
        expect(e).not.toHaveProperty('roomId');
      }
    }
    const recs = JSON.parse(curl(['-H', `X-API-Key: ${key}`, `${base}/data/recordings/experiment/${exps[0].id}`]).body).data;
    expect(recs.length).toBeGreaterThan(0);
    for (const r of recs) expect(r.downloadUrl).toMatch(/^https?:\/\//);
  });

  it('--endpoint-limit 5 gives a 429 with Retry-After on the sixth quick request to one endpoint', () => {
    const statuses: number[] = [];
    let last = { status: 0, headers: '', body: '' };
    for (let i = 0; i < 6; i++) {
      last = curl(['-H', `X-API-Key: ${key}`, `${base}/deployments`]);
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const retryAfter = Number(/retry-after: (\d+)/i.exec(last.headers)![1]);
    expect(retryAfter).toBeGreaterThan(50);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(JSON.parse(last.body).error.code).toBe('RATE_LIMIT_EXCEEDED');
  });

  it('a Range request on a signed downloadUrl (the storage origin, no key) gets a 206', () => {
    const exps = JSON.parse(curl(['-H', `X-API-Key: ${key}`, `${base}/experiments`]).body).data;
    const recs = JSON.parse(curl(['-H', `X-API-Key: ${key}`, `${base}/data/recordings/experiment/${exps[0].id}`]).body).data;
    const storage = sim!.lines.find((l) => l.startsWith('Storage'))!.split(': ').pop()!;
    expect(recs[0].downloadUrl.startsWith(`${storage}/storage/`)).toBe(true);
    expect(storage).not.toBe(`http://127.0.0.1:${port}`);
    const r = spawnSync('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code} %{size_download}', '-H', 'Range: bytes=0-1023', recs[0].downloadUrl], { encoding: 'utf8' });
    expect(r.stdout).toBe('206 1024');
  });

  it('curl reaches the control route', () => {
    const r = curl([`http://127.0.0.1:${port}/__sim/counters`]);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).requests).toBeGreaterThan(0);
  });
});

describe('CLI errors', () => {
  it('rejects an unknown scale with usage and exit code 2', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'tests/sim/main.ts', '--scale', 'huge'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--scale must be tiny, small or large');
  });

  it('applies shape flags from the command line and refuses a bad value', async () => {
    const bad = spawnSync(process.execPath, ['--import', 'tsx', 'tests/sim/main.ts', '--room-field', 'sometimes'], { cwd: ROOT, encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--room-field must be one of documented, roomId, none');
    const port = await freePort();
    const s = await startCli(['--port', String(port), '--scale', 'tiny', '--room-field', 'roomId', '--auth-error-code', 'AUTHENTICATION_ERROR', '--pagination-echo']);
    try {
      const shapes = await (await fetch(`http://127.0.0.1:${port}/__sim/shapes`)).json();
      expect(shapes).toMatchObject({ roomField: 'roomId', authErrorCode: 'AUTHENTICATION_ERROR', paginationEcho: true, recordingLinks: 'downloadUrl' });
    } finally {
      await stop(s);
    }
  });

  it('applies fault flags from the command line', async () => {
    const port = await freePort();
    const s = await startCli(['--port', String(port), '--scale', 'tiny', '--html-rate', '1', '--warnings', 'hello']);
    try {
      const key = s.lines[1].slice('API key: '.length);
      const r = await fetch(`http://127.0.0.1:${port}/api/v3/experiments`, { headers: { 'X-API-Key': key } });
      expect(r.status).toBe(502);
      expect(r.headers.get('content-type')).toBe('text/html');
      const f = await (await fetch(`http://127.0.0.1:${port}/__sim/faults`)).json();
      expect(f).toMatchObject({ htmlRate: 1, warnings: ['hello'] });
    } finally {
      await stop(s);
    }
  });
});
