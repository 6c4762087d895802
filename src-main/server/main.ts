// `npm run web -- [--port N]`: browser mode. Prints exactly one line on stdout, the link to
// open; everything else (warnings, errors) goes to stderr.
import { parseArgs } from 'node:util';
import { toErrorInfo } from '../../src-shared/errors';
import { createLogger } from '../core/log';
import { createNodeCore } from './node-core';
import { rendererDirOrExplain } from './renderer-dir';
import { runningLine } from './running-line';
import { startWebServer } from './web-server';


async function main(): Promise<number> {
  let port = 0;
  try {
    const { values } = parseArgs({ options: { port: { type: 'string' } }, strict: true, allowPositionals: false });
    if (values.port !== undefined) {
      port = Number(values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a number from 1 to 65535 (or 0 for any free port) (got "${values.port}")`);
    }
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\nUsage: npm run web -- [--port N]\n`);
    return 2;
  }
  const rendererDir = rendererDirOrExplain(process.stderr);
  if (!rendererDir) return 1;
  const logger = createLogger({ console: process.stderr, level: 'warn' });
  const core = createNodeCore({ logger });
  let server;
  try {
    await core.ready;
    server = await startWebServer({ core, rendererDir, port, host: '127.0.0.1', logger });
  } catch (e) {
    const info = toErrorInfo(e);
    const inUse = (e as NodeJS.ErrnoException)?.code === 'EADDRINUSE';
    process.stderr.write(inUse ? `Port ${port} is already in use.\nFix: choose another with --port, or leave it out for a free one.\n` : `${info.message}\n${info.fix ?? ''}\n`);
    await core.close();
    return 1;
  }
  process.stdout.write(`${runningLine(server.url)}\n`);
  const stop = async () => {
    await server.close();
    await core.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  return -1; // keep running
}

main().then((code) => {
  if (code >= 0) process.exit(code);
});
