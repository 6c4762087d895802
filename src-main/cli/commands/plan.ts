// `studydl plan <level> <id> --types …` (HyperStudy: experiment, room or participant): what an
// export would fetch, how many requests it costs, and how long the rate limits make it take. Read-only.
import { StudyError } from '../../../src-shared/errors';
import type { PlannedStream } from '../../../src-shared/model';
import { createPlan } from '../../core/plan/planner';
import { checkTarget } from '../../core/sources/check-ids';
import type { Command, ParsedArgs } from '../command';
import { EXIT } from '../command';
import { booleanFlag, stringFlag } from '../args';
import { openSource } from '../context';
import { chooseModule, parseTarget, parseTypes } from '../level-path';
import { humanBytes, humanDuration, humanNumber, table, waitNotice, write, writeJson, writeWarnings } from '../output';

function usage(message: string, fix: string): StudyError {
  return new StudyError({ code: 'INVALID_ARGUMENT', message, fix });
}

export function isoFlag(args: ParsedArgs, name: string): string | undefined {
  const v = stringFlag(args, name);
  if (v !== undefined && Number.isNaN(Date.parse(v))) throw usage(`--${name} "${v}" is not a date.`, 'Use ISO 8601, e.g. 2024-06-15 or 2024-06-15T10:00:00Z.');
  return v;
}

export const planCommand: Command = {
  name: 'plan',
  summary: 'Show what an export would fetch: streams, requests and estimated time',
  usage: 'studydl plan <level> <id> (HyperStudy: experiment <id> | room <roomId> [--experiment <id>] | participant <id> --room <roomId>; BrainSTEM: project <id> | session <id> | subject <id>) --types events,chat,…|all [--since ISO] [--until ISO] [--recordings] [--source hyperstudy] [--json]',
  async run(args, ctx) {
    const module = await chooseModule(args, ctx);
    const target = parseTarget(args, module.descriptor, 'plan', module.standaloneLevels);
    checkTarget(module.descriptor, target);
    const types = parseTypes(stringFlag(args, 'types'), module, 'plan', target.level);
    const since = isoFlag(args, 'since');
    const until = isoFlag(args, 'until');
    const c = await openSource(args, ctx);
    try {
      const { plan } = await createPlan(c.source, { target, types, since, until, includeRecordings: booleanFlag(args, 'recordings') }, { onWait: waitNotice(ctx.io.stderr) });
      if (ctx.json) {
        // The target in the source's own words (HyperStudy: experimentId, roomId, participantId).
        writeJson(ctx.io.stdout, { ...plan, target: c.source.manifestTarget(plan.target) });
        return EXIT.ok;
      }
      writeWarnings(ctx.io.stderr, plan.warnings);
      const out = ctx.io.stdout;
      write(
        out,
        table<PlannedStream>(plan.streams, [
          { label: 'TYPE', value: (s) => s.type },
          { label: 'SCOPE', value: (s) => s.scope },
          { label: 'ID', value: (s) => s.scopeId + (s.context ? ` (${s.context})` : '') },
          { label: 'RECORDS', value: (s) => s.total },
          { label: 'REQUESTS', value: (s) => s.requests },
        ]),
      );
      const lines = [
        `Records:        ${humanNumber(plan.records)}`,
        `Requests:       ${humanNumber(plan.requestsNeeded)} (data ${humanNumber(plan.requestsNeeded - plan.listingRequests - plan.mediaRequests)}, listings ${humanNumber(plan.listingRequests)}, media links ${humanNumber(plan.mediaRequests)}); ${humanNumber(plan.requestsSpentPlanning)} already spent planning`,
      ];
      if (plan.mediaReserve) lines.push(`                of which ${humanNumber(plan.mediaReserve)} only if a file's signed link expires before its download`);
      if (plan.mediaFiles || booleanFlag(args, 'recordings')) lines.push(`Media:          ${humanNumber(plan.mediaFiles)} files, ${humanBytes(plan.mediaBytes)}`);
      lines.push(`Estimated time: ${humanDuration(plan.estimatedSeconds)} (rate limits)`, `Rate budget:    ${plan.budget.summary}`);
      write(out, lines.join('\n'));
      return EXIT.ok;
    } finally {
      await c.close();
    }
  },
};
