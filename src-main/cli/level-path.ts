// The CLI's reading of a source's level tree: which source a command talks to, paths of ids
// (`ls exp/room`), and targets (`plan participant <id> --room <roomId>`), all from the descriptor.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { StudyError } from '../../src-shared/errors';
import type { LevelDescriptor, PathStep, SourceDescriptor, Target } from '../../src-shared/model';
import { readProfiles, PROFILES_FILE_NAME } from '../core/profiles/profiles-file';
import { readEnvironmentKey } from '../core/secrets/environment-key';
import { levelChain } from '../core/sources/check-ids';
import { DEFAULT_SOURCE_ID, sourceModule, sourcesWithEnvironmentKey } from '../core/sources/registry';
import type { SourceModule } from '../core/sources/source';
import { booleanFlag, stringFlag } from './args';
import type { CliContext, ParsedArgs } from './command';

function usage(message: string, fix: string): StudyError {
  return new StudyError({ code: 'INVALID_ARGUMENT', message, fix });
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * The source a command talks to, known before any key is read: --source; else a piped key (the
 * default source's) or an environment key (the first source whose variable is set); else the
 * stored profile's (--profile, or the active one), read from the profiles file without touching the
 * keychain; else the default source.
 */
export async function chooseModule(args: ParsedArgs, ctx: CliContext): Promise<SourceModule> {
  const flag = stringFlag(args, 'source');
  if (flag !== undefined) return sourceModule(flag);
  const wanted = stringFlag(args, 'profile');
  if (!wanted && booleanFlag(args, 'api-key-stdin')) return sourceModule(DEFAULT_SOURCE_ID);
  const withEnvKey = wanted ? undefined : sourcesWithEnvironmentKey().find((m) => readEnvironmentKey(ctx.io.env, m));
  if (withEnvKey) return withEnvKey;
  const file = join(ctx.configDir, PROFILES_FILE_NAME);
  if (!existsSync(file)) return sourceModule(DEFAULT_SOURCE_ID);
  const data = await readProfiles(file, Date.now, []).catch(() => null);
  const lower = wanted?.trim().toLowerCase();
  const profile = data?.profiles.find((p) => (wanted ? p.id === wanted || p.name.toLowerCase() === lower : p.id === data.activeId));
  return sourceModule(profile?.source ?? DEFAULT_SOURCE_ID);
}

/** The root level (parent null) and its first children down: the path `ls a/b/c` walks. */
export function listingChain(d: SourceDescriptor): LevelDescriptor[] {
  const chain: LevelDescriptor[] = [];
  let level = d.levels.find((l) => l.parent === null);
  while (level && !chain.includes(level)) {
    chain.push(level);
    const child = level.children[0];
    level = child ? d.levels.find((l) => l.id === child) : undefined;
  }
  return chain;
}

/** "<experimentId>/<roomId>" for a chain of levels. */
export function idsPattern(levels: readonly LevelDescriptor[]): string {
  return levels.map((l) => `<${l.id}Id>`).join('/');
}

/** `a/b/c` as a path down the listing chain. */
export function parseNodePath(d: SourceDescriptor, p: string | undefined): PathStep[] {
  if (!p) return [];
  const chain = listingChain(d);
  const parts = p.split('/').filter(Boolean);
  if (parts.length > chain.length) {
    const forms = chain.map((_, i) => idsPattern(chain.slice(0, i + 1)));
    throw usage(`"${p}" has too many parts.`, `Use ${forms.slice(0, -1).join(', ')} or ${forms[forms.length - 1]}.`);
  }
  return parts.map((id, i) => ({ level: chain[i].id, id }));
}

/**
 * What `ls <path>` lists. Along the chain of first children it lists the next level (HyperStudy's
 * rooms, BrainSTEM's sessions); at the chain's end, where the children have no children of their
 * own, it lists every child level (BrainSTEM: a session's records by type).
 */
export function listingsAt(d: SourceDescriptor, path: PathStep[]): { levels: LevelDescriptor[]; parentPath: PathStep[] } {
  const chain = listingChain(d);
  if (path.length === 0) return { levels: [chain[0]], parentPath: [] };
  const last = chain[path.length - 1];
  const children = last.children.map((c) => d.levels.find((l) => l.id === c)).filter((l): l is LevelDescriptor => !!l);
  if (!children.length) {
    throw usage(`ls lists down to ${last.label.toLowerCase()}; a ${last.singular} has no children.`, `Use \`studydl ls ${idsPattern(chain.slice(0, path.length - 1))}\`.`);
  }
  const atEnd = children.every((c) => c.children.length === 0);
  return { levels: atEnd ? children : [children[0]], parentPath: path };
}

/**
 * The target of `<level> <id>`: the id alone (its ancestors from --<level> flags), or the whole
 * path `a/b/c`. A missing root id is '-' (some servers page a room without it; an export refuses
 * it); any other missing ancestor is a usage error.
 */
export function parseTarget(args: ParsedArgs, d: SourceDescriptor, verb: string, standalone?: readonly string[]): Target {
  const [levelArg, idArg] = args.positionals;
  const level = d.levels.find((l) => l.id === levelArg);
  if (!level) {
    const forms = d.levels.map((l) => {
      const flags = levelChain(d, l.id).slice(1, -1).map((a) => ` --${a.id} <${a.id}Id>`).join('');
      return `plan ${l.id} <id>${flags}`;
    });
    throw usage(levelArg ? `"${levelArg}" is not a level.` : `Say what to ${verb}.`, `Use \`studydl ${forms.slice(0, -1).join('`, `')}\` or \`${forms[forms.length - 1]}\`.`);
  }
  if (!idArg) throw usage(`Give the ${level.id} id.`, `e.g. studydl ${verb} ${level.id} <id> --types ${d.dataTypes[0]?.id ?? 'all'}`);
  const chain = levelChain(d, level.id);
  const parts = idArg.split('/').filter(Boolean);
  if (parts.length === chain.length) return { level: level.id, path: parts.map((id, i) => ({ level: chain[i].id, id })) };
  if (parts.length !== 1) throw usage(`"${idArg}" does not name a ${level.singular}.`, `Give the ${level.singular} id, or the path ${idsPattern(chain)}.`);
  const path = chain.map((l, i): PathStep => {
    if (i === chain.length - 1) return { level: l.id, id: parts[0] };
    const flag = stringFlag(args, l.id);
    if (flag) return { level: l.id, id: flag };
    // The root's id may be unknown ('-'): some servers page a room without it; BrainSTEM reads a session by its own id.
    if (i === 0 || (standalone ?? []).includes(level.id)) return { level: l.id, id: '-' };
    const above = chain[i - 1];
    throw usage(`${capital(level.singular)} data needs the ${level.singular}’s ${l.singular}.`, `Add --${l.id} <${l.id}Id> (list ${l.label.toLowerCase()} with \`studydl ls <${above.id}Id>\`).`);
  });
  return { level: level.id, path };
}

/** `all`, or a comma list of type ids (the source's aliases accepted, e.g. HyperStudy's `ratings` for both kinds); left out, the source's default. */
export function parseTypes(raw: string | undefined, module: SourceModule, verb = 'plan', level?: string): string[] {
  const d = module.descriptor;
  const valid = d.dataTypes.map((x) => x.id).join(', ');
  if (!raw && module.defaultTypes === 'all') return d.levels.find((l) => l.id === level)?.dataTypes ?? d.dataTypes.map((x) => x.id);
  if (!raw) throw usage(`Say which data types to ${verb} with --types.`, `Use --types all, or a comma list of: ${valid}.`);
  const out: string[] = [];
  for (const t of raw.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)) {
    if (t === 'all') out.push(...d.dataTypes.map((x) => x.id));
    else if (d.dataTypes.some((x) => x.id === t)) out.push(t);
    else if (module.typeAliases && Object.hasOwn(module.typeAliases, t)) out.push(...module.typeAliases[t]);
    else throw usage(`"${t}" is not a data type.`, `Use --types all, or a comma list of: ${valid}.`);
  }
  return [...new Set(out)];
}
