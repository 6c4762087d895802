// `studydl`: the headless CLI over the core. `main` is exported for in-process tests; the
// process entry (tsx or the bundled out/cli/studydl.js) runs it and sets the exit code.
//
// Exit codes: 0 ok, 2 usage, 3 auth, 4 not found, 5 network, 6 rate-limited past the allowed wait.
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { StudyError, toErrorInfo } from '../../src-shared/errors';
import { parseArgs, booleanFlag } from './args';
import { EXIT, exitCodeFor, type CliContext, type CliIO, type Command } from './command';
import { commands } from './commands/index';
import { resolveConfigDir } from './context';
import { SOURCES } from '../core/sources/registry';
import { write, writeError, writeJson } from './output';

const VERSION = '0.1.0';

function helpText(list: Command[]): string {
  const w = Math.max(...list.map((c) => c.name.length));
  return [
    'studydl: browse and download study data from HyperStudy (the default) or BrainSTEM',
    '',
    'Usage: studydl <command> [options]',
    '',
    'Commands:',
    ...list.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    '',
    'Connection:',
    `  --source ID         which source: ${SOURCES.map((m) => m.id).join(', ')} (default: the stored profile's, else ${SOURCES[0].id})`,
    '  --base-url URL      API base (default https://api.hyperstudy.io/api/v3, or HYPERSTUDY_BASE_URL);',
    '                      https only (plain http for 127.0.0.1, ::1, localhost)',
    '  --org ID            X-Organization-Id, needed for experiments shared from other organizations',
    '  --api-key-stdin     read the key from stdin (otherwise HYPERSTUDY_API_KEY, or a stored profile)',
    '                      HYPERSTUDY_API_KEY goes only to HYPERSTUDY_BASE_URL or production',
    '  --json              machine-readable output',
    '',
    'BrainSTEM (--source brainstem):',
    '  --base-url URL      BrainSTEM\'s site or its /api root (default https://www.brainstem.org/, or BRAINSTEM_URL)',
    '  --portal private|public   private (default): your projects, signed in; public: public projects, no token sent',
    '  token               BRAINSTEM_TOKEN (or BRAINSTEM_API_TOKEN), else a stored profile; the environment\'s token',
    '                      goes only to BRAINSTEM_URL, https://www.brainstem.org/, or a server on this machine',
    '  login               `echo "$TOKEN" | studydl login --source brainstem`, or `login --source brainstem --device`',
    '                      (shows a link and a code to approve in a browser), or `login --source brainstem --portal public`',
    '  ls                  projects; `ls <projectId>` its sessions; `ls <projectId>/<sessionId>` the session\'s records by type',
    '  plan|export         `project <id>` or `session <id>` (or `subject <id>`); --types defaults to every type there;',
    '                      --recordings downloads the data acquisitions\' images; download links go to links.csv',
    '',
    'Exit codes: 0 ok, 2 usage, 3 auth, 4 not found, 5 network, 6 rate-limited past the allowed wait.',
    '',
  ].join('\n');
}

export async function main(argv: string[], io: CliIO, registry: Command[] = commands): Promise<number> {
  const args = parseArgs(argv);
  const json = booleanFlag(args, 'json');
  const [name] = args.positionals;
  if (booleanFlag(args, 'version')) {
    write(io.stdout, `studydl ${VERSION}`);
    return EXIT.ok;
  }
  if (!name || name === 'help') {
    write(io.stdout, helpText(registry));
    return name || booleanFlag(args, 'help') ? EXIT.ok : EXIT.usage;
  }
  const command = registry.find((c) => c.name === name);
  if (!command) {
    write(io.stderr, `error: "${name}" is not a studydl command.\n  fix: run \`studydl help\` to see the commands.`);
    return EXIT.usage;
  }
  if (booleanFlag(args, 'help')) {
    write(io.stdout, `${command.summary}\n\nUsage: ${command.usage}`);
    return EXIT.ok;
  }
  const ctx: CliContext = { io, json, configDir: resolveConfigDir(io.env) };
  try {
    return await command.run({ positionals: args.positionals.slice(1), flags: args.flags }, ctx);
  } catch (e) {
    const info = writeError(io.stderr, e);
    if (json) writeJson(io.stdout, { error: info });
    if (info.code === 'INVALID_ARGUMENT') write(io.stderr, `  usage: ${command.usage}`);
    return e instanceof StudyError ? exitCodeFor(e.code) : exitCodeFor(toErrorInfo(e).code);
  }
}

export function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, isTTY: !!process.stdout.isTTY };
}

function isEntry(): boolean {
  const argv1 = process.argv[1];
  if (!argv1) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(argv1)).href;
  } catch {
    return false;
  }
}

if (isEntry()) {
  main(process.argv.slice(2), processIO()).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      writeError(process.stderr, e);
      process.exitCode = EXIT.failure;
    },
  );
}
