// `npm run demo`: the first thing a newcomer runs. Starts the HyperStudy and BrainSTEM simulators
// (small scale) in-process and the app with two ready demo connections (HyperStudy, active, and
// BrainSTEM) whose credentials live in memory only.
// Runs in Electron when its binary is installed, otherwise in browser mode (and says why).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNodeCore, projectRoot } from '../src-main/server/node-core';
import { runningLine } from '../src-main/server/running-line';
import { startWebServer } from '../src-main/server/web-server';
import { electronBinaryPath } from '../tests/e2e/fixtures/electron-binary';
import { startSimulator } from '../tests/sim';
import { startBrainstemSimulator } from '../tests/sim/brainstem/index';

const root = projectRoot();
const say = (line: string) => process.stderr.write(`${line}\n`);

function ensureBuilt(): void {
  const built = ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html'].every((p) => existsSync(join(root, p)));
  if (built) return;
  say('The app is not built yet; running `npm run build` first…');
  const r = spawnSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: ['ignore', process.stderr, process.stderr] });
  if (r.status !== 0) {
    say('The build failed (see above). Fix it, then run `npm run demo` again.');
    process.exit(1);
  }
}

async function main(): Promise<void> {
  ensureBuilt();
  const sim = await startSimulator({ scale: 'small' });
  const brainstem = await startBrainstemSimulator({ scale: 'small' });
  const closeSims = async () => {
    await sim.close();
    await brainstem.close();
  };
  const dir = await mkdtemp(join(tmpdir(), 'study-downloader-demo-'));
  const downloads = join(dir, 'downloads');
  await mkdir(downloads, { recursive: true });
  say(`Simulated HyperStudy API at ${sim.baseUrl}`);
  say(`Simulated BrainSTEM API at ${brainstem.baseUrl}`);
  say(`Demo data (settings, jobs) in ${dir}; exports go to ${downloads}`);

  const electron = electronBinaryPath();
  if (electron.path && !process.env.STUDYDL_DEMO_BROWSER) {
    say('Starting the desktop app (Electron)…');
    const child = spawn(electron.path, [root], {
      stdio: 'inherit',
      env: {
        ...process.env,
        STUDYDL_USER_DATA: join(dir, 'electron'),
        STUDYDL_DEMO_BASE_URL: sim.baseUrl,
        STUDYDL_DEMO_API_KEY: sim.apiKey,
        STUDYDL_DEMO_BRAINSTEM_URL: brainstem.baseUrl,
        STUDYDL_DEMO_BRAINSTEM_TOKEN: brainstem.token,
        STUDYDL_DEMO_DOWNLOADS: downloads,
        STUDYDL_NO_KEYCHAIN: '1',
      },
    });
    child.on('exit', async (code) => {
      await closeSims();
      process.exit(code ?? 0);
    });
    return;
  }

  say(`Electron cannot run here: ${electron.path ? 'STUDYDL_DEMO_BROWSER is set' : electron.reason}. Running in browser mode instead.`);
  const core = createNodeCore({
    configDir: join(dir, 'config'),
    dataDir: join(dir, 'jobs'),
    keyStore: 'memory',
    demo: { baseUrl: sim.baseUrl, apiKey: sim.apiKey, organizationId: sim.orgId },
    moreDemos: [{ source: 'brainstem', baseUrl: brainstem.baseUrl, apiKey: brainstem.token }],
    settingsDefaults: { downloadFolder: downloads },
    env: {},
  });
  await core.ready;
  const server = await startWebServer({ core, rendererDir: join(root, 'out', 'renderer'), host: '127.0.0.1' });
  process.stdout.write(`${runningLine(server.url)}\n`);
  say('Open that link in your browser. Press Ctrl+C to stop.');
  const stop = async () => {
    await server.close();
    await core.close();
    await closeSims();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((e) => {
  say(`The demo could not start: ${(e as Error).message}`);
  process.exit(1);
});
