// `studydl sync`: a folder kept up to date.
//   studydl sync <level> <id> --out DIR [--types …] [--format …] [--recordings] [--anonymize …] [--split …]
//     makes DIR a sync folder (the files a folder export writes, plus .studydl-sync/) and fills it;
//   studydl sync DIR [--full] [--verify] [--plan]
//     brings it up to date with the selection saved in it (--plan: only show what that would cost).
// Runs as a resumable job like an export (Ctrl-C pauses; `studydl sync DIR` or `studydl resume`
// continues); shows the plan before it fetches, progress while it runs, and a summary at the end.
// Exit codes as for every command: 0 ok, 2 usage, 3 auth, 4 not found, 5 network, 6 rate-limited,
// 1 anything else, 130 paused.
import path from 'node:path';
import { StudyError } from '../../../src-shared/errors';
import type { JobSnapshot, SyncPlan } from '../../../src-shared/model';
import { checkSplit } from '../../core/sources/check-ids';
import { sourceModule } from '../../core/sources/registry';
import { estimateSync } from '../../core/sync/estimate';
import { syncPaths } from '../../core/sync/folder';
import { readPendingSync } from '../../core/sync/run-sync';
import { readSyncState } from '../../core/sync/state';
import { booleanFlag, stringFlag } from '../args';
import { EXIT, type Command, type ParsedArgs } from '../command';
import { openSource } from '../context';
import { chooseModule } from '../level-path';
import { humanNumber, write, writeJson, writeJsonLine, writeLine } from '../output';
import { cliJobManager, exportRequestFromArgs, followJob } from './export';
import { writeJobNotices } from './jobs';

function usage(message: string, fix: string): StudyError {
  return new StudyError({ code: 'INVALID_ARGUMENT', message, fix });
}

/** One line per stream of a plan, and the total: what the sync is about to do. */
export function planLines(plan: SyncPlan): string[] {
  const lines = [`Plan: ${plan.summary}${plan.fromState ? ' (from the last sync; rooms added since cost more)' : ''}; listings ${plan.listingRequests}.`];
  for (const s of plan.streams) {
    if (s.mode === 'skip') continue;
    const groups = s.groups ? ` (${s.groups.whole} new, ${s.groups.fromCursor} live, ${s.groups.skipped} settled)` : '';
    lines.push(`  ${s.type} at ${s.scope} ${s.scopeId}: ${s.mode}${groups}, ${s.requests} request${s.requests === 1 ? '' : 's'}`);
  }
  const skipped = plan.streams.filter((s) => s.mode === 'skip').length;
  if (skipped) lines.push(`  ${skipped} stream${skipped === 1 ? '' : 's'} settled: nothing to read`);
  return lines;
}

/** The end of a sync in one line: what came in, at what cost. */
export function outcomeLine(job: JobSnapshot): string {
  const o = job.sync?.outcome;
  if (!o) return '';
  const entries = Object.entries(o.newRecords).filter(([, n]) => (n ?? 0) !== 0);
  const total = entries.reduce((a, [, n]) => a + (n ?? 0), 0);
  const what = entries.length ? `${humanNumber(total)} new records (${entries.map(([t, n]) => `${t} ${humanNumber(n ?? 0)}`).join(', ')})` : 'nothing new';
  const people = o.peopleWithNewData ? `; ${humanNumber(o.peopleWithNewData)} participant${o.peopleWithNewData === 1 ? '' : 's'} with new data` : '';
  const planned = job.sync?.plan ? ` (planned ${humanNumber(job.sync.plan.requests)})` : '';
  return `Synced: ${what}${people}; ${humanNumber(o.requests)} request${o.requests === 1 ? '' : 's'}${planned}.`;
}

/** Is this the DIR form (`studydl sync DIR`) rather than `studydl sync <level> <id> --out DIR`? */
function isFolderForm(args: ParsedArgs): boolean {
  return args.positionals.length === 1 && stringFlag(args, 'out') === undefined;
}

export const syncCommand: Command = {
  name: 'sync',
  summary: 'Keep a folder up to date: fetch only what is new since the last sync',
  usage:
    'studydl sync <level> <id> --out DIR --types …|all [--format csv|json|ndjson] [--split none|room|participant] [--anonymize keep|pseudonymize|aggregate] [--recordings] [--bom/--no-bom] [--formula-protection] [--json]   |   studydl sync DIR [--full] [--verify] [--plan] [--json]   (exit codes: 0 ok, 2 usage, 3 auth, 4 not found, 5 network, 6 rate-limited, 1 other, 130 paused: run it again to continue)',
  async run(args, ctx) {
    const full = booleanFlag(args, 'full');
    const verify = booleanFlag(args, 'verify');
    let dir: string;
    let create: ReturnType<typeof exportRequestFromArgs> | null = null;
    if (isFolderForm(args)) {
      dir = path.resolve(args.positionals[0]);
      const state = await readSyncState(syncPaths(dir).state);
      // A first sync that did not finish (stopped, killed) goes on with what it was started with.
      const pending = state ? null : await readPendingSync(dir);
      if (!state && !pending) {
        throw new StudyError({
          code: 'NOT_FOUND',
          message: `${dir} is not a folder kept up to date (it has no sync state).`,
          fix: 'Start one with `studydl sync <level> <id> --out <folder> --types …`.',
        });
      }
      // The folder says which source it is from (the connection must be to the same one).
      if (stringFlag(args, 'source') === undefined) args.flags.source = state?.source ?? pending!.source;
      if (pending) create = { ...pending.selection, zip: false, destination: dir };
      if (booleanFlag(args, 'plan') && state) {
        const module = sourceModule(state.source);
        const plan = estimateSync({ descriptor: module.descriptor, state, now: Date.now(), pageSize: module.policy.pageSize, full, verify });
        if (ctx.json) writeJson(ctx.io.stdout, { plan, lastSync: state.syncs[state.syncs.length - 1] ?? null });
        else write(ctx.io.stdout, planLines(plan).join('\n'));
        return EXIT.ok;
      }
    } else {
      const out = stringFlag(args, 'out');
      if (!out) throw usage('Say which folder to keep up to date with --out DIR.', 'e.g. studydl sync experiment <id> --types events,chat --out ~/data/emotion-study');
      const module = await chooseModule(args, ctx);
      if (booleanFlag(args, 'zip')) throw usage('A folder kept up to date cannot be a ZIP.', 'Leave out --zip (zip the folder yourself when you share it).');
      if (stringFlag(args, 'since') || stringFlag(args, 'until')) throw usage('A folder kept up to date holds all of the data; --since and --until do not apply.', 'Leave them out.');
      create = exportRequestFromArgs(args, module);
      checkSplit(module.descriptor, create.split);
      dir = path.resolve(out);
    }
    const c = await openSource(args, ctx);
    const manager = cliJobManager(ctx, args, c);
    try {
      await manager.flush();
      writeJobNotices(ctx, manager);
      const state = create ? null : await readSyncState(syncPaths(dir).state);
      const request = create ?? { ...state!.selection, zip: false };
      if (create && !ctx.json && (await readPendingSync(dir))) writeLine(ctx.io.stderr, 'Going on with the first sync of this folder, which did not finish.');
      const job = await manager.start(request, {
        source: c.source.id,
        ...(c.profileId ? { profileId: c.profileId } : {}),
        sync: { dir, ...(create ? { create: true } : {}), ...(full ? { full: true } : {}), ...(verify ? { verify: true } : {}) },
      });
      if (ctx.json) writeJsonLine(ctx.io.stdout, { event: 'started', jobId: job.id, title: job.title, dir });
      else writeLine(ctx.io.stderr, `Job ${job.id}: ${job.title}`);
      let shown = false;
      const off = manager.on('state', (s) => {
        if (s.id !== job.id || shown || !s.sync?.plan) return;
        shown = true;
        if (ctx.json) writeJsonLine(ctx.io.stdout, { event: 'plan', plan: s.sync.plan });
        else for (const l of planLines(s.sync.plan)) writeLine(ctx.io.stderr, l);
      });
      let code: number;
      try {
        code = await followJob(ctx, manager, job.id);
      } finally {
        off();
      }
      const final = manager.get(job.id);
      if (final && !ctx.json && final.state === 'completed') writeLine(ctx.io.stderr, outcomeLine(final));
      return code;
    } finally {
      await manager.close();
      await c.close();
    }
  },
};
