// `npm run web` as a process: exactly one line on stdout, the WebSocket behind the token,
// and a clear message when the renderer is not built.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../../src-main/server/node-core';
import { rendererDirOrExplain } from '../../../src-main/server/renderer-dir';
import { webSocketProtocolsFor } from '../../../src-shared/ws-protocol';
import { httpGet, tryUpgrade } from './helpers';

/** `npm run web -- …args` as a process, with its config under home and no keychain. */
function startWeb(args: string[], home: string) {
  const root = projectRoot();
  return spawn(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(root, 'src-main', 'server', 'main.ts'), ...args], {
    env: { ...process.env, STUDYDL_HOME: home, STUDYDL_NO_KEYCHAIN: '1', HYPERSTUDY_API_KEY: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs `npm run web -- …args` until it exits (a refusal); its exit code and what it printed. */
async function webRefusal(args: string[], home: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = startWeb(args, home);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  return { code, stdout, stderr };
}

describe('npm run web (src-main/server/main.ts)', () => {
  it('explains how to build when out/renderer is missing', async () => {
    const root = await mkdtemp(join(tmpdir(), 'studydl-noroot-'));
    const err = new PassThrough();
    let text = '';
    err.on('data', (d) => (text += d));
    expect(rendererDirOrExplain(err, root)).toBeNull();
    expect(text).toMatch(/not built yet/);
    expect(text).toMatch(/npm run build/);
    await rm(root, { recursive: true, force: true });
  });

  it('refuses a --port that is not a port (exit 2) and one that is taken (exit 1), saying what to do, and prints no link', async () => {
    const home = await mkdtemp(join(tmpdir(), 'studydl-web-port-'));
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const bad = await webRefusal(['--port', 'eighty'], home);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/--port must be a number from 1 to 65535 \(or 0 for any free port\) \(got "eighty"\)\nUsage: npm run web -- \[--port N\]/);
      expect(bad.stdout).toBe('');

      const inUse = await webRefusal(['--port', String(port)], home);
      expect(inUse.code).toBe(1);
      expect(inUse.stdout).toBe('');
      if (rendererDirOrExplain(new PassThrough())) {
        expect(inUse.stderr).toContain(`Port ${port} is already in use.\nFix: choose another with --port, or leave it out for a free one.`);
      } else {
        expect(inUse.stderr).toMatch(/npm run build/); // no built renderer in this checkout: it stops before binding
      }
    } finally {
      await new Promise((resolve) => taken.close(resolve));
      await rm(home, { recursive: true, force: true });
    }
  });

  it('prints exactly one line and guards the WebSocket with the token', async () => {
    const home = await mkdtemp(join(tmpdir(), 'studydl-web-'));
    const child = startWeb([], home);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    try {
      await expect.poll(() => stdout.includes('\n') || child.exitCode !== null, { timeout: 20_000 }).toBe(true);
      if (child.exitCode !== null) {
        // no built renderer in this checkout: the process must have said how to fix it
        expect(stderr).toMatch(/npm run build/);
        return;
      }
      const lines = stdout.split('\n').filter(Boolean);
      expect(lines).toHaveLength(1);
      const m = /^Study Downloader is running at (http:\/\/127\.0\.0\.1:(\d+)\/#token=([A-Za-z0-9_-]{43}))$/.exec(lines[0]);
      expect(m).not.toBeNull();
      const port = Number(m![2]);
      const token = m![3];
      // the app shell is public (the token travels in the fragment, which browsers never send)…
      const page = await httpGet(port, '/');
      expect(page.status).toBe(200);
      expect(page.body.toString()).toMatch(/<div id="root">/);
      expect(page.headers['set-cookie']).toBeUndefined();
      // …the WebSocket is not
      const origin = `http://127.0.0.1:${port}`;
      expect(await tryUpgrade(`ws://127.0.0.1:${port}/ws`, { origin })).toBe(401);
      expect(await tryUpgrade(`ws://127.0.0.1:${port}/ws`, { origin, protocols: webSocketProtocolsFor('nope') })).toBe(403);
      expect(await tryUpgrade(`ws://127.0.0.1:${port}/ws`, { origin, protocols: webSocketProtocolsFor(token) })).toBe('open');
      await new Promise((r) => setTimeout(r, 200));
      expect(stdout.split('\n').filter(Boolean)).toHaveLength(1); // still one line
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      await rm(home, { recursive: true, force: true });
    }
  });
});
