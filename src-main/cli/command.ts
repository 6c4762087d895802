// The shape every `studydl` command module follows. main.ts dispatches to the
// commands listed in ./commands/index.ts; each command lives in its own file.
import type { Readable, Writable } from 'node:stream';
import type { ErrorCode } from '../../src-shared/errors';

export interface CliIO {
  stdout: Writable;
  stderr: Writable;
  stdin: Readable;
  env: NodeJS.ProcessEnv;
  /** stdout is a terminal: draw progress bars and tables; otherwise plain lines. */
  isTTY: boolean;
}

export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, string | boolean>;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(args: ParsedArgs, ctx: CliContext): Promise<number>;
}

/** Built by main.ts; commands ask it for what they need. */
export interface CliContext {
  io: CliIO;
  /** --json was given: machine-readable output only. */
  json: boolean;
  /** Directory for settings, profiles, limiter log, job state (STUDYDL_HOME or the OS config dir). */
  configDir: string;
}

export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  auth: 3,
  notFound: 4,
  network: 5,
  rateLimited: 6,
} as const;

/** Maps a typed error to the documented exit code. */
export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'INVALID_ARGUMENT':
    case 'INVALID_PARAMETER':
      return EXIT.usage;
    case 'KEY_FORMAT':
    case 'UNAUTHORIZED':
    case 'FORBIDDEN':
    case 'NO_PROFILE':
      return EXIT.auth;
    case 'NOT_FOUND':
      return EXIT.notFound;
    case 'UNREACHABLE':
    case 'TIMEOUT':
    case 'SERVER':
    case 'NOT_HYPERSTUDY':
    case 'BAD_RESPONSE':
    case 'CROSS_ORIGIN':
      return EXIT.network;
    case 'RATE_LIMITED':
      return EXIT.rateLimited;
    default:
      return EXIT.failure;
  }
}
