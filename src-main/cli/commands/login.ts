// `studydl login [--source …]`: reads the key from stdin (never argv), checks it against the
// server (the source's own check), and stores it in the OS keychain under a named connection profile.
// For a source with a browser sign-in (BrainSTEM), `--device` shows a link and a code instead and
// waits for the approval; for a public portal (`--portal public`) nothing is read or stored but
// the connection.
import type { Readable, Writable } from 'node:stream';
import { StudyError } from '../../../src-shared/errors';
import type { Environment, KeyValidation, Portal, ProfileSummary } from '../../../src-shared/model';
import type { ProfileManager } from '../../core/profiles/profile-manager';
import { createSignIns } from '../../core/profiles/sign-ins';
import { checkApiBaseUrl } from '../../core/net/base-url';
import type { SourceModule } from '../../core/sources/source';
import { booleanFlag, stringFlag } from '../args';
import type { CliContext, Command, ParsedArgs } from '../command';
import { EXIT } from '../command';
import { portalFlag, readKeyFromStdin, sourceFlag } from '../context';
import { DEFAULT_SOURCE_ID, sourceModule } from '../../core/sources/registry';
import { write, writeJson, writeJsonLine, writeLine } from '../output';
import { openCliProfiles } from './profiles';

const USAGE =
  'echo "$KEY" | studydl login [--source hyperstudy|brainstem] [--profile NAME] [--env production|development] [--base-url URL] [--org ID] [--skip-validation] [--json]\n' +
  '       studydl login --source brainstem --device [--profile NAME] [--base-url URL]   (shows a link and a code, waits for the approval)\n' +
  '       studydl login --source brainstem --portal public [--profile NAME] [--base-url URL]   (public projects, no token)';

/** The environment a base URL means to its source (one of its named servers, or custom). */
function environmentOf(module: SourceModule, url: string): Environment {
  return module.resolveConnection({ environment: 'custom', baseUrl: url }).environment;
}

function target(args: ParsedArgs, module: SourceModule): { environment: Environment; baseUrl?: string } {
  const envFlag = stringFlag(args, 'env');
  const urlFlag = stringFlag(args, 'base-url');
  if (envFlag && !['production', 'development'].includes(envFlag)) {
    throw new StudyError({ code: 'INVALID_ARGUMENT', message: `--env must be production or development (got "${envFlag}").`, fix: 'Use --base-url URL for any other server.' });
  }
  if (urlFlag === 'production' || urlFlag === 'development') return { environment: urlFlag };
  if (urlFlag) {
    checkApiBaseUrl(urlFlag); // before the key is asked for: https, or plain http on this machine only
    const env = environmentOf(module, urlFlag);
    if (envFlag && env !== envFlag) {
      throw new StudyError({ code: 'INVALID_ARGUMENT', message: `--env ${envFlag} and --base-url ${urlFlag} disagree.`, fix: 'Give one of them.' });
    }
    return env === 'custom' ? { environment: 'custom', baseUrl: urlFlag } : { environment: env };
  }
  return { environment: (envFlag as Environment | undefined) ?? 'production' };
}

function defaultProfileName(module: SourceModule, environment: Environment, baseUrl?: string, portal?: Portal): string {
  let host = 'custom';
  try {
    host = new URL(baseUrl!).host;
  } catch {
    // keep "custom"
  }
  if (module.id === DEFAULT_SOURCE_ID) return environment !== 'custom' ? environment : host;
  // Another source's profiles are named after it, so they never replace a HyperStudy profile of the same name.
  const name = environment !== 'custom' ? module.id : `${module.id} ${host}`;
  return portal === 'public' ? `${name} (public)` : name;
}

/** Reads one line from an interactive terminal without echoing it. */
async function promptHidden(stdin: Readable & { isTTY?: boolean; setRawMode?: (on: boolean) => void }, stderr: Writable, what: string): Promise<string> {
  // Echo off before the prompt appears, so nothing typed or pasted after it is shown.
  stdin.setRawMode?.(true);
  stderr.write(`Paste your ${what} (input hidden), then press Enter: `);
  stdin.resume();
  let value = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer | string) => {
        for (const ch of chunk.toString('utf8')) {
          if (ch === '\r' || ch === '\n') {
            stdin.off('data', onData);
            return resolve();
          }
          if (ch === '\u0003') {
            stdin.off('data', onData);
            return reject(new StudyError({ code: 'CANCELLED', message: 'Login was cancelled.' }));
          }
          if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
          else value += ch;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode?.(false);
    stdin.pause();
    stderr.write('\n');
  }
  return value.trim();
}

function exitFor(v: KeyValidation): number {
  switch (v.outcome) {
    case 'accepted':
      return EXIT.ok;
    case 'wrong-format':
    case 'rejected':
    case 'missing-scopes':
      return EXIT.auth;
    default:
      return EXIT.network;
  }
}

async function readKey(ctx: CliContext, module: SourceModule): Promise<string> {
  const stdin = ctx.io.stdin as Readable & { isTTY?: boolean };
  const what = `${module.descriptor.label} ${module.descriptor.authMethods[0]?.label ?? 'key'}`;
  return stdin.isTTY ? promptHidden(stdin, ctx.io.stderr, what) : readKeyFromStdin(ctx.io);
}

export const loginCommand: Command = {
  name: 'login',
  summary: 'Check an API key (read from stdin) and store it in the OS keychain as a connection profile',
  usage: USAGE,
  async run(args, ctx) {
    const module = sourceFlag(args) ?? sourceModule(DEFAULT_SOURCE_ID);
    // A positional that looks like a credential is one typed on the command line: refused, never used.
    if (args.flags['api-key'] !== undefined || args.positionals.some((p) => module.credentialFormatProblem(p) === null)) {
      throw new StudyError({
        code: 'INVALID_ARGUMENT',
        message: 'The API key is never taken from the command line: other users could read it in the process list and your shell history.',
        fix: `Pipe it in instead: ${USAGE}`,
      });
    }
    const where = target(args, module);
    const organizationId = stringFlag(args, 'org');
    const portal = portalFlag(args);
    const name = stringFlag(args, 'profile') ?? defaultProfileName(module, where.environment, where.baseUrl, portal);
    const keyless = module.needsCredential?.({ portal }) === false;
    const device = booleanFlag(args, 'device');
    if (device && keyless) throw new StudyError({ code: 'INVALID_ARGUMENT', message: 'The public portal needs no sign-in.', fix: 'Leave out --device (or --portal public).' });
    const apiKey = keyless || device ? '' : await readKey(ctx, module);
    if (!apiKey && !keyless && !device) {
      throw new StudyError({ code: 'KEY_FORMAT', message: 'No API key arrived on stdin.', fix: `Pipe the key in: ${USAGE}` });
    }

    const { manager, keyStore } = await openCliProfiles(ctx, { ignoreEnvKey: true, quietNotice: true });
    const { validation, profile } = device
      ? await deviceLogin(ctx, module, { name, ...(where.baseUrl ? { baseUrl: where.baseUrl } : {}) }, manager)
      : await manager.add(
          { name, source: module.id, environment: where.environment, ...(where.baseUrl ? { baseUrl: where.baseUrl } : {}), ...(organizationId ? { organizationId } : {}), ...(portal ? { portal } : {}), apiKey },
          { skipValidation: booleanFlag(args, 'skip-validation') },
        );
    const storage = profile?.keyStorage ?? (await keyStore.store.status());

    if (ctx.json) {
      writeJson(ctx.io.stdout, { validation, ...(profile ? { profile } : {}), keyStorage: storage, ...(keyStore.notice ? { notice: keyStore.notice } : {}) });
    }
    if (!profile) {
      writeLine(ctx.io.stderr, `error: ${validation.message}`);
      if (validation.fix) writeLine(ctx.io.stderr, `  fix: ${validation.fix}`);
      if (validation.outcome === 'unreachable' || validation.outcome === 'error') {
        write(ctx.io.stderr, '  Nothing was saved. To save the key without checking it, add --skip-validation.');
      }
      return exitFor(validation);
    }
    if (!ctx.json) {
      write(ctx.io.stdout, `${validation.message}`);
      write(ctx.io.stdout, `Saved the connection “${profile.name}” (${profile.baseUrl}${profile.portal ? `, ${profile.portal} portal` : ''}) and made it active.`);
    }
    if (keyless) return EXIT.ok;
    if (storage.persistent) {
      if (!ctx.json) write(ctx.io.stdout, `Your key is ${storage.description.charAt(0).toLowerCase()}${storage.description.slice(1)}.`);
      if (keyStore.notice && !ctx.json) write(ctx.io.stderr, `${keyStore.notice.level}: ${keyStore.notice.message}`);
    } else {
      // The CLI process ends here, so a session-only key is gone with it: say so plainly.
      write(ctx.io.stderr, `warning: ${keyStore.notice?.message ?? storage.warning ?? 'Your API key will not be remembered.'}`);
      if (keyStore.notice?.fix) write(ctx.io.stderr, `  fix: ${keyStore.notice.fix}`);
      const envVar = module.environmentKey?.keyVariable;
      if (envVar) write(ctx.io.stderr, `  For scripts and scheduled downloads, set ${envVar} in their environment instead.`);
    }
    return EXIT.ok;
  },
};

/**
 * The browser sign-in, as the app runs it (core/profiles/sign-ins.ts): the link and the code go to
 * stderr (or a JSON line), the approval is waited for, and the token goes to the key store only.
 * Ctrl-C cancels it.
 */
async function deviceLogin(ctx: CliContext, module: SourceModule, t: { name: string; baseUrl?: string }, manager: ProfileManager): Promise<{ validation: KeyValidation; profile?: ProfileSummary }> {
  const signIns = createSignIns({ profiles: () => manager });
  const start = await signIns.startDevice({ name: t.name, source: module.id, ...(t.baseUrl ? { baseUrl: t.baseUrl } : {}) });
  if (start.kind === 'paste-token') {
    throw new StudyError({ code: 'UNSUPPORTED', message: start.message, fix: `Create a personal access token at ${start.tokensPageUrl}, then pipe it in: ${USAGE.split('\n')[0]}` });
  }
  if (ctx.json) writeJsonLine(ctx.io.stdout, { event: 'device-code', verificationUri: start.verificationUri, verificationUriComplete: start.verificationUriComplete, userCode: start.userCode, expiresIn: start.expiresIn });
  else {
    const minutes = Math.max(1, Math.round(start.expiresIn / 60));
    writeLine(ctx.io.stderr, `To sign in to ${module.descriptor.label}, open this page in a browser and approve the code ${start.userCode}:`);
    writeLine(ctx.io.stderr, `  ${start.verificationUriComplete}`);
    if (start.verificationUriComplete !== start.verificationUri) writeLine(ctx.io.stderr, `  (or open ${start.verificationUri} and type the code)`);
    writeLine(ctx.io.stderr, `Waiting for the approval (the code is valid for ${minutes} minute${minutes === 1 ? '' : 's'}; Ctrl-C cancels)…`);
  }
  const onSigint = () => signIns.cancelDevice(start.flowId);
  process.on('SIGINT', onSigint);
  try {
    return await signIns.finishDevice(start.flowId);
  } finally {
    process.off('SIGINT', onSigint);
    signIns.close();
  }
}
