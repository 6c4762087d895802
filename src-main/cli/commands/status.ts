// `studydl status`: the active connection, where its key lives, and the remaining rate budget
// from the persisted limiter log. Makes no network request.
import { isStudyError, StudyError } from '../../../src-shared/errors';
import type { RateBudget } from '../../../src-shared/model';
import { createJointLimiter } from '../../core/net/limiter';
import { systemClock } from '../../core/ports';
import { stringFlag } from '../args';
import type { Command } from '../command';
import { EXIT } from '../command';
import { limiterPersistPath, limitsFor } from '../context';
import { DEFAULT_SOURCE_ID, sourceModule } from '../../core/sources/registry';
import { environmentKeyVariables } from '../../core/secrets/environment-key';
import { sourcesWithEnvironmentKey } from '../../core/sources/registry';
import { write, writeJson, writeLine } from '../output';
import { keyCell, openCliProfiles } from './profiles';

export const statusCommand: Command = {
  name: 'status',
  summary: 'Show the active connection, where its key is kept, and the remaining request budget',
  usage: 'studydl status [--profile NAME] [--json]',
  async run(args, ctx) {
    const { manager, keyStore } = await openCliProfiles(ctx, { quietNotice: true });
    const wanted = stringFlag(args, 'profile');
    const storage = await keyStore.store.status();
    let active;
    let problem: StudyError | null = null;
    try {
      active = await manager.connectionFor(wanted);
    } catch (e) {
      if (!isStudyError(e) || e.code !== 'NO_PROFILE') throw e;
      problem = e;
      if (wanted) throw e;
    }
    const profile = active?.profile ?? (await manager.list()).find((p) => p.active) ?? null;

    let budget: RateBudget | null = null;
    if (active) {
      const limiter = createJointLimiter({ ...limitsFor(sourceModule(active.connection.source), ctx.io.env), clock: systemClock, persistPath: limiterPersistPath(ctx.configDir, active.connection) });
      try {
        budget = limiter.budget();
      } finally {
        await limiter.close();
      }
    }

    if (ctx.json) {
      writeJson(ctx.io.stdout, {
        profile,
        keyStorage: profile?.keyStorage ?? storage,
        keychain: { store: storage, ...(keyStore.notice ? { notice: keyStore.notice } : {}), unavailable: keyStore.rejected.map((r) => ({ kind: r.kind, reason: r.reason, message: r.error.message })) },
        budget,
        ...(problem ? { error: problem.toInfo() } : {}),
      });
      return active ? EXIT.ok : EXIT.auth;
    }

    const out = ctx.io.stdout;
    if (!profile) {
      write(out, `Not logged in: no connection profile and no ${sourcesWithEnvironmentKey().map((m) => environmentKeyVariables(m)[0]).join(' or ')}.`);
      write(out, `Keys would be kept in: ${storage.description}.`);
      if (storage.warning) write(ctx.io.stderr, `warning: ${storage.warning}`);
      write(out, 'Add a connection with: echo "$KEY" | studydl login [--base-url URL]');
      return EXIT.auth;
    }
    write(out, `Connection:   ${profile.name}${profile.demo ? ' (demo)' : ''}${profile.source !== DEFAULT_SOURCE_ID ? ` (${sourceModule(profile.source).descriptor.label})` : ''}`);
    write(out, `Server:       ${profile.baseUrl} (${profile.environment})`);
    if (profile.organizationId) write(out, `Organization: ${profile.organizationId}`);
    write(out, `API key:      ${profile.hasKey ? keyCell(profile) : 'not available here'}`);
    write(out, `Key kept in:  ${profile.hasKey ? profile.keyStorage.description : `nowhere (on this machine keys are ${storage.description.charAt(0).toLowerCase()}${storage.description.slice(1)})`}`);
    // One warning, the most specific one.
    const warning = profile.keyStorage.kind === 'environment' ? null : (keyStore.notice?.message ?? (profile.keyStorage.persistent ? null : profile.keyStorage.warning));
    if (warning) write(ctx.io.stderr, `warning: ${warning}`);
    if (budget) {
      write(out, `Rate budget:  ${budget.summary}`);
      write(out, `              ${budget.endpointLimit} requests per ${budget.endpointWindowSec} s per endpoint`);
      if (budget.blockedUntil) write(out, `              paused by the server until ${budget.blockedUntil}`);
    }
    if (problem) {
      writeLine(ctx.io.stderr, `error: ${problem.message}`);
      if (problem.fix) writeLine(ctx.io.stderr, `  fix: ${problem.fix}`);
      return EXIT.auth;
    }
    return EXIT.ok;
  },
};
