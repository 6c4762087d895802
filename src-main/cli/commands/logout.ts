// `studydl logout`: deletes the stored key of the active (or --profile) connection; the profile stays.
// `--remove` also deletes the profile.
import { StudyError } from '../../../src-shared/errors';
import { booleanFlag, stringFlag } from '../args';
import type { Command } from '../command';
import { EXIT } from '../command';
import { write, writeJson } from '../output';
import { openCliProfiles } from './profiles';
import { environmentKeyVariableSet } from '../../core/secrets/environment-key';
import { sourceModule } from '../../core/sources/registry';

export const logoutCommand: Command = {
  name: 'logout',
  summary: 'Delete the stored API key of the active connection (or --profile NAME)',
  usage: 'studydl logout [--profile NAME] [--remove] [--json]',
  async run(args, ctx) {
    const { manager } = await openCliProfiles(ctx, { ignoreEnvKey: true, quietNotice: true });
    const wanted = stringFlag(args, 'profile');
    const profile = wanted ? await manager.find(wanted) : (await manager.list()).find((p) => p.active && p.id !== 'environment');
    if (!profile) {
      if (wanted) throw new StudyError({ code: 'NO_PROFILE', message: `There is no connection profile called “${wanted}”.`, fix: 'List your profiles with `studydl profiles`.' });
      if (ctx.json) writeJson(ctx.io.stdout, { loggedOut: false });
      else write(ctx.io.stdout, 'No connection is active, so there is nothing to log out of.');
      return EXIT.ok;
    }
    const remove = booleanFlag(args, 'remove');
    const deleted = remove ? (await manager.remove(profile.id), true) : await manager.forgetKey(profile.id);
    if (ctx.json) {
      writeJson(ctx.io.stdout, { loggedOut: true, profile: profile.name, keyDeleted: deleted, profileRemoved: remove });
      return EXIT.ok;
    }
    if (remove) write(ctx.io.stdout, `Removed the connection “${profile.name}” and deleted its key.`);
    else if (deleted) write(ctx.io.stdout, `Deleted the stored key of “${profile.name}”. Run \`studydl login --profile "${profile.name}"\` to use it again.`);
    else write(ctx.io.stdout, `No stored key was found for “${profile.name}” (nothing to delete).`);
    const envVariable = environmentKeyVariableSet(ctx.io.env, sourceModule(profile.source));
    if (envVariable) write(ctx.io.stderr, `note: ${envVariable} is still set in this environment and will keep being used.`);
    return EXIT.ok;
  },
};
