// A browser-mode server in its own process, for tests that must see whether the process
// survives (the fuzz): the real core (memory key store, temp config) and the real web server
// on a random port, over a stand-in renderer. Prints one JSON line {port, token} on stdout.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../../src-main/core/log';
import { createNodeCore } from '../../../src-main/server/node-core';
import { startWebServer } from '../../../src-main/server/web-server';
import { fakeRendererDir } from './helpers';

const home = await mkdtemp(join(tmpdir(), 'studydl-fuzz-'));
const core = createNodeCore({ configDir: home, keyStore: 'memory', env: {}, logger: createLogger({ console: process.stderr, level: 'warn' }) });
await core.ready;
const rendererDir = await fakeRendererDir();
const server = await startWebServer({ core, rendererDir, logger: createLogger({ console: process.stderr, level: 'warn' }) });
process.stdout.write(`${JSON.stringify({ port: server.port, token: server.token })}\n`);
const stop = async () => {
  await server.close();
  await core.close();
  await rm(home, { recursive: true, force: true });
  await rm(rendererDir, { recursive: true, force: true });
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
