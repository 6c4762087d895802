// A tiny argv parser: positionals, `--flag value`, `--flag=value`, booleans and `--no-flag`.
// Flags named in `booleans` never take the next word as their value.
import type { ParsedArgs } from './command';

/** Flags that are switches everywhere; commands may pass more. */
export const BOOLEAN_FLAGS = new Set(['json', 'help', 'version', 'recordings', 'api-key-stdin', 'verbose', 'quiet', 'yes', 'zip', 'bom', 'wait', 'follow', 'formula-protection', 'remove', 'device', 'full', 'verify', 'plan']);

export function parseArgs(argv: string[], booleans: ReadonlySet<string> = BOOLEAN_FLAGS): ParsedArgs {
  const positionals: string[] = [];
  const flags: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--') && a.length > 2) {
      const body = a.slice(2);
      const eq = body.indexOf('=');
      if (eq >= 0) {
        flags[body.slice(0, eq)] = body.slice(eq + 1);
        continue;
      }
      if (body.startsWith('no-') && body.length > 3) {
        flags[body.slice(3)] = false;
        continue;
      }
      const next = argv[i + 1];
      if (!booleans.has(body) && next !== undefined && !next.startsWith('--')) {
        flags[body] = next;
        i++;
      } else {
        flags[body] = true;
      }
      continue;
    }
    if (a === '-h') {
      flags.help = true;
      continue;
    }
    positionals.push(a);
  }
  return { positionals, flags };
}

/** A string flag's value; a bare `--flag` with no value counts as missing. */
export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function booleanFlag(args: ParsedArgs, name: string): boolean {
  const v = args.flags[name];
  return v === true || v === 'true' || v === '1' || v === 'yes';
}
