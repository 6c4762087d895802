// `studydl profiles`: list connection profiles; `profiles use NAME`; `profiles remove NAME`.
// Also the small helpers login/logout/status share (opening the key store the CLI way).
import { StudyError } from '../../../src-shared/errors';
import type { ProfileSummary } from '../../../src-shared/model';
import { openProfiles, type OpenedProfiles } from '../../core/profiles/open-profiles';
import { DEFAULT_SOURCE_ID } from '../../core/sources/registry';
import type { CliContext, Command } from '../command';
import { EXIT } from '../command';
import { table, write, writeJson } from '../output';

/** The profile manager over the best key store available here; prints a notice if the store degraded. */
export async function openCliProfiles(ctx: CliContext, opts: { ignoreEnvKey?: boolean; quietNotice?: boolean } = {}): Promise<OpenedProfiles> {
  const opened = await openProfiles({ configDir: ctx.configDir, env: ctx.io.env, ignoreEnvKey: opts.ignoreEnvKey });
  if (!opts.quietNotice) {
    const notice = opened.keyStore.notice;
    if (notice) {
      write(ctx.io.stderr, `${notice.level}: ${notice.message}`);
      if (notice.fix) write(ctx.io.stderr, `  fix: ${notice.fix}`);
    }
    for (const n of opened.manager.notices()) write(ctx.io.stderr, `${n.level}: ${n.message}`);
  }
  return opened;
}

export function keyCell(p: ProfileSummary): string {
  if (!p.hasKey) return 'none';
  return p.keyHint ?? 'stored';
}

export function printProfiles(ctx: CliContext, list: ProfileSummary[]): void {
  // The source column appears once a profile is to another source than the default.
  const mixed = list.some((p) => p.source !== DEFAULT_SOURCE_ID);
  write(
    ctx.io.stdout,
    table<ProfileSummary>(list, [
      { label: '', value: (p) => (p.active ? '*' : '') },
      { label: 'NAME', value: (p) => p.name },
      ...(mixed ? [{ label: 'SOURCE', value: (p: ProfileSummary) => p.source }] : []),
      { label: 'ENVIRONMENT', value: (p) => p.environment },
      { label: 'BASE URL', value: (p) => p.baseUrl },
      { label: 'ORG', value: (p) => p.organizationId ?? '' },
      { label: 'KEY', value: keyCell },
      { label: 'KEY STORED', value: (p) => (p.hasKey ? p.keyStorage.description : '') },
    ]),
  );
}

export const profilesCommand: Command = {
  name: 'profiles',
  summary: 'List connection profiles, switch the active one, or remove one (and its key)',
  usage: 'studydl profiles [list | use <name> | remove <name>] [--json]',
  async run(args, ctx) {
    const [action = 'list', name] = args.positionals;
    if (!['list', 'ls', 'use', 'remove', 'rm'].includes(action)) {
      throw new StudyError({ code: 'INVALID_ARGUMENT', message: `"${action}" is not a profiles action.`, fix: 'Use `studydl profiles`, `studydl profiles use <name>` or `studydl profiles remove <name>`.' });
    }
    if (action !== 'list' && action !== 'ls' && !name) {
      throw new StudyError({ code: 'INVALID_ARGUMENT', message: `Which profile? \`profiles ${action}\` needs a profile name.`, fix: 'List the names with `studydl profiles`.' });
    }
    const { manager } = await openCliProfiles(ctx, { quietNotice: action !== 'list' && action !== 'ls' });
    let list: ProfileSummary[];
    if (action === 'use') list = await manager.activate(name);
    else if (action === 'remove' || action === 'rm') list = await manager.remove(name);
    else list = await manager.list();

    if (ctx.json) {
      writeJson(ctx.io.stdout, { profiles: list });
      return EXIT.ok;
    }
    if (action === 'use') write(ctx.io.stdout, `Now using the connection “${list.find((p) => p.active)?.name ?? name}”.`);
    if (action === 'remove' || action === 'rm') write(ctx.io.stdout, `Removed the connection “${name}” and deleted its key.`);
    if (!list.length) {
      write(ctx.io.stdout, 'No connection profiles yet. Add one with `studydl login` (the key is read from stdin).');
      return EXIT.ok;
    }
    printProfiles(ctx, list);
    return EXIT.ok;
  },
};
